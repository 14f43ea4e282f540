"""The SMTP channel: email through the team's own relay (`HERALD_EMAIL_PROVIDER=smtp`).

Each message is the MIME email the outbox would write as `.eml` (a text part, the HTML
alternative, a `Message-ID` derived from the idempotency key so a resend keeps it), handed
to the relay with MAIL/RCPT/DATA on a connection kept per worker thread.

What the relay says decides what happens to the message:

- 5xx to RCPT or DATA: this recipient or message is refused for good (`accepted=False`);
- 4xx anywhere, a dropped connection, a timeout: `TransientSendError` (sent again later);
- refused credentials, sender or relaying, a missing STARTTLS, a TLS certificate that
  does not verify: `ProviderConfigError` (Herald itself is refused; the campaign stops).

A message counts as handed over only when the relay answers 250 to its data. SMTP gives
no way to ask a relay later whether it has a message, so `lookup` answers None; a message
whose data was sent but not acknowledged (the connection dropped) may arrive twice, with
the same Message-ID, which is as close to once as SMTP allows.

Error texts quote the relay's reply with the recipient's address and its parts removed.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage

from email_validator import EmailNotValidError, validate_email

from herald.channels import mime
from herald.channels.base import (
    OutgoingMessage,
    ProviderConfigError,
    SendResult,
    TransientSendError,
    mailbox,
)
from herald.channels.config import ProviderSettings
from herald.channels.validate import problem

__all__ = ["SmtpEmail"]

# The outbox's policy with CRLF line ends, as DATA requires.
_POLICY_8BIT = mime.EMAIL_POLICY.clone(linesep="\r\n")
_POLICY_7BIT = _POLICY_8BIT.clone(cte_type="7bit")  # relays without 8BITMIME
_POLICY_UTF8 = _POLICY_8BIT.clone(utf8=True)  # non-ASCII local parts
_IMPLICIT_TLS_PORT = 465  # RFC 8314 submissions: TLS from the first byte, no STARTTLS
# Anything shaped like an address in a relay's reply (kept apart from the <> around it).
_EMAILISH = re.compile(r"[^\s<>()\[\]:;,\"']+@[^\s<>()\[\]:;,\"']+")
_REPLY_MAX = 200
# Every header `_build` sets, or the stdlib sets for the MIME structure. An encoded word
# that decodes to a line break (see `_build`; in the subject too) writes another header, and
# `mime.headers_intact` then refuses the message.
_OWN_HEADERS = frozenset(
    b"from to subject date message-id x-herald-incident x-herald-content-hash"
    b" content-language content-type content-transfer-encoding mime-version".split()
)


@dataclass
class _Session:
    """One open connection and what the relay said it supports."""

    smtp: smtplib.SMTP
    eight_bit: bool
    smtputf8: bool
    used: bool = False


@dataclass(frozen=True)
class _Recipient:
    """The address as it goes on the wire: ASCII (IDNA domain), or UTF-8 via SMTPUTF8."""

    address: str
    local: str
    domain: str
    needs_smtputf8: bool

    @classmethod
    def of(cls, to: str) -> _Recipient:
        checked = validate_email(to, check_deliverability=False, strict=True)
        if checked.ascii_email:
            local, _, domain = checked.ascii_email.rpartition("@")
            return cls(checked.ascii_email, local, domain, needs_smtputf8=False)
        return cls(checked.normalized, checked.local_part, checked.domain, needs_smtputf8=True)


class SmtpEmail:
    """A `ChannelAdapter` that sends email through an SMTP relay (submission, port 587)."""

    name = "smtp"
    max_batch = 1

    def __init__(
        self,
        settings: ProviderSettings,
        *,
        tls_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        """Bind to the relay in `settings`; connections open on the first send.

        Args:
            settings: `smtp_host`, `smtp_port`, `smtp_username`, `smtp_password`,
                `smtp_starttls`, `sender_email`, `sender_name`, `provider_timeout_seconds`.
            tls_context: For STARTTLS and port 465; default: the system's trusted CAs with
                hostname checks (a test passes one that trusts its own certificate).
            local_hostname: The name Herald gives in EHLO; default: this host's FQDN.

        Raises:
            ProviderConfigError: No `smtp_host`, or a sender address that is not valid.
        """
        if not settings.smtp_host:
            raise ProviderConfigError("smtp: HERALD_SMTP_HOST is not set")
        try:
            sender = validate_email(
                settings.sender_email, check_deliverability=False, globally_deliverable=False
            )
        except EmailNotValidError:
            raise ProviderConfigError("smtp: HERALD_SENDER_EMAIL is not a valid address") from None
        if not sender.ascii_email:
            raise ProviderConfigError("smtp: HERALD_SENDER_EMAIL must have an ASCII local part")
        self._settings = settings
        self._sender = sender.ascii_email
        self._from = mailbox(settings.sender_name, sender.ascii_email)
        self._domain = sender.ascii_domain.lower()
        self._tls = tls_context or ssl.create_default_context()
        self._local_hostname = local_hostname
        self._local = threading.local()
        self._all: list[_Session] = []
        self._all_lock = threading.Lock()

    # ---- ChannelAdapter ------------------------------------------------------------------

    def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[SendResult]:
        """Send each message on this thread's connection (`max_batch` is 1)."""
        return [self.send(message) for message in messages]

    def lookup(self, messages: Sequence[OutgoingMessage]) -> list[bool] | None:
        """None: a relay keeps no record Herald could ask for."""
        return None

    def send(self, message: OutgoingMessage) -> SendResult:
        """Hand one message to the relay.

        Returns:
            Accepted with the Message-ID as `provider_message_id`, or refused for good with
            the reason (a validation problem, or the relay's 5xx reply).

        Raises:
            TransientSendError: 4xx, connection lost, timeout.
            ProviderConfigError: the relay refuses Herald's credentials, sender or relaying.
        """
        found = problem(message)
        if found is not None:
            return SendResult(accepted=False, permanent_error=found)
        recipient = _Recipient.of(message.to)
        begun = self._begin(message, recipient)
        if isinstance(begun, SendResult):
            return begun
        session, data, message_id = begun
        try:
            code, reply = session.smtp.rcpt(recipient.address)
            if code not in (250, 251):
                self._reset(session)
                return self._refused("RCPT", code, reply, recipient)
            reply_text: bytes | str
            try:
                code, reply_text = session.smtp.data(data)
            except smtplib.SMTPDataError as exc:  # the reply to DATA itself
                code, reply_text = exc.smtp_code, exc.smtp_error
            if code != 250:
                self._reset(session)
                return self._refused("DATA", code, reply_text, recipient)
        except (OSError, smtplib.SMTPException) as exc:
            # The transaction may be half done; only a new connection and a new attempt
            # (the ledger retries) can tell.
            self._drop(session)
            raise TransientSendError(f"smtp: connection lost ({_describe(exc)})") from None
        return SendResult(accepted=True, provider_message_id=message_id)

    def close(self) -> None:
        """QUIT every connection this adapter opened, in any thread (at worker shutdown)."""
        with self._all_lock:
            sessions, self._all = self._all, []
        for session in sessions:
            try:
                session.smtp.quit()
            except (OSError, smtplib.SMTPException):
                session.smtp.close()
        self._local = threading.local()

    # ---- the envelope --------------------------------------------------------------------

    def _begin(
        self, message: OutgoingMessage, recipient: _Recipient
    ) -> tuple[_Session, bytes, str] | SendResult:
        """Build the message for this thread's connection and send MAIL FROM.

        A connection the relay dropped while idle shows up here, before anything of the
        message was sent, so it is replaced and MAIL FROM tried once more on a new one.

        Returns:
            The session with an open transaction, the DATA bytes and the Message-ID; or a
            refusal when the message cannot go through this relay at all.
        """
        while True:
            session = self._session()
            reused, session.used = session.used, True
            if recipient.needs_smtputf8 and not session.smtputf8:
                return SendResult(
                    accepted=False,
                    permanent_error="email: the relay takes no non-ASCII address (no SMTPUTF8)",
                )
            try:
                data, message_id = self._build(message, recipient, session)
            except ValueError:  # a line break in a header value, literal or encoded
                return SendResult(
                    accepted=False, permanent_error="email: a header value has a line break"
                )
            options = ["BODY=8BITMIME"] if session.eight_bit else []
            if recipient.needs_smtputf8:  # the relay offers it (checked above)
                options.append("SMTPUTF8")
            try:
                code, reply = session.smtp.mail(self._sender, options)
            except (OSError, smtplib.SMTPException) as exc:
                self._drop(session)
                if reused:
                    continue
                raise TransientSendError(f"smtp: connection lost ({_describe(exc)})") from None
            if code == 250:
                return session, data, message_id
            if code == 421:  # the relay is closing this connection
                self._drop(session)
                if reused:
                    continue
            else:
                self._reset(session)
            text = _scrub(reply, recipient)
            if 400 <= code < 500:
                raise TransientSendError(f"smtp {code} on MAIL FROM: {text}")
            raise ProviderConfigError(f"smtp {code} on MAIL FROM (Herald's sender): {text}")

    def _refused(
        self, stage: str, code: int, reply: bytes | str, recipient: _Recipient
    ) -> SendResult:
        text = _scrub(reply, recipient)
        if 400 <= code < 500:
            raise TransientSendError(f"smtp {code} on {stage}: {text}")
        # 530 (authenticate first) and relay refusals are about Herald, not this recipient:
        # marking every recipient refused for good would end the campaign's email silently.
        if code in (530, 535) or "relay" in text.lower():
            raise ProviderConfigError(f"smtp {code} on {stage}: the relay refuses Herald: {text}")
        return SendResult(accepted=False, permanent_error=f"smtp {code}: {text}")

    # ---- the message ---------------------------------------------------------------------

    def _build(
        self, message: OutgoingMessage, recipient: _Recipient, session: _Session
    ) -> tuple[bytes, str]:
        """The message as DATA bytes, and its Message-ID."""
        # Python before 3.11.10 (CVE-2024-6923) decodes an RFC 2047 encoded word in a
        # display name and writes what it decodes to, line breaks included, into the
        # header: "=?utf-8?q?x=0D=0ABcc:...?=" would add a Bcc. No real name has one.
        name = "" if "=?" in message.recipient_name else message.recipient_name
        if recipient.needs_smtputf8:
            chosen = _POLICY_UTF8
            # The stdlib refuses a non-ASCII local part in `Address(addr_spec=...)`, so the
            # parts are given apart; the display name is still the one `mailbox` cleaned.
            cleaned = mailbox(name, self._sender).display_name
            to = Address(display_name=cleaned, username=recipient.local, domain=recipient.domain)
        else:
            chosen = _POLICY_8BIT if session.eight_bit else _POLICY_7BIT
            to = mailbox(name, recipient.address)
        msg = EmailMessage(policy=chosen)
        msg["From"] = self._from
        msg["To"] = to
        msg["Subject"] = message.subject or ""
        msg["Date"] = mime.date_now()
        # As the outbox derives it, so a resent message keeps its Message-ID.
        message_id = mime.message_id(message.idempotency_key, self._domain)
        msg["Message-ID"] = message_id
        msg["X-Herald-Incident"] = message.incident_id
        msg["X-Herald-Content-Hash"] = message.content_hash
        mime.set_body(msg, message.text(), message.html_text())
        # After the body: setting content drops every Content-* header.
        msg["Content-Language"] = message.language
        data = msg.as_bytes()
        if not mime.headers_intact(data, _OWN_HEADERS):
            raise ValueError("a header value broke out of its header")
        return data, message_id

    # ---- connections ---------------------------------------------------------------------

    def _session(self) -> _Session:
        session: _Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._open()
            self._local.session = session
            with self._all_lock:
                self._all.append(session)
        return session

    def _open(self) -> _Session:
        settings = self._settings
        host, port = str(settings.smtp_host), settings.smtp_port
        timeout = settings.provider_timeout_seconds
        smtp: smtplib.SMTP | None = None
        try:
            if port == _IMPLICIT_TLS_PORT:
                smtp = smtplib.SMTP_SSL(
                    host, port, self._local_hostname, timeout=timeout, context=self._tls
                )
            else:
                smtp = smtplib.SMTP(host, port, self._local_hostname, timeout=timeout)
            smtp.ehlo()
            if settings.smtp_starttls and port != _IMPLICIT_TLS_PORT:
                if not smtp.has_extn("starttls"):
                    raise ProviderConfigError(
                        "smtp: the relay does not offer STARTTLS (HERALD_SMTP_STARTTLS is on)"
                    )
                smtp.starttls(context=self._tls)
                smtp.ehlo()
            if settings.smtp_username:
                secret = settings.smtp_password
                smtp.login(settings.smtp_username, secret.get_secret_value() if secret else "")
        except BaseException as exc:
            if smtp is not None:
                smtp.close()
            if isinstance(exc, (OSError, smtplib.SMTPException)):
                raise _connect_error(exc) from None
            raise
        return _Session(smtp, smtp.has_extn("8bitmime"), smtp.has_extn("smtputf8"))

    def _reset(self, session: _Session) -> None:
        """End the transaction so the connection can carry the next message."""
        try:
            session.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self._drop(session)

    def _drop(self, session: _Session) -> None:
        session.smtp.close()
        if getattr(self._local, "session", None) is session:
            self._local.session = None
        with self._all_lock:
            if session in self._all:
                self._all.remove(session)


