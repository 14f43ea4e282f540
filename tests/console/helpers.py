"""Helpers of the console tests: sign in through the login form, read the CSRF token a page
carries, start the example incident through the board's form, and wait for a state."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any

import httpx

from herald.models import IncidentStatus
from herald.models.messages import ApproveDraftInput
from tests.api.stack import PASSWORD, ApiStack
from tests.conftest import EXAMPLES

DELAY = "Found months later, in a scheduled access review."
# The contact point notices must name (examples/profile.yaml's; the form starts without it).
CONTACT = {
    "name": "Data Protection Officer",
    "email": "dpo@example-gmbh.example",
    "phone": "+49 30 901820",
    "postal_address": "Example GmbH, Friedrichstrasse 100, 10117 Berlin, Germany",
    "website": "https://example-gmbh.example/security-notice",
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token of the first form on `page`."""
    found = _CSRF.search(page.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def sign_in(api: ApiStack, username: str) -> tuple[httpx.AsyncClient, str]:
    """A browser-like client signed in through `/login`, and its session's CSRF token."""
    browser = api.client()
    form = await browser.get("/login")
    answer = await browser.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(form)},
    )
    assert answer.status_code == 303, answer.text
    board = await browser.get("/incidents")
    assert board.status_code == 200
    return browser, csrf_of(board)


def example_facts(**changes: Any) -> bytes:
    """The example facts; unless `explained=False` with the delay explained (its 72-hour
    deadline passed long ago, so the GDPR report would wait for the reasons) and a contact
    point, so that every draft carries what the law requires and can be approved."""
    facts: dict[str, Any] = json.loads((EXAMPLES / "facts.json").read_text())
    if changes.pop("explained", True):
        facts["details"] = {"delay_reasons": DELAY}
        facts["entity"]["contact"] = CONTACT
    facts.update(changes)
    return json.dumps(facts).encode()


async def start(browser: httpx.AsyncClient, csrf: str, facts: bytes | None = None) -> str:
    """Start the example incident (facts + population upload) through the board's form."""
    answer = await browser.post(
        "/incidents",
        data={"csrf_token": csrf, "org": ""},
        files={
            "facts": ("facts.json", facts or example_facts(), "application/json"),
            "population": (
                "population.csv",
                (EXAMPLES / "population.csv").read_bytes(),
                "text/csv",
            ),
        },
    )
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.endswith("?done=started")
    return location.removeprefix("/incidents/").split("?")[0]


async def until(
    api: ApiStack, incident_id: str, predicate: Callable[[IncidentStatus], bool]
) -> IncidentStatus:
    """Wait (at most a minute) until the incident's status satisfies `predicate`."""
    current = await api.incidents.status(incident_id)
    for _ in range(300):
        if predicate(current):
            return current
        await asyncio.sleep(0.2)
        current = await api.incidents.status(incident_id)
    raise AssertionError(f"{incident_id} stuck in phase {current.phase}")


def settled(current: IncidentStatus) -> bool:
    """Drafts written and waiting for approval."""
    return current.phase == "awaiting_approval" and bool(current.drafts)


async def approve_all(api: ApiStack, incident_id: str) -> IncidentStatus:
    """Both approvers approve every draft (the setup of the tests that start after approval;
    the approve form itself is tested in test_console_pages)."""
    current = await until(api, incident_id, settled)
    for approver in ("amal", "bo"):
        for draft in current.drafts:
            await api.incidents.approve(
                incident_id,
                ApproveDraftInput(
                    draft_id=draft.id, approver=approver, content_hash=draft.content_hash
                ),
            )
    return await until(
        api,
        incident_id,
        lambda s: bool(s.reports) and all(r.status == "approved" for r in s.reports),
    )
