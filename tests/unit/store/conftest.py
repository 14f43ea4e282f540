"""Every store test runs twice: on SQLite and on PostgreSQL.

PostgreSQL is a real server the tests start themselves (`postgres_url` in tests/conftest.py)
and each test gets an empty database of its own on it. `db_url` is parametrized by backend;
`engine` is that database with Herald's schema (`create_schema`). A test that only makes
sense on one backend narrows it with
`@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from herald.store import create_schema, make_engine

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database on the backend of this test's parameter."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_db_url")
        return url
    return f"sqlite:///{tmp_path / 'nested' / 'herald.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on `db_url`'s database, migrated to the newest revision."""
    engine = make_engine(db_url)
    create_schema(engine)
    yield engine
    engine.dispose()
