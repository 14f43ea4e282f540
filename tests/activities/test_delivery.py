"""send_notice_batch with a real ledger (SQLite file), a real outbox and a population CSV:
a full batch, exactly once across runs and crashes, refusals, resuming, a changed file.

Fallback across channels is in test_delivery_fallback.py, provider errors, batches and
pacing in test_delivery_errors.py; what they share is in delivery_support.py.
"""

from __future__ import annotations

import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.delivery import CHUNK
from activities.population import PopulationActivities
from herald.channels import OutboxChannel, OutgoingMessage
from herald.delivery import personalise, pick_message
from herald.models import RECIPIENT_NAME_TOKEN, DeliveryState, DeliverySummary
from herald.models.messages import CountPopulationInput
from herald.population import PopulationFileError, verify_population
from herald.store import Ledger
from tests.activities.delivery_support import (
    BODIES,
    EMAIL,
    INC,
    LONG_TIMEOUT,
    SMS,
    SUBJECTS,
    TINY_TIMEOUT,
    Attempt,
    Population,
    Row,
    ScriptedOutbox,
    approved,
    campaign,
    outbox_files,
    outbox_path,
    population_of,
    state,
    states,
    summary_of,
    write_csv,
)

EMAIL_PEOPLE = 1_200


# ---- the population ----------------------------------------------------------------------------


def _rows() -> list[Row]:
    rows = [
        Row(
            id=f"P{i:04d}",
            name="" if i == 2 else f"Person {i}",
            email=f"person{i}@example.org",
            phone=f"+336{i:08d}" if i % 3 == 0 else "",  # email still comes first
            jurisdiction="FR",
            language="fr" if i % 4 == 0 else ("" if i % 10 == 1 else "en"),
            first="email",
        )
        for i in range(1, EMAIL_PEOPLE + 1)
    ]
    specials = [
        (10, Row("D0001", "Dieter", "dieter@example.de", "", "DE", "de", "elsewhere")),
        (120, Row("S0001", "Sam Phone", "", "+33699990001", "FR", "fr", "sms")),
        (640, Row("N0001", "Nadia Nowhere", "", "", "FR", "fr", "none")),
        (700, Row("S0002", "Sacha Phone", "", "+33699990002", "FR", "en", "sms")),
        (905, Row("D0002", "Dora", "dora@example.de", "", "DE", "de", "elsewhere")),
        (1150, Row("S0003", "Simone Phone", "", "+33699990003", "FR", "", "sms")),
    ]
    for index, row in sorted(specials, key=lambda item: item[0], reverse=True):
        rows.insert(index, row)
    return rows


@pytest.fixture
def population(tmp_path: Path) -> Population:
    return population_of(tmp_path / "population.csv", _rows())


def _email(path: Path) -> EmailMessage:
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def _html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


# ---- a full batch -------------------------------------------------------------------------------


