"""The delivery ledger never lets one person be sent the same notice twice.

Tests that take `engine` or `db_url` run on SQLite and on PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from herald.models import Channel, DeliveryState
from herald.store import Ledger, Reconciled, create_schema, make_engine

INC = "INC-2026-001"
EMAIL = Channel.EMAIL
NO_ROWS = {state.value: 0 for state in DeliveryState}


@pytest.fixture
def ledger(engine: Engine) -> Ledger:
    return Ledger(engine)


def state(ledger: Ledger, person_id: str, channel: Channel = EMAIL) -> DeliveryState:
    record = ledger.get(INC, person_id, channel)
    assert record is not None
    return record.state


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_engine_uses_wal_and_creates_the_folder(engine: Engine, tmp_path: Path) -> None:
    assert (tmp_path / "nested" / "herald.db").exists()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    uniques = inspect(engine).get_unique_constraints("deliveries")
    assert [sorted(u["column_names"]) for u in uniques] == [["channel", "incident_id", "person_id"]]


def test_engine_keeps_statement_parameters_out_of_errors(engine: Engine) -> None:
    secret = "someone@example.com"
    with pytest.raises(SQLAlchemyError) as raised, engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table WHERE person_id = :p"), {"p": secret})
    assert secret not in str(raised.value)
    assert "hidden" in str(raised.value)


def test_create_schema_is_idempotent(engine: Engine) -> None:
    create_schema(engine)
    uniques = inspect(engine).get_unique_constraints("deliveries")
    assert [sorted(u["column_names"]) for u in uniques] == [["channel", "incident_id", "person_id"]]


def test_claim_then_sent_is_never_claimed_again(ledger: Ledger) -> None:
    assert ledger.claim(INC, "p1", EMAIL, "hash-1") is True
    assert state(ledger, "p1") is DeliveryState.SENDING
    assert ledger.claim(INC, "p1", EMAIL, "hash-1") is False  # someone holds it
    assert ledger.mark_sent(INC, "p1", EMAIL, "provider-1") is True
    assert ledger.claim(INC, "p1", EMAIL, "hash-1") is False
    record = ledger.get(INC, "p1", EMAIL)
    assert record is not None
    assert (record.state, record.provider_message_id, record.attempts) == (
        DeliveryState.SENT,
        "provider-1",
        1,
    )
    assert record.content_hash == "hash-1"
    # In UTC, whatever the database session's time zone (the test server's is not UTC).
    assert record.updated_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - record.updated_at) < timedelta(minutes=1)
    # Another channel or incident is another row.
    assert ledger.claim(INC, "p1", Channel.SMS, "hash-1") is True
    assert ledger.claim("INC-OTHER", "p1", EMAIL, "hash-1") is True


def test_retryable_failure_is_claimable_again(ledger: Ledger) -> None:
    assert ledger.claim(INC, "p1", EMAIL, "hash-1")
    assert ledger.mark_failed(INC, "p1", EMAIL, error="timeout", permanent=False)
    assert state(ledger, "p1") is DeliveryState.FAILED
    assert ledger.claim(INC, "p1", EMAIL, "hash-2") is True
    record = ledger.get(INC, "p1", EMAIL)
    assert record is not None
    assert (record.attempts, record.content_hash, record.last_error) == (2, "hash-2", "timeout")
    ledger.mark_sent(INC, "p1", EMAIL, None)
    record = ledger.get(INC, "p1", EMAIL)
    assert record is not None and record.last_error is None


def test_permanent_failure_is_not_claimable(ledger: Ledger) -> None:
    assert ledger.claim(INC, "p1", EMAIL, "h")
    assert ledger.mark_failed(INC, "p1", EMAIL, error="x" * 2_000, permanent=True)
    assert ledger.claim(INC, "p1", EMAIL, "h") is False
    record = ledger.get(INC, "p1", EMAIL)
    assert record is not None and record.permanent_failure
    assert record.last_error is not None and len(record.last_error) == 500


def test_outcomes_never_downgrade_a_sent_row(ledger: Ledger) -> None:
    ledger.claim(INC, "p1", EMAIL, "h")
    ledger.mark_sent(INC, "p1", EMAIL, "m1")
    assert ledger.mark_failed(INC, "p1", EMAIL, error="late", permanent=False) is False
    assert ledger.mark_sent(INC, "p1", EMAIL, "m2") is False
    record = ledger.get(INC, "p1", EMAIL)
    assert record is not None
    assert (record.state, record.provider_message_id) == (DeliveryState.SENT, "m1")
    assert ledger.mark_sent(INC, "missing", EMAIL, "m") is False
    assert ledger.get(INC, "missing", EMAIL) is None


def test_claim_many_returns_only_what_this_caller_may_send(ledger: Ledger) -> None:
    ledger.claim(INC, "done", EMAIL, "h")
    ledger.mark_sent(INC, "done", EMAIL, "m")
    ledger.claim(INC, "busy", EMAIL, "h")
    ledger.claim(INC, "retry", EMAIL, "h")
    ledger.mark_failed(INC, "retry", EMAIL, error="503", permanent=False)
    items = [("done", "h"), ("busy", "h"), ("retry", "h-fr"), ("new1", "h"), ("new2", "h-de")]
    assert ledger.claim_many(INC, EMAIL, items) == {"retry", "new1", "new2"}
    assert ledger.claim_many(INC, EMAIL, items) == set()
    assert ledger.claim_many(INC, EMAIL, []) == set()
    record = ledger.get(INC, "new2", EMAIL)
    assert record is not None and record.content_hash == "h-de"


def test_claim_many_large_batch_and_mark_sent_many(ledger: Ledger) -> None:
    ids = [f"p{n:05d}" for n in range(2_345)]  # more than one IN-list chunk
    assert ledger.claim_many(INC, EMAIL, [(p, "h") for p in ids]) == set(ids)
    ledger.mark_sent_many(INC, EMAIL, [(p, f"m-{p}") for p in ids[:2_000]])
    ledger.mark_failed(INC, ids[-1], EMAIL, error="bounce", permanent=True)
    counts = ledger.counts(INC)
    assert counts == NO_ROWS | {"sending": 344, "sent": 2_000, "failed": 1}
    assert ledger.counts(INC, Channel.SMS)["sent"] == 0
    assert ledger.counts("nothing-here") == NO_ROWS


def _race(db_url: str, workers: int, items: list[tuple[str, str]]) -> list[list[str]]:
    """Every worker claims the same items at the same moment, each with its own engine.

    Returns, per worker, the ids it won: email by `claim`, then sms by `claim_many`.
    """
    barrier = threading.Barrier(workers)
    results: list[list[str]] = [[] for _ in range(workers)]
    failures: list[BaseException] = []

    def work(index: int) -> None:
        engine = make_engine(db_url)
        try:
            ledger = Ledger(engine)
            barrier.wait()
            for person_id, digest in items:
                if ledger.claim(INC, person_id, EMAIL, digest):
                    results[index].append(f"email:{person_id}")
            barrier.wait()
            won = ledger.claim_many(INC, Channel.SMS, items)
            results[index].extend(f"sms:{person_id}" for person_id in won)
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return results


def test_concurrent_claims_have_exactly_one_winner(engine: Engine, db_url: str) -> None:
    items = [(f"p{n}", "h") for n in range(60)]
    results = _race(db_url, workers=4, items=items)
    winners = sorted(claim for result in results for claim in result)
    expected = sorted(f"{ch}:{p}" for ch in ("email", "sms") for p, _ in items)
    assert winners == expected  # each (person, channel) won exactly once, by one worker
    ledger = Ledger(engine)
    for channel in (EMAIL, Channel.SMS):
        assert ledger.counts(INC, channel)["sending"] == len(items)


def _claim_in_process(
    db_url: str, ids: list[str], start: float, out: multiprocessing.Queue[list[str]]
) -> None:
    engine = make_engine(db_url)
    ledger = Ledger(engine)
    while time.monotonic() < start:  # line the processes up
        time.sleep(0.001)
    won = ledger.claim_many(INC, EMAIL, [(p, "h") for p in ids[:100]])
    won |= {p for p in ids[100:] if ledger.claim(INC, p, EMAIL, "h")}
    engine.dispose()
    out.put(sorted(won))


def test_concurrent_claims_from_worker_processes(engine: Engine, db_url: str) -> None:
    ids = [f"p{n:03d}" for n in range(160)]
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    start = time.monotonic() + 0.5
    procs = [
        ctx.Process(target=_claim_in_process, args=(db_url, ids, start, out)) for _ in range(3)
    ]
    for proc in procs:
        proc.start()
    won = [out.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    assert sorted(p for batch in won for p in batch) == ids


def test_reconcile_sending_resolves_without_resending(ledger: Ledger) -> None:
    ledger.claim_many(INC, EMAIL, [("a", "h"), ("b", "h"), ("c", "h"), ("d", "h")])
    ledger.mark_sent(INC, "d", EMAIL, "m-d")
    asked: list[str] = []

    def in_outbox(person_id: str) -> bool:
        asked.append(person_id)
        return person_id == "a"

    # Scoped to the batch being retried: "c" may still be in a live worker's hands.
    result = ledger.reconcile_sending(INC, EMAIL, in_outbox, person_ids=["a", "b", "d"])
    assert result == Reconciled(sent=1, reset=1)
    assert sorted(asked) == ["a", "b"]  # "d" was not sending; never asked
    assert [state(ledger, p) for p in "abcd"] == [
        DeliveryState.SENT,
        DeliveryState.PENDING,
        DeliveryState.SENDING,
        DeliveryState.SENT,
    ]
    assert ledger.claim_many(INC, EMAIL, [(p, "h") for p in "abcd"]) == {"b"}


def test_reconcile_sending_only_touches_stale_rows(ledger: Ledger) -> None:
    ledger.claim(INC, "a", EMAIL, "h")
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    assert ledger.reconcile_sending(INC, EMAIL, lambda _: False, older_than=earlier) == (0, 0, 0)
    assert state(ledger, "a") is DeliveryState.SENDING
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert ledger.reconcile_sending(INC, EMAIL, lambda _: False, older_than=later) == (0, 1, 0)
    assert state(ledger, "a") is DeliveryState.PENDING


def test_rows_in_state(ledger: Ledger) -> None:
    ledger.claim_many(INC, EMAIL, [("a", "h"), ("b", "h")])
    ledger.claim(INC, "a", Channel.SMS, "h")
    ledger.mark_sent(INC, "b", EMAIL, "m")
    sending = ledger.rows_in_state(INC, DeliveryState.SENDING)
    assert sorted((r.person_id, r.channel) for r in sending) == [("a", EMAIL), ("a", Channel.SMS)]
    assert [r.person_id for r in ledger.rows_in_state(INC, DeliveryState.SENT, channel=EMAIL)] == [
        "b"
    ]
    assert len(ledger.rows_in_state(INC, DeliveryState.SENDING, limit=1)) == 1


def test_in_memory_engine_is_shared_across_threads() -> None:
    engine = make_engine("sqlite://")
    create_schema(engine)
    ledger = Ledger(engine)
    thread = threading.Thread(target=ledger.claim, args=(INC, "p", EMAIL, "h"))
    thread.start()
    thread.join()
    assert ledger.claim(INC, "p", EMAIL, "h") is False


def test_claims_in_opposite_orders_never_both_win_nor_deadlock(engine: Engine, db_url: str) -> None:
    """Two workers claim the same people in opposite orders, over new and existing rows.

    On PostgreSQL each row is locked as it is inserted or updated: two batches taking the
    same rows in different orders would deadlock, and one of them would fail.
    """
    people = [f"p{n:04d}" for n in range(1_100)]
    # Two content hashes (two languages, say) and several IN-list chunks: several UPDATEs.
    items = [(p, f"h{n % 2}") for n, p in enumerate(people)]
    incidents = [f"{INC}-{n}" for n in range(6)]
    seeding = Ledger(engine)
    for n, incident in enumerate(incidents):
        # Rows that exist already (pending again after a crash): all of them, or two thirds
        # (the rest are new).
        existing = items if n % 2 else items[::3] + items[1::3]
        seeding.claim_many(incident, EMAIL, existing)
        assert seeding.reconcile_sending(incident, EMAIL, lambda _: False).reset == len(existing)
    # The second batch also starts with the other hash: its UPDATEs come in another order.
    batches = [items, items[1:][::-1]]
    engines = [make_engine(db_url) for _ in batches]
    try:
        for incident in incidents:
            won = _claim_together(engines, incident, batches)
            assert won[0].isdisjoint(won[1])
            assert won[0] | won[1] == set(people)
    finally:
        for worker_engine in engines:
            worker_engine.dispose()


def _claim_together(
    engines: list[Engine], incident: str, batches: list[list[tuple[str, str]]]
) -> list[set[str]]:
    """Each batch claimed by `claim_many` on its own engine, all at the same moment."""
    barrier = threading.Barrier(len(batches))
    won: list[set[str]] = [set() for _ in batches]
    failures: list[BaseException] = []

    def work(index: int) -> None:
        try:
            ledger = Ledger(engines[index])
            barrier.wait()
            won[index] = ledger.claim_many(incident, EMAIL, batches[index])
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return won


def test_keys_the_columns_cannot_hold_are_refused_alike_on_every_backend(ledger: Ledger) -> None:
    """PostgreSQL refuses an over-long id or a NUL where SQLite would store it: both refuse."""
    longest = "p" * 255
    assert ledger.claim_many(INC, EMAIL, [("ok", "h"), (longest, "h")]) == {"ok", longest}
    secret = "someone@example.com"
    for bad in (secret + "x" * 255, secret + "\x00"):
        with pytest.raises(ValueError, match="item 2 of the batch: person id") as raised:
            ledger.claim_many(INC, EMAIL, [("new", "h"), (bad, "h")])
        assert secret not in str(raised.value)
    with pytest.raises(ValueError, match="content hash"):
        ledger.claim(INC, "p", EMAIL, "h" * 65)
    with pytest.raises(ValueError, match="incident id"):
        ledger.claim("I" * 65, "p", EMAIL, "h")
    # Refused batches write nothing.
    assert ledger.get(INC, "new", EMAIL) is None
    assert ledger.counts(INC) == NO_ROWS | {"sending": 2}


def test_an_error_text_with_nul_is_stored(ledger: Ledger) -> None:
    ledger.claim(INC, "p1", EMAIL, "h")
    assert ledger.mark_failed(INC, "p1", EMAIL, error="bad\x00body " + "x" * 600, permanent=False)
    record = ledger.get(INC, "p1", EMAIL)
    assert record is not None and record.last_error is not None
    assert record.last_error.startswith("bad\ufffdbody x")
    assert len(record.last_error) == 500
