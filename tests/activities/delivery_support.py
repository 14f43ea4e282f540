"""What the send_notice_batch tests share: populations, the ledger, test adapters, attempts.

No tests here. The activity runs in `temporalio.testing.ActivityEnvironment`, whose `info`
sets the attempt, the heartbeat details of a previous attempt and the heartbeat timeout, and
whose `on_heartbeat` captures what the activity would have heartbeated. The ledger is the
real one on a SQLite file, and the adapters wrap the real outbox: only the provider's
behaviour (refusals, crashes, rate limits, what it can tell after a crash) is scripted.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Engine
from temporalio.testing import ActivityEnvironment

from activities.delivery import DeliveryActivities
from herald.channels import OutboxChannel, OutgoingMessage, SendResult, make_idempotency_key
from herald.channels.base import PartiallySentError
from herald.models import (
    RECIPIENT_NAME_TOKEN,
    Channel,
    DeliveryState,
    DeliverySummary,
    Person,
    PopulationSource,
    content_hash,
)
from herald.models.messages import ApprovedMessage, CampaignSpec, SendNoticeBatchInput
from herald.population import count_rows, iter_rows, open_population
from herald.store import Ledger, create_schema, make_engine

INC = "INC-2026-042"
OBLIGATION = "gdpr-individuals"
EMAIL, SMS, LETTER = Channel.EMAIL, Channel.SMS, Channel.LETTER
ORDER = [EMAIL, SMS]

SUBJECTS = {"en": "Security incident", "fr": "Incident de sécurité"}
BODIES = {
    "en": f"Dear {RECIPIENT_NAME_TOKEN},\n\nWe are writing about a security incident.\n",
    "fr": f"Bonjour {RECIPIENT_NAME_TOKEN},\n\nNous vous écrivons au sujet d'un incident.\n",
}
# Far beyond the gap between a claim and the retry, so reconciliation treats rows as live.
LONG_TIMEOUT = timedelta(hours=1)
# Shorter than the time between a claim and the retry: rows count as left by a dead attempt.
TINY_TIMEOUT = timedelta(milliseconds=1)
ADDRESS = "12 rue de la Paix\n75002 Paris\nFrance"


# ---- populations ------------------------------------------------------------------------------


class Row(NamedTuple):
    """One population row as written, with a label for what the test expects of it."""

    id: str
    name: str
    email: str
    phone: str
    jurisdiction: str
    language: str
    first: str  # e.g. the channel the order picks: "email", "sms", "none", "elsewhere"
    postal: str = ""


@dataclasses.dataclass(frozen=True)
class Population:
    source: PopulationSource
    path: Path
    rows: list[Row]  # rows[i] is data row i + 1

    @property
    def total(self) -> int:
        return len(self.rows)

    def row_of(self, person_id: str) -> int:
        return next(i + 1 for i, row in enumerate(self.rows) if row.id == person_id)

    def ids(self, first: str, *, after: int = 0, upto: int | None = None) -> list[str]:
        """Ids labelled `first`, in rows after..upto, in row order."""
        last = self.total if upto is None else upto
        return [r.id for i, r in enumerate(self.rows, 1) if r.first == first and after < i <= last]

    def person(self, row: int) -> Person:
        found = list(iter_rows(self.source, start_row=row, end_row=row))
        assert len(found) == 1 and isinstance(found[0], Person)
        return found[0]


def write_csv(path: Path, rows: Sequence[Row]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["id", "name", "email", "phone", "postal_address", "jurisdiction", "language"]
        )
        for row in rows:
            writer.writerow(
                [row.id, row.name, row.email, row.phone, row.postal, row.jurisdiction, row.language]
            )


def population_of(path: Path, rows: list[Row]) -> Population:
    write_csv(path, rows)
    source = open_population(path)
    assert count_rows(source) == len(rows)
    return Population(source=source, path=path, rows=rows)


def email_people(count: int, *, phones: bool = False) -> list[Row]:
    """`count` people of FR reached by email (and with a mobile number if `phones`)."""
    return [
        Row(
            id=f"E{i:03d}",
            name=f"Person {i}",
            email=f"person{i}@example.org",
            phone=f"+3361{i:07d}" if phones else "",
            jurisdiction="FR",
            language="en",
            first="email",
        )
        for i in range(1, count + 1)
    ]


def phone_people(count: int) -> list[Row]:
    """`count` people of FR with a mobile number only."""
    return [
        Row(f"S{i:03d}", f"Phone {i}", "", f"+3362{i:07d}", "FR", "fr", "sms")
        for i in range(1, count + 1)
    ]


# ---- ledger and outbox ------------------------------------------------------------------------


def engine_in(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'db' / 'herald.db'}")
    create_schema(engine)
    yield engine
    engine.dispose()


def state(ledger: Ledger, person_id: str, channel: Channel = EMAIL) -> DeliveryState | None:
    record = ledger.get(INC, person_id, channel)
    return None if record is None else record.state


def states(ledger: Ledger, person_ids: Collection[str], channel: Channel = EMAIL) -> set[Any]:
    """The distinct states of these people's rows (None for a missing row)."""
    return {state(ledger, person_id, channel) for person_id in person_ids}


def outbox_path(outbox: OutboxChannel, person_id: str, channel: Channel = EMAIL) -> Path:
    return outbox.key_path(INC, channel, make_idempotency_key(INC, person_id, channel))


