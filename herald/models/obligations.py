"""Obligations: one thing the law or the organisation's policy requires."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from herald.models.vocabulary import Audience, Channel


class Obligation(BaseModel):
    """Who must be told, by when, with what content, under which provision.

    The first seven fields are the public contract of `herald obligations --json`.
    """

    regime: str
    audience: Audience
    recipient: str
    due_at: datetime | None = Field(description="UTC instant, or None for a standard")
    deadline: str = Field(description="the rule in words")
    citation: str
    required_content: list[str] = Field(default_factory=list)
    id: str = Field(description="stable across re-evaluation: regime, audience, recipient")
    clock: str = Field(default="awareness", description="which instant starts the clock")
    clock_started_at: datetime | None = None
    jurisdictions: list[str] = Field(
        default_factory=list, description="the affected jurisdictions this obligation covers"
    )
    affected_count: int = 0
    channels: list[Channel] = Field(default_factory=list)
    contact: str = Field(default="", description="how to reach the recipient (portal, email)")
    language: str = "en"
    drafted: bool = Field(
        default=True, description="False for a standing promise tracked without drafts"
    )
    posting_days: int | None = Field(
        default=None, description="how long a public notice must stay posted, in days"
    )
    reasons: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class RegimeDecision(BaseModel):
    """What one regime decided for an incident and why, including 'nothing applies'."""

    regime: str
    applies: bool
    reasons: list[str] = Field(default_factory=list)
    obligations: list[str] = Field(default_factory=list, description="obligation ids")


class Evaluation(BaseModel):
    """The result of evaluating every regime for one set of facts."""

    obligations: list[Obligation] = Field(default_factory=list)
    decisions: list[RegimeDecision] = Field(default_factory=list)
