"""A lean HTTP transport for the official Twilio SDK: one kept-alive connection per thread.

The SDK's default `TwilioHttpClient` goes through `requests`, whose per-request work costs
about as much as everything else of an SMS send together (0.7 ms against 0.3 ms measured on
the 2-core benchmark machine). The SDK supports bringing one's own client (`http_client=`),
so this one speaks HTTP/1.1 with `http.client` directly: TLS verified by the default SSL
context, Basic auth, form bodies, timeouts, and the base URL override that points the SDK
at a local peer in tests and benchmarks.
"""

from __future__ import annotations

import base64
import http.client
import logging
import re
import select
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from twilio.http import HttpClient
from twilio.http.response import Response

__all__ = ["PooledTwilioHttp"]

_TWILIO_API = re.compile(r"^https://api(\.[A-Za-z0-9-]+)*\.twilio\.com")


def _silent_logger() -> logging.Logger:
    """A logger that drops everything: the SDK logs request URLs and query parameters at
    INFO, and a list request's query holds the recipient's phone number."""
    logger = logging.Logger("herald.channels.twilio.sdk", level=logging.CRITICAL + 1)
    logger.disabled = True
    return logger


class PooledTwilioHttp(HttpClient):  # type: ignore[misc]  # the SDK is untyped
    """`twilio.http.HttpClient` over `http.client`, one connection per thread and host.

    The last response's headers are kept per thread (the SDK's errors carry none) for a
    429's `Retry-After`.
    """

    def __init__(self, *, base_url: str | None, timeout: float) -> None:
        """Send to `base_url` instead of https://api.twilio.com when given."""
        super().__init__(_silent_logger(), False, timeout)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout = timeout
        self._local = threading.local()

    def request(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """One request; raises OSError or http.client.HTTPException on network failure."""
        del allow_redirects  # Twilio's API does not redirect
        if self.base_url is not None:
            url = _TWILIO_API.sub(self.base_url, url, count=1)
        parts = urlsplit(url)
        target = parts.path + (f"?{urlencode(params, doseq=True)}" if params else "")
        sent = dict(headers or {})
        body = None
        if data:
            body = urlencode(data, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if auth:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            sent["Authorization"] = f"Basic {token}"
        self._local.headers = {}
        connection = self._connection(parts.scheme, parts.netloc, timeout or self.timeout)
        try:
            connection.request(method, target, body=body, headers=sent)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", "replace")
        except BaseException:
            connection.close()
            self._local.connections.pop((parts.scheme, parts.netloc), None)
            raise
        self._local.headers = dict(answer.getheaders())
        return Response(answer.status, text, headers=self._local.headers)

    def last_headers(self) -> Mapping[str, str]:
        """The headers of this thread's last response."""
        headers: Mapping[str, str] = getattr(self._local, "headers", {})
        return headers

    def _connection(self, scheme: str, netloc: str, timeout: float) -> http.client.HTTPConnection:
        """This thread's connection to `netloc`, opened anew if the server closed it.

        An idle kept-alive connection the server has closed reads as "ready" (EOF): it is
        replaced before the request is written, so a POST is never sent on a dead socket.
        """
        pool: dict[tuple[str, str], http.client.HTTPConnection] = (
            getattr(self._local, "connections", None) or {}
        )
        self._local.connections = pool
        connection = pool.get((scheme, netloc))
        if connection is not None and connection.sock is not None:
            readable, _, _ = select.select([connection.sock], [], [], 0)
            if readable:
                connection.close()
                connection = None
        if connection is None:
            factory = (
                http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            )
            connection = factory(netloc, timeout=timeout)
            pool[(scheme, netloc)] = connection
        connection.timeout = timeout
        return connection
