"""Delivery: what a campaign did, in counts (never in names)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from herald.models.vocabulary import Channel


class DeliverySummary(BaseModel):
    """Totals for one campaign (obligation x channel)."""

    obligation_id: str
    channel: Channel
    targeted: int = 0
    sent: int = 0
    already_sent: int = Field(default=0, description="skipped because the ledger had them")
    failed: int = 0
    unreachable: int = Field(
        default=0, description="covered people with no contact point on an approved channel"
    )
    undeliverable: int = Field(
        default=0,
        description="covered people every one of whose contact points failed for good",
    )
    unknown: int = Field(
        default=0, description="interrupted mid-send; held for a person to decide (resend)"
    )
    completed: bool = False

    def add(self, other: DeliverySummary) -> DeliverySummary:
        """Sum two partial summaries of the same campaign."""
        return self.model_copy(
            update={
                "targeted": self.targeted + other.targeted,
                "sent": self.sent + other.sent,
                "already_sent": self.already_sent + other.already_sent,
                "failed": self.failed + other.failed,
                "unreachable": self.unreachable + other.unreachable,
                "undeliverable": self.undeliverable + other.undeliverable,
                "unknown": self.unknown + other.unknown,
            }
        )


# The incident workflow's signal that carries `ReceiptCounts` (sent by the receipt webhooks).
RECEIPTS_SIGNAL = "record_receipts"
# ... and the one that carries `DeliveriesReleased` (sent by `herald deliveries resend`).
RELEASED_SIGNAL = "deliveries_released"


class DeliveriesReleased(BaseModel):
    """A person released deliveries held as `unknown` after a crash: send them again."""

    channel: Channel | None = Field(default=None, description="None: every channel")
    count: int = Field(ge=0)
    actor: str = Field(min_length=1)


class ReceiptCounts(BaseModel):
    """What provider delivery receipts changed in the ledger, for one incident and channel.

    Only real transitions are counted (a duplicate receipt changes nothing), so these can be
    added up without double counting.
    """

    channel: Channel
    delivered: int = Field(default=0, ge=0)
    bounced: int = Field(default=0, ge=0)
    failed: int = Field(default=0, ge=0, description="undelivered after the provider took it")

    def any(self) -> bool:
        """Whether anything changed."""
        return bool(self.delivered or self.bounced or self.failed)
