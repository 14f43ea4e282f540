"""Incident state as the workflow holds it and the `status` query returns it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from herald.models.assessment import Assessment
from herald.models.delivery import DeliverySummary, ReceiptCounts
from herald.models.drafts import ChannelLimits, Draft
from herald.models.facts import IncidentFacts
from herald.models.obligations import Obligation, RegimeDecision
from herald.models.population import PopulationSource
from herald.models.profile import OrganisationProfile
from herald.models.reports import RegulatorReport
from herald.models.vocabulary import PERSONAL_CHANNELS, Channel, Phase
from herald.reminders import ReminderPolicy


class TimelineEvent(BaseModel):
    """One thing that happened, who did it and when; the backbone of the evidence pack."""

    at: datetime
    actor: str
    kind: str
    detail: str = ""


class Waiver(BaseModel):
    """An obligation a person decided not to fulfil, with the reason (kept as evidence)."""

    obligation_id: str
    actor: str
    reason: str
    at: datetime


class IncidentInput(BaseModel):
    """Starts an IncidentWorkflow."""

    incident_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    facts: IncidentFacts
    population: PopulationSource | None = None
    commander: str = Field(min_length=1)
    approvals_required: int = Field(default=2, ge=1, le=5)
    channel_order: list[Channel] = Field(
        default_factory=lambda: [Channel.EMAIL, Channel.SMS, Channel.LETTER]
    )
    team_contacts: list[str] = Field(
        default_factory=list, description="where deadline reminders go (emails)"
    )
    profile: OrganisationProfile | None = Field(
        default=None, description="the organisation's promises this incident honours"
    )
    limits: ChannelLimits = Field(
        default_factory=ChannelLimits, description="SMS segments and push lengths drafts keep to"
    )
    reminders: ReminderPolicy = Field(
        default_factory=ReminderPolicy, description="when deadlines are recalled, and to whom"
    )
    search_attributes: bool = Field(
        default=False,
        description="publish phase, severity, next deadline and open obligations as typed "
        "search attributes (herald.models.search); the server must have them registered",
    )

    @field_validator("channel_order")
    @classmethod
    def _personal_channels(cls, channels: list[Channel]) -> list[Channel]:
        for channel in channels:
            if channel not in PERSONAL_CHANNELS:
                raise ValueError(f"{channel} does not reach a person")
        return channels


class IncidentStatus(BaseModel):
    """Everything the console, API and CLI show about one incident."""

    incident_id: str
    phase: Phase
    commander: str
    profile: str | None = Field(default=None, description="slug of the organisation profile")
    approvals_required: int
    facts: IncidentFacts
    facts_version: int
    population: PopulationSource | None
    assessment: Assessment | None
    obligations: list[Obligation]
    decisions: list[RegimeDecision]
    drafts: list[Draft]
    reports: list[RegulatorReport]
    deliveries: list[DeliverySummary]
    receipts: list[ReceiptCounts] = Field(
        default_factory=list, description="delivered / bounced / failed per channel, from providers"
    )
    waivers: list[Waiver]
    timeline: list[TimelineEvent]
    open_obligations: list[str] = Field(description="obligations neither met nor waived")
    next_deadline: datetime | None = None
    closed_at: datetime | None = None

    @property
    def settled(self) -> bool:
        """Not in the middle of re-judging facts (when closing and revising are refused)."""
        return self.phase not in (Phase.ASSESSING, Phase.DRAFTING)

    @property
    def closable(self) -> bool:
        """Every obligation is met or waived and no re-judgement is under way."""
        return self.settled and not self.open_obligations


class IncidentResult(BaseModel):
    """What an IncidentWorkflow returns when the incident is closed."""

    incident_id: str
    phase: Phase
    closed_at: datetime
    obligations: int
    waived: int
    deliveries: list[DeliverySummary]
    reports: list[RegulatorReport]
