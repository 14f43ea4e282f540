"""The console's router: signing in and out, the front door, the person's own API tokens, and
the incident, draft and report pages of the other modules.

Signing in has no session yet to derive a CSRF token from, so the login form uses a
double-submit token instead: a random value in a `SameSite=Strict` cookie and the same
value in the form. Another site can make a browser post the form, but cannot read or set
the cookie, so it cannot make the two match (no signing in a victim as the attacker).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from herald.api.auth import Reader, Sessions
from herald.api.routes.session import sign_in
from herald.console import draft_pages, incident_pages, report_pages
from herald.console.web import ConsoleRoute, local_path, redirect, render
from herald.store.users import UserStore
from herald.users import UserError

__all__ = ["LOGIN_CSRF_COOKIE", "ROUTERS", "console_router"]

LOGIN_CSRF_COOKIE = "herald_login_csrf"

_router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


def _login_page(
    request: Request, *, next_url: str, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        status_code=status_code,
        login_csrf=token,
        next_url=next_url,
        error=error,
        sso=request.app.state.oidc_enabled,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        path="/login",
    )
    return response


@_router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/incidents") -> HTMLResponse:  # noqa: A002
    """The sign-in form (open to everyone: it is how one gets a session)."""
    return _login_page(request, next_url=local_path(next))


@_router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(min_length=1, max_length=64)],
    password: Annotated[str, Form(min_length=1, max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2_000)] = "/incidents",  # noqa: A002
) -> Response:
    """Check the credentials; on success set the session cookie and go where asked."""
    next_url = local_path(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf_token, expected):
        return _login_page(
            request,
            next_url=next_url,
            error="The sign-in form expired or came from elsewhere; please try again.",
            status_code=status.HTTP_403_FORBIDDEN,
        )
    response = redirect(next_url)
    try:
        sign_in(request, response, username, password)
    except HTTPException as err:
        return _login_page(
            request, next_url=next_url, error=str(err.detail), status_code=err.status_code
        )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@_router.post("/logout", response_class=HTMLResponse)
def logout(request: Request, principal: Reader) -> RedirectResponse:
    """End the session (the form carries the CSRF token, like every other)."""
    del principal
    response = redirect("/login", done="signed-out")
    Sessions.clear_cookie(response, secure=request.app.state.secure_cookies)
    return response


@_router.get("/")
def front(principal: Reader) -> RedirectResponse:
    """The board is the console's front page."""
    del principal
    return RedirectResponse("/incidents", status_code=status.HTTP_303_SEE_OTHER)


@_router.get("/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, principal: Reader) -> HTMLResponse:
    """The person's own API tokens (for automation), with forms to add and revoke."""
    users: UserStore = request.app.state.users
    return render(request, "tokens.html", tokens=users.tokens(principal.actor), new_token=None)


@_router.post("/tokens", response_class=HTMLResponse)
def create_token(
    request: Request, principal: Reader, name: Annotated[str, Form(min_length=1, max_length=100)]
) -> HTMLResponse:
    """A new token, shown on this page once (never stored or shown again)."""
    users: UserStore = request.app.state.users
    try:
        _, token = users.issue_token(principal.actor, name)
    except UserError as err:
        return render(
            request,
            "tokens.html",
            status_code=422,
            tokens=users.tokens(principal.actor),
            new_token=None,
            error=str(err),
        )
    return render(
        request,
        "tokens.html",
        status_code=status.HTTP_201_CREATED,
        tokens=users.tokens(principal.actor),
        new_token=token,
    )


@_router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int, principal: Reader) -> RedirectResponse:
    """Revoke one of the person's own tokens."""
    users: UserStore = request.app.state.users
    if not users.revoke_token(token_id, username=principal.actor):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no active token {token_id}")
    return redirect("/tokens", done="revoked")


# The console's routers, each with its routes' `Requires` readable on them (the tests).
ROUTERS = (_router, incident_pages.router, report_pages.router, draft_pages.router)


def console_router() -> APIRouter:
    """Every console page and form (HTML; left out of the OpenAPI document)."""
    router = APIRouter(include_in_schema=False)
    for part in ROUTERS:
        router.include_router(part)
    return router
