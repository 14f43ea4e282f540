"""A cap on request bodies, enforced before any route runs.

FastAPI reads (and Starlette spools multipart uploads to disk) before the route's
dependencies check who is calling, so without a cap anyone who can reach the server could
make it store an endless body before being told 401. Population uploads get a large cap,
everything else a small one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_MAX_BODY", "BodyLimit"]

DEFAULT_MAX_BODY = 25 << 20  # receipts may be 20 MB, plus multipart framing


class BodyLimit:
    """ASGI middleware: 413 for a body over its path's limit (declared or streamed)."""

    def __init__(
        self, app: ASGIApp, *, default: int = DEFAULT_MAX_BODY, larger: Mapping[str, int]
    ) -> None:
        """Wrap `app`; `larger` maps exact paths (POST uploads) to their own limit."""
        self.app = app
        self.default = default
        self.larger = dict(larger)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse early on Content-Length; count bytes of bodies that do not declare it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.default)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    # The app sees the client go away and stops reading; we answer below.
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"request body over {limit:,} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
