"""A throwaway PostgreSQL server for the tests, started from Debian's `postgresql` binaries.

The cluster lives in a temporary folder (data directory, log and unix socket), listens on
127.0.0.1 on a free port, trusts local connections and runs with `fsync=off`: it holds
nothing worth keeping, so durability is traded for speed. `initdb` refuses to run as root
(CI runs as root), so as root the binaries run as the `postgres` user, which owns the folder.

`make setup` installs the binaries (`scripts/system-packages.sh`). Set
`HERALD_TEST_POSTGRES_URL` to test against a server of your own instead; its role needs
CREATEDB, as every test gets a database of its own.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, make_url, text
from sqlalchemy.pool import NullPool

__all__ = [
    "ENV_URL",
    "PostgresServer",
    "PostgresStartError",
    "PostgresUnavailable",
    "create_database",
    "drop_database",
    "find_bin_dir",
    "render",
    "running_server",
    "session_url",
    "temporary_database",
]

ENV_URL = "HERALD_TEST_POSTGRES_URL"
DEBIAN_ROOT = Path("/usr/lib/postgresql")
SUPERUSER = "herald"
# The account the server runs under when the tests run as root.
SERVICE_ACCOUNT = "postgres"
_START_ATTEMPTS = 3


class PostgresUnavailable(RuntimeError):
    """PostgreSQL is not installed here (binaries or, as root, the service account)."""


class PostgresStartError(RuntimeError):
    """PostgreSQL is installed but the throwaway server did not start."""


def find_bin_dir(root: Path | None = None) -> Path | None:
    """The newest `/usr/lib/postgresql/<version>/bin` holding `initdb` and `pg_ctl`."""
    root = DEBIAN_ROOT if root is None else root
    if not root.is_dir():
        return None
    candidates = [
        path / "bin"
        for path in root.iterdir()
        if re.fullmatch(r"\d+(\.\d+)?", path.name)
        and (path / "bin" / "initdb").is_file()
        and (path / "bin" / "pg_ctl").is_file()
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda bin_dir: float(bin_dir.parent.name))


class PostgresServer:
    """One cluster in a temporary folder; `start()` it, take `url()`, `stop()` it."""

    def __init__(self, bin_dir: Path) -> None:
        """Prepare a cluster run by the binaries in `bin_dir` (nothing starts yet)."""
        self.bin_dir = bin_dir
        self.port = 0
        self._as_root = os.geteuid() == 0
        if self._as_root and shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root needs `runuser` (util-linux)")
        # Not under pytest's tmp_path: as root that folder is closed to the service account.
        self.base = Path(tempfile.mkdtemp(prefix="herald-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self._started = False
        if self._as_root:
            try:
                shutil.chown(self.base, user=SERVICE_ACCOUNT, group=SERVICE_ACCOUNT)
            except LookupError as exc:
                shutil.rmtree(self.base, ignore_errors=True)
                raise PostgresUnavailable(
                    f"running as root needs the `{SERVICE_ACCOUNT}` user (Debian's postgresql "
                    "package creates it)"
                ) from exc

    def start(self) -> None:
        """initdb, then start the server on a free port (retried if the port is taken)."""
        self._run(
            "initdb",
            "--pgdata",
            str(self.data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-locale",
            # A cluster that lives for one test run needs no fsync at creation either.
            "--no-sync",
        )
        for attempt in range(1, _START_ATTEMPTS + 1):
            self.port = _free_port()
            options = " ".join(
                (
                    "-c listen_addresses=127.0.0.1",
                    f"-c port={self.port}",
                    f"-c unix_socket_directories={self.base}",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=200",
                    # Not UTC, and not a whole hour: instants that code forgets to convert
                    # come back visibly shifted.
                    "-c timezone=Asia/Kathmandu",
                )
            )
            try:
                self._run(
                    "pg_ctl", "start", "--pgdata", str(self.data), "--log", str(self.log),
                    "--wait", "--timeout", "60", "--options", options,
                )  # fmt: skip
            except PostgresStartError:
                if attempt == _START_ATTEMPTS:
                    raise
                continue
            self._started = True
            return

    def url(self, database: str = "postgres") -> URL:
        """The SQLAlchemy URL (psycopg 3, TCP) of `database` on this server."""
        return URL.create(
            "postgresql+psycopg",
            username=SUPERUSER,
            host="127.0.0.1",
            port=self.port,
            database=database,
        )

    def stop(self) -> None:
        """Stop the server at once (nothing to flush) and delete its folder."""
        try:
            # Also after a start that timed out: the server may be up all the same.
            if self._started or (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "--pgdata", str(self.data), "--mode", "immediate")
            self._started = False
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if self._as_root:
            command = ["runuser", "-u", SERVICE_ACCOUNT, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=self.base)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2_000:] if self.log.exists() else ""
            raise PostgresStartError(
                f"{program} failed ({result.returncode}): {result.stderr.strip()[-2_000:]}\n{log}"
            )


@contextmanager
def running_server() -> Iterator[PostgresServer]:
    """A started server, stopped on exit.

    Raises:
        PostgresUnavailable: The binaries (or, as root, the service account) are missing.
        PostgresStartError: They are there but the server would not start.
    """
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable(f"no initdb and pg_ctl under {DEBIAN_ROOT}/<version>/bin")
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def session_url() -> Iterator[str]:
    """Body of the `postgres_url` fixture: a fresh database for the test session.

    `HERALD_TEST_POSTGRES_URL` wins when set. Otherwise a server is started here; when its
    binaries are missing the tests skip (saying to run `make setup`), except in CI, where a
    skipped database would pass unnoticed, so they fail.
    """
    configured = os.environ.get(ENV_URL)
    if configured:
        yield configured
        return
    with ExitStack() as stack:
        try:
            server = stack.enter_context(running_server())
        except PostgresUnavailable as exc:
            message = f"PostgreSQL unavailable ({exc}); run `make setup` to install it"
            if os.environ.get("CI") == "true":
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        yield render(create_database(server.url()))


def create_database(server_url: URL | str) -> URL:
    """CREATE DATABASE with a fresh name on the server of `server_url`; return its URL."""
    url = make_url(server_url)
    name = f"herald_test_{uuid.uuid4().hex[:12]}"
    # The name is generated above, never taken from input, so it can be spelled in SQL.
    _autocommit(url, f'CREATE DATABASE "{name}"')
    return url.set(database=name)


def drop_database(server_url: URL | str, name: str) -> None:
    """DROP DATABASE `name`, closing whatever connections a test left open to it."""
    _autocommit(make_url(server_url), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def temporary_database(server_url: URL | str) -> Iterator[str]:
    """A new, empty database on the server of `server_url` for one test, dropped after."""
    url = create_database(server_url)
    try:
        yield render(url)
    finally:
        drop_database(server_url, str(url.database))


def render(url: URL) -> str:
    """`url` as a string that still carries its password (SQLAlchemy hides it by default)."""
    return url.render_as_string(hide_password=False)


def _autocommit(url: URL, sql: str) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
