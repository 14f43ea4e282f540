"""A small threaded HTTP server on 127.0.0.1 that plays a provider in tests.

Each test gives it a handler: a function from the request it received to the reply it
sends (status, headers, body, and an optional delay before answering, for timeouts).
Every request is recorded, so a test can check what the official SDK really put on the
wire. The contract tests reuse it as a recording proxy in front of Prism.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["Handler", "Peer", "Received", "Reply", "running_peer"]


@dataclass(frozen=True)
class Received:
    """One request as the peer saw it."""

    method: str
    target: str  # the path and query exactly as sent
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        """The body parsed as application/x-www-form-urlencoded."""
        return parse_qs(self.body.decode(), keep_blank_values=True)

    def header(self, name: str) -> str | None:
        """A request header, case-insensitively."""
        return self.headers.get(name.lower())


@dataclass
class Reply:
    """What the peer answers: a status, headers and a body (JSON for a dict or list)."""

    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if isinstance(self.body, dict | list):
            headers.setdefault("Content-Type", "application/json")
            return json.dumps(self.body).encode(), headers
        if isinstance(self.body, str):
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
            return self.body.encode(), headers
        return self.body, headers


Handler = Callable[[Received], Reply]


class Peer:
    """A local HTTP server answering with `handler`; use it as a context manager."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.received: list[Received] = []
        self._lock = threading.Lock()
        # Set on stop, so a handler sleeping out a timeout test ends at once.
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval: `stop` waits for the next poll, and tests stop many peers.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        """The peer's base URL, e.g. http://127.0.0.1:41234."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Peer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Peer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests_to(self, path_suffix: str) -> list[Received]:
        """The recorded requests whose path ends with `path_suffix`."""
        with self._lock:
            return [r for r in self.received if r.path.endswith(path_suffix)]

    def _record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        peer = self

        class _Handler(BaseHTTPRequestHandler):
            # HTTP/1.1 keeps connections open, as the SDKs' pools expect of a real API.
            protocol_version = "HTTP/1.1"
            # Headers and body leave in one write, without Nagle's delay: otherwise every
            # reply on a kept-alive connection waits ~40 ms for the client's delayed ACK.
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                received = Received(
                    method=self.command,
                    target=self.path,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                peer._record(received)
                reply = peer.handler(received)
                if reply.delay and peer._stopping.wait(reply.delay):
                    return
                payload, headers = reply.encoded()
                self.send_response(reply.status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Quiet: the test output is no place for request lines."""

        return _Handler


@contextmanager
def running_peer(handler: Handler) -> Iterator[Peer]:
    """A started `Peer` that is stopped when the block ends."""
    peer = Peer(handler).start()
    try:
        yield peer
    finally:
        peer.stop()
