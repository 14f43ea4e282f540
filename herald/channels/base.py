"""The interface every delivery channel adapter implements (outbox, SendGrid, Twilio, FCM,
SMTP, letters)."""

from __future__ import annotations

import hashlib
import time
import unicodedata
from collections.abc import Mapping, Sequence
from email.headerregistry import Address
from email.utils import parsedate_to_datetime
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from herald.models.drafts import RECIPIENT_NAME_TOKEN
from herald.models.vocabulary import Channel
from herald.rendering import layout

__all__ = [
    "ChannelAdapter",
    "address_lines",
    "OutgoingMessage",
    "PartiallySentError",
    "ProviderConfigError",
    "SendResult",
    "TransientSendError",
    "make_idempotency_key",
    "display_name",
    "mailbox",
    "retry_after_seconds",
]


def make_idempotency_key(incident_id: str, person_id: str, channel: Channel) -> str:
    """A stable key for "this incident's notice to this person on this channel".

    The same triple is the delivery ledger's unique key, so a retried send reuses the key and
    a provider (or the outbox) that honours it never delivers twice. It is a hash, so it can
    go into provider metadata and file names without carrying the person's id.
    """
    raw = "\x1f".join((incident_id, person_id, channel.value))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class OutgoingMessage(BaseModel):
    """One message to one recipient: the approved text and who it goes to.

    `body` and `html` are the approved content exactly as approved, with
    `RECIPIENT_NAME_TOKEN` where the recipient's name goes. Adapters that send one request
    per person fill it in with `text()` / `html_text()`; batch adapters (SendGrid) send the
    approved content once per batch and let the provider substitute the name, so every
    recipient gets the approved content.
    """

    model_config = ConfigDict(frozen=True)

    incident_id: str = Field(min_length=1)
    person_id: str = Field(min_length=1)
    channel: Channel
    to: str = Field(min_length=1, description="email, E.164 number, push token or address")
    recipient_name: str = Field(default="", description="the person's name as in the population")
    greeting_name: str = Field(default="", description="fills the name token (name or fallback)")
    subject: str | None = None
    body: str
    language: str = "en"
    html: str | None = Field(default=None, description="an email's HTML part (from the body)")
    link: str | None = Field(default=None, description="a push notification's deep link")
    content_hash: str = Field(description="hash of the approved draft this message renders")
    idempotency_key: str = Field(min_length=1)

    def text(self) -> str:
        """The body with the recipient's name filled in."""
        return self.body.replace(RECIPIENT_NAME_TOKEN, self.greeting_name)

    def html_text(self) -> str | None:
        """The HTML part with the name filled in, escaped (a name is data, never markup)."""
        if self.html is None:
            return None
        return layout.personalise_html(self.html, self.greeting_name)


class SendResult(BaseModel):
    """What a provider said about one message.

    Transient failures (timeouts, rate limits, 5xx) are raised as `TransientSendError` so that
    the send is retried; a result with `accepted=False` is a permanent refusal of this one
    recipient (invalid number, unsubscribed address, unregistered token) that retrying
    cannot fix. `permanent_error` never contains the recipient's address or number.
    """

    model_config = ConfigDict(frozen=True)

    provider_message_id: str | None = None
    accepted: bool
    permanent_error: str | None = None


class TransientSendError(Exception):
    """Nothing in the request was accepted; sending it again later may work.

    `retry_after` is the provider's own wait (HTTP 429 `Retry-After`), in seconds.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        """Describe the failure (no personal data) and the provider's requested wait."""
        super().__init__(message)
        self.retry_after = retry_after


class PartiallySentError(TransientSendError):
    """A batch failed transiently after part of it was accepted (a split SendGrid batch).

    `results` say which messages the provider already has (an accepted or refused
    `SendResult`) and which it does not (None): the caller records the former and sends
    only the latter again.
    """

    def __init__(
        self, message: str, results: list[SendResult | None], *, retry_after: float | None
    ) -> None:
        """Describe the failure and the outcome so far of every message, in order."""
        super().__init__(message, retry_after=retry_after)
        self.results = results


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The wait a provider asks for in `Retry-After` (seconds or an HTTP date), if any."""
    if not headers:
        return None
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class ProviderConfigError(Exception):
    """The provider refused Herald itself (bad credentials, unknown sender): retrying, or
    moving on to the next person, cannot help, so the campaign stops and says why.

    `results`, when given, say what the provider had already settled before the refusal
    (a split SendGrid batch), as `PartiallySentError.results` do.
    """

    def __init__(self, message: str, *, results: list[SendResult | None] | None = None) -> None:
        """Describe the refusal (no personal data) and, if any, the outcomes so far."""
        super().__init__(message)
        self.results = results


@runtime_checkable
class ChannelAdapter(Protocol):
    """A way of delivering messages.

    `send_batch` is called with at most `max_batch` messages of one channel. It either
    returns one `SendResult` per message, in order, or raises `TransientSendError` /
    `ProviderConfigError` having sent none of them (a batch is one provider request, or
    `max_batch` is 1) — unless the error carries `results` saying which messages the
    provider settled before it failed (`PartiallySentError`). `lookup` answers, after a
    crash, whether the provider has each message (True/False per message) or None when
    the provider cannot tell.
    """

    name: str
    max_batch: int

    def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[SendResult]:
        """Hand the messages to the provider."""
        ...

    def lookup(self, messages: Sequence[OutgoingMessage]) -> list[bool] | None:
        """Whether the provider already has each message; None if it cannot tell."""
        ...


# Long enough for any real name; short enough that no header line needs folding, which
# Python 3.11 gets wrong for quoted names (a "<x@y>" inside one could become the address).
DISPLAY_NAME_MAX = 200


def mailbox(name: str, addr_spec: str) -> Address:
    """An address header value whose display name can never change the address.

    Control characters and line breaks become spaces (a name from a population row or
    typed by a responder is data, never a header), and the name is cut to
    `DISPLAY_NAME_MAX` characters.
    """
    return Address(display_name=display_name(name), addr_spec=addr_spec)


def address_lines(address: str) -> list[str]:
    """A postal address as the lines of an envelope window.

    Populations give the address in one field: its own lines when it has several, or (the
    one-line form a CSV cell usually holds) "100 Example Avenue, Suite 1, Ontario, CA 91761"
    split at its commas.
    """
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    if len(lines) == 1:
        lines = [part.strip() for part in lines[0].split(",") if part.strip()]
    return lines


def display_name(name: str) -> str:
    """A recipient's name made safe to show beside an address: control characters and line
    breaks become spaces, runs of spaces one, at most `DISPLAY_NAME_MAX` characters.

    "=?" is broken up: Python before 3.11.10 decodes RFC 2047 encoded words in a display
    name and writes the decoded text out raw, line breaks included (CVE-2024-6923), so a
    name like "=?utf-8?q?x=0D=0ABcc:...?=" would add a header.
    """
    if name.isprintable():  # the common case, without a pass per character
        cleaned = name
    else:
        cleaned = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in name)
    return " ".join(cleaned.replace("=?", "= ?").split())[:DISPLAY_NAME_MAX]