def _connect_error(exc: OSError) -> Exception:
    """What a failure while connecting, securing or logging in means for the campaign."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return ProviderConfigError(
            f"smtp {exc.smtp_code}: the relay refused HERALD_SMTP_USERNAME/PASSWORD"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return ProviderConfigError("smtp: the relay offers no AUTH (HERALD_SMTP_USERNAME is set)")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ProviderConfigError(
            f"smtp: the relay's TLS certificate did not verify ({exc.verify_message})"
        )
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500:
        return ProviderConfigError(f"smtp {exc.smtp_code}: the relay refused the connection")
    if isinstance(exc, smtplib.SMTPResponseException):
        return TransientSendError(f"smtp {exc.smtp_code}: the relay is not taking mail now")
    return TransientSendError(f"smtp: cannot reach the relay ({_describe(exc)})")


def _describe(exc: OSError) -> str:
    """A connection failure in words: the class and the socket's or smtplib's own text
    (never a relay reply, which can quote an address)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__} {exc.smtp_code}"
    text = " ".join(str(exc).split())[:_REPLY_MAX]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _scrub(reply: bytes | str, recipient: _Recipient) -> str:
    """The relay's reply text without the recipient's address or either of its parts."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    text = _EMAILISH.sub("address", " ".join(text.split()))
    for part in (recipient.address, recipient.local, recipient.domain):
        if len(part) >= 3:
            text = re.sub(re.escape(part), "address", text, flags=re.IGNORECASE)
    return text[:_REPLY_MAX]
