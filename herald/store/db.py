"""Engine and schema for Herald's own database (SQLite by default, PostgreSQL alike).

The schema is Alembic's: `create_schema` upgrades the database to the newest revision in
`herald/store/migrations/versions/` (how to add one: docs/architecture.md, "Database and
migrations").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, MetaData, create_engine, event, inspect, make_url, text
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import StaticPool

__all__ = [
    "INITIAL_REVISION",
    "MIGRATIONS_DIR",
    "Base",
    "alembic_config",
    "create_schema",
    "lock_schema",
    "make_engine",
]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The revision a database made by `create_all` (before migrations) is stamped with.
INITIAL_REVISION = "0001"
# Key of the PostgreSQL advisory lock that serialises schema upgrades: any fixed bigint, this
# one spells "herald-s" so that it does not collide with other applications' locks.
_SCHEMA_LOCK_ID = int.from_bytes(b"herald-s", "big")


class Base(DeclarativeBase):
    """Declarative base of every Herald table; `Base.metadata` is what Alembic tracks."""

    # Constraints and indexes declared without a name get a predictable one, so a later
    # revision can drop or alter them by name on every database (SQLite's batch mode needs
    # names). Primary keys keep the database's own names, as the first tables had them.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        }
    )


def make_engine(url: str, *, busy_timeout_ms: int = 30_000) -> Engine:
    """Create an engine for `url`, ready for several worker processes at once.

    Statement parameters (person ids, among others) are kept out of error messages and logs.
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
        return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)

    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in str(parsed)
    kwargs: dict[str, Any] = {}
    if in_memory:
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, hide_parameters=True, **kwargs)

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


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for Herald, built in code (no alembic.ini needed).

    Args:
        connection: Run the commands on this connection, in its open transaction.

    Returns:
        The configuration; pass it to `alembic.command` functions.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def lock_schema(connection: Connection) -> None:
    """Hold the schema lock until `connection`'s transaction ends.

    Workers start together and each upgrades the schema; the lock makes the second one wait
    and then find the database at head, instead of both creating the same tables.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _SCHEMA_LOCK_ID})
    elif dialect == "sqlite":
        # SQLite's write lock, taken now rather than at the first write, so the busy timeout
        # applies; pysqlite would otherwise run the DDL outside any transaction.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_schema(engine: Engine) -> None:
    """Upgrade the database to the newest revision (Alembic `upgrade head`), in one transaction.

    A database made by `create_all` before Herald had migrations (its tables are there but
    not `alembic_version`) is first completed to revision 0001 and stamped with it.
    """
    with engine.begin() as connection:
        lock_schema(connection)
        config = alembic_config(connection)
        existing = set(inspect(connection).get_table_names())
        if "alembic_version" not in existing:
            # Imported here: legacy imports this module, and most starts never need it.
            from herald.store.migrations import legacy

            if legacy.adopt(connection, existing):
                command.stamp(config, INITIAL_REVISION)
        command.upgrade(config, "head")
