"""Regulator reports: one filing to one authority, tracked to closure."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, Field

from herald.models.vocabulary import ReportStatus

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[A-Za-z]{2,}$")

# Allowed status moves. Filings are evidence, so history is append-only and the status only
# moves along these edges; DRAFTED -> APPROVED happens when the report's draft is approved
# (four eyes), never by a status update, so nothing is filed unapproved.
STATUS_TRANSITIONS: dict[ReportStatus, frozenset[ReportStatus]] = {
    ReportStatus.DRAFTED: frozenset({ReportStatus.APPROVED}),
    ReportStatus.APPROVED: frozenset({ReportStatus.SUBMITTED}),
    ReportStatus.SUBMITTED: frozenset(
        {ReportStatus.ACKNOWLEDGED, ReportStatus.QUESTIONS, ReportStatus.CLOSED}
    ),
    ReportStatus.ACKNOWLEDGED: frozenset({ReportStatus.QUESTIONS, ReportStatus.CLOSED}),
    ReportStatus.QUESTIONS: frozenset({ReportStatus.ANSWERED}),
    ReportStatus.ANSWERED: frozenset(
        {ReportStatus.QUESTIONS, ReportStatus.ACKNOWLEDGED, ReportStatus.CLOSED}
    ),
    ReportStatus.CLOSED: frozenset(),
}


class ReceiptRef(BaseModel):
    """A file a person attached (a portal's receipt): stored outside the workflow, which
    keeps only its name, size and SHA-256 (see herald.evidence)."""

    name: str = Field(min_length=1, max_length=255)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)


class StatusChange(BaseModel):
    """One recorded status of a report, with who recorded it."""

    status: ReportStatus
    at: datetime
    actor: str
    reference: str | None = None
    note: str = ""
    occurred_at: datetime | None = Field(
        default=None, description="when it happened, if earlier than when it was recorded"
    )
    receipt: ReceiptRef | None = Field(default=None, description="a file attached as evidence")


class RegulatorReport(BaseModel):
    """The state of one report, as the incident workflow tracks it."""

    id: str = Field(description="equals the obligation id it fulfils")
    regime: str
    authority: str
    contact: str = ""
    due_at: datetime | None = None
    clock_started_at: datetime | None = Field(
        default=None, description="when the law's clock started (shares of time count from it)"
    )
    phase: str = Field(
        default="", description="which of the regime's filings this is (early-warning, final …)"
    )
    status: ReportStatus = ReportStatus.DRAFTED
    reference: str | None = None
    submitted_at: datetime | None = None
    overdue: bool = False
    late: bool = Field(default=False, description="filed after its deadline")
    withdrawn: bool = Field(
        default=False, description="its obligation no longer applies under the current facts"
    )
    reminders_sent: list[datetime] = Field(default_factory=list)
    escalations: list[datetime] = Field(
        default_factory=list, description="when unacknowledged reminders went to the backups"
    )
    history: list[StatusChange] = Field(default_factory=list)

    @property
    def filing_email(self) -> str | None:
        """The authority's email address when its contact point is one: Herald then files
        the approved report itself; anything else (a portal, a form) is filed by a person."""
        contact = self.contact.strip()
        return contact if _EMAIL.match(contact) else None
