"""Inputs and results of updates, signals, activities and child workflows.

One input model and one result model each, so that a field can be added without breaking
the signature of a running workflow (see docs/architecture.md on replay safety).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from herald.models.assessment import Assessment
from herald.models.delivery import DeliverySummary
from herald.models.drafts import ChannelLimits, Draft, RenderedDraft, SkippedTranslation
from herald.models.evidence import RegisterEntry
from herald.models.facts import IncidentFacts
from herald.models.obligations import Evaluation, Obligation
from herald.models.population import PopulationSource
from herald.models.reports import ReceiptRef, RegulatorReport
from herald.models.vocabulary import Channel, DraftState, Phase, ReportStatus
from herald.reminders import ReminderPolicy

# ---- updates on IncidentWorkflow -------------------------------------------------------


class UpdateFactsInput(BaseModel):
    facts: IncidentFacts
    actor: str = Field(min_length=1)


class UpdateFactsResult(BaseModel):
    facts_version: int
    obligations: int
    drafts_changed: list[str]
    deadlines_moved: list[str]


class DraftQuery(BaseModel):
    """Asks for one draft with every earlier version (the `status` query leaves them out)."""

    draft_id: str


class ApproveDraftInput(BaseModel):
    draft_id: str
    approver: str = Field(min_length=1)
    content_hash: str = Field(description="the hash the approver saw; binds the approval")
    comment: str = ""


class RequestChangesInput(BaseModel):
    draft_id: str
    reviewer: str = Field(min_length=1)
    comment: str = Field(min_length=1)


class ReviseDraftInput(BaseModel):
    draft_id: str
    author: str = Field(min_length=1)
    subject: str | None = None
    body: str = Field(min_length=1)


class DraftDecisionResult(BaseModel):
    draft_id: str
    version: int
    state: DraftState
    approvals: int
    approvals_required: int


class RecordRegulatorStatusInput(BaseModel):
    report_id: str
    status: ReportStatus
    actor: str = Field(min_length=1)
    reference: str | None = Field(default=None, max_length=200)
    note: str = Field(default="", max_length=5_000)
    occurred_at: datetime | None = Field(
        default=None, description="when it happened (a portal submission made earlier)"
    )
    receipt: ReceiptRef | None = None


class RecordRegulatorStatusResult(BaseModel):
    report: RegulatorReport


class WaiveObligationInput(BaseModel):
    obligation_id: str
    actor: str = Field(min_length=1)
    reason: str = Field(min_length=10, description="kept as evidence; say why")


class WaiveObligationResult(BaseModel):
    obligation_id: str
    open_obligations: list[str]


class CloseIncidentInput(BaseModel):
    actor: str = Field(min_length=1)
    note: str = ""


class CloseIncidentResult(BaseModel):
    incident_id: str
    phase: Phase
    closed_at: datetime


# ---- activities ------------------------------------------------------------------------


class AssessPopulationInput(BaseModel):
    incident_id: str
    source: PopulationSource
    channel_order: list[Channel]


class AssessPopulationResult(BaseModel):
    assessment: Assessment


class EvaluateObligationsInput(BaseModel):
    facts: IncidentFacts
    assessment: Assessment | None = None
    notified: dict[str, datetime] = Field(
        default_factory=dict, description="obligation id -> when it was fulfilled"
    )


class EvaluateObligationsResult(BaseModel):
    facts: IncidentFacts = Field(description="the facts as judged: affected from the population")
    assessment: Assessment = Field(description="with the risk level and its reasons")
    evaluation: Evaluation


class RenderDraftsInput(BaseModel):
    incident_id: str
    facts: IncidentFacts
    obligations: list[Obligation]
    assessment: Assessment | None = None
    channel_order: list[Channel]
    limits: ChannelLimits = Field(default_factory=ChannelLimits)


class RenderDraftsResult(BaseModel):
    drafts: list[RenderedDraft]
    skipped: list[SkippedTranslation] = Field(default_factory=list)


class ApprovedMessage(BaseModel):
    """The approved text of one draft, carried to delivery (incident-level, no PII)."""

    draft_id: str
    channel: Channel
    language: str
    subject: str | None
    body: str
    link: str | None = None
    content_hash: str

    @classmethod
    def of(cls, draft: Draft) -> ApprovedMessage:
        """The approved text of a draft."""
        return cls(
            draft_id=draft.id,
            channel=draft.channel,
            language=draft.language,
            subject=draft.subject,
            body=draft.body,
            link=draft.link,
            content_hash=draft.content_hash,
        )


class CampaignSpec(BaseModel):
    """What one campaign sends: one individuals obligation over one channel."""

    incident_id: str
    obligation_id: str
    channel: Channel
    channel_order: list[Channel]
    jurisdictions: list[str]
    messages: list[ApprovedMessage]
    default_language: str = "en"
    sender_name: str = Field(default="", description="the organisation, as notices name it")


class CountPopulationInput(BaseModel):
    source: PopulationSource


class CountPopulationResult(BaseModel):
    rows: int


class SendNoticeBatchInput(BaseModel):
    spec: CampaignSpec
    source: PopulationSource
    start_row: int = Field(ge=1, description="first data row (1-based), inclusive")
    end_row: int = Field(ge=1, description="last data row, inclusive")


class SendNoticeBatchResult(BaseModel):
    summary: DeliverySummary


class FileRegulatorReportInput(BaseModel):
    incident_id: str
    report: RegulatorReport
    message: ApprovedMessage
    sender_name: str = ""
    sender_address: str = ""
    may_email: bool = Field(
        default=True, description="False once a person recorded the filing: only package it"
    )


class FileRegulatorReportResult(BaseModel):
    location: str
    emailed: bool = Field(default=False, description="sent to the authority's email address")
    reference: str | None = Field(default=None, description="the email's Message-ID")


class PublishNoticeInput(BaseModel):
    """Publish an approved notice that is not addressed to one person (public, media …)."""

    incident_id: str
    obligation: Obligation
    messages: list[ApprovedMessage]


class PublishNoticeResult(BaseModel):
    location: str


class SendReminderInput(BaseModel):
    incident_id: str
    report: RegulatorReport
    recipients: list[str]
    kind: str = Field(description="'reminder', 'overdue', or 'escalation' to the backups")
    at: datetime
    label: str = Field(default="", description="which reminder: 50%, 24h before …")


class SendReminderResult(BaseModel):
    delivered_to: int


# ---- child workflows and their signals ---------------------------------------------------


# Rows per campaign batch activity.
DEFAULT_BATCH_ROWS = 5_000


class NotificationCampaignInput(BaseModel):
    spec: CampaignSpec
    source: PopulationSource
    batch_rows: int = Field(default=DEFAULT_BATCH_ROWS, ge=1)
    next_row: int = Field(default=1, ge=1, description="resume point after continue-as-new")
    total_rows: int | None = None
    partial: DeliverySummary | None = None


class NotificationCampaignResult(BaseModel):
    summary: DeliverySummary


class RegulatorReportInput(BaseModel):
    incident_id: str
    report: RegulatorReport
    team_contacts: list[str]
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    sender_name: str = ""
    sender_address: str = ""


class RegulatorReportResult(BaseModel):
    report_id: str
    late: bool
    reminders_sent: list[datetime]


class ReportApprovedSignal(BaseModel):
    message: ApprovedMessage


class ReportFiledSignal(BaseModel):
    at: datetime
    reference: str | None = None


class DeadlineMovedSignal(BaseModel):
    due_at: datetime | None
    clock_started_at: datetime | None = None


class ReminderAcknowledgedSignal(BaseModel):
    actor: str
    at: datetime


class AddReportPhaseInput(BaseModel):
    """Open a follow-up phase of a filed report (supplement, follow-up, close-out, amendment)."""

    report_id: str
    phase: str = Field(pattern=r"^[a-z][a-z-]{1,30}$")
    actor: str = Field(min_length=1)
    due_at: datetime | None = Field(default=None, description="when the law or authority says")
    note: str = Field(default="", max_length=5_000)


class AddReportPhaseResult(BaseModel):
    report: RegulatorReport


class AcknowledgeReminderInput(BaseModel):
    report_id: str
    actor: str = Field(min_length=1)


class AcknowledgeReminderResult(BaseModel):
    report_id: str
    acknowledged_at: datetime


class ReportEventSignal(BaseModel):
    """Sent by a RegulatorReportWorkflow to its incident: a reminder went out, or overdue."""

    report_id: str
    kind: str
    at: datetime
    detail: str = ""
    reference: str | None = None
    due_at: datetime | None = Field(
        default=None, description="the deadline a reminder or overdue notice was for"
    )


# ---- the breach register -----------------------------------------------------------------


class RecordRegisterEntryInput(BaseModel):
    """Write an incident's breach-register entry (GDPR Art. 33(5)); a newer stored one wins."""

    entry: RegisterEntry


class RecordRegisterEntryResult(BaseModel):
    recorded: bool = Field(
        description="True if the register holds this entry; False if it kept a newer one"
    )
