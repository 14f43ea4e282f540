"""Engine and schema for Herald's own database (SQLite by default, PostgreSQL alike)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import StaticPool

__all__ = ["Base", "create_schema", "make_engine"]


class Base(DeclarativeBase):
    """Declarative base of every Herald table; `Base.metadata` is what Alembic will track."""


def make_engine(url: str, *, busy_timeout_ms: int = 30_000) -> Engine:
    """Create an engine for `url`, ready for several worker processes at once.

    For a SQLite file, the parent folder is created and every connection switches to WAL
    (readers never block the writer) with a busy timeout (a second writer waits instead of
    failing with "database is locked"). An in-memory SQLite database is shared by all threads
    of the engine, which is what tests want.

    Args:
        url: A SQLAlchemy URL, e.g. `get_settings().db_url`.
        busy_timeout_ms: How long a SQLite writer waits for the lock.

    Returns:
        The engine.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)

    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in str(parsed)
    kwargs: dict[str, Any] = {}
    if in_memory:
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **kwargs)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                # NORMAL is durable across process crashes in WAL mode and much faster.
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    return engine


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet (Alembic migrations come later)."""
    # Importing the table modules registers their tables on Base.metadata.
    from herald.store import tables  # noqa: F401

    Base.metadata.create_all(engine)
