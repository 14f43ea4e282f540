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
            }
        )
