"""Evidence pack tests; `make_record` builds a hand-made closed incident for them."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from herald.models import IncidentFacts, Phase, ReportStatus
from herald.models.assessment import Assessment
from herald.models.delivery import DeliverySummary
from herald.models.drafts import Approval, Draft, DraftVersion, content_hash
from herald.models.evidence import EvidenceRecord, FactsVersion
from herald.models.incident import IncidentStatus, TimelineEvent, Waiver
from herald.models.obligations import Obligation, RegimeDecision
from herald.models.reports import ReceiptRef, RegulatorReport, StatusChange
from herald.models.vocabulary import Audience, Channel, DraftState, RiskLevel

INCIDENT = "INC-TEST-1"
T0 = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script> {{ 7*7 }}"


def at(hours: float) -> datetime:
    """An instant `hours` after awareness."""
    return T0 + timedelta(hours=hours)


def _facts(description: str) -> IncidentFacts:
    return IncidentFacts.model_validate(
        {
            "aware_at": T0.isoformat(),
            "entity": {"name": "Example GmbH", "established_in": ["DE"]},
            "data_categories": ["name", "email"],
            "affected": [
                {"jurisdiction": "DE", "count": 40},
                {"jurisdiction": "US-CA", "count": 2},
            ],
            "title": "Customer database export",
            "description": description,
            "remediation": "Token revoked.",
        }
    )


def _draft(draft_id: str, obligation_id: str, audience: Audience, channel: Channel) -> Draft:
    v1_body, v2_body = f"First text of {draft_id}.", f"Approved text of {draft_id}.\nSecond line."
    subject = f"Notice {draft_id}"
    v2_hash = content_hash(subject, v2_body)
    return Draft(
        id=draft_id,
        obligation_id=obligation_id,
        audience=audience,
        channel=channel,
        language="en",
        version=2,
        subject=subject,
        body=v2_body,
        content_hash=v2_hash,
        author="dana.writer",
        created_at=at(2),
        state=DraftState.APPROVED,
        approvals=[
            Approval(approver="alice.legal", at=at(3), content_hash=v2_hash),
            Approval(approver="bob.privacy", at=at(3.5), content_hash=v2_hash, comment="ok"),
        ],
        history=[
            DraftVersion(
                version=1,
                subject=subject,
                body=v1_body,
                content_hash=content_hash(subject, v1_body),
                author="system",
                created_at=at(1),
            )
        ],
    )


def make_record(receipt: ReceiptRef | None = None, *, description: str = "") -> EvidenceRecord:
    """A closed incident: two facts versions, a GDPR report submitted (with `receipt`) and
    acknowledged, an emailed notice, a waived obligation, approvals and a timeline."""
    facts = _facts(description or "An attacker exported the customer table.")
    report_id, notice_id, waived_id = "gdpr-regulator-de", "gdpr-individuals", "us-ca-ag"
    obligations = [
        Obligation(
            regime="gdpr",
            audience=Audience.REGULATOR,
            recipient="BfDI",
            due_at=at(72),
            deadline="72 hours after awareness",
            citation="GDPR Art. 33(1)",
            id=report_id,
            reasons=["personal data of 40 people in DE"],
            warnings=["lead authority assumed"],
        ),
        Obligation(
            regime="gdpr",
            audience=Audience.INDIVIDUALS,
            recipient="affected people",
            due_at=None,
            deadline="without undue delay",
            citation="GDPR Art. 34(1)",
            id=notice_id,
            channels=[Channel.EMAIL],
        ),
        Obligation(
            regime="us-ca",
            audience=Audience.REGULATOR,
            recipient="California AG",
            due_at=None,
            deadline="when notifying more than 500 residents",
            citation="Cal. Civ. Code 1798.82(f)",
            id=waived_id,
        ),
    ]
    report = RegulatorReport(
        id=report_id,
        regime="gdpr",
        authority="BfDI",
        due_at=at(72),
        status=ReportStatus.ACKNOWLEDGED,
        reference="BFDI-123",
        submitted_at=at(80),
        late=True,
        reminders_sent=[at(48), at(66)],
        history=[
            StatusChange(status=ReportStatus.DRAFTED, at=at(2), actor="system"),
            StatusChange(
                status=ReportStatus.SUBMITTED,
                at=at(81),
                occurred_at=at(80),
                actor="casey.commander",
                reference="BFDI-123",
                note="filed on the portal",
                receipt=receipt,
            ),
            StatusChange(status=ReportStatus.ACKNOWLEDGED, at=at(90), actor="casey.commander"),
        ],
    )
    drafts = [
        _draft("gdpr-individuals.email.en", notice_id, Audience.INDIVIDUALS, Channel.EMAIL),
        _draft("gdpr-regulator-de.report.en", report_id, Audience.REGULATOR, Channel.REPORT),
    ]
    status = IncidentStatus(
        incident_id=INCIDENT,
        phase=Phase.CLOSED,
        commander="casey.commander",
        approvals_required=2,
        facts=facts,
        facts_version=2,
        population=None,
        assessment=Assessment(total=42, risk=RiskLevel.HIGH, risk_reasons=["credentials exposed"]),
        obligations=obligations,
        decisions=[
            RegimeDecision(regime="gdpr", applies=True, reasons=["DE"], obligations=[report_id]),
            RegimeDecision(regime="hipaa", applies=False, reasons=["not a covered entity"]),
        ],
        drafts=drafts,
        reports=[report],
        deliveries=[
            DeliverySummary(
                obligation_id=notice_id,
                channel=Channel.EMAIL,
                targeted=42,
                sent=41,
                failed=1,
                completed=True,
            )
        ],
        waivers=[
            Waiver(
                obligation_id=waived_id,
                actor="casey.commander",
                reason="fewer than 500 CA residents",
                at=at(5),
            )
        ],
        timeline=[
            TimelineEvent(at=at(0), actor="casey.commander", kind="opened", detail=description),
            TimelineEvent(at=at(3), actor="alice.legal", kind="approved", detail="v2"),
            TimelineEvent(at=at(100), actor="casey.commander", kind="closed"),
        ],
        open_obligations=[],
        closed_at=at(100),
    )
    return EvidenceRecord(
        status=status,
        drafts=drafts,
        facts_history=[
            FactsVersion(version=1, at=at(0), actor="intake", facts=_facts("first guess")),
            FactsVersion(version=2, at=at(4), actor="casey.commander", facts=facts),
        ],
        generated_at=at(101),
    )


def rewrite(data: bytes, change: Callable[[list[tuple[zipfile.ZipInfo, bytes]]], None]) -> bytes:
    """The zip rewritten after `change` edited its (info, bytes) members in place."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    change(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info, content in members:
            archive.writestr(info, content)
    return out.getvalue()


def flip(content: bytes, offset: int | None = None) -> bytes:
    """`content` with one bit of one byte flipped (the middle byte by default)."""
    index = len(content) // 2 if offset is None else offset
    return content[:index] + bytes([content[index] ^ 0x01]) + content[index + 1 :]
