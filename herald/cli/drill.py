"""`herald drill`: rehearse an incident's deadlines in minutes on the time-skipping server."""

from __future__ import annotations

import asyncio
import json
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from herald.cli.common import EXIT_BAD_INPUT, fail, table
from herald.inputs import InputError, load_facts
from herald.models import RegulatorReport
from herald.models.incident import TimelineEvent
from herald.profiles import load_profile
from herald.reminders import ReminderPolicy
from herald.settings import Settings, get_settings


def offset(at: datetime, start: datetime) -> str:
    """Simulated time since the clock started, as T+hhhh:mm (hours and minutes)."""
    minutes = round((at - start).total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"T{sign}{abs(minutes) // 60:04d}:{abs(minutes) % 60:02d}"


def drill(
    facts: Annotated[Path, typer.Option("--facts", help="incident facts, JSON or YAML")],
    speed: Annotated[
        float,
        typer.Option("--speed", help="simulated seconds per real second (0: as fast as possible)"),
    ] = 0.0,
    population: Annotated[Path | None, typer.Option("--population")] = None,
    profile: Annotated[Path | None, typer.Option("--profile")] = None,
    days: Annotated[
        float | None,
        typer.Option("--days", help="how long to play (default: a day past the last deadline)"),
    ] = None,
    file_after: Annotated[
        float | None,
        typer.Option("--file-after", help="file every approved report N hours after awareness"),
    ] = None,
    reminders: Annotated[
        str | None, typer.Option("--reminders", help="schedule, e.g. 50%,24h,6h,1h")
    ] = None,
    backup: Annotated[
        list[str] | None,
        typer.Option("--backup", help="told when a reminder is not acknowledged (repeat)"),
    ] = None,
    approve: Annotated[
        bool, typer.Option("--approve/--no-approve", help="drill approvers approve each draft")
    ] = True,
    home: Annotated[
        Path | None, typer.Option("--home", help="where the drill's outbox goes (default: temp)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Play an incident on Temporal's time-skipping server and show every reminder,
    escalation, overdue notice and report phase at the instant it fires."""
    from herald.drill import run_drill

    try:
        parsed = load_facts(facts)
        organisation = load_profile(profile) if profile else None
        config = get_settings()
        policy = ReminderPolicy.parse(
            reminders or config.reminders,
            escalate_after_s=config.escalate_after_minutes * 60,
            backups=list(backup or []),
        )
    except (InputError, ValueError) as err:
        fail(str(err), EXIT_BAD_INPUT)
    if population is not None and not population.exists():
        fail(f"{population}: no such file", EXIT_BAD_INPUT)
    scratch = home or Path(tempfile.mkdtemp(prefix="herald-drill-"))
    settings = Settings(home=scratch)
    settings.ensure_home()

    clock: list[datetime] = []  # the first event's instant: the incident's start

    def on_event(event: TimelineEvent) -> None:
        clock.extend([] if clock else [event.at])
        if not as_json:
            typer.echo(
                f"{offset(event.at, clock[0])}  {event.at:%Y-%m-%d %H:%M} UTC  "
                f"{event.kind:<30} {event.detail}"
            )

    result = asyncio.run(
        run_drill(
            parsed,
            settings,
            on_event=on_event,
            population=population,
            profile=organisation,
            speed=speed,
            horizon=timedelta(days=days) if days else None,
            file_after=timedelta(hours=file_after) if file_after is not None else None,
            reminders=policy,
            approve=approve,
        )
    )
    reports = result.status.reports if result.status else []
    start = result.started_at
    if as_json:
        document = {
            "incident_id": result.incident_id,
            "started_at": start.isoformat(),
            "reminders": policy.describe(),
            "events": [
                {**e.model_dump(mode="json"), "offset_s": (e.at - start).total_seconds()}
                for e in result.events
            ],
            "reports": [_report_json(r, start) for r in reports],
            "outbox": str(result.outbox),
        }
        typer.echo(json.dumps(document, indent=2))
        return
    typer.echo("")
    table([_report_row(r, start) for r in reports], _REPORT_HEADERS)
    typer.echo(f"\nreminders {policy.describe()}; drill outbox: {result.outbox}")


_REPORT_HEADERS = ["report", "phase", "due", "reminders", "escalated", "overdue", "filed"]


def _report_row(report: RegulatorReport, start: datetime) -> list[str]:
    return [
        report.id,
        report.phase,
        offset(report.due_at, start) if report.due_at else "-",
        " ".join(offset(at, start) for at in report.reminders_sent) or "-",
        " ".join(offset(at, start) for at in report.escalations) or "-",
        "yes" if report.overdue else "no",
        (offset(report.submitted_at, start) + (" LATE" if report.late else ""))
        if report.submitted_at
        else "-",
    ]


def _report_json(report: RegulatorReport, start: datetime) -> dict[str, object]:
    def since(at: datetime) -> float:
        return (at - start).total_seconds()

    return {
        "id": report.id,
        "phase": report.phase,
        "authority": report.authority,
        "status": str(report.status),
        "due_at": report.due_at.isoformat() if report.due_at else None,
        "due_offset_s": since(report.due_at) if report.due_at else None,
        "reminders_offset_s": [since(at) for at in report.reminders_sent],
        "escalations_offset_s": [since(at) for at in report.escalations],
        "overdue": report.overdue,
        "submitted_offset_s": since(report.submitted_at) if report.submitted_at else None,
        "late": report.late,
    }
