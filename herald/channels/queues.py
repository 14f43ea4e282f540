"""Task queue names: the main queue and one per delivery channel (shared by worker and
workflows, so both sides agree without configuration)."""

from __future__ import annotations

from herald.models.vocabulary import PERSONAL_CHANNELS, Channel

__all__ = ["DELIVERY_CHANNELS", "channel_queue"]

# Channels a campaign sends on, each on its own queue.
DELIVERY_CHANNELS: tuple[Channel, ...] = PERSONAL_CHANNELS


def channel_queue(main_queue: str, channel: Channel) -> str:
    """`herald.sms` for the SMS batches of workers on `herald`."""
    return f"{main_queue}.{channel.value}"
