"""Receipts move ledger rows once, forward only, and count each real change once; on SQLite
and on PostgreSQL."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from herald.channels.base import make_idempotency_key
from herald.models import Channel, DeliveryState, ReceiptCounts
from herald.receipts import Outcome, Receipt
from herald.store import Ledger, create_schema, make_engine
from herald.store.receipts import record_receipts

INC = "INC-2026-001"
OTHER = "INC-2026-002"
EMAIL, SMS = Channel.EMAIL, Channel.SMS
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'herald.db'}"
    else:
        url = request.getfixturevalue("postgres_db_url")
    engine = make_engine(url)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def ledger(engine: Engine) -> Ledger:
    return Ledger(engine)


def sent(ledger: Ledger, people: list[str], channel: Channel = EMAIL, incident: str = INC) -> None:
    """Rows as the sender leaves them: claimed, then accepted by the provider."""
    assert ledger.claim_many(incident, channel, [(p, "hash") for p in people]) == set(people)
    ledger.mark_sent_many(incident, channel, [(p, f"provider-{p}") for p in people])


def receipt(
    person: str,
    outcome: Outcome,
    *,
    channel: Channel = EMAIL,
    incident: str = INC,
    event: str | None = None,
    reason: str | None = None,
    at: datetime = T0,
) -> Receipt:
    return Receipt(
        idempotency_key=make_idempotency_key(incident, person, channel),
        channel=channel,
        provider_message_id=f"receipt-{person}",
        outcome=outcome,
        reason=reason,
        event_id=event or f"{incident}:{person}:{channel}:{outcome}",
        occurred_at=at,
    )


def state(ledger: Ledger, person: str, channel: Channel = EMAIL, incident: str = INC) -> str:
    record = ledger.get(incident, person, channel)
    assert record is not None
    return record.state.value


def test_receipts_move_sent_rows_and_count_each_change(engine: Engine, ledger: Ledger) -> None:
    sent(ledger, ["p1", "p2", "p3", "p4"])
    result = record_receipts(
        engine,
        [
            receipt("p1", Outcome.DELIVERED),
            receipt("p2", Outcome.BOUNCED, reason="550 5.1.1 user unknown"),
            receipt("p3", Outcome.FAILED, reason="Unsubscribed Address"),
        ],
    )
    assert result == [(INC, ReceiptCounts(channel=EMAIL, delivered=1, bounced=1, failed=1))]
    assert [state(ledger, p) for p in ("p1", "p2", "p3", "p4")] == [
        "delivered",
        "bounced",
        "failed",
        "sent",
    ]
    delivered, bounced, failed = (ledger.get(INC, p, EMAIL) for p in ("p1", "p2", "p3"))
    assert delivered is not None and bounced is not None and failed is not None
    # The sender's provider id stays; the reason is kept; a receipt failure is permanent.
    assert delivered.provider_message_id == "provider-p1"
    assert (delivered.last_error, delivered.permanent_failure) == (None, False)
    assert bounced.last_error == "550 5.1.1 user unknown"
    assert (failed.last_error, failed.permanent_failure) == ("Unsubscribed Address", True)
    # Failed for good: never claimed again on this channel.
    assert ledger.claim_many(INC, EMAIL, [("p3", "hash")]) == set()


def test_the_same_batch_twice_changes_nothing_the_second_time(
    engine: Engine, ledger: Ledger
) -> None:
    sent(ledger, ["p1", "p2"])
    batch = [receipt("p1", Outcome.DELIVERED), receipt("p2", Outcome.BOUNCED)]
    assert record_receipts(engine, batch) == [
        (INC, ReceiptCounts(channel=EMAIL, delivered=1, bounced=1))
    ]
    before = [ledger.get(INC, p, EMAIL) for p in ("p1", "p2")]
    assert record_receipts(engine, batch) == []
    assert [ledger.get(INC, p, EMAIL) for p in ("p1", "p2")] == before


def test_an_event_repeated_in_one_batch_counts_once(engine: Engine, ledger: Ledger) -> None:
    sent(ledger, ["p1"])
    again = receipt("p1", Outcome.DELIVERED)
    assert record_receipts(engine, [again, again, again]) == [
        (INC, ReceiptCounts(channel=EMAIL, delivered=1))
    ]


def test_a_receipt_overtaking_mark_sent_wins(engine: Engine, ledger: Ledger) -> None:
    assert ledger.claim_many(INC, SMS, [("p1", "hash")]) == {"p1"}
    assert state(ledger, "p1", SMS) == "sending"
    assert record_receipts(engine, [receipt("p1", Outcome.DELIVERED, channel=SMS)]) == [
        (INC, ReceiptCounts(channel=SMS, delivered=1))
    ]
    # The provider's id came with the receipt; the sender's late outcome changes nothing.
    ledger.mark_sent_many(INC, SMS, [("p1", "provider-p1")])
    assert ledger.mark_sent(INC, "p1", SMS, "provider-p1") is False
    record = ledger.get(INC, "p1", SMS)
    assert record is not None
    assert (record.state, record.provider_message_id) == (DeliveryState.DELIVERED, "receipt-p1")


def test_a_bounce_overtaking_mark_sent_stays_bounced(engine: Engine, ledger: Ledger) -> None:
    assert ledger.claim_many(INC, EMAIL, [("p1", "hash")]) == {"p1"}
    record_receipts(engine, [receipt("p1", Outcome.BOUNCED)])
    ledger.mark_sent_many(INC, EMAIL, [("p1", "provider-p1")])
    assert state(ledger, "p1") == "bounced"


def test_a_failure_overtaking_mark_sent_stays_failed(engine: Engine, ledger: Ledger) -> None:
    assert ledger.claim_many(INC, SMS, [("p1", "hash")]) == {"p1"}
    record_receipts(engine, [receipt("p1", Outcome.FAILED, channel=SMS, reason="call busy")])
    assert state(ledger, "p1", SMS) == "failed"
    ledger.mark_sent_many(INC, SMS, [("p1", "provider-p1")])
    assert state(ledger, "p1", SMS) == "failed"


def test_delivered_is_final_except_for_a_late_email_bounce(engine: Engine, ledger: Ledger) -> None:
    sent(ledger, ["p1"], EMAIL)
    sent(ledger, ["p1"], SMS)
    record_receipts(
        engine,
        [receipt("p1", Outcome.DELIVERED), receipt("p1", Outcome.DELIVERED, channel=SMS)],
    )
    later = T0 + timedelta(minutes=5)
    result = record_receipts(
        engine,
        [
            receipt("p1", Outcome.FAILED, at=later),  # a drop after delivery: not believed
            receipt("p1", Outcome.FAILED, channel=SMS, at=later),
            receipt("p1", Outcome.BOUNCED, channel=SMS, at=later),  # no such thing for SMS
        ],
    )
    assert result == []
    assert (state(ledger, "p1"), state(ledger, "p1", SMS)) == ("delivered", "delivered")
    # The receiving mail server accepted it, then returned it: the person did not get it.
    assert record_receipts(engine, [receipt("p1", Outcome.BOUNCED, at=later)]) == [
        (INC, ReceiptCounts(channel=EMAIL, bounced=1))
    ]
    assert state(ledger, "p1") == "bounced"
    assert ledger.dead_channels(INC, ["p1"], [EMAIL, SMS]) == {"p1": {EMAIL}}


def test_a_batch_is_applied_in_time_order(engine: Engine, ledger: Ledger) -> None:
    sent(ledger, ["p1", "p2"])
    late = T0 + timedelta(seconds=30)
    result = record_receipts(
        engine,
        [
            # p1: the bounce came after delivery (both count); p2: bounced, then a stray
            # delivered event older than the bounce but listed after it changes nothing.
            receipt("p1", Outcome.BOUNCED, at=late),
            receipt("p1", Outcome.DELIVERED, at=T0),
            receipt("p2", Outcome.BOUNCED, at=T0),
            receipt("p2", Outcome.DELIVERED, at=late),
        ],
    )
    assert result == [(INC, ReceiptCounts(channel=EMAIL, delivered=1, bounced=2))]
    assert (state(ledger, "p1"), state(ledger, "p2")) == ("bounced", "bounced")


def test_rows_the_sender_has_not_sent_are_left_alone(engine: Engine, ledger: Ledger) -> None:
    # p1 pending (released after a refused request), p2 failed for a retryable reason.
    assert ledger.claim_many(INC, EMAIL, [("p1", "hash"), ("p2", "hash")]) == {"p1", "p2"}
    ledger.release(INC, EMAIL, ["p1"])
    assert ledger.mark_failed(INC, "p2", EMAIL, error="timeout", permanent=False)
    result = record_receipts(
        engine, [receipt("p1", Outcome.DELIVERED), receipt("p2", Outcome.BOUNCED)]
    )
    assert result == []
    assert (state(ledger, "p1"), state(ledger, "p2")) == ("pending", "failed")


def test_a_receipt_resolves_a_row_held_as_unknown(engine: Engine, ledger: Ledger) -> None:
    assert ledger.claim_many(INC, EMAIL, [("p1", "hash")]) == {"p1"}
    ledger.reconcile_sending(INC, EMAIL, lambda _person: None)
    assert state(ledger, "p1") == "unknown"
    assert record_receipts(engine, [receipt("p1", Outcome.DELIVERED)]) == [
        (INC, ReceiptCounts(channel=EMAIL, delivered=1))
    ]
    assert state(ledger, "p1") == "delivered"
    assert ledger.resend_unknown(INC) == 0  # nothing left for a person to resend


def test_unknown_keys_and_other_channels_are_ignored_and_logged_by_count(
    engine: Engine, ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    sent(ledger, ["p1"], EMAIL)
    stranger = receipt("nobody", Outcome.DELIVERED)
    # The email row's key on an SMS receipt (a misrouted callback): not that row's channel.
    wrong_channel = receipt("p1", Outcome.DELIVERED).model_copy(update={"channel": SMS})
    with caplog.at_level(logging.INFO, logger="herald.store.receipts"):
        assert record_receipts(engine, [stranger, wrong_channel]) == []
    assert state(ledger, "p1") == "sent"
    assert "1 for messages not in the ledger ignored" in caplog.text
    assert stranger.idempotency_key not in caplog.text


def test_counts_are_per_incident_and_channel(engine: Engine, ledger: Ledger) -> None:
    sent(ledger, ["p1", "p2"], EMAIL)
    sent(ledger, ["p1"], SMS)
    sent(ledger, ["p9"], EMAIL, incident=OTHER)
    result = record_receipts(
        engine,
        [
            receipt("p9", Outcome.DELIVERED, incident=OTHER),
            receipt("p1", Outcome.DELIVERED),
            receipt("p2", Outcome.FAILED),
            receipt("p1", Outcome.FAILED, channel=SMS),
        ],
    )
    assert result == [
        (INC, ReceiptCounts(channel=EMAIL, delivered=1, failed=1)),
        (INC, ReceiptCounts(channel=SMS, failed=1)),
        (OTHER, ReceiptCounts(channel=EMAIL, delivered=1)),
    ]


def test_concurrent_copies_of_a_batch_count_each_change_once(
    engine: Engine, ledger: Ledger
) -> None:
    people = [f"p{n}" for n in range(40)]
    sent(ledger, people)
    batch = [receipt(p, Outcome.DELIVERED) for p in people]
    totals: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def apply() -> None:
        try:
            counted = sum(c.delivered for _, c in record_receipts(engine, batch))
        except BaseException as err:  # surfaced below, not lost in the thread
            errors.append(err)
            return
        with lock:
            totals.append(counted)

    threads = [threading.Thread(target=apply) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(totals) == len(people)
    assert ledger.counts(INC, EMAIL)["delivered"] == len(people)
