"""The batch send activity: one slice of the population, one channel, exactly once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from temporalio import activity

from activities.population import checked
from herald.assess import choose_channel, contact_point
from herald.channels.base import ChannelAdapter, OutgoingMessage, make_idempotency_key
from herald.models import RECIPIENT_NAME_TOKEN, Channel, DeliveryState, DeliverySummary, Person
from herald.models.messages import (
    ApprovedMessage,
    CampaignSpec,
    SendNoticeBatchInput,
    SendNoticeBatchResult,
)
from herald.population import iter_rows, verify_population
from herald.rendering import l10n, layout
from herald.store.ledger import Ledger

# People claimed and sent per ledger transaction; also the heartbeat interval.
CHUNK = 500


def covers(jurisdictions: list[str], person_jurisdiction: str) -> bool:
    """Whether a campaign notifies a person: their exact code is in its notice plan.

    Plans are built from the population's own codes (herald.rules.locality), so an exact
    match is complete, and two campaigns never claim the same person.
    """
    return person_jurisdiction in jurisdictions


def pick_message(spec: CampaignSpec, language: str | None) -> ApprovedMessage:
    """The approved text in the person's language, matched as the renderer matched it
    (herald.rendering.l10n: "en-US" reads "en", "zh-TW" never reads "zh-CN"), else the
    obligation's default language, else the first one approved."""
    by_language = {m.language: m for m in spec.messages}
    chosen = l10n.choose_language(language, by_language, spec.default_language)
    return by_language[chosen] if chosen else spec.messages[0]


def personalise(message: ApprovedMessage, person: Person, spec: CampaignSpec) -> OutgoingMessage:
    """Fill the recipient's name into the approved text (the only per-person change)."""
    to = contact_point(person, spec.channel)
    assert to is not None, "choose_channel guarantees a contact point"
    name = person.name or l10n.locale_data(message.language).recipient_fallback
    html = (
        layout.personalise_html(email_html(message, spec), name)
        if spec.channel is Channel.EMAIL
        else None
    )
    return OutgoingMessage(
        incident_id=spec.incident_id,
        person_id=person.id,
        channel=spec.channel,
        to=to,
        recipient_name=person.name,
        subject=message.subject,
        body=message.body.replace(RECIPIENT_NAME_TOKEN, name),
        language=message.language,
        html=html,
        link=message.link,
        content_hash=message.content_hash,
        idempotency_key=make_idempotency_key(spec.incident_id, person.id, spec.channel),
    )


def email_html(message: ApprovedMessage, spec: CampaignSpec) -> str:
    """The HTML part of an approved email, laid out once per text (not once per person)."""
    return _email_html(
        message.subject or "", message.body, message.language, spec.sender_name, spec.incident_id
    )


@lru_cache(maxsize=64)
def _email_html(subject: str, body: str, language: str, entity: str, incident_id: str) -> str:
    return layout.email_html(
        subject=subject, body=body, language=language, entity_name=entity, incident_id=incident_id
    )


