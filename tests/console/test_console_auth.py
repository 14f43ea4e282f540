"""Who may see and do what in the console: sign-in with its own CSRF token, 401 pages that
lead to sign-in, 403 for the wrong role or a missing CSRF token, and the security headers."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

from herald.api.auth import Requires
from herald.console.routes import ROUTERS
from herald.users import Action
from tests.api.stack import PASSWORD, ApiStack
from tests.console.helpers import csrf_of, sign_in

# Routes a person reaches before having a session: signing in is how one gets one.
OPEN = {("GET", "/login"), ("POST", "/login")}


def test_every_console_route_but_sign_in_requires_one_action() -> None:
    for route in [route for router in ROUTERS for route in router.routes]:
        assert isinstance(route, APIRoute)
        for method in route.methods or ():
            calls = [d.call for d in route.dependant.dependencies]
            required = [call for call in calls if isinstance(call, Requires)]
            if (method, route.path) in OPEN:
                assert required == []
                continue
            assert len(required) == 1, f"{method} {route.path}"
            wanted = Action.READ if method == "GET" else required[0].action
            assert required[0].action == wanted, f"{method} {route.path} reads with a write role"
        assert not route.include_in_schema, "console pages stay out of the OpenAPI document"


async def test_unauthenticated_pages_answer_401_with_a_way_to_sign_in(api: ApiStack) -> None:
    browser = api.client()
    for path in ("/", "/incidents", "/incidents/INC-1", "/reports", "/tokens"):
        page = await browser.get(path)
        assert page.status_code == 401, path
        assert f'href="/login?next={path}"' in page.text
        assert 'http-equiv="refresh"' in page.text
    fragment = await browser.get(
        "/incidents/INC-1/progress",
        headers={"HX-Request": "true", "HX-Current-URL": "http://herald.test/incidents/INC-1"},
    )
    assert fragment.status_code == 401
    assert fragment.headers["HX-Redirect"] == "/login?next=/incidents/INC-1"
    refused = await browser.post("/incidents/INC-1/close", data={"note": "x"})
    assert refused.status_code == 401


async def test_sign_in_form_needs_its_own_csrf_token_and_returns_where_asked(
    api: ApiStack,
) -> None:
    browser = api.client()
    form = await browser.get("/login?next=/reports")
    assert form.status_code == 200 and "herald_login_csrf" in form.headers["set-cookie"]
    token = csrf_of(form)
    forged = await browser.post(
        "/login", data={"username": "vera", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403 and "herald_session" not in forged.headers.get(
        "set-cookie", ""
    )
    wrong = await browser.post(
        "/login", data={"username": "vera", "password": "nope", "csrf_token": token}
    )
    assert wrong.status_code == 401 and "wrong username or password" in wrong.text
    signed = await browser.post(
        "/login",
        data={"username": "vera", "password": PASSWORD, "csrf_token": token, "next": "/reports"},
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/reports"
    assert "httponly" in signed.headers["set-cookie"].lower()
    assert (await browser.get("/reports")).status_code == 200
    # Only paths of this site: a next pointing elsewhere goes to the board instead.
    form = await browser.get("/login?next=//evil.example/x")
    assert 'name="next" value="/incidents"' in form.text


async def test_a_viewer_reads_every_page_but_cannot_act(api: ApiStack) -> None:
    browser, csrf = await sign_in(api, "vera")
    board = await browser.get("/incidents")
    assert board.status_code == 200 and "Start an incident" not in board.text
    assert "Vera" in board.text and "(viewer)" in board.text
    assert (await browser.get("/")).headers["location"] == "/incidents"
    assert (await browser.get("/reports")).status_code == 200
    missing = await browser.get("/incidents/INC-NOPE")
    assert missing.status_code == 404 and "no such incident" in missing.text
    refused = await browser.post(
        "/incidents/INC-1/close", data={"csrf_token": csrf, "note": "done"}
    )
    assert refused.status_code == 403 and "do not allow" in refused.text
    assert "<h1>This request was refused</h1>" in refused.text


async def test_forms_without_the_csrf_token_are_refused(api: ApiStack) -> None:
    browser, csrf = await sign_in(api, "rory")
    for path, data in (
        ("/incidents/INC-1/close", {"note": "done"}),
        ("/tokens", {"name": "ci"}),
        ("/logout", {}),
    ):
        refused = await browser.post(path, data=data)
        assert refused.status_code == 403, path
        assert "CSRF token missing or wrong" in refused.text
    made = await browser.post("/tokens", data={"name": "ci", "csrf_token": csrf})
    assert made.status_code == 201 and 'id="new-token">hrd_' in made.text
    out = await browser.post("/logout", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/login?done=signed-out"


async def test_pages_carry_a_strict_content_security_policy(api: ApiStack) -> None:
    browser, _ = await sign_in(api, "vera")
    for page in (await browser.get("/incidents"), await api.client().get("/incidents")):
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["referrer-policy"] == "same-origin"
        assert "<script>" not in page.text  # every script is a file under /static
    htmx = await browser.get("/static/htmx.min.js")
    assert htmx.status_code == 200 and htmx.text.startswith("/*! htmx 2.")
    assert (await browser.get("/static/console.js")).status_code == 200


async def test_api_tokens_page_creates_and_revokes_own_tokens(api: ApiStack) -> None:
    browser, csrf = await sign_in(api, "amal")
    made = await browser.post("/tokens", data={"name": "<b>siem</b>", "csrf_token": csrf})
    assert "&lt;b&gt;siem&lt;/b&gt;" in made.text and "<b>siem</b>" not in made.text
    token = made.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    automation = api.client(headers={"Authorization": f"Bearer {token}"})
    assert (await automation.get("/incidents")).status_code == 200
    token_id = next(t.id for t in api.users.tokens("amal") if t.name == "<b>siem</b>")
    other, other_csrf = await sign_in(api, "bo")
    stolen = await other.post(f"/tokens/{token_id}/revoke", data={"csrf_token": other_csrf})
    assert stolen.status_code == 404
    revoked = await browser.post(f"/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 303
    assert (await automation.get("/incidents")).status_code == 401


def _console_routes() -> list[tuple[str, str, Action]]:
    """(method, path with its parameters filled, action) of every console route."""
    found = []
    for route in [route for router in ROUTERS for route in router.routes]:
        assert isinstance(route, APIRoute)
        required = [d.call for d in route.dependant.dependencies if isinstance(d.call, Requires)]
        if not required:
            continue
        path = route.path.replace("{incident_id}", "INC-1").replace("{token_id}", "1")
        path = re.sub(r"\{[a-z_]+\}", "x", path)
        found += [(method, path, required[0].action) for method in route.methods or ()]
    return found


async def test_every_route_refuses_strangers_the_wrong_role_and_forged_forms(
    api: ApiStack,
) -> None:
    stranger = api.client()
    vera, vera_csrf = await sign_in(api, "vera")
    rory, _ = await sign_in(api, "rory")
    routes = _console_routes()
    assert ("POST", "/incidents/INC-1/facts", Action.STEER) in routes
    assert ("GET", "/incidents/INC-1/drafts/x/preview", Action.READ) in routes
    for method, path, action in routes:
        assert (await stranger.request(method, path)).status_code == 401, path
        if method != "POST":
            continue
        # Refused before anything is read or parsed: the role, then the CSRF token.
        if action is not Action.READ:
            refused = await vera.post(path, data={"csrf_token": vera_csrf})
            assert refused.status_code == 403 and "do not allow" in refused.text, path
        forged = await rory.post(path, data={})
        assert forged.status_code == 403, path