def outbox_files(outbox: OutboxChannel, channel: Channel = EMAIL) -> dict[Path, int]:
    """Every message file of the channel, with its modification time."""
    folder = outbox.root / INC / channel.value
    extension = {EMAIL: "eml", LETTER: "txt"}.get(channel, "json")
    return {path: path.stat().st_mtime_ns for path in folder.glob(f"*.{extension}")}


# ---- the test adapter -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Partial:
    """A `send_batch` call on which the provider settles the first `settled` messages, then
    fails transiently for the rest (SendGrid's `PartiallySentError`)."""

    settled: int
    retry_after: float | None = None


Step = BaseException | Partial | None


class ScriptedOutbox:
    """The real outbox behind a provider whose behaviour a test scripts.

    It sends up to `max_batch` messages per request (1: one request per message, as Twilio
    does), records whom it accepted and refused, and can refuse people, lose the connection
    after `crash_after` accepted messages, or answer a call with a scripted step: an
    exception raised before anything is sent, or a `Partial`. `lookup` answers from the
    outbox's files, or None when `can_tell` is False (as SendGrid's does).
    """

    name = "scripted-outbox"

    def __init__(
        self,
        inner: OutboxChannel,
        *,
        max_batch: int = 1,
        crash_after: int | None = None,
        refuse: Collection[str] = (),
        script: Sequence[Step] = (),
        can_tell: bool = True,
        before_call: Callable[[Sequence[OutgoingMessage]], None] | None = None,
    ) -> None:
        self.inner = inner
        self.max_batch = max_batch
        self.crash_after = crash_after
        self.refuse = set(refuse)
        self.script = list(script)
        self.can_tell = can_tell
        self.before_call = before_call
        self.calls: list[list[str]] = []  # person ids of each send_batch call
        self.sent: list[str] = []
        self.refused: list[str] = []
        self.lookups: list[list[str]] = []

    def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[SendResult]:
        assert 0 < len(messages) <= self.max_batch
        self.calls.append([m.person_id for m in messages])
        if self.before_call is not None:
            self.before_call(messages)
        step = self.script.pop(0) if self.script else None
        if isinstance(step, BaseException):
            raise step
        if isinstance(step, Partial):
            settled: list[SendResult | None] = [self._send(m) for m in messages[: step.settled]]
            settled += [None] * (len(messages) - step.settled)
            raise PartiallySentError(
                "provider rate limit (429)", settled, retry_after=step.retry_after
            )
        return [self._send(message) for message in messages]

    def _send(self, message: OutgoingMessage) -> SendResult:
        if self.crash_after is not None and len(self.sent) >= self.crash_after:
            raise RuntimeError("provider connection lost")
        if message.person_id in self.refuse:
            self.refused.append(message.person_id)
            return SendResult(accepted=False, permanent_error="invalid address")
        result = self.inner.send(message)
        self.sent.append(message.person_id)
        return result

    def lookup(self, messages: Sequence[OutgoingMessage]) -> list[bool] | None:
        self.lookups.append([m.person_id for m in messages])
        return self.inner.lookup(messages) if self.can_tell else None


# ---- running the activity ---------------------------------------------------------------------


def approved(channel: Channel, language: str) -> ApprovedMessage:
    subject = SUBJECTS[language] if channel is EMAIL else None
    body = BODIES[language]
    return ApprovedMessage(
        draft_id=f"{OBLIGATION}.{channel}.{language}",
        channel=channel,
        language=language,
        subject=subject,
        body=body,
        content_hash=content_hash(subject, body),
    )


def campaign(channel: Channel = EMAIL, order: Sequence[Channel] = ORDER) -> CampaignSpec:
    return CampaignSpec(
        incident_id=INC,
        obligation_id=OBLIGATION,
        channel=channel,
        channel_order=list(order),
        jurisdictions=["FR"],
        messages=[approved(channel, "en"), approved(channel, "fr")],
        default_language="en",
    )


def summary_of(channel: Channel = EMAIL, **counts: int) -> DeliverySummary:
    return DeliverySummary(obligation_id=OBLIGATION, channel=channel, **counts)


class Attempt:
    """One activity attempt: its environment and the heartbeats it recorded."""

    def __init__(
        self,
        *,
        attempt: int = 1,
        details: Sequence[Any] = (),
        heartbeat_timeout: timedelta | None = None,
    ) -> None:
        self.env = ActivityEnvironment()
        self.env.info = dataclasses.replace(
            self.env.info,
            attempt=attempt,
            heartbeat_details=list(details),
            heartbeat_timeout=heartbeat_timeout,
        )
        self.beats: list[tuple[Any, ...]] = []
        self.env.on_heartbeat = self._beat

    def _beat(self, *details: Any) -> None:
        self.beats.append(details)

    def send(
        self,
        ledger: Ledger,
        adapter: OutboxChannel | ScriptedOutbox,
        population: Population,
        *,
        channel: Channel = EMAIL,
        order: Sequence[Channel] = ORDER,
        start: int = 1,
        end: int | None = None,
        rates: Mapping[Channel, float | None] | None = None,
    ) -> DeliverySummary:
        activities = DeliveryActivities(ledger=ledger, adapters={channel: adapter}, rates=rates)
        inp = SendNoticeBatchInput(
            spec=campaign(channel, order),
            source=population.source,
            start_row=start,
            end_row=population.total if end is None else end,
        )
        return self.env.run(activities.send_notice_batch, inp).summary
