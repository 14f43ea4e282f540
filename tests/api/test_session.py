"""Signing in and out, sessions, CSRF, API tokens and user administration over HTTP."""

from __future__ import annotations

from herald.api.auth import LoginThrottle
from tests.api.stack import PASSWORD, ApiStack


async def test_sign_in_sets_a_hardened_cookie_and_returns_the_csrf_token(api: ApiStack) -> None:
    browser = api.client()
    answer = await browser.post("/api/session", json={"username": "Amal", "password": PASSWORD})
    assert answer.status_code == 200
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert answer.json()["user"]["roles"] == ["approver"]
    assert len(answer.json()["csrf_token"]) == 64
    who = await browser.get("/api/session")
    assert who.json()["user"]["username"] == "amal" and who.json()["via"] == "session"


async def test_wrong_password_is_401_and_repeated_failures_are_throttled(api: ApiStack) -> None:
    browser = api.client()
    for _ in range(5):
        answer = await browser.post("/api/session", json={"username": "bo", "password": "nope"})
        assert answer.status_code == 401
    right = await browser.post("/api/session", json={"username": "bo", "password": PASSWORD})
    assert right.status_code == 429
    unknown = await browser.post("/api/session", json={"username": "zed", "password": PASSWORD})
    assert unknown.status_code == 401


async def test_changing_requests_with_a_cookie_need_the_csrf_token(api: ApiStack) -> None:
    browser, csrf = await api.signed_in("rory")
    refused = await browser.post("/api/tokens", json={"name": "siem"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    wrong = await browser.post("/api/tokens", json={"name": "siem"}, headers={"X-CSRF-Token": "0"})
    assert wrong.status_code == 403
    made = await browser.post("/api/tokens", json={"name": "siem"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201 and made.json()["token"].startswith("hrd_")


async def test_a_token_acts_as_its_user_until_revoked(api: ApiStack) -> None:
    made = await api.as_user("rory").post("/api/tokens", json={"name": "ci"})
    token, token_id = made.json()["token"], made.json()["record"]["id"]
    automation = api.client(headers={"Authorization": f"Bearer {token}"})
    assert (await automation.get("/api/session")).json()["user"]["username"] == "rory"
    listed = await api.as_user("rory").get("/api/tokens")
    assert token not in listed.text and {t["name"] for t in listed.json()} == {"ci", "tests"}
    assert (await api.as_user("vera").delete(f"/api/tokens/{token_id}")).status_code == 404
    assert (await automation.delete(f"/api/tokens/{token_id}")).status_code == 204
    assert (await automation.get("/api/session")).status_code == 401


async def test_a_new_password_or_disabling_ends_existing_sessions(api: ApiStack) -> None:
    browser, _ = await api.signed_in("vera")
    admin = api.as_user("ada")
    changed = await admin.patch("/api/users/vera", json={"password": "another long passphrase"})
    assert changed.status_code == 200
    assert (await browser.get("/api/session")).status_code == 401
    assert (await admin.patch("/api/users/bo", json={"disabled": True})).json()["disabled"]
    assert (await api.as_user("bo").get("/api/session")).status_code == 401


async def test_only_administrators_manage_users(api: ApiStack) -> None:
    new = {"username": "nia", "roles": ["responder"], "password": "a long enough passphrase"}
    assert (await api.as_user("rory").post("/api/users", json=new)).status_code == 403
    made = await api.as_user("ada").post("/api/users", json=new)
    assert made.status_code == 201 and made.json()["roles"] == ["responder"]
    again = await api.as_user("ada").post("/api/users", json=new)
    assert again.status_code == 422 and "already exists" in again.json()["detail"]
    weak = {**new, "username": "noa", "password": "short"}
    assert "at least 12" in (await api.as_user("ada").post("/api/users", json=weak)).text


def test_a_sign_in_clears_the_failures_of_the_username_however_it_was_typed() -> None:
    throttle = LoginThrottle(limit=2)
    throttle.failed("bo")

    throttle.succeeded("Bo ")  # the store signs "Bo " in as bo
    throttle.failed("bo")

    assert not throttle.blocked("bo")


async def test_the_last_active_administrator_cannot_be_demoted_or_disabled(api: ApiStack) -> None:
    admin = api.as_user("ada")
    refused = await admin.patch("/api/users/ada", json={"roles": ["viewer"]})
    assert refused.status_code == 409 and "no active administrator" in refused.json()["detail"]
    assert (await admin.patch("/api/users/rory", json={"roles": ["admin"]})).status_code == 200
    assert (await admin.patch("/api/users/ada", json={"roles": ["approver"]})).status_code == 200
    rory = api.as_user("rory")
    assert (await rory.patch("/api/users/rory", json={"disabled": True})).status_code == 409
