"""The pack's `summary.pdf`: what a lawyer reads first, printed from the evidence record.

Everything here becomes plain strings; `templates/_layouts/evidence.html.j2` only lays them
out, in the same sandboxed, autoescaping environment as the notices (facts are typed by
responders, so none of it may become markup), and WeasyPrint prints it with a fetcher that
allows no protocol, as `herald.rendering.layout.letter_pdf` does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from herald import __version__
from herald.models.drafts import Draft
from herald.models.evidence import EvidenceRecord
from herald.models.incident import IncidentStatus
from herald.models.obligations import Obligation
from herald.models.reports import RegulatorReport
from herald.rendering import templates
from herald.rendering.layout import letter_pdf
from herald.settings import get_settings

LAYOUT = "_layouts/evidence.html.j2"


def when(value: datetime | None) -> str:
    """An instant as a lawyer reads it, in UTC; a dash when unknown."""
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _facts(record: EvidenceRecord) -> dict[str, Any]:
    facts = record.status.facts
    details = [
        (name.replace("_", " "), str(value))
        for name, value in facts.details.model_dump(exclude_none=True).items()
        if value not in ("", None)
    ]
    return {
        "title": facts.title,
        "entity": facts.entity.name,
        "description": facts.description or "—",
        "remediation": facts.remediation or "—",
        "aware_at": when(facts.aware_at),
        "discovered_at": when(facts.discovered_at),
        "determined_at": when(facts.determined_at),
        "data_categories": ", ".join(str(c) for c in facts.data_categories) or "—",
        "encryption": (
            "encrypted, key compromised"
            if facts.encryption.encrypted and facts.encryption.key_compromised
            else "encrypted"
            if facts.encryption.encrypted
            else "not encrypted"
        ),
        "affected": [(g.jurisdiction, g.count) for g in facts.affected],
        "declared_risk": str(facts.risk) if facts.risk else "not stated",
        "details": details,
        "history": [
            (v.version, when(v.at), v.actor)
            for v in sorted(record.facts_history, key=lambda v: v.version)
        ],
    }


def _report_done(report: RegulatorReport, delay_reasons: str) -> list[str]:
    done: list[str] = []
    if report.submitted_at is not None:
        timing = f"LATE (due {when(report.due_at)})" if report.late else "on time"
        if report.due_at is None:
            timing = "no fixed deadline"
        reference = f", reference {report.reference}" if report.reference else ""
        done.append(
            f"Submitted to {report.authority} {when(report.submitted_at)}{reference}: {timing}."
        )
        if report.late:
            done.append(f"Reasons for the delay: {delay_reasons or 'none recorded'}.")
    elif report.withdrawn:
        done.append("Report withdrawn: the obligation no longer applies under the current facts.")
    else:
        overdue = " OVERDUE." if report.overdue else ""
        done.append(f"Not submitted (status {report.status}).{overdue}")
    done.append(f"Status now: {report.status}.")
    if report.reminders_sent:
        done.append(f"Reminders sent: {', '.join(when(t) for t in report.reminders_sent)}.")
    return done


def _obligations(status: IncidentStatus) -> list[dict[str, Any]]:
    reports = {r.id: r for r in status.reports}
    waivers = {w.obligation_id: w for w in status.waivers}
    delay = status.facts.details.delay_reasons
    found: list[dict[str, Any]] = []
    for item in status.obligations:
        done: list[str] = []
        if waiver := waivers.get(item.id):
            done.append(f"Waived by {waiver.actor} {when(waiver.at)}: {waiver.reason}")
        if report := reports.get(item.id):
            done += _report_done(report, delay)
        for d in status.deliveries:
            if d.obligation_id == item.id:
                done.append(_delivery_line(d.channel, d.targeted, d.sent, d.failed, d.unreachable))
        found.append(
            {
                "obligation": item,
                "label": _label(item),
                "due_at": when(item.due_at) if item.due_at else "no fixed instant",
                "state": obligation_state(item, status),
                "done": done or ["Nothing recorded."],
            }
        )
    return found


def _label(item: Obligation) -> str:
    return f"{item.regime}: {item.audience} — {item.recipient}"


def obligation_state(item: Obligation, status: IncidentStatus) -> str:
    """ "waived", "open" (neither met nor waived) or "met"."""
    if any(w.obligation_id == item.id for w in status.waivers):
        return "waived"
    return "open" if item.id in status.open_obligations else "met"


def _delivery_line(channel: object, targeted: int, sent: int, failed: int, unreachable: int) -> str:
    return (
        f"{channel}: {sent} sent of {targeted} targeted, {failed} failed, "
        f"{unreachable} without a contact point."
    )


def _drafts(drafts: list[Draft], required: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for draft in sorted(drafts, key=lambda d: d.id):
        versions = {v.content_hash: v for v in draft.history}
        versions[draft.content_hash] = draft.version_text(draft.version)
        current = {a.approver for a in draft.approvals if a.content_hash == draft.content_hash}
        self_approved = draft.author in current
        verdict = (
            f"{len(current)} distinct approver(s) of v{draft.version} ({required} required)"
            + (", one of them its author" if self_approved else ", none of them its author")
        )
        found.append(
            {
                "id": draft.id,
                "state": str(draft.state),
                "version": draft.version,
                "author": draft.author,
                "verdict": verdict,
                "versions": [
                    (v.version, v.author, when(v.created_at), v.content_hash[:16])
                    for v in sorted(versions.values(), key=lambda v: v.version)
                ],
                "approvals": [
                    (
                        a.approver,
                        when(a.at),
                        f"v{versions[a.content_hash].version}"
                        if a.content_hash in versions
                        else "unknown version",
                        a.content_hash[:16],
                        a.comment,
                    )
                    for a in draft.approvals
                ],
            }
        )
    return found


def context(record: EvidenceRecord, missing_receipts: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything the layout prints, as plain values."""
    status = record.status
    assessment = status.assessment
    return {
        "incident_id": status.incident_id,
        "phase": str(status.phase),
        "commander": status.commander,
        "profile": status.profile or "—",
        "opened_at": when(status.timeline[0].at) if status.timeline else "—",
        "closed_at": when(status.closed_at),
        "generated_at": when(record.generated_at),
        "generator": f"herald {__version__}",
        "facts_version": status.facts_version,
        "facts": _facts(record),
        "risk": str(assessment.risk) if assessment else "not assessed",
        "risk_reasons": list(assessment.risk_reasons) if assessment else [],
        "population": (
            f"{assessment.total} people assessed, {assessment.rejected} rows rejected, "
            f"{assessment.unreachable} without any contact point"
            if assessment
            else "no population assessed"
        ),
        "obligations": _obligations(status),
        "decisions": [
            (d.regime, "applies" if d.applies else "does not apply", d.reasons)
            for d in status.decisions
        ],
        "reports": [
            {
                "id": r.id,
                "authority": r.authority,
                "history": [
                    (
                        str(c.status),
                        when(c.at),
                        when(c.occurred_at) if c.occurred_at else "",
                        c.actor,
                        c.reference or "",
                        c.note,
                        f"{c.receipt.name} (SHA-256 {c.receipt.sha256[:16]}…)" if c.receipt else "",
                    )
                    for c in r.history
                ],
            }
            for r in status.reports
        ],
        "deliveries": [
            (
                d.obligation_id,
                str(d.channel),
                d.targeted,
                d.sent,
                d.already_sent,
                d.failed,
                d.unreachable,
                "yes" if d.completed else "no",
            )
            for d in status.deliveries
        ],
        "approvals_required": status.approvals_required,
        "drafts": _drafts(record.drafts, status.approvals_required),
        "waivers": [(w.obligation_id, w.actor, when(w.at), w.reason) for w in status.waivers],
        "timeline": [(when(e.at), e.actor, e.kind, e.detail) for e in status.timeline],
        "missing_receipts": [
            f"{m['report']}: {m['name']} (SHA-256 {m['sha256'][:16]}…): {m['reason']}"
            for m in missing_receipts
        ],
    }


def summary_html(
    record: EvidenceRecord,
    *,
    missing_receipts: list[dict[str, Any]] | None = None,
    templates_dir: Path | None = None,
) -> str:
    """The summary's print layout, every value escaped."""
    root = (templates_dir or get_settings().templates_dir).resolve()
    layout = templates.environment(root).get_template(LAYOUT)
    return layout.render(**context(record, missing_receipts or []))


def summary_pdf(
    record: EvidenceRecord,
    *,
    missing_receipts: list[dict[str, Any]] | None = None,
    templates_dir: Path | None = None,
) -> bytes:
    """The summary printed to PDF (no file or network is ever read while printing)."""
    return letter_pdf(
        summary_html(record, missing_receipts=missing_receipts, templates_dir=templates_dir)
    )
