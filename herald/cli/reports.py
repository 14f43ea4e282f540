"""`herald reports …`: regulator reports and their status."""

from __future__ import annotations

from typing import Annotated

import typer

from herald.cli.common import JsonFlag, default_actor, emit_json, incidents, run, table
from herald.cli.incidents import fetch_status
from herald.models import ReportStatus
from herald.models.messages import RecordRegulatorStatusInput

app = typer.Typer(help="Track regulator reports.", no_args_is_help=True)


@app.command("list")
def list_reports(incident_id: str, as_json: JsonFlag = False) -> None:
    """List reports: authority, status, due, submitted, reference, overdue."""
    current = run(lambda: fetch_status(incident_id))
    if as_json:
        emit_json(current.reports)
        return
    table(
        [
            [
                r.id,
                r.authority[:40],
                r.status,
                r.due_at.isoformat() if r.due_at else "-",
                r.submitted_at.isoformat() if r.submitted_at else "-",
                r.reference or "-",
                "LATE" if r.late else ("OVERDUE" if r.overdue else ""),
            ]
            for r in current.reports
        ],
        ["report", "authority", "status", "due", "submitted", "reference", ""],
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
    actor: Annotated[str | None, typer.Option("--as")] = None,
) -> None:
    """Record a report's status (submitted, acknowledged, questions, answered, closed)."""

    async def body() -> None:
        result = await (await incidents()).record_status(
            incident_id,
            RecordRegulatorStatusInput(
                report_id=report_id,
                status=status,
                reference=reference,
                note=note,
                actor=actor or default_actor(),
            ),
        )
        report = result.report
        late = " (filed late)" if report.late else ""
        typer.echo(f"{report.id}: {report.status}{late}")

    run(body)
