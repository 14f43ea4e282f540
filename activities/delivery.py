"""The batch send activity: one slice of the population, one channel, exactly once."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.population import checked
from herald.channels import validate
from herald.channels.base import (
    ChannelAdapter,
    OutgoingMessage,
    PartiallySentError,
    ProviderConfigError,
    SendResult,
    TransientSendError,
)
from herald.channels.pacing import RateLimiter
from herald.delivery import FallbackPlan, covers, personalise, pick_message
from herald.models import Channel, DeliveryState, DeliverySummary, Person
from herald.models.messages import (
    CampaignSpec,
    SendNoticeBatchInput,
    SendNoticeBatchResult,
)
from herald.population import iter_rows, verify_population
from herald.store.ledger import Ledger

# People claimed per ledger transaction; also how often the resume cursor moves.
CHUNK = 500
# A one-message-per-request provider's outcomes are written at least this often, so a killed
# worker leaves few rows in `sending` to reconcile.
FLUSH_EVERY = 200
FLUSH_SECONDS = 1.0
HEARTBEAT_EVERY_S = 0.5
# Rate-limit answers (HTTP 429) waited out inside the activity before Temporal's own retry.
TRANSIENT_RETRIES = 5
MAX_RETRY_AFTER_S = 60.0


class DeliveryActivities:
    """Sends approved notices through the channel adapters, recording each in the ledger."""

    def __init__(
        self,
        *,
        ledger: Ledger,
        adapters: Mapping[Channel, ChannelAdapter],
        rates: Mapping[Channel, float | None] | None = None,
    ) -> None:
        """Bind to the ledger, one adapter per channel and the per-channel message rates."""
        self._ledger = ledger
        self._adapters = adapters
        self._limiters = {
            channel: RateLimiter(rate) for channel, rate in (rates or {}).items() if rate
        }

    @activity.defn
    def send_notice_batch(self, inp: SendNoticeBatchInput) -> SendNoticeBatchResult:
        """Send the notice to everyone in rows start_row..end_row whom this channel serves.

        A person is served by the first channel of the fallback order on which they have a
        contact point that has not failed for good (refused or bounced, per the ledger).
        Resumes from the last heartbeat after a crash; the ledger makes every send at most
        once, and rows a crash left in `sending` are reconciled against the provider.
        """
        spec = inp.spec
        checked(lambda: verify_population(inp.source, deep=False))
        adapter = self._adapters[spec.channel]
        plan = FallbackPlan(spec)
        summary = DeliverySummary(obligation_id=spec.obligation_id, channel=spec.channel)
        start = inp.start_row
        details = activity.info().heartbeat_details
        if details:
            last_row, partial = details
            start = int(last_row) + 1
            summary = DeliverySummary.model_validate(partial)
        chunk: list[tuple[Person, list[Channel]]] = []
        last = start - 1
        # The resume point: rows up to `committed[0]` are done and counted in `committed[1]`.
        committed: list[object] = [last, summary.model_dump(mode="json")]

        beaten = [0.0]

        def beat() -> None:
            # Each call is a round trip to the worker's event loop; the SDK sends at most one
            # heartbeat per throttle interval anyway, so a few per second is plenty.
            now = time.monotonic()
            if now - beaten[0] >= HEARTBEAT_EVERY_S:
                beaten[0] = now
                activity.heartbeat(*committed)

        size = max(CHUNK, adapter.max_batch)
        for item in iter_rows(inp.source, start_row=start, end_row=inp.end_row):
            last = item.row
            if not isinstance(item, Person) or not covers(spec.jurisdictions, item.jurisdiction):
                continue
            contacts = plan.contacts(item)
            if not contacts:
                summary.unreachable += plan.is_last
                continue
            if plan.concerns(contacts):
                chunk.append((item, contacts))
            if len(chunk) >= size:
                summary = summary.add(self._send_chunk(chunk, plan, adapter, beat))
                chunk = []
                committed[:] = [last, summary.model_dump(mode="json")]
                # Not throttled: a new resume point (once a chunk) must reach Temporal.
                beaten[0] = time.monotonic()
                activity.heartbeat(*committed)
        if chunk:
            summary = summary.add(self._send_chunk(chunk, plan, adapter, beat))
        activity.heartbeat(max(last, inp.end_row), summary.model_dump(mode="json"))
        return SendNoticeBatchResult(summary=summary)

    def _send_chunk(
        self,
        chunk: list[tuple[Person, list[Channel]]],
        plan: FallbackPlan,
        adapter: ChannelAdapter,
        beat: Callable[[], None],
    ) -> DeliverySummary:
        spec = plan.spec
        result = DeliverySummary(obligation_id=spec.obligation_id, channel=spec.channel)
        dead = self._ledger.dead_channels(
            spec.incident_id, [p.id for p, contacts in chunk if plan.checks(contacts)], plan.watched
        )
        messages: dict[str, OutgoingMessage] = {}
        for person, contacts in chunk:
            gone = dead.get(person.id, set())
            if any(ch not in gone for ch in contacts if plan.before(ch)):
                continue  # an earlier channel still reaches them
            if spec.channel not in contacts:
                result.undeliverable += 1  # the last channel, and every earlier one failed
                continue
            if spec.channel in gone:
                result.targeted += 1
                result.failed += 1
                result.undeliverable += plan.is_last
                continue
            messages[person.id] = personalise(pick_message(spec, person.language), person, spec)
        result.targeted += len(messages)
        if not messages:
            return result
        hashes = [(m.person_id, m.content_hash) for m in messages.values()]
        claimed = self._ledger.claim_many(spec.incident_id, spec.channel, hashes)
        try:
            if len(claimed) < len(messages):
                # Rows another attempt left in `sending` (a crash, or a workflow reset).
                claimed |= self._recover(spec, adapter, messages, claimed)
            self._count_unclaimed(spec, [pid for pid in messages if pid not in claimed], result)
            to_send: list[OutgoingMessage] = []
            refused: list[tuple[str, str]] = []
            # In row order (`claimed` is a set): a crash then leaves a prefix of the chunk sent.
            for person_id in (pid for pid in messages if pid in claimed):
                problem = validate.problem(messages[person_id])
                if problem is None:
                    to_send.append(messages[person_id])
                else:
                    refused.append((person_id, problem))
        except BaseException:
            # Nothing of this chunk was sent yet: left in `sending`, these rows would be
            # taken for interrupted sends (and, where the provider cannot tell, held unknown).
            self._ledger.release(spec.incident_id, spec.channel, list(claimed))
            raise
        sent, failed = self._send_all(to_send, plan, adapter, beat, refused)
        result.sent = sent
        result.failed += failed
        result.undeliverable += failed * plan.is_last
        return result

    def _send_all(
        self,
        messages: list[OutgoingMessage],
        plan: FallbackPlan,
        adapter: ChannelAdapter,
        beat: Callable[[], None],
        refused: list[tuple[str, str]],
    ) -> tuple[int, int]:
        """Send in provider-sized groups, paced; record outcomes as they come.

        Whatever the provider accepted is recorded even when a later group fails, so the
        retry does not send it again. Rows of groups certainly not sent are released.
        `refused` holds the refusals found before sending (validation), recorded with the
        provider's own. Returns how many were sent and how many refused.
        """
        spec = plan.spec
        limiter = self._limiters.get(spec.channel)
        sent: list[tuple[str, str | None]] = []
        sent_total = refused_total = 0
        position = 0
        # The group being sent and what is known of each of its messages so far.
        group: Sequence[OutgoingMessage] = ()
        outcomes: list[SendResult | None] = []
        certain = True  # False while a request whose outcome is unknown may be in flight
        flushed_at = time.monotonic()

        def settle() -> None:
            for message, outcome in zip(group, outcomes, strict=True):
                if outcome is None:
                    continue
                if outcome.accepted:
                    sent.append((message.person_id, outcome.provider_message_id))
                else:
                    refused.append(
                        (message.person_id, outcome.permanent_error or "refused by provider")
                    )

        def flush() -> None:
            nonlocal flushed_at, sent_total, refused_total
            flushed_at = time.monotonic()
            self._ledger.mark_sent_many(spec.incident_id, spec.channel, sent)
            self._ledger.mark_failed_many(spec.incident_id, spec.channel, refused)
            sent_total += len(sent)
            refused_total += len(refused)
            sent.clear()
            refused.clear()

        try:
            while position < len(messages):
                group = messages[position : position + adapter.max_batch]
                outcomes = [None] * len(group)
                if limiter is not None:
                    limiter.acquire(len(group), idle=beat)
                certain = False
                self._send_group(adapter, group, outcomes, beat)
                certain = True
                settle()
                position += len(group)
                group, outcomes = (), []
                beat()
                if (
                    adapter.max_batch > 1
                    or len(sent) + len(refused) >= FLUSH_EVERY
                    or time.monotonic() - flushed_at >= FLUSH_SECONDS
                ):
                    flush()
        except (TransientSendError, ProviderConfigError) as err:
            certain = True  # these mean the failed request sent nothing
            if isinstance(err, ProviderConfigError):
                raise ApplicationError(
                    f"{adapter.name} refused Herald's request: {err}",
                    type="ProviderConfigError",
                    non_retryable=True,
                ) from err
            raise
        finally:
            # An interrupted group: what the provider settled before the failure is kept.
            settle()
            flush()
            # Not yet sent: free for the retry. A group whose request died in an unknown way
            # stays `sending`, for reconciliation against the provider.
            unsent = list(messages[position + len(group) :])
            if certain:
                unsent += [m for m, outcome in zip(group, outcomes, strict=True) if outcome is None]
            self._ledger.release(spec.incident_id, spec.channel, [m.person_id for m in unsent])
        return sent_total, refused_total

    @staticmethod
    def _send_group(
        adapter: ChannelAdapter,
        group: Sequence[OutgoingMessage],
        outcomes: list[SendResult | None],
        beat: Callable[[], None],
    ) -> None:
        """One provider request, waiting out rate limits (HTTP 429) a few times first.

        Fills `outcomes` in place. A `PartiallySentError` says what the provider settled
        before it failed (SendGrid, when it split a batch): that is kept, and only the rest
        is sent again, here or by the retry, so nobody gets the message twice.
        """
        for attempt in range(TRANSIENT_RETRIES + 1):
            todo = [i for i, outcome in enumerate(outcomes) if outcome is None]
            if not todo:
                return
            try:
                answers = adapter.send_batch([group[i] for i in todo])
            except ProviderConfigError as err:
                for index, outcome in zip(todo, err.results or [], strict=False):
                    outcomes[index] = outcome
                raise
            except TransientSendError as err:
                if isinstance(err, PartiallySentError):
                    for index, outcome in zip(todo, err.results, strict=True):
                        outcomes[index] = outcome
                if err.retry_after is None or attempt == TRANSIENT_RETRIES:
                    raise  # Temporal retries the activity with backoff
                deadline = time.monotonic() + min(err.retry_after, MAX_RETRY_AFTER_S)
                while (left := deadline - time.monotonic()) > 0:
                    time.sleep(min(left, 0.5))
                    beat()
                continue
            if len(answers) != len(todo):
                raise RuntimeError(
                    f"{adapter.name} answered {len(answers)} results for {len(todo)} messages"
                )
            for index, answer in zip(todo, answers, strict=True):
                outcomes[index] = answer
            return
        raise AssertionError("unreachable")

    def _count_unclaimed(
        self, spec: CampaignSpec, person_ids: list[str], result: DeliverySummary
    ) -> None:
        """People the ledger did not hand out: sent before (a retry), failed for good, or
        held as unknown after a crash for a person to decide."""
        for person_id in person_ids:
            row = self._ledger.get(spec.incident_id, person_id, spec.channel)
            if row is not None and row.state is DeliveryState.FAILED:
                result.failed += 1
            elif row is not None and row.state is DeliveryState.UNKNOWN:
                result.unknown += 1
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
        older_than = datetime.now(UTC) - timeout
        answers: dict[str, bool | None] = {}

        def provider_has(person_id: str) -> bool | None:
            if person_id not in answers:
                # One lookup, about the rows in doubt only: the others are mostly rows sent
                # long ago (a re-run), and a provider may need a request per message.
                doubtful = {
                    row.person_id
                    for row in self._ledger.rows_in_state(
                        spec.incident_id, DeliveryState.SENDING, channel=spec.channel
                    )
                    if row.updated_at < older_than
                }
                asked = [messages[pid] for pid in others if pid in doubtful or pid == person_id]
                found = adapter.lookup(asked)
                answers.update(
                    {m.person_id: None if found is None else found[i] for i, m in enumerate(asked)}
                )
            return answers[person_id]

        self._ledger.reconcile_sending(
            spec.incident_id,
            spec.channel,
            provider_has,
            person_ids=others,
            older_than=older_than,
        )
        # Checked before claiming again, so that failing here leaves no new claim behind.
        stuck = [
            pid
            for pid in others
            if (row := self._ledger.get(spec.incident_id, pid, spec.channel)) is not None
            and row.state is DeliveryState.SENDING
        ]
        if stuck:
            raise RuntimeError(
                f"{len(stuck)} deliveries are still held by an earlier attempt; "
                "retrying once they can be reconciled"
            )
        return self._ledger.claim_many(
            spec.incident_id, spec.channel, [(pid, messages[pid].content_hash) for pid in others]
        )