class DeliveryActivities:
    """Sends approved notices through the channel adapters, recording each in the ledger."""

    def __init__(self, *, ledger: Ledger, adapters: Mapping[Channel, ChannelAdapter]) -> None:
        """Bind to the ledger and one adapter per channel."""
        self._ledger = ledger
        self._adapters = adapters

    @activity.defn
    def send_notice_batch(self, inp: SendNoticeBatchInput) -> SendNoticeBatchResult:
        """Send the notice to everyone in rows start_row..end_row whose channel this is.

        Resumes from the last heartbeat after a crash; the ledger makes every send at most
        once, and rows a crash left in `sending` are reconciled against the adapter.
        """
        spec = inp.spec
        checked(lambda: verify_population(inp.source, deep=False))
        adapter = self._adapters[spec.channel]
        summary = DeliverySummary(obligation_id=spec.obligation_id, channel=spec.channel)
        start = inp.start_row
        details = activity.info().heartbeat_details
        if details:
            last_row, partial = details
            start = int(last_row) + 1
            summary = DeliverySummary.model_validate(partial)
        chunk: list[Person] = []
        last = start - 1
        # The resume point: rows up to `committed[0]` are done and counted in `committed[1]`.
        committed: list[object] = [last, summary.model_dump(mode="json")]

        def beat() -> None:
            activity.heartbeat(*committed)

        # People with no contact point on any approved channel are counted once, by the
        # campaign of the first channel in the order.
        counts_unreachable = bool(spec.channel_order) and spec.channel_order[0] is spec.channel
        for item in iter_rows(inp.source, start_row=start, end_row=inp.end_row):
            last = item.row
            if not isinstance(item, Person) or not covers(spec.jurisdictions, item.jurisdiction):
                continue
            chosen = choose_channel(item, spec.channel_order)
            if chosen is None and counts_unreachable:
                summary.unreachable += 1
            if chosen is not spec.channel:
                continue
            chunk.append(item)
            if len(chunk) >= CHUNK:
                summary = summary.add(self._send_chunk(chunk, spec, adapter, beat))
                chunk = []
                committed[:] = [last, summary.model_dump(mode="json")]
                beat()
        if chunk:
            summary = summary.add(self._send_chunk(chunk, spec, adapter, beat))
        activity.heartbeat(max(last, inp.end_row), summary.model_dump(mode="json"))
        return SendNoticeBatchResult(summary=summary)

    def _send_chunk(
        self,
        people: list[Person],
        spec: CampaignSpec,
        adapter: ChannelAdapter,
        beat: Callable[[], None],
    ) -> DeliverySummary:
        result = DeliverySummary(
            obligation_id=spec.obligation_id, channel=spec.channel, targeted=len(people)
        )
        messages = {p.id: personalise(pick_message(spec, p.language), p, spec) for p in people}
        hashes = [(m.person_id, m.content_hash) for m in messages.values()]
        claimed = self._ledger.claim_many(spec.incident_id, spec.channel, hashes)
        if len(claimed) < len(messages):
            # Rows another attempt left in `sending` (a crash, or a workflow reset).
            claimed |= self._recover(spec, adapter, messages, claimed)
        self._count_unclaimed(spec, [pid for pid in messages if pid not in claimed], result)
        sent: list[tuple[str, str | None]] = []
        try:
            for person_id, message in messages.items():
                if person_id not in claimed:
                    continue
                outcome = adapter.send(message)
                beat()  # liveness (the SDK throttles it); the cursor moves per chunk
                if outcome.accepted:
                    sent.append((person_id, outcome.provider_message_id))
                    continue
                self._ledger.mark_failed(
                    spec.incident_id,
                    person_id,
                    spec.channel,
                    error=outcome.permanent_error or "refused by the provider",
                    permanent=True,
                )
                result.failed += 1
        finally:
            # Even when a send raises mid-chunk, what the provider accepted is recorded, so
            # the retry does not send it again.
            self._ledger.mark_sent_many(spec.incident_id, spec.channel, sent)
        result.sent = len(sent)
        return result

    def _count_unclaimed(
        self, spec: CampaignSpec, person_ids: list[str], result: DeliverySummary
    ) -> None:
        """People the ledger did not hand out: sent before (a retry) or failed for good."""
        for person_id in person_ids:
            row = self._ledger.get(spec.incident_id, person_id, spec.channel)
            if row is not None and row.state is DeliveryState.FAILED:
                result.failed += 1
            else:
                result.already_sent += 1

    def _recover(
        self,
        spec: CampaignSpec,
        adapter: ChannelAdapter,
        messages: dict[str, OutgoingMessage],
        claimed: set[str],
    ) -> set[str]:
        """On a retry: resolve rows an earlier attempt left in `sending`, then claim again.

        Only rows older than the heartbeat timeout are touched: a younger one may belong to
        an attempt that is still running. If such rows remain, the batch fails (retryably)
        rather than count them as sent, so that nobody is missed.
        """
        others = [pid for pid in messages if pid not in claimed]
        timeout = activity.info().heartbeat_timeout or timedelta(minutes=1)
        self._ledger.reconcile_sending(
            spec.incident_id,
            spec.channel,
            lambda pid: adapter_has(adapter, messages[pid]),
            person_ids=others,
            older_than=datetime.now(UTC) - timeout,
        )
        again = self._ledger.claim_many(
            spec.incident_id, spec.channel, [(pid, messages[pid].content_hash) for pid in others]
        )
        stuck = [
            pid
            for pid in others
            if pid not in again
            and (row := self._ledger.get(spec.incident_id, pid, spec.channel)) is not None
            and row.state is DeliveryState.SENDING
        ]
        if stuck:
            raise RuntimeError(
                f"{len(stuck)} deliveries are still held by an earlier attempt; "
                "retrying once they can be reconciled"
            )
        return again


def adapter_has(adapter: ChannelAdapter, message: OutgoingMessage) -> bool:
    """Whether the adapter can prove the message was delivered (outbox: the file exists)."""
    exists = getattr(adapter, "exists", None)
    return bool(exists(message)) if callable(exists) else False
