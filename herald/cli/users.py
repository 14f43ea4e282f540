"""`herald users …`: people who sign in to the console and API, and their API tokens.

Works on Herald's own database directly (the one `get_settings().db_url` names), so the
first administrator can be created before any server runs, and access can be withdrawn
while the API is down. Passwords are never command-line arguments (they would sit in the
shell history and in `ps` for every local user to read): they are typed at a hidden prompt,
or read from standard input with `--password-stdin` for scripts.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlalchemy import Engine

from herald.cli.common import EXIT_BAD_INPUT, JsonFlag, emit_json, fail, settings, table
from herald.store.db import create_schema, make_engine
from herald.store.users import UserStore
from herald.users import Role, UserError

app = typer.Typer(help="Users of the console and API, and their API tokens.", no_args_is_help=True)

RolesOption = Annotated[
    list[Role],
    typer.Option("--role", help="viewer, responder, approver or admin (repeat for several)"),
]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="read the password from the first line of standard input"
    ),
]


def _engine() -> Engine:
    engine = make_engine(settings().db_url)
    create_schema(engine)
    return engine


def _store() -> UserStore:
    return UserStore(_engine())


def _password(from_stdin: bool) -> str:
    """The new password: stdin's first line, or typed twice at a hidden prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            fail("password: standard input was empty", EXIT_BAD_INPUT)
        return password
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _name(username: str) -> str:
    # Usernames are stored lower-case (herald.users.check_username).
    return username.strip().lower()


@app.command("add")
def add(
    username: str,
    role: RolesOption,
    name: Annotated[str, typer.Option("--name", help="display name shown to others")] = "",
    sso: Annotated[
        bool, typer.Option("--sso", help="signs in through OIDC single sign-on: no password")
    ] = False,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user with one or more roles (asks for the password unless --sso)."""
    store = _store()
    password = None if sso else _password(password_stdin)
    try:
        user = store.add(username, roles=role, password=password, display_name=name, sso=sso)
    except UserError as err:
        fail(str(err), EXIT_BAD_INPUT)
    typer.echo(f"added {user.username} ({', '.join(user.roles)})")


@app.command("list")
def list_users(as_json: JsonFlag = False) -> None:
    """List users: roles, sign-in method, disabled or not."""
    found = _store().all()
    if as_json:
        emit_json(found)
        return
    table(
        [
            [
                user.username,
                user.display_name or "-",
                ",".join(user.roles),
                "sso" if user.sso else "password",
                "disabled" if user.disabled else "active",
                user.created_at.isoformat(timespec="seconds") if user.created_at else "-",
            ]
            for user in found
        ],
        ["username", "name", "roles", "sign-in", "state", "created"],
    )


@app.command("passwd")
def passwd(username: str, password_stdin: PasswordStdin = False) -> None:
    """Set a user's password; their open sessions end."""
    store = _store()
    user = store.get(_name(username))
    if user is None:
        fail("username: no such user (see `herald users list`)", EXIT_BAD_INPUT)
    if user.sso:
        fail("password: this user signs in through SSO and has no password", EXIT_BAD_INPUT)
    try:
        store.set_password(user.username, _password(password_stdin))
    except UserError as err:
        fail(str(err), EXIT_BAD_INPUT)
    typer.echo(f"password of {user.username} changed; their sessions have ended")


@app.command("roles")
def roles(username: str, role: RolesOption) -> None:
    """Replace a user's roles (from their next request on)."""
    try:
        _store().set_roles(_name(username), role)
    except UserError as err:
        fail(str(err), EXIT_BAD_INPUT)
    typer.echo(f"{username}: {', '.join(sorted({r.value for r in role}))}")


@app.command("disable")
def disable(username: str) -> None:
    """Disable a user: their sessions end and their API tokens stop working."""
    try:
        _store().set_disabled(_name(username), True)
    except UserError as err:
        fail(str(err), EXIT_BAD_INPUT)
    typer.echo(f"{username} disabled")


@app.command("enable")
def enable(username: str) -> None:
    """Enable a disabled user again."""
    try:
        _store().set_disabled(_name(username), False)
    except UserError as err:
        fail(str(err), EXIT_BAD_INPUT)
    typer.echo(f"{username} enabled")


@app.command("token")
def token(
    username: str,
    name: Annotated[str, typer.Option("--name", help="what the token is for, e.g. 'siem', 'ci'")],
) -> None:
    """Issue an API token with the user's roles; the token is printed this once."""
    try:
        record, value = _store().issue_token(_name(username), name)
    except UserError as err:
        fail(str(err), EXIT_BAD_INPUT)
    # Only the token on stdout, so `TOKEN=$(herald users token …)` captures just it.
    typer.echo(value)
    typer.echo(
        f"token {record.id} ({record.name}) for {record.username}: store it now, "
        "it is not shown again",
        err=True,
    )


@app.command("tokens")
def tokens(
    username: Annotated[str | None, typer.Argument()] = None, as_json: JsonFlag = False
) -> None:
    """List API tokens (everyone's, or one user's), newest first; never the tokens themselves."""
    found = _store().tokens(_name(username) if username else None)
    if as_json:
        emit_json(found)
        return
    table(
        [
            [
                str(t.id),
                t.username,
                t.name,
                t.created_at.isoformat(timespec="seconds"),
                t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "never",
                f"revoked {t.revoked_at.isoformat(timespec='seconds')}"
                if t.revoked_at
                else "active",
            ]
            for t in found
        ],
        ["id", "user", "name", "created", "last used", "state"],
    )


@app.command("revoke")
def revoke(token_id: int) -> None:
    """Revoke an API token by its id (see `herald users tokens`)."""
    if not _store().revoke_token(token_id):
        fail(f"no active token {token_id}")
    typer.echo(f"token {token_id} revoked")
