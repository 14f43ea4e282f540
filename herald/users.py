"""The people who use Herald: roles, what each role may do, passwords and API tokens.

Roles are sets of actions, not a ladder: an approver (legal/privacy) approves drafts and
reports but does not steer the incident, and a responder steers it but does not approve.
Keeping the two apart is what makes four eyes mean something.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, Field

__all__ = [
    "GRANTS",
    "MIN_PASSWORD_LENGTH",
    "Action",
    "Role",
    "User",
    "UserError",
    "check_password_strength",
    "check_username",
    "hash_password",
    "new_api_token",
    "token_digest",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "hrd_"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
# argon2id with the library's defaults (RFC 9106 low-memory profile): about 50 ms a check,
# slow enough against guessing, fast enough for a login.
_HASHER = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown user the same as for a
# known one, so timing does not tell which usernames exist.
_DUMMY_HASH = _HASHER.hash("herald-no-such-user")


class UserError(ValueError):
    """A user, password or token that cannot be accepted; the message names the field."""


class Role(StrEnum):
    """What a person is in Herald."""

    VIEWER = "viewer"
    RESPONDER = "responder"
    APPROVER = "approver"
    ADMIN = "admin"


class Action(StrEnum):
    """What a route does, checked against the caller's roles."""

    READ = "read"  # see incidents, drafts, reports, timeline, evidence
    STEER = "steer"  # start incidents, change facts, propose drafts, file reports, close
    APPROVE = "approve"  # approve or send back drafts and reports, waive obligations
    ADMIN = "admin"  # manage users and everyone's tokens


GRANTS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.READ}),
    Role.RESPONDER: frozenset({Action.READ, Action.STEER}),
    Role.APPROVER: frozenset({Action.READ, Action.APPROVE}),
    Role.ADMIN: frozenset(Action),
}


class User(BaseModel):
    """A person who signs in (password or single sign-on) or automation holding a token."""

    username: str
    display_name: str = ""
    roles: list[Role] = Field(default_factory=list)
    disabled: bool = False
    sso: bool = Field(default=False, description="signs in through OIDC, has no password")
    created_at: datetime | None = None

    def can(self, action: Action) -> bool:
        """Whether any of the user's roles grants `action` (never, when disabled)."""
        return not self.disabled and any(action in GRANTS[role] for role in self.roles)

    @property
    def label(self) -> str:
        """How the user appears to others: the display name, else the username."""
        return self.display_name or self.username


def check_username(username: str) -> str:
    """The username, lower-cased, or a UserError saying what a username may contain."""
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise UserError(
            "username: 2-64 characters, lower-case letters, digits and . _ @ -, "
            "starting with a letter or digit"
        )
    return name


def check_password_strength(password: str, *, username: str) -> None:
    """Refuse passwords that are short or are the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    if username.lower() in password.lower():
        raise UserError("password: must not contain the username")


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (salted; the parameters are in the hash)."""
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored`; a missing hash takes as long and fails."""
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with older parameters and should be replaced at next login."""
    return _HASHER.check_needs_rehash(stored)


def new_api_token() -> str:
    """A fresh API token: a recognisable prefix (secret scanners) and 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a token: its SHA-256 (tokens are random, no salt needed)."""
    return hashlib.sha256(token.encode()).hexdigest()
