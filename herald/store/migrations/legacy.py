"""Databases made by `create_all`, before Herald had migrations, brought to revision 0001.

Until Alembic, `create_schema` ran `Base.metadata.create_all`, which creates missing tables
and never changes existing ones. Such a database has Herald's tables but no
`alembic_version` and, depending on when it was made, may lack `register_entries` or the
ledger's `idempotency_key` column and receipt indexes (both arrived shortly before revision
0001). `adopt` adds what is missing, as revision 0001 declares it, so that the database can
truthfully be stamped 0001 and upgraded from there like any other.
"""

from __future__ import annotations

from types import ModuleType

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from herald.channels.base import make_idempotency_key
from herald.models.vocabulary import Channel
from herald.store.db import INITIAL_REVISION, alembic_config

__all__ = ["INITIAL_TABLES", "adopt"]

# The tables revision 0001 creates; any of them without `alembic_version` means create_all.
INITIAL_TABLES = frozenset({"deliveries", "register_entries"})
_BACKFILL_BATCH = 1_000


def adopt(connection: Connection, existing_tables: set[str]) -> bool:
    """Complete a database made by `create_all` to revision 0001 (the caller stamps it).

    Args:
        connection: A connection in the transaction that will stamp and upgrade.
        existing_tables: The database's tables; it has no `alembic_version`.

    Returns:
        False for a database without any of Herald's tables (nothing to adopt: the caller
        creates everything by upgrading), True once the database matches revision 0001.
    """
    if not existing_tables & INITIAL_TABLES:
        return False
    script = ScriptDirectory.from_config(alembic_config())
    revision = script.get_revision(INITIAL_REVISION)
    assert revision is not None, "revision 0001 is missing from herald/store/migrations"
    initial: ModuleType = revision.module
    with Operations.context(MigrationContext.configure(connection)):
        if "deliveries" in existing_tables:
            _complete_deliveries(connection)
        else:
            initial.create_deliveries()
        if "register_entries" not in existing_tables:
            initial.create_register_entries()
    return True


def _complete_deliveries(connection: Connection) -> None:
    """Add the idempotency key (computed for every row) and the receipt indexes if missing."""
    from alembic import op

    inspector = sa.inspect(connection)
    columns = {column["name"] for column in inspector.get_columns("deliveries")}
    if "idempotency_key" not in columns:
        op.add_column("deliveries", sa.Column("idempotency_key", sa.String(32), nullable=True))
        _backfill_idempotency_keys(connection)
        # SQLite cannot add NOT NULL to a column in place: batch mode copies the table.
        with op.batch_alter_table("deliveries") as batch:
            batch.alter_column("idempotency_key", existing_type=sa.String(32), nullable=False)
    indexes = {index["name"] for index in sa.inspect(connection).get_indexes("deliveries")}
    for name, column in (
        ("ix_deliveries_idempotency_key", "idempotency_key"),
        ("ix_deliveries_provider_message_id", "provider_message_id"),
    ):
        if name not in indexes:
            op.create_index(name, "deliveries", [column])


def _backfill_idempotency_keys(connection: Connection) -> None:
    rows = connection.execute(
        sa.text("SELECT id, incident_id, person_id, channel FROM deliveries")
    ).all()
    update = sa.text("UPDATE deliveries SET idempotency_key = :key WHERE id = :id")
    for start in range(0, len(rows), _BACKFILL_BATCH):
        connection.execute(
            update,
            [
                {
                    "id": row.id,
                    "key": make_idempotency_key(
                        row.incident_id, row.person_id, Channel(row.channel)
                    ),
                }
                for row in rows[start : start + _BACKFILL_BATCH]
            ],
        )
