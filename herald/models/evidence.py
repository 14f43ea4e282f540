"""What an incident leaves behind: facts as they changed, receipts, the evidence record.

The evidence pack (`herald evidence`) and the breach register (`herald register`) are built
from these models. Files a person attaches (a portal's receipt, `ReceiptRef`) never travel
in workflow payloads: they are stored under the evidence folder and only their name, size
and SHA-256 enter the incident's history, so the pack can prove the stored file is the one
recorded.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from herald.models.drafts import Draft
from herald.models.facts import IncidentFacts
from herald.models.incident import IncidentStatus
from herald.models.obligations import RegimeDecision


class FactsVersion(BaseModel):
    """One version of the facts, as a person (or the intake) gave it."""

    version: int
    at: datetime
    actor: str
    facts: IncidentFacts


class EvidenceRecord(BaseModel):
    """Everything the evidence pack holds, as the incident workflow knows it."""

    status: IncidentStatus = Field(description="the live state; drafts without their history")
    drafts: list[Draft] = Field(description="every draft with every earlier version")
    facts_history: list[FactsVersion]
    generated_at: datetime


class RegisterEntry(BaseModel):
    """One incident in the breach register (GDPR Art. 33(5)): also those that needed no
    notification, with the facts, effects, remedial action and the reasoning."""

    incident_id: str
    title: str
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    phase: str
    aware_at: datetime
    jurisdictions: list[str]
    affected: int
    data_categories: list[str]
    risk: str | None
    risk_reasons: list[str] = Field(default_factory=list)
    description: str
    remediation: str
    notification_required: bool
    obligations: list[str] = Field(description="ids of the obligations that applied")
    decisions: list[RegimeDecision] = Field(description="what each regime decided, and why")
    reports: dict[str, str] = Field(
        default_factory=dict, description="report id -> status (submitted, late, closed …)"
    )
    waived: dict[str, str] = Field(default_factory=dict, description="obligation -> reason")
