"""The breach register store: one entry per incident, never replaced by an older one.

Every test that takes `engine` runs on SQLite and on PostgreSQL (see conftest.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.sqlite.base import SQLiteDialect

from herald.models import RegimeDecision
from herald.models.evidence import RegisterEntry
from herald.store import create_schema
from herald.store.register import Register, _values, upsert_statement
from herald.store.tables import RegisterRow

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def entry(
    incident_id: str = "INC-1",
    *,
    opened: datetime = T0,
    updated: datetime = T0,
    notified: bool = True,
    title: str = "Mailbox compromise",
) -> RegisterEntry:
    return RegisterEntry(
        incident_id=incident_id,
        title=title,
        opened_at=opened,
        updated_at=updated,
        phase="drafting",
        aware_at=opened,
        jurisdictions=["DE", "FR"],
        affected=1_200,
        data_categories=["email", "name"],
        risk="high" if notified else "unlikely",
        risk_reasons=["contact data exposed"],
        description="An attacker read a shared mailbox.",
        remediation="Password reset, MFA enforced.",
        notification_required=notified,
        obligations=["gdpr-regulator-de"] if notified else [],
        decisions=[
            RegimeDecision(
                regime="gdpr",
                applies=notified,
                reasons=["risk to rights and freedoms" if notified else "risk unlikely"],
                obligations=["gdpr-regulator-de"] if notified else [],
            )
        ],
        reports={"gdpr-regulator-de": "draft"} if notified else {},
    )


@pytest.fixture
def register(engine: Engine) -> Register:
    return Register(engine)


def test_the_table_is_created_with_the_schema(engine: Engine) -> None:
    create_schema(engine)  # idempotent
    columns = {c["name"] for c in inspect(engine).get_columns("register_entries")}
    assert columns == {
        "incident_id",
        "opened_at",
        "updated_at",
        "closed_at",
        "notification_required",
        "entry",
    }


def test_record_then_get_round_trips_the_entry(register: Register) -> None:
    original = entry()

    assert register.record(original) is True

    assert register.get("INC-1") == original
    assert register.get("INC-404") is None


def test_a_newer_entry_replaces_and_an_older_one_never_does(register: Register) -> None:
    register.record(entry(updated=T0 + timedelta(hours=1), title="v2"))

    assert register.record(entry(updated=T0, title="v1")) is False
    stored = register.get("INC-1")
    assert stored is not None and stored.title == "v2"

    later = entry(updated=T0 + timedelta(hours=2), title="v3")
    later.closed_at = T0 + timedelta(hours=2)
    later.phase = "closed"
    assert register.record(later) is True
    stored = register.get("INC-1")
    assert stored is not None
    assert (stored.title, stored.phase, stored.closed_at) == ("v3", "closed", later.closed_at)
    assert len(register.entries()) == 1


def test_recording_the_same_entry_twice_is_harmless(register: Register) -> None:
    same = entry()

    assert register.record(same) is True
    assert register.record(same) is True

    assert register.entries() == [same]


def test_entries_are_newest_first_and_filtered(register: Register) -> None:
    register.record(entry("INC-A", opened=T0, notified=True))
    register.record(entry("INC-B", opened=T0 + timedelta(days=2), notified=False))
    register.record(entry("INC-C", opened=T0 + timedelta(days=1), notified=True))

    assert [e.incident_id for e in register.entries()] == ["INC-B", "INC-C", "INC-A"]
    assert [e.incident_id for e in register.entries(notified=True)] == ["INC-C", "INC-A"]
    assert [e.incident_id for e in register.entries(notified=False)] == ["INC-B"]
    since = T0 + timedelta(days=1)
    assert [e.incident_id for e in register.entries(since=since)] == ["INC-B", "INC-C"]
    assert [e.incident_id for e in register.entries(since=since, notified=True)] == ["INC-C"]
    # A naive instant is taken as UTC.
    naive = since.replace(tzinfo=None)
    assert [e.incident_id for e in register.entries(since=naive)] == ["INC-B", "INC-C"]


def test_instants_are_stored_in_utc_and_compared_as_instants(
    register: Register, engine: Engine
) -> None:
    plus_two = timezone(timedelta(hours=2))
    # 10:30+02:00 is 08:30 UTC: earlier than T0 (09:00 UTC) although its clock reads later.
    local = entry("INC-LOCAL", opened=datetime(2026, 3, 2, 10, 30, tzinfo=plus_two))
    register.record(local)
    register.record(entry("INC-UTC", opened=T0))

    assert [e.incident_id for e in register.entries()] == ["INC-UTC", "INC-LOCAL"]
    assert [e.incident_id for e in register.entries(since=T0)] == ["INC-UTC"]
    stored = register.get("INC-LOCAL")
    assert stored is not None
    assert stored.opened_at == local.opened_at
    assert stored.opened_at.utcoffset() == timedelta(0)
    # An update written at 09:30+02:00 (07:30 UTC) is older than one at 08:00 UTC.
    register.record(entry("INC-X", updated=datetime(2026, 3, 2, 8, 0, tzinfo=UTC), title="new"))
    old = entry("INC-X", updated=datetime(2026, 3, 2, 9, 30, tzinfo=plus_two), title="old")
    assert register.record(old) is False
    with engine.connect() as conn:
        raw = conn.execute(
            select(RegisterRow.entry).where(RegisterRow.incident_id == "INC-LOCAL")
        ).scalar_one()
    assert raw["opened_at"] == "2026-03-02T08:30:00Z"


def test_the_upsert_compiles_for_postgresql_and_sqlite() -> None:
    values = _values(entry())
    for dialect in (PGDialect(), SQLiteDialect()):  # type: ignore[no-untyped-call]
        stmt = upsert_statement(dialect.name, values)
        assert stmt is not None
        sql = str(stmt.compile(dialect=dialect))
        assert "ON CONFLICT (incident_id) DO UPDATE" in sql
        assert "WHERE excluded.updated_at >= register_entries.updated_at" in sql
    assert upsert_statement("mssql", values) is None


def test_the_portable_fallback_keeps_the_newest(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    import herald.store.register as module

    monkeypatch.setattr(module, "upsert_statement", lambda dialect, values: None)

    assert register.record(entry(updated=T0 + timedelta(hours=1), title="v2")) is True
    assert register.record(entry(updated=T0, title="v1")) is False
    assert register.record(entry(updated=T0 + timedelta(hours=2), title="v3")) is True
    stored = register.get("INC-1")
    assert stored is not None and stored.title == "v3"


def test_any_text_round_trips_on_every_backend(register: Register) -> None:
    """The entry is JSON text: NUL (which PostgreSQL's text columns refuse) and any script."""
    original = entry(title="Fuite \x00 de données 数据泄露 \U0001f512")

    assert register.record(original) is True

    assert register.get("INC-1") == original
