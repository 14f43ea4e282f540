"""`herald reports …`: regulator reports and their status."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from herald.cli.common import (
    EXIT_BAD_INPUT,
    JsonFlag,
    default_actor,
    emit_json,
    fail,
    incidents,
    run,
    table,
)
from herald.cli.incidents import fetch_status
from herald.evidence.store import ReceiptError, store_receipt
from herald.models import ReportStatus
from herald.models.messages import (
    AcknowledgeReminderInput,
    AddReportPhaseInput,
    RecordRegulatorStatusInput,
)

app = typer.Typer(help="Track regulator reports.", no_args_is_help=True)


@app.command("list")
def list_reports(incident_id: str, as_json: JsonFlag = False) -> None:
    """List reports: phase, authority, status, due, submitted, reference, late or overdue."""
    current = run(lambda: fetch_status(incident_id))
    if as_json:
        emit_json(current.reports)
        return
    table(
        [
            [
                r.id,
                r.phase,
                r.authority[:40],
                r.status,
                r.due_at.isoformat() if r.due_at else "-",
                r.submitted_at.isoformat() if r.submitted_at else "-",
                r.reference or "-",
                "LATE" if r.late else ("OVERDUE" if r.overdue else ""),
            ]
            for r in current.reports
        ],
        ["report", "phase", "authority", "status", "due", "submitted", "reference", ""],
    )


@app.command("set-status")
def set_status(
    incident_id: str,
    report_id: str,
    status: ReportStatus,
    reference: Annotated[
        str | None, typer.Option("--reference", help="authority's reference")
    ] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    at: Annotated[
        str | None,
        typer.Option("--at", help="when it happened, ISO 8601 with offset (default: now)"),
    ] = None,
    receipt: Annotated[
        Path | None,
        typer.Option("--receipt", help="a file to keep as evidence (the portal's receipt)"),
    ] = None,
    actor: Annotated[str | None, typer.Option("--as")] = None,
) -> None:
    """Record a report's status (submitted, acknowledged, questions, answered, closed)."""
    occurred = _instant(at, "--at") if at else None
    try:
        kept = store_receipt(receipt, incident_id) if receipt is not None else None
    except ReceiptError as err:
        fail(str(err), EXIT_BAD_INPUT)

    async def body() -> None:
        result = await (await incidents()).record_status(
            incident_id,
            RecordRegulatorStatusInput(
                report_id=report_id,
                status=status,
                reference=reference,
                note=note,
                occurred_at=occurred,
                receipt=kept,
                actor=actor or default_actor(),
            ),
        )
        report = result.report
        late = " (filed late)" if report.late else ""
        kept_note = f"; receipt {kept.name} kept (sha256 {kept.sha256[:12]}…)" if kept else ""
        typer.echo(f"{report.id}: {report.status}{late}{kept_note}")

    run(body)


@app.command("add-phase")
def add_phase(
    incident_id: str,
    report_id: str,
    phase: Annotated[str, typer.Argument(help="supplement, follow-up, close-out or amendment")],
    due: Annotated[
        str | None, typer.Option("--due", help="deadline, ISO 8601 with offset (if any)")
    ] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    actor: Annotated[str | None, typer.Option("--as")] = None,
) -> None:
    """Open a follow-up phase of a filed report (GDPR supplement, CAC follow-up or
    close-out, SEC 8-K amendment): a new report, drafted and approved like the first."""
    due_at = _instant(due, "--due") if due else None

    async def body() -> None:
        result = await (await incidents()).add_phase(
            incident_id,
            AddReportPhaseInput(
                report_id=report_id,
                phase=phase,
                due_at=due_at,
                note=note,
                actor=actor or default_actor(),
            ),
        )
        report = result.report
        when = report.due_at.isoformat() if report.due_at else "no fixed deadline"
        typer.echo(f"{report.id}: {report.phase} opened, due {when}; its draft follows")

    run(body)


@app.command("ack")
def acknowledge(
    incident_id: str,
    report_id: str,
    actor: Annotated[str | None, typer.Option("--as", help="who saw the reminder")] = None,
) -> None:
    """Acknowledge the latest reminder of a report, so it is not escalated to the backups."""

    async def body() -> None:
        ack = AcknowledgeReminderInput(report_id=report_id, actor=actor or default_actor())
        result = await (await incidents()).acknowledge(incident_id, ack)
        typer.echo(f"{result.report_id}: reminder acknowledged at {result.acknowledged_at}")

    run(body)


def _instant(text: str, option: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not an ISO 8601 instant", EXIT_BAD_INPUT)
    if value.tzinfo is None:
        fail(
            f"{option}: {text!r} needs a UTC offset (e.g. 2026-03-02T10:00:00+01:00)",
            EXIT_BAD_INPUT,
        )
    return value
