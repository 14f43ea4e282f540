"""Delivery channels: one adapter per provider behind the small interface in `base`."""

from herald.channels.base import (
    ChannelAdapter,
    OutgoingMessage,
    SendResult,
    make_idempotency_key,
)
from herald.channels.outbox import OutboxChannel

__all__ = [
    "ChannelAdapter",
    "OutboxChannel",
    "OutgoingMessage",
    "SendResult",
    "make_idempotency_key",
]
