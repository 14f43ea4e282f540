"""The breach register: one entry per incident, kept as long as the database is.

GDPR Art. 33(5) asks a controller to document every personal data breach, including those
it did not have to notify: the facts, the effects, the remedial action taken, and (so that
the authority can check compliance) why each regime did or did not require a notification.
The incident workflow writes its `RegisterEntry` here as the incident moves on; each write
replaces the stored entry unless the stored one is newer (`updated_at`), so retries and
out-of-order writes never go back in time.

An entry holds counts, data categories and jurisdictions, never a recipient list or anything
that identifies an affected person.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import Insert

from herald.models.evidence import RegisterEntry
from herald.store.tables import RegisterRow

__all__ = ["Register"]

# Written on every record; incident_id is the key.
_UPDATED = ("opened_at", "updated_at", "closed_at", "notification_required", "entry")


class Register:
    """Reads and writes the breach register; safe for several workers sharing one database."""

    def __init__(self, engine: Engine) -> None:
        """Use `engine` (from `herald.store.db.make_engine`; the schema must exist)."""
        self._engine = engine

    def record(self, entry: RegisterEntry) -> bool:
        """Store `entry` as its incident's register entry, unless a newer one is stored.

        Writing the same entry again (a retried activity) is harmless and returns True.

        Returns:
            True if the register now holds this entry, False if it kept a newer one (the
            stored `updated_at` is later than this entry's).
        """
        values = _values(entry)
        with self._engine.begin() as conn:
            stmt = upsert_statement(conn.dialect.name, values)
            if stmt is None:
                return _portable_upsert(conn, values)
            if conn.dialect.insert_returning:
                # A row comes back only if it was inserted or updated (psycopg 3 reports -1
                # as the row count of an upsert, so the count cannot tell).
                stmt = stmt.returning(RegisterRow.incident_id)
                return conn.execute(stmt).first() is not None
            return bool(conn.execute(stmt).rowcount == 1)

    def get(self, incident_id: str) -> RegisterEntry | None:
        """The entry of one incident, if the register has it."""
        query = select(RegisterRow.entry).where(RegisterRow.incident_id == incident_id)
        with self._engine.connect() as conn:
            stored = conn.execute(query).scalar_one_or_none()
        return None if stored is None else RegisterEntry.model_validate(stored)

    def entries(
        self, *, since: datetime | None = None, notified: bool | None = None
    ) -> list[RegisterEntry]:
        """Every entry, newest incident first (by when it was opened).

        Args:
            since: Only incidents opened at or after this instant (naive means UTC).
            notified: True for incidents that required a notification, False for those
                that did not, None for all.

        Returns:
            The entries.
        """
        query = select(RegisterRow.entry)
        if since is not None:
            query = query.where(RegisterRow.opened_at >= _utc(since))
        if notified is not None:
            query = query.where(RegisterRow.notification_required == notified)
        query = query.order_by(RegisterRow.opened_at.desc(), RegisterRow.incident_id.desc())
        with self._engine.connect() as conn:
            stored = list(conn.execute(query).scalars())
        return [RegisterEntry.model_validate(item) for item in stored]


def upsert_statement(dialect: str, values: dict[str, Any]) -> Insert | None:
    """One INSERT … ON CONFLICT DO UPDATE that only replaces an entry not newer than `values`.

    None for a dialect without ON CONFLICT (the caller falls back to insert, then update).
    """
    stmt: Any
    if dialect == "sqlite":
        stmt = sqlite_insert(RegisterRow).values(values)
    elif dialect == "postgresql":
        stmt = pg_insert(RegisterRow).values(values)
    else:
        return None
    upsert: Insert = stmt.on_conflict_do_update(
        index_elements=[RegisterRow.incident_id],
        set_={column: stmt.excluded[column] for column in _UPDATED},
        where=stmt.excluded.updated_at >= RegisterRow.updated_at,
    )
    return upsert


def _portable_upsert(conn: Connection, values: dict[str, Any]) -> bool:
    try:
        with conn.begin_nested():
            conn.execute(insert(RegisterRow).values(values))
        return True
    except IntegrityError:
        pass
    stmt = (
        update(RegisterRow)
        .where(RegisterRow.incident_id == values["incident_id"])
        .where(RegisterRow.updated_at <= values["updated_at"])
        .values({column: values[column] for column in _UPDATED})
    )
    return bool(conn.execute(stmt).rowcount == 1)


def _values(entry: RegisterEntry) -> dict[str, Any]:
    """The row for `entry`, every instant (in the columns and the JSON) in UTC."""
    entry = entry.model_copy(
        update={
            "opened_at": _utc(entry.opened_at),
            "updated_at": _utc(entry.updated_at),
            "closed_at": _utc(entry.closed_at) if entry.closed_at else None,
            "aware_at": _utc(entry.aware_at),
        }
    )
    return {
        "incident_id": entry.incident_id,
        "opened_at": entry.opened_at,
        "updated_at": entry.updated_at,
        "closed_at": entry.closed_at,
        "notification_required": entry.notification_required,
        "entry": entry.model_dump(mode="json"),
    }


def _utc(moment: datetime) -> datetime:
    # SQLite stores DateTime without an offset, so every stored instant must be UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