def test_full_batch_sends_each_email_first_person_exactly_once(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    attempt = Attempt()

    summary = attempt.send(ledger, outbox, population)

    emailed = population.ids("email")
    assert len(emailed) == EMAIL_PEOPLE
    # Nadia (no contact point) is unreachable, counted by the last channel's campaign.
    assert summary == summary_of(targeted=EMAIL_PEOPLE, sent=EMAIL_PEOPLE)
    assert len(outbox_files(outbox)) == summary.sent == ledger.counts(INC, EMAIL)["sent"]
    assert ledger.counts(INC) == {
        s.value: EMAIL_PEOPLE if s is DeliveryState.SENT else 0 for s in DeliveryState
    }
    for person_id in emailed:
        record = ledger.get(INC, person_id, EMAIL)
        assert record is not None and record.state is DeliveryState.SENT
        assert (
            record.provider_message_id
            == outbox_path(outbox, person_id).relative_to(outbox.root).as_posix()
        )
    for first in ("sms", "none", "elsewhere"):
        for person_id in population.ids(first):
            assert not outbox_path(outbox, person_id).exists()
            assert ledger.get(INC, person_id, EMAIL) is None
    # The cursor ends past the batch, with the final counts.
    assert attempt.beats[-1] == (population.total, summary.model_dump(mode="json"))


def test_each_person_gets_their_name_in_their_language(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    Attempt().send(ledger, outbox, population)

    english = _email(outbox_path(outbox, "P0001"))  # no language: the default, English
    assert english["Subject"] == SUBJECTS["en"]
    assert english["To"].addresses[0].addr_spec == "person1@example.org"
    assert _text(english) == BODIES["en"].replace(RECIPIENT_NAME_TOKEN, "Person 1")
    # The HTML part presents the same approved text, with the name filled in, escaped.
    assert "Person 1" in _html(english) and '<html lang="en"' in _html(english)
    assert english["X-Herald-Content-Hash"] == approved(EMAIL, "en").content_hash

    french = _email(outbox_path(outbox, "P0004"))
    assert french["Subject"] == SUBJECTS["fr"]
    assert _text(french) == BODIES["fr"].replace(RECIPIENT_NAME_TOKEN, "Person 4")
    assert french["Content-Language"] == "fr" and '<html lang="fr"' in _html(french)
    assert french["X-Herald-Content-Hash"] == approved(EMAIL, "fr").content_hash

    nameless = _email(outbox_path(outbox, "P0002"))
    assert _text(nameless) == BODIES["en"].replace(RECIPIENT_NAME_TOKEN, "customer")
    for path in outbox_files(outbox):
        assert RECIPIENT_NAME_TOKEN not in _text(_email(path))
        assert RECIPIENT_NAME_TOKEN not in _html(_email(path))


def test_unreachable_people_are_counted_by_the_last_channel_only(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    by_email = Attempt().send(ledger, outbox, population, channel=EMAIL)
    by_sms = Attempt().send(ledger, outbox, population, channel=SMS)

    texted = population.ids("sms")
    assert len(texted) == 3
    # SMS is the last channel of the order: it counts Nadia, whom no channel reaches.
    assert by_email.unreachable == 0
    assert by_sms == summary_of(SMS, targeted=3, sent=3, unreachable=1)
    assert len(outbox_files(outbox, SMS)) == 3
    assert {p for p in texted if outbox_path(outbox, p, SMS).exists()} == set(texted)
    # People with both a phone and an email get the email only (P0003 has both).
    assert state(ledger, "P0003", SMS) is None and state(ledger, "P0003") is DeliveryState.SENT
    assert ledger.counts(INC, SMS)["sent"] == 3


# ---- exactly once across runs and crashes -------------------------------------------------------


def test_running_the_batch_again_sends_nothing_new(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    first = Attempt().send(ledger, outbox, population)
    files = outbox_files(outbox)
    recorder = ScriptedOutbox(outbox)

    again = Attempt().send(ledger, recorder, population)

    assert recorder.sent == []
    assert again == summary_of(targeted=first.targeted, sent=0, already_sent=first.sent)
    assert outbox_files(outbox) == files  # same files, none rewritten
    assert ledger.counts(INC, EMAIL)["sent"] == first.sent


def test_crash_mid_chunk_records_what_was_accepted_and_the_retry_completes(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    crash_after = 730
    assert crash_after % CHUNK != 0
    emailed = population.ids("email")
    crashing = ScriptedOutbox(outbox, crash_after=crash_after)
    first = Attempt(attempt=1)

    with pytest.raises(RuntimeError, match="connection lost"):
        first.send(ledger, crashing, population)

    # What the provider accepted is recorded as sent, not left in `sending`; only the
    # request that died is in doubt, and the rest of the chunk is free again.
    assert crashing.sent == emailed[:crash_after]
    assert all(state(ledger, p) is DeliveryState.SENT for p in crashing.sent)
    assert state(ledger, emailed[crash_after]) is DeliveryState.SENDING
    counts = ledger.counts(INC, EMAIL)
    unsent = 2 * CHUNK - crash_after - 1  # claimed with the crashed chunk, never sent
    assert (counts["sent"], counts["sending"], counts["pending"]) == (crash_after, 1, unsent)
    # The last heartbeat says: everything up to the first full chunk is done and counted.
    cursor, partial = first.beats[-1]
    assert cursor == population.row_of(emailed[CHUNK - 1])
    committed = DeliverySummary.model_validate(partial)
    assert committed == summary_of(targeted=CHUNK, sent=CHUNK, unreachable=0)

    time.sleep(0.02)  # the crashed attempt's claims are now older than the heartbeat timeout
    retry = ScriptedOutbox(outbox)
    second = Attempt(attempt=2, details=first.beats[-1], heartbeat_timeout=TINY_TIMEOUT)
    summary = second.send(ledger, retry, population)

    assert set(retry.sent).isdisjoint(crashing.sent)
    assert sorted(crashing.sent + retry.sent) == sorted(emailed)
    # The provider is asked about the row in doubt only, not the chunk's sent rows.
    assert retry.lookups == [[emailed[crash_after]]]
    assert len(outbox_files(outbox)) == EMAIL_PEOPLE
    assert all(outbox_path(outbox, p).exists() for p in emailed)
    counts = ledger.counts(INC, EMAIL)
    assert (counts["sent"], counts["sending"], counts["pending"]) == (EMAIL_PEOPLE, 0, 0)
    # Nobody missing from the counts: the committed part plus what the retry did.
    assert summary.sent == committed.sent + len(retry.sent)
    assert summary.already_sent == crash_after - committed.sent
    assert summary.sent + summary.already_sent == EMAIL_PEOPLE
    assert summary.targeted == EMAIL_PEOPLE
    assert (summary.failed, summary.unreachable) == (0, 0)


def _leave_sending(
    population: Population, ledger: Ledger, row: int, *, write: OutboxChannel | None
) -> OutgoingMessage:
    """What a crashed attempt leaves: a claimed row and, if `write`, the message written."""
    person = population.person(row)
    spec = campaign()
    message = personalise(pick_message(spec, person.language), person, spec)
    assert ledger.claim_many(INC, EMAIL, [(person.id, message.content_hash)]) == {person.id}
    if write is not None:
        assert write.send(message).accepted
    return message


def test_sending_row_whose_message_is_in_the_outbox_is_reconciled_without_resending(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    message = _leave_sending(population, ledger, 5, write=outbox)
    written = outbox.path_for(message)
    mtime = written.stat().st_mtime_ns
    time.sleep(0.02)
    recorder = ScriptedOutbox(outbox)

    summary = Attempt(attempt=2, heartbeat_timeout=TINY_TIMEOUT).send(
        ledger, recorder, population, start=1, end=20
    )

    others = [p for p in population.ids("email", upto=20) if p != message.person_id]
    assert message.person_id not in recorder.sent
    assert recorder.sent == others
    assert written.stat().st_mtime_ns == mtime
    assert state(ledger, message.person_id) is DeliveryState.SENT
    assert summary == summary_of(targeted=len(others) + 1, sent=len(others), already_sent=1)


def test_sending_row_whose_message_is_not_in_the_outbox_is_sent_on_retry(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    message = _leave_sending(population, ledger, 5, write=None)
    time.sleep(0.02)
    recorder = ScriptedOutbox(outbox)

    summary = Attempt(attempt=2, heartbeat_timeout=TINY_TIMEOUT).send(
        ledger, recorder, population, start=1, end=20
    )

    emailed = population.ids("email", upto=20)
    assert recorder.sent.count(message.person_id) == 1
    assert recorder.sent == emailed
    assert state(ledger, message.person_id) is DeliveryState.SENT
    assert summary == summary_of(targeted=len(emailed), sent=len(emailed))


def test_sending_row_of_a_possibly_live_attempt_fails_the_retry(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    message = _leave_sending(population, ledger, 5, write=None)
    recorder = ScriptedOutbox(outbox)

    with pytest.raises(RuntimeError, match="still held by an earlier attempt"):
        Attempt(attempt=2, heartbeat_timeout=LONG_TIMEOUT).send(
            ledger, recorder, population, start=1, end=20
        )

    assert recorder.sent == []
    assert state(ledger, message.person_id) is DeliveryState.SENDING
    # The rest of the batch was claimed by this retry but not sent: released, not left to
    # look like interrupted sends.
    others = [p for p in population.ids("email", upto=20) if p != message.person_id]
    assert states(ledger, others) == {DeliveryState.PENDING}
    assert recorder.lookups == []

    # The live attempt finishes its send; the next retry sends everyone else, once.
    assert ledger.mark_sent(INC, message.person_id, EMAIL, "provider-id")
    summary = Attempt(attempt=3, heartbeat_timeout=LONG_TIMEOUT).send(
        ledger, recorder, population, start=1, end=20
    )
    assert recorder.sent == others
    assert summary == summary_of(targeted=len(others) + 1, sent=len(others), already_sent=1)


# ---- permanent refusals --------------------------------------------------------------------------


@pytest.mark.parametrize("rerun_attempt", [1, 2])
def test_permanent_refusal_is_failed_and_never_sent_again(
    population: Population, ledger: Ledger, outbox: OutboxChannel, rerun_attempt: int
) -> None:
    emailed = population.ids("email", upto=30)
    refused = emailed[2]
    refusing = ScriptedOutbox(outbox, refuse={refused})

    first = Attempt().send(ledger, refusing, population, start=1, end=30)

    assert refusing.refused == [refused]
    assert first == summary_of(targeted=len(emailed), sent=len(emailed) - 1, failed=1)
    record = ledger.get(INC, refused, EMAIL)
    assert record is not None
    assert record.state is DeliveryState.FAILED
    assert record.permanent_failure is True
    assert record.last_error == "invalid address"
    assert not outbox_path(outbox, refused).exists()

    recorder = ScriptedOutbox(outbox)
    again = Attempt(attempt=rerun_attempt, heartbeat_timeout=TINY_TIMEOUT).send(
        ledger, recorder, population, start=1, end=30
    )

    assert recorder.sent == []
    assert again == summary_of(targeted=len(emailed), already_sent=len(emailed) - 1, failed=1)
    assert state(ledger, refused) is DeliveryState.FAILED
    assert not outbox_path(outbox, refused).exists()


# ---- resuming from a heartbeat ------------------------------------------------------------------


def test_resume_processes_only_rows_after_the_cursor_and_keeps_the_partial_counts(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    cursor = 700
    assert population.row_of("N0001") <= cursor  # its unreachable count is in the partial
    partial = summary_of(targeted=600, sent=590, already_sent=6, failed=4, unreachable=2)
    recorder = ScriptedOutbox(outbox)
    attempt = Attempt(attempt=2, details=[cursor, partial.model_dump(mode="json")])

    summary = attempt.send(ledger, recorder, population)

    before = population.ids("email", upto=cursor)
    after = population.ids("email", after=cursor)
    assert recorder.sent == after
    assert all(ledger.get(INC, p, EMAIL) is None for p in before)
    assert not any(outbox_path(outbox, p).exists() for p in before)
    assert len(outbox_files(outbox)) == len(after)
    assert summary == partial.add(summary_of(targeted=len(after), sent=len(after)))
    assert attempt.beats[-1] == (population.total, summary.model_dump(mode="json"))
    # Every chunk boundary heartbeat carries the counts so far, on top of the partial.
    boundaries = [b for b in attempt.beats if b[0] > cursor]
    assert boundaries and all(
        DeliverySummary.model_validate(b[1]).sent >= partial.sent for b in boundaries
    )


# ---- a population file that changed -------------------------------------------------------------


def test_changed_population_file_is_refused(population: Population) -> None:
    env = ActivityEnvironment()
    counted = env.run(
        PopulationActivities().count_population, CountPopulationInput(source=population.source)
    )
    assert counted.rows == population.total
    verify_population(population.source)

    with population.path.open("a", encoding="utf-8") as handle:
        handle.write("P9999,Late Addition,late@example.org,,FR,en\n")

    with pytest.raises(PopulationFileError, match="changed since the incident started"):
        verify_population(population.source)
    with pytest.raises(ApplicationError, match="changed since the incident started") as caught:
        env.run(
            PopulationActivities().count_population,
            CountPopulationInput(source=population.source),
        )
    assert caught.value.non_retryable is True
    assert caught.value.type == "PopulationFileError"


def test_missing_population_file_is_refused(population: Population) -> None:
    population.path.unlink()

    with pytest.raises(PopulationFileError, match="missing"):
        verify_population(population.source)
    with pytest.raises(ApplicationError, match="missing") as caught:
        ActivityEnvironment().run(
            PopulationActivities().count_population,
            CountPopulationInput(source=population.source),
        )
    assert caught.value.non_retryable is True


def test_send_notice_batch_refuses_a_changed_population_file(
    population: Population, ledger: Ledger, outbox: OutboxChannel
) -> None:
    rows = population.rows[1:]  # someone deleted the first row: every later row shifts up
    write_csv(population.path, rows)
    recorder = ScriptedOutbox(outbox)

    with pytest.raises((ApplicationError, PopulationFileError)):
        Attempt().send(ledger, recorder, population, start=1, end=50)

    assert recorder.sent == []
