"""The live API of the route tests: the real app on a real Temporal dev server with a worker,
a fresh task queue and database per test, and one signed-in client per role.

Requests go through httpx's ASGI transport in the test's own event loop, the loop the
Temporal client lives in; the browser tests use a real `herald dev` instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from temporalio.testing import WorkflowEnvironment

from herald.api import create_app
from herald.channels.config import ProviderSettings
from herald.client import IncidentClient
from herald.models import ReceiptCounts
from herald.settings import Settings, get_settings
from herald.store import create_schema, make_engine
from herald.store.users import UserStore
from herald.users import Role
from tests.conftest import herald_client
from worker import build_worker

BASE_URL = "http://herald.test"
PASSWORD = "correct horse battery staple"
# One user per role, plus a second approver: four eyes need two.
USERS: dict[str, list[Role]] = {
    "vera": [Role.VIEWER],
    "rory": [Role.RESPONDER],
    "amal": [Role.APPROVER],
    "bo": [Role.APPROVER],
    "ada": [Role.ADMIN],
}


@dataclass
class ApiStack:
    """The app, its user store and incident client, and a way to call it as anyone."""

    app: FastAPI
    users: UserStore
    incidents: IncidentClient
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)
    _clients: list[httpx.AsyncClient] = field(default_factory=list)

    def client(self, **kwargs: object) -> httpx.AsyncClient:
        """An unauthenticated client of the app (closed with the stack)."""
        made = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url=BASE_URL,
            **kwargs,  # type: ignore[arg-type]
        )
        self._clients.append(made)
        return made

    def as_user(self, username: str) -> httpx.AsyncClient:
        """A client sending `username`'s API token."""
        return self.client(headers={"Authorization": f"Bearer {self.tokens[username]}"})

    async def signed_in(self, username: str) -> tuple[httpx.AsyncClient, str]:
        """A client holding `username`'s session cookie, and the session's CSRF token."""
        browser = self.client()
        answer = await browser.post(
            "/api/session", json={"username": username, "password": PASSWORD}
        )
        answer.raise_for_status()
        return browser, answer.json()["csrf_token"]


async def _ignore_receipts(incident_id: str, counts: ReceiptCounts) -> None:
    del incident_id, counts


@pytest_asyncio.fixture(loop_scope="session")
async def api(
    local_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> AsyncIterator[ApiStack]:
    """The live API with the users of `USERS` (password `PASSWORD`, one API token each)."""
    client = herald_client(local_env, settings)
    engine = make_engine(settings.db_url)
    create_schema(engine)
    incidents = IncidentClient(client, task_queue=task_queue)

    async def connect() -> IncidentClient:
        return incidents

    app = create_app(
        settings,
        ProviderSettings(),
        engine=engine,
        on_receipts=_ignore_receipts,
        incidents=connect,
    )
    stack = ApiStack(app=app, users=app.state.users, incidents=incidents, settings=settings)
    for username, roles in USERS.items():
        stack.users.add(username, roles=roles, password=PASSWORD, display_name=username.title())
        stack.tokens[username] = stack.users.issue_token(username, "tests")[1]
    async with build_worker(client, settings, task_queue=task_queue):
        try:
            yield stack
        finally:
            for made in stack._clients:
                await made.aclose()
    engine.dispose()


@pytest.fixture
def evidence_home(api: ApiStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The receipt store follows the process settings, as in `herald serve`: point them at
    the stack's home, where the app keeps everything else."""
    monkeypatch.setenv("HERALD_HOME", str(api.settings.home))
    get_settings.cache_clear()
    yield api.settings.home / "evidence"
    get_settings.cache_clear()
