"""The outbox channel: every message becomes a file a person can open and read.

Used by the demo, the tests and any deployment without provider accounts. Layout:

    <root>/<incident_id>/<channel>/<key hash>.<eml|json|txt>
    <root>/<incident_id>/<folder>/<name>.eml          (write_document: reports, reminders)

Email is an RFC 5322 `.eml` (opens in any mail client), SMS, push and voice are `.json`,
letters are `.txt` with the postal address block on top. File names are hashes of the
idempotency key, never names or addresses. Files are written to a temporary name and renamed
into place, so a crash never leaves a half-written message, and a second write with the same
idempotency key leaves the first file as it is.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

from herald.channels import mime
from herald.channels.base import OutgoingMessage, SendResult, address_lines, mailbox
from herald.models.drafts import content_hash
from herald.models.vocabulary import Channel
from herald.rendering import voice

__all__ = ["DEFAULT_SENDER", "OutboxChannel"]

DEFAULT_SENDER = "Herald Notifications <notifications@herald.example>"

_EXTENSIONS: dict[Channel, str] = {
    Channel.EMAIL: "eml",
    Channel.REPORT: "eml",
    Channel.SMS: "json",
    Channel.PUSH: "json",
    Channel.VOICE: "json",
    Channel.LETTER: "txt",
    Channel.WEB: "txt",
}
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


class OutboxChannel:
    """A `ChannelAdapter` that writes messages under a folder instead of sending them."""

    name = "outbox"

    def __init__(self, root: Path, *, sender: str = DEFAULT_SENDER, fsync: bool = False) -> None:
        """Create an outbox writing under `root` (created on first write).

        Args:
            root: The outbox folder, usually `get_settings().outbox_dir`.
            sender: The From of every `.eml`, e.g. "Example Ltd <privacy@example.com>".
            fsync: Also flush each file to disk before renaming it into place. The rename
                alone already survives a killed process; fsync adds power-loss safety at a
                large cost in throughput.
        """
        self.root = Path(root)
        self.sender = sender
        self.fsync = fsync

    # ---- ChannelAdapter ------------------------------------------------------------------

    max_batch = 1000

    def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[SendResult]:
        """`send` each message (files are independent, so a batch is just a loop)."""
        return [self.send(message) for message in messages]

    def lookup(self, messages: Sequence[OutgoingMessage]) -> list[bool]:
        """Whether each message's file exists (the outbox can always tell)."""
        return [self.exists(message) for message in messages]

    def send(self, message: OutgoingMessage) -> SendResult:
        """Write `message` to its file unless a file for its idempotency key exists.

        Returns an accepted result whose `provider_message_id` is the file's path relative to
        the outbox root, or a permanent error when the message cannot be written as such
        (e.g. a line break in a header).
        """
        path = self.path_for(message)
        if not path.exists():
            try:
                data = self._render(message)
            except ValueError as exc:
                return SendResult(accepted=False, permanent_error=f"unwritable message: {exc}")
            self._write_atomic(path, data)
        return SendResult(accepted=True, provider_message_id=self._relative(path))

    # ---- reconciliation ------------------------------------------------------------------

    def path_for(self, message: OutgoingMessage) -> Path:
        """Where `message` is (or would be) written."""
        return self.key_path(message.incident_id, message.channel, message.idempotency_key)

    def key_path(self, incident_id: str, channel: Channel, idempotency_key: str) -> Path:
        """Where the message with this idempotency key is (or would be) written."""
        folder = self.root / mime.safe_component(incident_id) / channel.value
        return folder / f"{mime.digest(idempotency_key)}.{_EXTENSIONS[channel]}"

    def exists(self, message: OutgoingMessage) -> bool:
        """Whether `message` was written, for reconciling ledger rows left in `sending`."""
        return self.path_for(message).exists()

    def has(self, incident_id: str, channel: Channel, idempotency_key: str) -> bool:
        """Like `exists`, from the key alone (no need to re-render the message)."""
        return self.key_path(incident_id, channel, idempotency_key).exists()

    # ---- documents -----------------------------------------------------------------------

    def write_document(
        self,
        incident_id: str,
        *,
        folder: str,
        name: str,
        to: Sequence[str],
        subject: str,
        body: str,
        attachments: Sequence[tuple[str, bytes, str]] = (),
    ) -> Path:
        """Write an `.eml` to an authority or the response team (reports, reminders).

        Writing the same `folder`/`name` again replaces the document atomically.

        Args:
            incident_id: The incident the document belongs to.
            folder: A folder under the incident, e.g. "reports" or "reminders".
            name: The document's name, e.g. a report id and phase; characters that are unsafe
                in a file name become "-".
            to: Recipient addresses (the authority's or the team's).
            subject: The email subject.
            body: The plain-text body.
            attachments: (file name, content, MIME type) of each attachment, e.g. a report
                as PDF.

        Returns:
            The path of the written file.
        """
        safe_name = _UNSAFE_CHARS.sub("-", name).strip(".-") or "document"
        path = (
            self.root
            / mime.safe_component(incident_id)
            / mime.safe_component(folder)
            / f"{safe_name}.eml"
        )
        key = f"{incident_id}/{folder}/{safe_name}"
        msg = self._email_headers(
            incident_id, key, content_hash(subject, body), to=", ".join(to), subject=subject
        )
        mime.set_body(msg, body)
        for filename, content, mime_type in attachments:
            maintype, _, subtype = mime_type.partition("/")
            msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
        self._write_atomic(path, msg.as_bytes())
        return path

    def message_id(self, path: Path) -> str:
        """The Message-ID of a document written by `write_document` (a filing's reference)."""
        with path.open("rb") as handle:
            for raw in handle:
                line = raw.decode("utf-8", "replace")
                if line.lower().startswith("message-id:"):
                    return line.split(":", 1)[1].strip()
                if not line.strip():
                    break
        raise ValueError(f"{path.name} has no Message-ID")

    # ---- rendering -----------------------------------------------------------------------

    def _render(self, message: OutgoingMessage) -> bytes:
        if message.channel in (Channel.EMAIL, Channel.REPORT):
            msg = self._email_headers(
                message.incident_id,
                message.idempotency_key,
                message.content_hash,
                to=mailbox(message.recipient_name, message.to),
                subject=message.subject,
            )
            msg["X-Herald-Channel"] = mime.header("X-Herald-Channel", message.channel.value)
            mime.set_body(msg, message.text(), message.html_text())
            # After the body: setting content drops every Content-* header.
            msg["Content-Language"] = mime.header("Content-Language", message.language)
            return msg.as_bytes()
        if message.channel in (Channel.LETTER, Channel.WEB):
            return _letter(message).encode()
        return _json_message(message).encode()

    def _email_headers(
        self, incident_id: str, key: str, digest: str, *, to: str | Address, subject: str | None
    ) -> EmailMessage:
        msg = EmailMessage(policy=mime.EMAIL_POLICY)
        msg["From"] = mime.header("From", self.sender)
        msg["To"] = to
        if subject is not None:
            msg["Subject"] = mime.header("Subject", subject)
        msg["Date"] = mime.header("Date", mime.date_now())
        domain = parseaddr(self.sender)[1].rpartition("@")[2] or "herald.example"
        msg["Message-ID"] = mime.message_id(key, domain)
        msg["X-Herald-Incident"] = mime.header("X-Herald-Incident", incident_id)
        msg["X-Herald-Content-Hash"] = mime.header("X-Herald-Content-Hash", digest)
        return msg

    def _write_atomic(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Same folder as the target, so os.replace is an atomic rename on one file system.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                if self.fsync:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def _json_message(message: OutgoingMessage) -> str:
    payload: dict[str, object] = {
        "channel": message.channel.value,
        "incident_id": message.incident_id,
        "to": message.to,
        "recipient_name": message.recipient_name,
    }
    if message.channel is Channel.VOICE:
        # A voice call is read out: what is said, in order, and the TwiML Twilio would run.
        payload["script"] = voice.sentences(message.text())
        payload["twiml"] = voice.twiml(message.text(), message.language)
    else:
        if message.subject is not None:
            payload["title" if message.channel is Channel.PUSH else "subject"] = message.subject
        payload["body"] = message.text()
        if message.link:
            payload["link"] = message.link
    payload["content_hash"] = message.content_hash
    payload["idempotency_key"] = message.idempotency_key
    payload["written_at"] = datetime.now(UTC).isoformat()
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _letter(message: OutgoingMessage) -> str:
    lines = [message.recipient_name] if message.recipient_name else []
    if message.channel is Channel.LETTER:
        lines += address_lines(message.to)
    lines.append("")
    if message.subject:
        lines += [message.subject, ""]
    lines.append(message.text().rstrip("\n"))
    return "\n".join(lines) + "\n"
