"""`herald users …` on Herald's own database, as an administrator sets up the console."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from herald.cli import app
from herald.settings import get_settings
from herald.store import create_schema, make_engine
from herald.store.users import UserStore

runner = CliRunner()
PASSWORD = "correct-horse-battery"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[UserStore]:
    """The users of a fresh HERALD_HOME, read back the way the API reads them."""
    monkeypatch.setenv("HERALD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HERALD_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    engine = make_engine(get_settings().db_url)
    create_schema(engine)
    yield UserStore(engine)
    engine.dispose()
    get_settings.cache_clear()


def herald(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_add_asks_twice_for_a_hidden_password(store: UserStore) -> None:
    code, out, _ = herald(
        "users",
        "add",
        "Amal",
        "--role",
        "approver",
        "--role",
        "viewer",
        "--name",
        "Amal L.",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )

    assert code == 0, out
    assert PASSWORD not in out  # the prompt hides what is typed
    user = store.authenticate("amal", PASSWORD)
    assert user is not None
    assert user.roles == ["approver", "viewer"] and user.display_name == "Amal L."


def test_a_mistyped_confirmation_is_asked_again(store: UserStore) -> None:
    code, out, _ = herald(
        "users",
        "add",
        "rory",
        "--role",
        "responder",
        stdin=f"{PASSWORD}\nsomething-else-entirely\n{PASSWORD}\n{PASSWORD}\n",
    )

    assert code == 0, out
    assert store.authenticate("rory", PASSWORD) is not None


def test_scripts_give_the_password_on_stdin(store: UserStore) -> None:
    code, _, _ = herald(
        "users", "add", "ci-bot", "--role", "viewer", "--password-stdin", stdin=PASSWORD + "\n"
    )

    assert code == 0
    assert store.authenticate("ci-bot", PASSWORD) is not None


def test_bad_input_exits_2_with_the_reason(store: UserStore) -> None:
    weak = herald("users", "add", "bo", "--role", "approver", "--password-stdin", stdin="short\n")
    herald("users", "add", "bo", "--role", "approver", "--password-stdin", stdin=PASSWORD)
    twice = herald("users", "add", "bo", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    bad_role = herald("users", "add", "cy", "--role", "boss", "--password-stdin", stdin=PASSWORD)
    missing = herald("users", "roles", "nobody", "--role", "viewer")

    assert weak[0] == 2 and "password: at least 12 characters" in weak[2]
    assert twice[0] == 2 and "already exists" in twice[2]
    assert bad_role[0] == 2
    assert missing[0] == 2 and "no user" in missing[2]
    assert [u.username for u in store.all()] == ["bo"]


def test_sso_users_have_no_password(store: UserStore) -> None:
    code, _, _ = herald("users", "add", "dana@example.org", "--role", "viewer", "--sso")
    passwd = herald("users", "passwd", "dana@example.org", "--password-stdin", stdin=PASSWORD)

    assert code == 0
    user = store.get("dana@example.org")
    assert user is not None and user.sso
    assert store.authenticate("dana@example.org", PASSWORD) is None
    assert passwd[0] == 2 and "SSO" in passwd[2]


def test_list_roles_passwd_disable_enable(store: UserStore) -> None:
    herald("users", "add", "ada", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    herald("users", "add", "vera", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    epoch = store.session_epoch("vera")

    assert herald("users", "roles", "vera", "--role", "responder")[0] == 0
    assert herald("users", "passwd", "vera", stdin="new-password-123\nnew-password-123\n")[0] == 0
    assert herald("users", "disable", "vera")[0] == 0
    vera = store.get("vera")
    assert vera is not None and vera.disabled and vera.roles == ["responder"]
    assert store.authenticate("vera", "new-password-123") is None  # disabled
    assert herald("users", "enable", "vera")[0] == 0
    assert store.authenticate("vera", "new-password-123") is not None
    assert store.authenticate("vera", PASSWORD) is None
    assert (store.session_epoch("vera") or 0) > (epoch or 0)  # old sessions ended

    code, out, _ = herald("users", "list", "--json")
    listed = {u["username"]: u for u in json.loads(out)}
    assert code == 0 and set(listed) == {"ada", "vera"}
    assert listed["vera"]["roles"] == ["responder"] and listed["vera"]["disabled"] is False
    assert "password_hash" not in listed["ada"]
    code, table, _ = herald("users", "list")
    assert code == 0 and "ada" in table and "admin" in table and "password" in table


def test_tokens_are_shown_once_listed_and_revoked(store: UserStore) -> None:
    herald("users", "add", "rory", "--role", "responder", "--password-stdin", stdin=PASSWORD)

    code, out, err = herald("users", "token", "rory", "--name", "ci")

    token = out.strip()
    assert code == 0 and token.startswith("hrd_") and "\n" not in token
    assert "not shown again" in err
    user = store.user_for_token(token)
    assert user is not None and user.username == "rory"

    code, out, _ = herald("users", "tokens", "rory", "--json")
    [record] = json.loads(out)
    assert code == 0 and record["name"] == "ci" and token not in out
    assert herald("users", "tokens")[1].count("ci") == 1

    assert herald("users", "revoke", str(record["id"]))[0] == 0
    assert store.user_for_token(token) is None
    again = herald("users", "revoke", str(record["id"]))
    assert again[0] == 1 and "no active token" in again[2]
    assert herald("users", "token", "nobody", "--name", "ci")[0] == 2
