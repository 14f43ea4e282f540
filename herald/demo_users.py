"""Demo accounts for local mode, so `make demo` ends with a console someone can sign in to.

One account per role, plus a second approver: four eyes needs two people who may approve,
and legal and privacy are the two who do in most organisations. They share one documented
password. These accounts exist to be tried out on a laptop; `ensure_demo_users` refuses to
run when Herald is configured for production (HERALD_ENV=production), where a password
printed in a README would be a way in.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Engine

from herald.settings import get_settings
from herald.store.users import UserStore
from herald.users import Role, UserError

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DemoUser", "DemoUsersRefusedError", "ensure_demo_users"]

# Documented in the README; long enough for the password rule, contains no demo username.
DEMO_PASSWORD = "herald-demo-only"


class DemoUser(NamedTuple):
    """One demo account."""

    username: str
    role: Role
    display_name: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("commander", Role.RESPONDER, "Incident commander (demo)"),
    DemoUser("legal", Role.APPROVER, "Legal counsel (demo)"),
    DemoUser("privacy", Role.APPROVER, "Privacy officer (demo)"),
    DemoUser("viewer", Role.VIEWER, "Observer (demo)"),
    DemoUser("admin", Role.ADMIN, "Administrator (demo)"),
)


class DemoUsersRefusedError(RuntimeError):
    """Demo accounts were asked for in production."""


def ensure_demo_users(engine: Engine) -> list[tuple[str, Role, str]]:
    """Create the demo accounts that are missing; returns (username, role, password) of every
    demo account that signs in with the demo password.

    Idempotent: an account that exists is left as it is — resetting its password on every
    `herald dev` would end the sessions of whoever is signed in. An account whose password
    someone changed, or that was disabled, is therefore not listed, so what is printed
    always works.

    Args:
        engine: Herald's database, schema at head (`herald.store.create_schema`).

    Raises:
        DemoUsersRefusedError: HERALD_ENV is production.
    """
    if get_settings().production:
        raise DemoUsersRefusedError("demo accounts are for local mode only (HERALD_ENV=local)")
    users = UserStore(engine)
    ready: list[tuple[str, Role, str]] = []
    for demo in DEMO_USERS:
        fresh = users.get(demo.username) is None and _created(users, demo)
        if fresh or users.authenticate(demo.username, DEMO_PASSWORD) is not None:
            ready.append((demo.username, demo.role, DEMO_PASSWORD))
    return ready


def _created(users: UserStore, demo: DemoUser) -> bool:
    """Add the account; False when another process (`herald dev` beside `herald demo`)
    created it between the look-up and now."""
    try:
        users.add(
            demo.username, roles=[demo.role], password=DEMO_PASSWORD, display_name=demo.display_name
        )
    except UserError:
        return False
    return True
