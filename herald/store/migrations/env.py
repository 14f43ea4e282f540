"""Alembic environment of Herald's database.

Herald runs migrations in code (`herald.store.db.create_schema`), passing its connection in
`config.attributes["connection"]`: the upgrade then happens inside the caller's transaction,
under the lock that keeps two starting workers from migrating at once. From a shell
(`alembic` with the repository's alembic.ini) it connects to `HERALD_DATABASE_URL`, or the
SQLite file under `HERALD_HOME`, just as Herald would.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from herald.store import tables  # noqa: F401  (registers every table on Base.metadata)
from herald.store.db import Base, lock_schema, make_engine

config = context.config


def _url() -> str:
    configured = config.get_main_option("sqlalchemy.url")
    if configured:
        return configured
    from herald.settings import get_settings

    return get_settings().db_url


def _configure(connection: Connection | None = None) -> None:
    context.configure(
        connection=connection,
        # Offline (`alembic upgrade --sql`) there is no connection, only the URL's dialect.
        url=_url() if connection is None else None,
        literal_binds=connection is None,
        target_metadata=Base.metadata,
        # Autogenerate compares column types too, not only names.
        compare_type=True,
        # SQLite cannot alter a column or constraint in place; batch operations copy the
        # table there and stay plain ALTERs on PostgreSQL, so every revision runs on both.
        render_as_batch=True,
    )


def run() -> None:
    """Run the command Alembic was given, on Herald's connection or a new one."""
    connection = config.attributes.get("connection")
    if connection is not None:
        # Called from create_schema: its transaction is already open, so this one is a
        # no-op and the caller commits.
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    if context.is_offline_mode():  # `alembic upgrade --sql`: print the SQL
        _configure()
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        # One transaction under the same lock as create_schema, so a worker starting now
        # waits for this command instead of migrating alongside it.
        with engine.begin() as connection:
            lock_schema(connection)
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run()
