"""Stoplight Prism mocks of the providers' own OpenAPI specs, behind a recording proxy.

One Prism process per spec (`tests/contract/specs/`, copied from the team's provider-specs
with their sources in `SOURCES.md`) runs for the whole session on a free 127.0.0.1 port.
The adapters talk to a small recording proxy in front of each Prism, which keeps every
request and Prism's verdict on it: the status and the `sl-violations` header, where Prism
lists each way the request breaks the spec. A request counts as valid only with a 2xx and
no violation of the request, so an adapter that swallows a 4xx (as it must for a refused recipient)
cannot hide an invalid request.

Prism comes from npm (`package.json`, installed by `make setup`). Without it the contract
tests are skipped on a developer's machine and fail in CI (`CI=true`), where `make test`
installs it.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.unit.channels.peer import Peer, Received, Reply

ROOT = Path(__file__).resolve().parents[2]
SPECS = Path(__file__).resolve().parent / "specs"
PRISM = ROOT / "node_modules" / ".bin" / "prism"
SPEC_FILES = {
    "sendgrid": SPECS / "tsg_mail_v3.json",
    "twilio": SPECS / "twilio_api_v2010.messages_calls.json",
    "fcm": SPECS / "fcm_v1.messages_send.openapi.json",
}
STARTUP_TIMEOUT = 60.0
# Response headers that describe one hop's connection, not the response.
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@dataclass(frozen=True)
class Exchange:
    """One request through the proxy and Prism's verdict on it."""

    request: Received
    status: int
    violations: str | None
    body: bytes

    @property
    def request_violations(self) -> list[dict[str, Any]]:
        """Prism's findings about the request. `sl-violations` also lists flaws of the
        spec's own example responses (location `response`), which say nothing about us."""
        if not self.violations:
            return []
        found = json.loads(self.violations)
        return [v for v in found if (v.get("location") or ["request"])[0] == "request"]

    @property
    def valid(self) -> bool:
        """Prism accepted the request as the spec describes it."""
        return 200 <= self.status < 300 and not self.request_violations


@dataclass
class MockProvider:
    """A Prism mock of one provider, reached through a recording proxy at `url`."""

    name: str
    prism_url: str
    url: str = ""
    exchanges: list[Exchange] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def forward(self, request: Received) -> Reply:
        target = urlsplit(self.prism_url)
        headers = {k: v for k, v in request.headers.items() if k not in {"host", "connection"}}
        connection = http.client.HTTPConnection(str(target.hostname), target.port, timeout=30)
        try:
            connection.request(
                request.method, request.target, body=request.body or None, headers=headers
            )
            response = connection.getresponse()
            body = response.read()
            reply_headers = {
                k: v for k, v in response.getheaders() if k.lower() not in _HOP_HEADERS
            }
        finally:
            connection.close()
        exchange = Exchange(request, response.status, response.getheader("sl-violations"), body)
        with self.lock:
            self.exchanges.append(exchange)
        return Reply(response.status, body, reply_headers)

    def take(self) -> list[Exchange]:
        """The exchanges since the last call (and forget them)."""
        with self.lock:
            taken, self.exchanges = self.exchanges, []
        return taken

    def assert_all_valid(self) -> list[Exchange]:
        """Every request since the last check was valid per the spec; returns them."""
        exchanges = self.take()
        assert exchanges, f"no request reached the {self.name} mock"
        for exchange in exchanges:
            assert exchange.valid, (
                f"{self.name} spec refused {exchange.request.method} {exchange.request.path}: "
                f"{exchange.status} {exchange.request_violations or exchange.body[:600]!r}"
            )
        return exchanges


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prism exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"prism did not listen on {port} within {STARTUP_TIMEOUT}s")


@pytest.fixture(scope="session")
def prism_mocks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, MockProvider]]:
    """The three provider mocks for the whole session (started together, then waited for)."""
    if not PRISM.exists():
        reason = "Prism is not installed (run `make setup`, which runs `npm ci`)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    logs = tmp_path_factory.mktemp("prism")
    started: list[tuple[subprocess.Popen[bytes], int, Path]] = []
    proxies: list[Peer] = []
    mocks: dict[str, MockProvider] = {}
    try:
        for name, spec in SPEC_FILES.items():
            port, log = _free_port(), logs / f"{name}.log"
            # No --errors: Prism refuses an invalid request without it (400/422, or 2xx with
            # `sl-violations` for warnings, which `valid` also fails), while with it Prism
            # also turns flaws in the spec's own example responses into 500s (the Twilio
            # list examples carry relative `uri`s where the schema says `format: uri`).
            command = [str(PRISM), "mock", str(spec), "-h", "127.0.0.1", "-p", str(port)]
            with log.open("wb") as out:
                process = subprocess.Popen(command, stdout=out, stderr=out)
            started.append((process, port, log))
            mocks[name] = MockProvider(name, f"http://127.0.0.1:{port}")
        for process, port, log in started:
            _wait_listening(process, port, log)
        for mock in mocks.values():
            proxy = Peer(mock.forward).start()
            proxies.append(proxy)
            mock.url = proxy.url
        yield mocks
    finally:
        for proxy in proxies:
            proxy.stop()
        for process, _, _ in started:
            process.terminate()
        for process, _, _ in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def sendgrid_mock(prism_mocks: dict[str, MockProvider]) -> MockProvider:
    """The SendGrid mock, with no exchanges left over from other tests."""
    prism_mocks["sendgrid"].take()
    return prism_mocks["sendgrid"]


@pytest.fixture
def twilio_mock(prism_mocks: dict[str, MockProvider]) -> MockProvider:
    """The Twilio mock, with no exchanges left over from other tests."""
    prism_mocks["twilio"].take()
    return prism_mocks["twilio"]


@pytest.fixture
def fcm_mock(prism_mocks: dict[str, MockProvider]) -> MockProvider:
    """The FCM mock, with no exchanges left over from other tests."""
    prism_mocks["fcm"].take()
    return prism_mocks["fcm"]
