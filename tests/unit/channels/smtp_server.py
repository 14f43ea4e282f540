"""A small, real SMTP server on 127.0.0.1 for the SMTP adapter's tests.

It speaks enough RFC 5321 for smtplib (EHLO/HELO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA
with dot-unstuffing, RSET, NOOP, QUIT), records every message it accepts with its envelope,
and can be told to refuse chosen recipients (550, echoing the address as Postfix does),
defer them (451), refuse relaying (554 5.7.1), reject data (554), require AUTH, leave out
8BITMIME/SMTPUTF8, or drop every open connection (as a relay does with idle ones).
"""

from __future__ import annotations

import base64
import socket
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import BinaryIO


@dataclass
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_to: list[str]
    data: bytes
    session: int
    mail_options: list[str]
    tls: bool
    user: str | None


@dataclass
class Behaviour:
    """What the server does; tests change it between sends."""

    refuse: set[str] = field(default_factory=set)  # 550 on RCPT
    defer: set[str] = field(default_factory=set)  # 451 on RCPT
    relay_denied: bool = False  # 554 5.7.1 Relay access denied on every RCPT
    data_reply: str | None = None  # e.g. "554 5.7.1 message refused as spam"
    credentials: tuple[str, str] | None = None  # AUTH required when set
    tls: ssl.SSLContext | None = None  # offers STARTTLS when set
    eight_bit: bool = True
    smtputf8: bool = True
    messages_per_session: int | None = None  # then 421 to MAIL, and the connection closes


