"""What an incident leaves behind: the evidence record and its breach-register entry."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from herald.models import Phase
from herald.models.evidence import EvidenceRecord, RegisterEntry

if TYPE_CHECKING:
    from herald.lifecycle.state import IncidentState


def evidence_record(state: IncidentState, phase: Phase, now: datetime) -> EvidenceRecord:
    """Everything the evidence pack holds: the status, every draft version, the facts as
    they changed."""
    return EvidenceRecord(
        status=state.status(phase),
        drafts=sorted(state.drafts.values(), key=lambda d: d.id),
        facts_history=list(state.facts_history),
        generated_at=now,
    )


def register_entry(state: IncidentState, phase: Phase, now: datetime) -> RegisterEntry:
    """The incident as the breach register records it (GDPR Art. 33(5)), including the
    reasoning when nothing had to be notified."""
    facts = state.facts
    assessment = state.assessment
    opened = state.timeline[0].at if state.timeline else now
    return RegisterEntry(
        incident_id=state.inp.incident_id,
        title=facts.title,
        opened_at=opened,
        updated_at=now,
        closed_at=state.closed_at,
        phase=str(phase),
        aware_at=facts.aware_at,
        jurisdictions=sorted({group.jurisdiction for group in facts.affected}),
        affected=assessment.total if assessment and assessment.total else facts.total_affected(),
        data_categories=[str(category) for category in facts.data_categories],
        risk=str(assessment.risk) if assessment else None,
        risk_reasons=list(assessment.risk_reasons) if assessment else [],
        description=facts.description,
        remediation=facts.remediation,
        notification_required=bool(state.obligations),
        obligations=[item.id for item in state.obligations],
        decisions=list(state.decisions),
        reports={
            report.id: f"{report.status}{' (late)' if report.late else ''}"
            for report in state.reports.values()
        },
        waived={key: waiver.reason for key, waiver in state.waivers.items()},
    )
