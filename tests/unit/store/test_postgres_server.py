"""The test PostgreSQL server helper (tests/postgres.py): where it finds the binaries, and
that a machine without them skips locally but fails in CI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tests import postgres


def make_version(root: Path, version: str, *programs: str) -> Path:
    bin_dir = root / version / "bin"
    bin_dir.mkdir(parents=True)
    for program in programs:
        (bin_dir / program).write_text("")
    return bin_dir


def test_the_newest_complete_version_is_chosen(tmp_path: Path) -> None:
    make_version(tmp_path, "9.6", "initdb", "pg_ctl")
    newest = make_version(tmp_path, "15", "initdb", "pg_ctl")
    make_version(tmp_path, "16", "psql")  # a client only: no server binaries
    (tmp_path / "common").mkdir()

    assert postgres.find_bin_dir(tmp_path) == newest
    assert postgres.find_bin_dir(tmp_path / "missing") is None


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_without_binaries_ci_fails_and_a_laptop_skips(
    ci: str, outcome: type[BaseException], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "DEBIAN_ROOT", tmp_path)
    monkeypatch.delenv(postgres.ENV_URL, raising=False)
    monkeypatch.setenv("CI", ci)

    with pytest.raises(outcome, match="run `make setup`"):
        next(postgres.session_url())


def test_a_configured_server_is_used_as_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(postgres, "DEBIAN_ROOT", tmp_path)  # nothing could be started
    monkeypatch.setenv(postgres.ENV_URL, "postgresql+psycopg://me@db.example/herald")

    assert next(postgres.session_url()) == "postgresql+psycopg://me@db.example/herald"


def test_each_test_database_is_new_empty_and_dropped(postgres_url: str) -> None:
    with (
        postgres.temporary_database(postgres_url) as first,
        postgres.temporary_database(postgres_url) as second,
    ):
        assert make_url(first).database != make_url(second).database
        engine = create_engine(first)
        with engine.connect() as conn:
            tables = conn.execute(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            ).scalar()
            assert tables == 0
        engine.dispose()
    admin = create_engine(postgres_url)
    with admin.connect() as conn:
        names = set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
    admin.dispose()
    assert make_url(first).database not in names
    assert make_url(second).database not in names
