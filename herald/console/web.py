"""What every console page shares: the template environment, the security headers, the
route class that turns refusals into pages, and the mapping of workflow errors to statuses.

Console pages show untrusted text (facts, drafts, names come from outside), so templates
autoescape everything and the Content-Security-Policy allows scripts from Herald's own
`/static` only: even text that slipped through escaping could not run.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from fastapi import HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from herald.api.auth import Principal
from herald.api.operations import describe_failure
from herald.client import IncidentClient
from herald.users import Action

__all__ = [
    "STATIC_DIR",
    "ConsoleError",
    "FLASHES",
    "ConsoleRoute",
    "incidents",
    "local_path",
    "redirect",
    "render",
    "workflow_call",
]

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
T = TypeVar("T")

SECURITY_HEADERS = {
    # Scripts and styles only from Herald itself; no inline code, no plugins; frames only of
    # Herald's own sandboxed draft previews, and no page of the console inside anyone's frame.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

# What a redirect after a successful action may say: a fixed list, so a crafted link cannot
# make a console page show words of the link author's choosing.
FLASHES: dict[str, str] = {
    "started": "Incident started. Assessment and drafting run in the background.",
    "approved": "Approval recorded.",
    "changes": "Change request recorded; the draft went back to its authors.",
    "revised": "New version saved; earlier approvals no longer count.",
    "status": "Report status recorded.",
    "waived": "Obligation waived; the reason is kept as evidence.",
    "closed": "Incident closed.",
    "revoked": "Token revoked.",
    "phase": "Follow-up phase opened; its draft follows and is approved like the first.",
    "acknowledged": "Reminder acknowledged; it will not be escalated to the backups.",
    "released": "Deliveries released; the campaigns run again to send them.",
    "signed-out": "You are signed out.",
}


def _datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime(fmt)


def _iso(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value else ""


def _until(value: datetime | None) -> str:
    """The countdown text shown before the script takes over (and without scripts)."""
    if value is None:
        return "no deadline"
    seconds = int((value - datetime.now(UTC)).total_seconds())
    span = abs(seconds)
    days, rest = divmod(span, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    text = f"{days} d {hours} h" if days else f"{hours} h {minutes} min"
    return f"overdue by {text}" if seconds < 0 else f"in {text}"


def _overdue(value: datetime | None) -> bool:
    return value is not None and value < datetime.now(UTC)


_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html", "svg"], default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["when"] = _datetime
_env.filters["iso"] = _iso
_env.filters["until"] = _until
_env.filters["overdue"] = _overdue


class ConsoleError(Exception):
    """An action the console refuses, shown to the person as a page with `status_code`."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def _context(request: Request) -> dict[str, Any]:
    principal: Principal | None = getattr(request.state, "principal", None)
    csrf = principal.csrf_token if principal else None
    return {
        "request": request,
        "principal": principal,
        "user": principal.user if principal else None,
        "csrf": csrf or "",
        "hx_headers": json.dumps({"X-CSRF-Token": csrf}) if csrf else "",
        "can_steer": bool(principal and principal.user.can(Action.STEER)),
        "can_approve": bool(principal and principal.user.can(Action.APPROVE)),
        "flash": FLASHES.get(request.query_params.get("done", "")),
        "error": None,
        "path": request.url.path,
    }


def render(
    request: Request, template: str, *, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """A page from `template` with the signed-in person, CSRF token and flash message."""
    context = _context(request) | values
    body = _env.get_template(template).render(context)
    return HTMLResponse(body, status_code=status_code)


def redirect(url: str, *, done: str | None = None) -> RedirectResponse:
    """After a successful form: see-other to `url` (its `#anchor` kept last), optionally with
    a known flash."""
    path, hash_, anchor = url.partition("#")
    if done:
        path = f"{path}{'&' if '?' in path else '?'}done={quote(done)}"
    return RedirectResponse(path + hash_ + anchor, status_code=status.HTTP_303_SEE_OTHER)


def local_path(candidate: str | None, default: str = "/incidents") -> str:
    """`candidate` if it is a path on this site, else `default` (no open redirects)."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return default
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or "\\" in candidate:
        return default
    return candidate


async def incidents(request: Request) -> IncidentClient:
    """The app's incident client (connected on first use)."""
    connect: Callable[[], Awaitable[IncidentClient]] = request.app.state.incidents
    return await connect()


async def workflow_call(call: Coroutine[Any, Any, T]) -> T:
    """Await a workflow operation; its known failures become ConsoleErrors.

    What a failure means is the API's judgement (`describe_failure`), so both answer alike:
    refused by the workflow (four eyes, a changed hash, an open obligation) → 409 with the
    workflow's own words; an unknown incident → 404; bad input → 422; Temporal away → 503.
    """
    try:
        return await call
    except Exception as err:
        failure = describe_failure(err)
        if failure is None:
            raise
        raise ConsoleError(failure.status, failure.message) from None


def _sign_in_page(request: Request, detail: str) -> HTMLResponse:
    """401 with a way to sign in: a link, a meta refresh, and `HX-Redirect` for htmx."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("hx-request"):
        # A fragment's own URL is no page to come back to: return to the page it is on.
        current = urlsplit(request.headers.get("hx-current-url", ""))
        target = local_path(current.path, "/incidents")
    login = f"/login?next={quote(local_path(target), safe='/')}"
    response = render(request, "signin_required.html", status_code=401, login=login, why=detail)
    response.headers["WWW-Authenticate"] = "Bearer"
    if request.headers.get("hx-request"):
        response.headers["HX-Redirect"] = login
    return response


def _validation_message(err: RequestValidationError) -> str:
    # Field names only: the values may be personal data or an attacker's text.
    fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) for e in err.errors()})
    return f"missing or invalid: {', '.join(f for f in fields if f) or 'the request'}"


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    """The page of a refused request (403, 404, 409, 422 …)."""
    if status_code == status.HTTP_401_UNAUTHORIZED:
        return _sign_in_page(request, message)
    return render(request, "error.html", status_code=status_code, message=message)


class ConsoleRoute(APIRoute):
    """A console route: refusals (also from `Requires`) become HTML pages, and every
    response carries the security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except HTTPException as err:
                response = error_page(request, err.status_code, str(err.detail))
            except ConsoleError as err:
                response = error_page(request, err.status_code, err.message)
            except RequestValidationError as err:
                response = error_page(request, 422, _validation_message(err))
            for name, value in SECURITY_HEADERS.items():
                # A route that set its own (the sandboxed draft preview) keeps it.
                response.headers.setdefault(name, value)
            return response

        return handler
