"""A fast local provider peer: SendGrid, Twilio and FCM endpoints that count what arrives.

`herald bench delivery` (and the chaos benchmark) send through the official SDKs to this
peer on 127.0.0.1, which answers like each provider and counts every recipient it is handed,
so duplicates and misses are counted by the receiving side, not by Herald's own ledger.
It validates only what it needs to count; the contract tests check requests against the
providers' OpenAPI specs with Prism, which is far too slow for a million recipients.

Run: `python -m herald.benchmarks.peer --port 0 --ready-file F` (writes the bound port to F).

    GET  /_peer/stats   {"messages", "recipients", "unique", "duplicates", "requests"}
    POST /_peer/reset   forget everything

With `--keep-bodies` it also answers Twilio's message list (`GET .../Messages.json?To=`),
which Herald's crash recovery asks before sending an interrupted SMS again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
from collections import Counter
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

__all__ = ["PeerState", "main"]

_MAX_BODY = 64 << 20


class PeerState:
    """What the peer received: every recipient address, and how often."""

    def __init__(self) -> None:
        """Start empty."""
        self.requests = 0
        self.seen: Counter[str] = Counter()
        # Per recipient: (body, creation time as Twilio writes it, RFC 2822 in GMT).
        self.bodies: dict[str, list[tuple[str, str]]] = {}
        self.keep_bodies = False

    def record(self, recipient: str, body: str = "") -> None:
        """Count one message to `recipient` (and keep its text, if asked to)."""
        self.seen[recipient] += 1
        if self.keep_bodies:
            created = format_datetime(datetime.now(UTC))
            self.bodies.setdefault(recipient, []).append((body, created))

    def stats(self) -> dict[str, int]:
        """Totals; `duplicates` counts every message beyond the first to a recipient."""
        messages = sum(self.seen.values())
        return {
            "requests": self.requests,
            "messages": messages,
            "unique": len(self.seen),
            "duplicates": messages - len(self.seen),
        }


class _Peer:
    def __init__(self, state: PeerState) -> None:
        self.state = state

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length > _MAX_BODY:
                    raise ValueError("body too large")
                body = await reader.readexactly(length) if length else b""
                self.state.requests += 1
                status, extra, payload = self.route(method, target, headers, body)
                data = payload.encode()
                response = [f"HTTP/1.1 {status}", f"Content-Length: {len(data)}"]
                if data:
                    response.append("Content-Type: application/json")
                response += [f"{k}: {v}" for k, v in extra.items()]
                writer.write(("\r\n".join(response) + "\r\n\r\n").encode() + data)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            return  # shutting down with the client's idle connection still open
        finally:
            writer.close()

    def route(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, dict[str, str], str]:
        path = urlsplit(target).path
        if path == "/_peer/stats":
            return "200 OK", {}, json.dumps(self.state.stats())
        if path == "/_peer/reset":
            self.state.__init__()  # type: ignore[misc]
            return "200 OK", {}, "{}"
        if method == "POST" and path == "/v3/mail/send":
            return self.sendgrid(body)
        if method == "POST" and path.endswith("/Messages.json"):
            return self.twilio(body, "SM", "Body")
        if method == "POST" and path.endswith("/Calls.json"):
            return self.twilio(body, "CA", "Twiml")
        if method == "GET" and path.endswith("/Messages.json"):
            return self.twilio_list(target)
        if method == "POST" and path.endswith("/messages:send"):
            return self.fcm(body)
        if method == "POST" and path == "/token":
            token = json.dumps(
                {"access_token": secrets.token_hex(16), "expires_in": 3600, "token_type": "Bearer"}
            )
            return "200 OK", {}, token
        return "404 Not Found", {}, json.dumps({"error": f"no route {method} {path}"})

    def sendgrid(self, body: bytes) -> tuple[str, dict[str, str], str]:
        mail = json.loads(body)
        text = next((c["value"] for c in mail.get("content", []) if c["type"] == "text/plain"), "")
        for personalization in mail["personalizations"]:
            for to in personalization["to"]:
                self.state.record(to["email"].lower(), text)
        return "202 Accepted", {"X-Message-Id": secrets.token_urlsafe(16)}, ""

    def twilio(self, body: bytes, prefix: str, field: str) -> tuple[str, dict[str, str], str]:
        form = dict(parse_qsl(body.decode(), keep_blank_values=True))
        to = form.get("To", "")
        if not to:
            return "400 Bad Request", {}, json.dumps({"code": 21604, "message": "To is required"})
        self.state.record(to, form.get(field, ""))
        sid = prefix + secrets.token_hex(16)
        return "201 Created", {}, json.dumps({"sid": sid, "to": to, "status": "queued"})

    def twilio_list(self, target: str) -> tuple[str, dict[str, str], str]:
        # What Herald's crash recovery asks (`TwilioSms.lookup`): the messages to a number,
        # with the fields it matches on: body, creation time and direction.
        query = dict(parse_qsl(urlsplit(target).query))
        to = query.get("To", "")
        messages = [
            {
                "sid": "SM" + secrets.token_hex(16),
                "to": to,
                "body": text,
                "status": "sent",
                "direction": "outbound-api",
                "date_created": created,
            }
            for text, created in reversed(self.state.bodies.get(to, []))  # newest first
        ]
        return "200 OK", {}, json.dumps({"messages": messages, "next_page_uri": None})

    def fcm(self, body: bytes) -> tuple[str, dict[str, str], str]:
        message = json.loads(body)["message"]
        self.state.record(message["token"], json.dumps(message.get("notification", {})))
        return "200 OK", {}, json.dumps({"name": f"projects/p/messages/{secrets.token_hex(8)}"})


async def serve(port: int, ready_file: Path | None, keep_bodies: bool) -> None:
    """Serve until SIGTERM/SIGINT."""
    state = PeerState()
    state.keep_bodies = keep_bodies
    peer = _Peer(state)
    server = await asyncio.start_server(peer.handle, "127.0.0.1", port, limit=_MAX_BODY)
    bound = server.sockets[0].getsockname()[1]
    if ready_file is not None:
        tmp = ready_file.with_suffix(".tmp")
        tmp.write_text(str(bound))
        os.replace(tmp, ready_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file", type=Path)
    parser.add_argument("--keep-bodies", action="store_true", help="answer Twilio list lookups")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.ready_file, args.keep_bodies))


if __name__ == "__main__":
    main()
