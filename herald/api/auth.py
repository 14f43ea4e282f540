"""Who is calling, and may they: sessions, API tokens, CSRF and the role check of every route.

A caller is either a person with a session cookie (signed, `HttpOnly`, `SameSite=Strict`,
`Secure` when the console is served over HTTPS) or automation with an API token in
`Authorization: Bearer`. Every route declares one `Action` through `Requires`; no valid
credentials → 401, a role that does not grant the action → 403. Requests that change
something with a session cookie must carry the session's CSRF token (header `X-CSRF-Token`,
or form field `csrf_token`), because a browser sends the cookie along with any site's form;
token callers need none, since no browser adds a bearer token on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request, Response, status
from itsdangerous import BadSignature, URLSafeTimedSerializer

from herald.store.users import UserStore
from herald.users import Action, User

__all__ = [
    "CSRF_FIELD",
    "Admin",
    "Approver",
    "Reader",
    "Steerer",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "LoginThrottle",
    "Principal",
    "Requires",
    "Sessions",
    "authenticate",
]

SESSION_COOKIE = "herald_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_HOURS = 12


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    user: User
    via: Literal["session", "token"]
    csrf_token: str | None = None  # sessions only

    @property
    def actor(self) -> str:
        """The name that goes on the timeline: the username, never a free-text field."""
        return self.user.username


class Sessions:
    """Signed session cookies: username, session epoch and a random session id.

    Nothing is stored server-side: the signature proves Herald issued the cookie, the
    timestamp bounds its age, and the epoch (raised on password change or disabling) voids
    older cookies. The CSRF token is derived from the session id, so it needs no storage
    either and changes with every sign-in.
    """

    def __init__(self, secret: bytes, *, max_age_s: int = SESSION_HOURS * 3600) -> None:
        """Sign with `secret` (at least 32 bytes); sessions last `max_age_s`."""
        if len(secret) < 32:
            raise ValueError("session secret: at least 32 bytes")
        self._secret = secret
        self._serializer = URLSafeTimedSerializer(secret, salt="herald-session")
        self.max_age_s = max_age_s

    def issue(self, user: User, epoch: int) -> tuple[str, str]:
        """A cookie value for a new session of `user`, and the session's CSRF token."""
        sid = secrets.token_urlsafe(18)
        value = self._serializer.dumps({"u": user.username, "e": epoch, "s": sid})
        return value, self.csrf_for(sid)

    def read(self, value: str) -> tuple[str, int, str] | None:
        """(username, epoch, CSRF token) of a valid, unexpired cookie; else None."""
        try:
            data = self._serializer.loads(value, max_age=self.max_age_s)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        username, epoch, sid = data.get("u"), data.get("e"), data.get("s")
        if not isinstance(username, str) or not isinstance(epoch, int) or not isinstance(sid, str):
            return None
        return username, epoch, self.csrf_for(sid)

    def csrf_for(self, sid: str) -> str:
        """The CSRF token of session `sid`: an HMAC only Herald can compute."""
        return hmac.new(self._secret, f"csrf:{sid}".encode(), hashlib.sha256).hexdigest()

    def set_cookie(self, response: Response, value: str, *, secure: bool) -> None:
        """Put the session cookie on `response`."""
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=self.max_age_s,
            httponly=True,
            samesite="strict",
            secure=secure,
            path="/",
        )

    @staticmethod
    def clear_cookie(response: Response, *, secure: bool) -> None:
        """Remove the session cookie."""
        response.delete_cookie(
            SESSION_COOKIE, httponly=True, samesite="strict", secure=secure, path="/"
        )


class LoginThrottle:
    """Slows password guessing: after `limit` failures for one username within `window_s`,
    that username's sign-ins are refused until the window has passed.

    Kept in memory: one API process per deployment in Herald's design, and a restart
    forgetting the count is acceptable for a delay (the password hash does the real work).
    """

    def __init__(self, *, limit: int = 5, window_s: float = 900.0) -> None:
        """Allow `limit` failures per username in any `window_s` seconds."""
        self.limit = limit
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, username: str) -> bool:
        """Whether sign-ins for `username` are refused right now."""
        recent = self._recent(username)
        return len(recent) >= self.limit

    def failed(self, username: str) -> None:
        """Count a failed sign-in."""
        self._recent(username).append(time.monotonic())

    def succeeded(self, username: str) -> None:
        """Forget the failures of a user who signed in."""
        self._failures.pop(self._key(username), None)

    @staticmethod
    def _key(username: str) -> str:
        # As the user store finds users: "Rory " and "rory" are one account, one count.
        return username.strip().lower()

    def _recent(self, username: str) -> deque[float]:
        times = self._failures.setdefault(self._key(username), deque())
        while times and time.monotonic() - times[0] > self.window_s:
            times.popleft()
        return times


def _unauthenticated(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


async def authenticate(request: Request, *, csrf: bool = True) -> Principal:
    """The caller of `request`, or 401. Checks CSRF on changing requests with a cookie,
    unless `csrf` is False (routes that protect themselves otherwise, see `Requires`)."""
    users: UserStore = request.app.state.users
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthenticated("Authorization must be 'Bearer <API token>'")
        user = users.user_for_token(token.strip())
        if user is None:
            raise _unauthenticated("the API token is unknown, revoked, or its user is disabled")
        return Principal(user=user, via="token")

    cookie = request.cookies.get(SESSION_COOKIE)
    sessions: Sessions = request.app.state.sessions
    session = sessions.read(cookie) if cookie else None
    if session is None:
        raise _unauthenticated("sign in, or send an API token")
    username, epoch, token = session
    user = users.get(username)
    if user is None or user.disabled or users.session_epoch(username) != epoch:
        raise _unauthenticated("the session has ended; sign in again")
    if csrf and request.method not in SAFE_METHODS:
        await _check_csrf(request, token)
    return Principal(user=user, via="session", csrf_token=token)


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        # Starlette caches the parsed form, so the route's own Form() parameters still work.
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, expected):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"CSRF token missing or wrong: send the {CSRF_HEADER} header "
            f"(or the {CSRF_FIELD} form field) given at sign-in",
        )


class Requires:
    """Route dependency: the caller must be signed in and allowed `action`.

    The action stays readable on the dependency (`route.dependant`), which the tests use to
    check every route's 401 and 403 answers.
    """

    def __init__(self, action: Action, *, csrf: bool = True) -> None:
        """Require `action` of the caller.

        Args:
            action: What the route does.
            csrf: False only for routes a browser cannot call across sites without a CORS
                preflight they control (JSON-only, origin-checked: the codec server).
        """
        self.action = action
        self.csrf = csrf

    async def __call__(self, request: Request) -> Principal:
        """The caller, or 401 / 403."""
        principal = await authenticate(request, csrf=self.csrf)
        if not principal.user.can(self.action):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"your roles ({', '.join(principal.user.roles) or 'none'}) do not "
                f"allow '{self.action}'",
            )
        request.state.principal = principal
        return principal


# The caller of a route that reads, steers, approves or administers: one parameter each,
# e.g. `principal: Steerer`.
Reader = Annotated[Principal, Depends(Requires(Action.READ))]
Steerer = Annotated[Principal, Depends(Requires(Action.STEER))]
Approver = Annotated[Principal, Depends(Requires(Action.APPROVE))]
Admin = Annotated[Principal, Depends(Requires(Action.ADMIN))]