class SmtpServer:
    """Run with `with SmtpServer() as server:`; `server.port` is where it listens."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or Behaviour()
        self.received: list[Received] = []
        self.sessions = 0
        self.commands: list[str] = []
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> SmtpServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.drop_connections()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def drop_connections(self) -> None:
        """Close every open client connection without a word, as idle timeouts do."""
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # ---- one connection ------------------------------------------------------------------

    def _serve(self, sock: socket.socket) -> None:
        with self._lock:
            self.sessions += 1
            number = self.sessions
            self._open.add(sock)
        session = _Session(self, sock, number)
        try:
            session.run()
        except (OSError, ValueError):
            pass  # the client or drop_connections closed it
        finally:
            session.close()
            with self._lock:
                self._open.discard(sock)

    def _record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)


class _Session:
    def __init__(self, server: SmtpServer, sock: socket.socket, number: int) -> None:
        self.server, self.sock, self.number = server, sock, number
        self.files: tuple[BinaryIO, BinaryIO] = (sock.makefile("rb"), sock.makefile("wb"))
        self.tls = False
        self.user: str | None = None
        self.mail_from: str | None = None
        self.mail_options: list[str] = []
        self.rcpt_to: list[str] = []
        self.accepted = 0

    def close(self) -> None:
        for handle in self.files:
            handle.close()
        self.sock.close()

    def reply(self, *lines: str) -> None:
        out = self.files[1]
        for index, line in enumerate(lines):
            sep = " " if index == len(lines) - 1 else "-"
            out.write(f"{line[:3]}{sep}{line[4:]}\r\n".encode())
        out.flush()

    def run(self) -> None:
        self.reply("220 relay.test ESMTP Herald test server")
        while True:
            raw = self.files[0].readline(4096)
            if not raw:
                return
            line = raw.decode("utf-8", "surrogateescape").rstrip("\r\n")
            self.server.commands.append(line.split(" ", 1)[0].upper())
            verb, _, arg = line.partition(" ")
            handler = getattr(self, f"do_{verb.upper()}", None)
            if handler is None:
                self.reply("502 5.5.2 command not recognised")
            elif handler(arg) is False:
                return

    def do_EHLO(self, arg: str) -> None:
        behaviour = self.server.behaviour
        lines = ["250 relay.test"]
        if behaviour.eight_bit:
            lines.append("250 8BITMIME")
        if behaviour.smtputf8:
            lines.append("250 SMTPUTF8")
        if behaviour.tls is not None and not self.tls:
            lines.append("250 STARTTLS")
        if behaviour.credentials is not None and (self.tls or behaviour.tls is None):
            lines.append("250 AUTH PLAIN")
        self.reply(*lines)

    def do_HELO(self, arg: str) -> None:
        self.reply("250 relay.test")

    def do_STARTTLS(self, arg: str) -> None:
        context = self.server.behaviour.tls
        if context is None or self.tls:
            self.reply("502 5.5.1 not offered")
            return
        self.reply("220 2.0.0 ready to start TLS")
        for handle in self.files:
            handle.close()
        self.sock = context.wrap_socket(self.sock, server_side=True)
        self.files = (self.sock.makefile("rb"), self.sock.makefile("wb"))
        self.tls = True
        self.mail_from, self.rcpt_to = None, []

    def do_AUTH(self, arg: str) -> None:
        expected = self.server.behaviour.credentials
        mechanism, _, initial = arg.partition(" ")
        if expected is None or mechanism.upper() != "PLAIN":
            self.reply("504 5.5.4 mechanism not supported")
            return
        if not initial:
            self.reply("334 ")
            initial = self.files[0].readline().decode().strip()
        _, user, password = base64.b64decode(initial).decode().split("\0")
        if (user, password) == expected:
            self.user = user
            self.reply("235 2.7.0 authentication successful")
        else:
            self.reply("535 5.7.8 authentication credentials invalid")

    def do_MAIL(self, arg: str) -> bool | None:
        behaviour = self.server.behaviour
        if behaviour.credentials is not None and self.user is None:
            self.reply("530 5.7.0 authentication required")
            return None
        limit = behaviour.messages_per_session
        if limit is not None and self.accepted >= limit:
            self.reply("421 4.7.0 too many messages in this session, closing")
            return False
        path, *options = arg[len("FROM:") :].split(" ")
        self.mail_from, self.mail_options, self.rcpt_to = path.strip("<>"), options, []
        self.reply("250 2.1.0 Ok")
        return None

    def do_RCPT(self, arg: str) -> None:
        behaviour = self.server.behaviour
        if self.mail_from is None:
            self.reply("503 5.5.1 need MAIL first")
            return
        address = arg[len("TO:") :].split(" ")[0].strip("<>")
        if behaviour.relay_denied:
            self.reply(f"554 5.7.1 <{address}>: Relay access denied")
        elif address in behaviour.refuse:
            local = address.rpartition("@")[0]
            self.reply(f"550 5.1.1 <{address}>: Recipient address rejected: {local} unknown")
        elif address in behaviour.defer:
            self.reply(f"451 4.7.1 <{address}>: greylisted, try again later")
        else:
            self.rcpt_to.append(address)
            self.reply("250 2.1.5 Ok")

    def do_DATA(self, arg: str) -> None:
        if self.mail_from is None or not self.rcpt_to:
            self.reply("503 5.5.1 need RCPT first")
            return
        self.reply("354 end data with <CR><LF>.<CR><LF>")
        lines = []
        while True:
            raw = self.files[0].readline()
            if raw in (b".\r\n", b""):
                break
            lines.append(raw[1:] if raw.startswith(b"..") else raw)  # dot-unstuffing
        data_reply = self.server.behaviour.data_reply
        if data_reply is not None:
            self.reply(data_reply)
        else:
            self.server._record(
                Received(
                    self.mail_from,
                    self.rcpt_to,
                    b"".join(lines),
                    self.number,
                    self.mail_options,
                    self.tls,
                    self.user,
                )
            )
            self.accepted += 1
            self.reply("250 2.0.0 Ok: queued")
        self.mail_from, self.rcpt_to = None, []

    def do_RSET(self, arg: str) -> None:
        self.mail_from, self.rcpt_to = None, []
        self.reply("250 2.0.0 Ok")

    def do_NOOP(self, arg: str) -> None:
        self.reply("250 2.0.0 Ok")

    def do_QUIT(self, arg: str) -> bool:
        self.reply("221 2.0.0 Bye")
        return False
