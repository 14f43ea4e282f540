"""Every route of the app, one by one: no credentials → 401, a role without the route's
action → 403. The action is read from the route's own `Requires` dependency, so a route
added later is checked without editing this file; a route with no `Requires` must be in
`PUBLIC` with the reason it needs none, or this test fails.
"""

from __future__ import annotations

import re

import httpx
from fastapi.routing import APIRoute, iter_route_contexts

from herald.api.auth import Requires
from herald.users import GRANTS, Action
from tests.api.stack import USERS, ApiStack

# (method, path) -> why the route answers without a signed-in user.
PUBLIC: dict[tuple[str, str], str] = {
    ("POST", "/api/session"): "signing in is how one gets a session",
    ("GET", "/login"): "the console's sign-in form",
    ("POST", "/login"): "the console's sign-in (checks its own form token and the password)",
    ("GET", "/docs"): "API documentation; /openapi.json describes no data",
    ("POST", "/webhooks/twilio/status"): "Twilio signs its callbacks (X-Twilio-Signature)",
    ("POST", "/webhooks/sendgrid/events"): "SendGrid signs its events (ECDSA)",
    ("POST", "/api/intake/siem"): "the SIEM signs each alert (HMAC-SHA256 with a timestamp)",
    ("OPTIONS", "/codec/{operation}"): "CORS preflight: browsers send it without credentials",
}


def requirement(route: APIRoute) -> list[Action]:
    """The actions of the route's `Requires` dependencies (exactly one is expected)."""
    return [
        dep.call.action for dep in route.dependant.dependencies if isinstance(dep.call, Requires)
    ]


def routes(api: ApiStack) -> list[tuple[str, str, APIRoute]]:
    """(method, full path, route) of every API route, those of included routers too
    (FastAPI keeps an included router as one entry of `app.routes`)."""
    found = []
    for context in iter_route_contexts(api.app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            path = context.path or route.path
            found += [
                (method, path, route) for method in sorted(set(route.methods or ()) - {"HEAD"})
            ]
    return found


def concrete(path: str) -> str:
    """The path with a placeholder for every parameter."""
    return re.sub(r"\{[^}]+\}", "placeholder", path)


def lacking(action: Action) -> str | None:
    """A user of the stack whose roles do not grant `action` (None: every role has it)."""
    for username, roles in USERS.items():
        if not any(action in GRANTS[role] for role in roles):
            return username
    return None


async def send(client: httpx.AsyncClient, method: str, path: str) -> httpx.Response:
    return await client.request(method, concrete(path), json={})


async def test_every_route_has_one_requirement_or_a_reason_to_be_public(api: ApiStack) -> None:
    unexplained = []
    for method, path, route in routes(api):
        actions = requirement(route)
        if (method, path) in PUBLIC:
            assert not actions, f"{method} {path} is listed as public but requires {actions}"
        elif len(actions) != 1:
            unexplained.append(f"{method} {path}: {len(actions)} Requires")
    assert not unexplained, "routes without exactly one Requires: " + "; ".join(unexplained)
    assert len(routes(api)) > 30  # the API's routes are all there


async def test_every_route_refuses_strangers_with_401(api: ApiStack) -> None:
    stranger = api.client()
    forged = api.client(headers={"Authorization": "Bearer hrd_not-a-real-token"})
    checked = 0
    for method, path, _route in routes(api):
        if (method, path) in PUBLIC:
            continue
        for client in (stranger, forged):
            answer = await send(client, method, path)
            assert answer.status_code == 401, f"{method} {path}: {answer.status_code}"
        checked += 1
    assert checked >= 30


async def test_every_route_refuses_roles_without_its_action_with_403(api: ApiStack) -> None:
    checked = 0
    for method, path, route in routes(api):
        if (method, path) in PUBLIC:
            continue
        (action,) = requirement(route)
        username = lacking(action)
        if username is None:
            continue  # every role may read
        answer = await send(api.as_user(username), method, path)
        assert answer.status_code == 403, f"{method} {path} as {username}: {answer.status_code}"
        assert str(action) in answer.text  # JSON for the API, an HTML page for the console
        checked += 1
    assert checked >= 15


async def test_openapi_and_docs_are_public_and_serve_no_cdn(api: ApiStack) -> None:
    client = api.client()
    schema = await client.get("/openapi.json")
    assert schema.status_code == 200 and "/api/incidents" in schema.json()["paths"]
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "http://" not in docs.text and "https://" not in docs.text
    for asset in re.findall(r'(?:src|href)="([^"]+)"', docs.text):
        loaded = await client.get(asset)
        assert loaded.status_code == 200 and len(loaded.content) > 100, asset
