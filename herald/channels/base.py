"""The interface every delivery channel adapter implements (outbox, SendGrid, Twilio, FCM)."""

from __future__ import annotations

import hashlib
import unicodedata
from email.headerregistry import Address
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from herald.models.vocabulary import Channel

__all__ = ["ChannelAdapter", "OutgoingMessage", "SendResult", "make_idempotency_key"]


def make_idempotency_key(incident_id: str, person_id: str, channel: Channel) -> str:
    """A stable key for "this incident's notice to this person on this channel".

    The same triple is the delivery ledger's unique key, so a retried send reuses the key and
    a provider (or the outbox) that honours it never delivers twice. It is a hash, so it can
    go into provider metadata and file names without carrying the person's id.
    """
    raw = "\x1f".join((incident_id, person_id, channel.value))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class OutgoingMessage(BaseModel):
    """One message to one recipient, ready to send (personalised, approved text)."""

    model_config = ConfigDict(frozen=True)

    incident_id: str = Field(min_length=1)
    person_id: str = Field(min_length=1)
    channel: Channel
    to: str = Field(min_length=1, description="email, E.164 number, push token or address")
    recipient_name: str = ""
    subject: str | None = None
    body: str
    language: str = "en"
    html: str | None = Field(default=None, description="an email's HTML part (from the body)")
    link: str | None = Field(default=None, description="a push notification's deep link")
    content_hash: str = Field(description="hash of the approved draft this message renders")
    idempotency_key: str = Field(min_length=1)


class SendResult(BaseModel):
    """What a provider said about one message.

    Transient failures (timeouts, rate limits, 5xx) are raised as exceptions so that the
    activity retries; a result with `accepted=False` is a permanent refusal (invalid
    number, unsubscribed address) that retrying cannot fix.
    """

    model_config = ConfigDict(frozen=True)

    provider_message_id: str | None = None
    accepted: bool
    permanent_error: str | None = None


@runtime_checkable
class ChannelAdapter(Protocol):
    """A way of delivering messages; `send` must be idempotent per `idempotency_key`."""

    name: str

    def send(self, message: OutgoingMessage) -> SendResult:
        """Hand one message to the provider; raise on transient failure."""
        ...


# Long enough for any real name; short enough that no header line needs folding, which
# Python 3.11 gets wrong for quoted names (a "<x@y>" inside one could become the address).
DISPLAY_NAME_MAX = 200


def mailbox(display_name: str, addr_spec: str) -> Address:
    """An address header value whose display name can never change the address.

    Control characters and line breaks become spaces (a name from a population row or
    typed by a responder is data, never a header), and the name is cut to
    `DISPLAY_NAME_MAX` characters.
    """
    cleaned = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in display_name)
    return Address(display_name=" ".join(cleaned.split())[:DISPLAY_NAME_MAX], addr_spec=addr_spec)
