"""Alembic builds exactly the models' schema, on SQLite and on PostgreSQL (see conftest.py).

`create_schema` upgrades to the newest revision; a database made by the old `create_all`
(tables, no `alembic_version`) is completed to revision 0001, stamped, then upgraded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from herald.channels.base import make_idempotency_key
from herald.models import Channel, DeliveryState
from herald.settings import PROJECT_ROOT
from herald.store import Base, Ledger, create_schema, make_engine
from herald.store.db import INITIAL_REVISION, alembic_config
from herald.store.register import Register

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SCRIPT = ScriptDirectory.from_config(alembic_config())


def differences(engine: Engine) -> list[Any]:
    """What `alembic revision --autogenerate` would write: [] when the schema is the models'."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def initial_revision() -> ModuleType:
    script = SCRIPT.get_revision(INITIAL_REVISION)
    assert script is not None
    module: ModuleType = script.module
    return module


def test_the_migrations_build_the_models_schema(engine: Engine) -> None:
    assert differences(engine) == []
    assert revision(engine) == SCRIPT.get_current_head()
    assert set(inspect(engine).get_table_names()) == {
        "alembic_version",
        *Base.metadata.tables,
    }


def test_the_comparison_would_notice_a_drift(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_deliveries_provider_message_id"))

    found = differences(engine)

    assert [(kind, index.name) for kind, index in found] == [
        ("add_index", "ix_deliveries_provider_message_id")
    ]


def test_the_revisions_form_one_numbered_line() -> None:
    """One head, each revision's file named after its number (see docs/architecture.md)."""
    revisions = list(SCRIPT.walk_revisions())  # newest first, down to the initial one
    assert SCRIPT.get_heads() == [revisions[0].revision]
    assert revisions[-1].revision == INITIAL_REVISION
    assert revisions[-1].down_revision is None
    for newer, older in zip(revisions, revisions[1:], strict=False):
        assert newer.down_revision == older.revision
    for script in revisions:
        assert script.path is not None
        assert os.path.basename(script.path).startswith(f"{script.revision}_")
        assert script.revision.isdigit() and len(script.revision) == 4


def test_downgrading_to_nothing_and_upgrading_again(engine: Engine) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}

    create_schema(engine)

    assert differences(engine) == []
    assert revision(engine) == SCRIPT.get_current_head()


def test_a_create_all_database_is_stamped_then_upgraded(db_url: str) -> None:
    engine = make_engine(db_url)
    # What the old create_schema (Base.metadata.create_all) made: revision 0001's own tables
    # (identical, as the first test shows), without alembic_version. Unlike create_all on
    # today's models, they stay what the old code made when later revisions add columns.
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        initial_revision().upgrade()
        conn.execute(
            text(
                "INSERT INTO deliveries (incident_id, person_id, channel, state, "
                "idempotency_key, attempts, permanent_failure, content_hash, updated_at) "
                "VALUES ('INC-1', 'p1', 'email', 'sent', :key, 1, :no, 'h', :at)"
            ),
            {"key": make_idempotency_key("INC-1", "p1", Channel.EMAIL), "no": False, "at": T0},
        )
    assert "alembic_version" not in inspect(engine).get_table_names()

    create_schema(engine)
    create_schema(engine)  # and again, as every worker start does

    assert revision(engine) == SCRIPT.get_current_head()
    assert differences(engine) == []
    record = Ledger(engine).get("INC-1", "p1", Channel.EMAIL)
    assert record is not None and record.state is DeliveryState.SENT
    engine.dispose()


def test_an_older_create_all_database_is_completed_then_stamped(db_url: str) -> None:
    """Made before the register and the idempotency key existed (like a developer's
    .herald/herald.db of 24 November 2026): the gaps are filled and every row gets its key."""
    legacy = sa.MetaData()
    deliveries = sa.Table(
        "deliveries",
        legacy,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("provider_message_id", sa.String(255)),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(500)),
        sa.Column("permanent_failure", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "incident_id", "person_id", "channel", name="uq_deliveries_incident_person_channel"
        ),
        sa.Index("ix_deliveries_incident_channel_state", "incident_id", "channel", "state"),
    )
    engine = make_engine(db_url)
    legacy.create_all(engine)
    people = [("INC-1", "p1", "email"), ("INC-1", "p1", "sms"), ("INC-2", "p2", "letter")]
    with engine.begin() as conn:
        conn.execute(
            deliveries.insert(),
            [
                {
                    "incident_id": incident,
                    "person_id": person,
                    "channel": channel,
                    "state": "sent",
                    "attempts": 1,
                    "permanent_failure": False,
                    "content_hash": "h",
                    "updated_at": T0,
                }
                for incident, person, channel in people
            ],
        )

    create_schema(engine)

    assert revision(engine) == SCRIPT.get_current_head()
    assert differences(engine) == []
    with engine.connect() as conn:
        keys = conn.execute(
            text("SELECT incident_id, person_id, channel, idempotency_key FROM deliveries")
        ).all()
    assert sorted(keys) == sorted(
        (incident, person, channel, make_idempotency_key(incident, person, Channel(channel)))
        for incident, person, channel in people
    )
    assert Ledger(engine).counts("INC-1")["sent"] == 2
    assert Register(engine).entries() == []
    engine.dispose()


def test_workers_starting_together_migrate_once(db_url: str) -> None:
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def start_worker() -> None:
        engine = make_engine(db_url)
        try:
            barrier.wait()
            create_schema(engine)
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start_worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
            SCRIPT.get_current_head()
        ]
    assert differences(engine) == []
    engine.dispose()


def test_a_failed_upgrade_leaves_the_database_as_it_was(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole upgrade is one transaction, also on SQLite (where pysqlite would otherwise
    commit each DDL statement on its own)."""
    upgrade = command.upgrade

    def upgrade_then_fail(config: Any, target: str) -> None:
        upgrade(config, target)
        raise RuntimeError("interrupted")

    monkeypatch.setattr(command, "upgrade", upgrade_then_fail)
    engine = make_engine(db_url)

    with pytest.raises(RuntimeError, match="interrupted"):
        create_schema(engine)

    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_alembic_works_from_the_repository_root(db_url: str) -> None:
    """What a developer runs (alembic.ini at the root): upgrade, then autogenerate's check."""
    env = {**os.environ, "HERALD_DATABASE_URL": db_url}
    for args in (["upgrade", "head"], ["check"]):
        result = subprocess.run(
            [sys.executable, "-m", "alembic", *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
    engine = make_engine(db_url)
    assert revision(engine) == SCRIPT.get_current_head()
    engine.dispose()
