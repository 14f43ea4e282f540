"""Signing in and out, the caller's own identity and API tokens (`/api/session`, `/api/tokens`)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

from herald.api.auth import LoginThrottle, Reader, Sessions
from herald.store.users import ApiToken, UserStore
from herald.users import Action, User, UserError

__all__ = ["router", "sign_in"]

router = APIRouter(tags=["session"])


class SignInInput(BaseModel):
    """A person's credentials."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class SessionResult(BaseModel):
    """The signed-in user, and the CSRF token their changing requests must carry."""

    user: User
    via: str
    csrf_token: str | None = None


class NewTokenInput(BaseModel):
    """What a new API token is for."""

    name: str = Field(min_length=1, max_length=100, description="e.g. 'siem', 'ci'")


class NewTokenResult(BaseModel):
    """A new token: `token` is shown this once and never again."""

    token: str
    record: ApiToken


def sign_in(request: Request, response: Response, username: str, password: str) -> str:
    """Check the credentials, set the session cookie on `response`; returns the CSRF token.

    Raises:
        HTTPException: 401 for wrong credentials, 429 while the username is throttled.
    """
    throttle: LoginThrottle = request.app.state.throttle
    users: UserStore = request.app.state.users
    if throttle.blocked(username):
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail="too many failed sign-ins for this username; try again in 15 minutes",
        )
    user = users.authenticate(username, password)
    epoch = users.session_epoch(user.username) if user else None
    if user is None or epoch is None:
        throttle.failed(username)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="wrong username or password")
    throttle.succeeded(username)
    sessions: Sessions = request.app.state.sessions
    cookie, csrf = sessions.issue(user, epoch)
    sessions.set_cookie(response, cookie, secure=request.app.state.secure_cookies)
    return csrf


@router.post("/api/session", response_model=SessionResult)
def create_session(body: SignInInput, request: Request, response: Response) -> SessionResult:
    """Sign in with a password: sets the session cookie, returns the CSRF token."""
    csrf = sign_in(request, response, body.username, body.password)
    user = request.app.state.users.get(body.username.strip().lower())
    return SessionResult(user=user, via="session", csrf_token=csrf)


@router.get("/api/session", response_model=SessionResult)
def read_session(principal: Reader) -> SessionResult:
    """Who the caller is (session or token), with the session's CSRF token."""
    return SessionResult(user=principal.user, via=principal.via, csrf_token=principal.csrf_token)


@router.delete("/api/session", status_code=status.HTTP_204_NO_CONTENT)
def delete_session(request: Request, response: Response, principal: Reader) -> None:
    """Sign out: the cookie is removed."""
    del principal  # required: only a signed-in caller signs out
    Sessions.clear_cookie(response, secure=request.app.state.secure_cookies)


@router.get("/api/tokens", response_model=list[ApiToken])
def list_tokens(request: Request, principal: Reader) -> list[ApiToken]:
    """The caller's API tokens (administrators see everyone's)."""
    users: UserStore = request.app.state.users
    everyone = principal.user.can(Action.ADMIN)
    return users.tokens(None if everyone else principal.user.username)


@router.post("/api/tokens", response_model=NewTokenResult, status_code=status.HTTP_201_CREATED)
def create_token(body: NewTokenInput, request: Request, principal: Reader) -> NewTokenResult:
    """A new API token with the caller's roles, for automation."""
    users: UserStore = request.app.state.users
    try:
        record, token = users.issue_token(principal.user.username, body.name)
    except UserError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(err)) from None
    return NewTokenResult(token=token, record=record)


@router.delete("/api/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(token_id: int, request: Request, principal: Reader) -> None:
    """Revoke one of the caller's tokens (administrators: anyone's)."""
    users: UserStore = request.app.state.users
    owner = None if principal.user.can(Action.ADMIN) else principal.user.username
    if not users.revoke_token(token_id, username=owner):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no active token {token_id}")
