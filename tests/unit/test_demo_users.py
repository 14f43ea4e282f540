"""The demo accounts `herald demo` and `herald dev` leave behind in local mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from herald.demo_users import (
    DEMO_PASSWORD,
    DEMO_USERS,
    DemoUsersRefusedError,
    ensure_demo_users,
)
from herald.settings import get_settings
from herald.store import create_schema, make_engine
from herald.store.users import UserStore
from herald.users import Action, Role


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'herald.db'}")
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def local_mode(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HERALD_ENV", "local")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_every_role_gets_an_account_that_signs_in(engine: Engine) -> None:
    ready = ensure_demo_users(engine)

    assert [(name, role) for name, role, _ in ready] == [
        ("commander", Role.RESPONDER),
        ("legal", Role.APPROVER),
        ("privacy", Role.APPROVER),
        ("viewer", Role.VIEWER),
        ("admin", Role.ADMIN),
    ]
    users = UserStore(engine)
    for name, role, password in ready:
        user = users.authenticate(name, password)
        assert user is not None and user.roles == [role] and not user.sso
    # Four eyes is possible: two different people may approve, one may steer.
    approvers = [u for u in users.all() if u.can(Action.APPROVE) and not u.can(Action.ADMIN)]
    assert {u.username for u in approvers} == {"legal", "privacy"}


def test_running_again_changes_nothing_and_keeps_sessions(engine: Engine) -> None:
    ensure_demo_users(engine)
    users = UserStore(engine)
    epochs = {demo.username: users.session_epoch(demo.username) for demo in DEMO_USERS}

    again = ensure_demo_users(engine)

    assert len(again) == len(DEMO_USERS)
    assert len(users.all()) == len(DEMO_USERS)
    assert {demo.username: users.session_epoch(demo.username) for demo in DEMO_USERS} == epochs


def test_an_account_someone_changed_is_left_alone_and_not_listed(engine: Engine) -> None:
    users = UserStore(engine)
    users.add("legal", roles=[Role.APPROVER], password="a-password-of-our-own")
    ensure_demo_users(engine)
    users.set_disabled("viewer", True)

    ready = {name for name, _, _ in ensure_demo_users(engine)}

    assert ready == {"commander", "privacy", "admin"}
    assert users.authenticate("legal", "a-password-of-our-own") is not None
    assert users.authenticate("legal", DEMO_PASSWORD) is None
    viewer = users.get("viewer")
    assert viewer is not None and viewer.disabled


def test_refused_in_production(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_ENV", "production")
    get_settings.cache_clear()

    with pytest.raises(DemoUsersRefusedError):
        ensure_demo_users(engine)
    assert UserStore(engine).all() == []
