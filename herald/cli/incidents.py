"""`herald incident …`: start, watch and close incidents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from herald.cli.common import (
    JsonFlag,
    default_actor,
    emit_json,
    fail,
    incidents,
    run,
    settings,
    table,
)
from herald.cli.watch import watch
from herald.client import IncidentSummary
from herald.inputs import load_facts
from herald.intake import new_incident
from herald.models import IncidentStatus
from herald.models.messages import (
    CloseIncidentInput,
    UpdateFactsInput,
    WaiveObligationInput,
)
from herald.profiles import load_profile

app = typer.Typer(help="Start, follow and close incidents.", no_args_is_help=True)


@app.command("start")
def start(
    facts: Annotated[
        Path, typer.Option("--facts", help="incident facts, JSON or YAML (design.md contract)")
    ],
    population: Annotated[
        Path | None, typer.Option("--population", help="CSV or JSONL file")
    ] = None,
    incident_id: Annotated[
        str | None, typer.Option("--id", help="default: INC-<date>-<time>")
    ] = None,
    commander: Annotated[str | None, typer.Option("--as", help="incident commander")] = None,
    team: Annotated[
        list[str] | None, typer.Option("--team", help="email for deadline reminders (repeat)")
    ] = None,
    backup: Annotated[
        list[str] | None,
        typer.Option("--backup", help="email told when a reminder is not acknowledged (repeat)"),
    ] = None,
    profile: Annotated[
        Path | None, typer.Option("--profile", help="organisation profile (YAML or JSON)")
    ] = None,
) -> None:
    """Start an incident; prints its id."""

    async def body() -> None:
        config = settings()
        inp = new_incident(
            facts=load_facts(facts),
            population=population,
            profile=load_profile(profile) if profile else None,
            commander=commander or default_actor(),
            team=team,
            incident_id=incident_id,
            approvals_required=config.approvals_required,
            sms_max_segments=config.sms_max_segments,
            reminders=config.reminder_policy(),
            backups=backup,
            search_attributes=config.search_attributes,
        )
        typer.echo(await (await incidents()).start(inp))

    if population and not population.exists():
        fail(f"{population}: no such file", 2)
    run(body)


@app.command("list")
def list_incidents(as_json: JsonFlag = False) -> None:
    """List incidents, newest first: phase, next deadline, open obligations."""

    async def body() -> list[IncidentSummary]:
        return await (await incidents()).list()

    found = run(body)
    if as_json:
        emit_json(found)
        return
    table(
        [
            [
                item.incident_id,
                item.state,
                item.phase or "-",
                item.next_deadline.isoformat() if item.next_deadline else "-",
                str(item.open_obligations),
                item.started_at.isoformat(timespec="seconds"),
            ]
            for item in found
        ],
        ["incident", "state", "phase", "next deadline", "open", "started"],
    )


async def fetch_status(incident_id: str) -> IncidentStatus:
    """The live status of one incident."""
    return await (await incidents()).status(incident_id)


@app.command("status")
def status(
    incident_id: str,
    as_json: Annotated[bool, typer.Option("--json", help="print the full status as JSON")] = False,
) -> None:
    """Show phase, obligations, deadlines, drafts, deliveries and the timeline."""
    current = run(lambda: fetch_status(incident_id))
    if as_json:
        emit_json(current)
        return
    show_status(current)


app.command("watch")(watch)


def show_status(current: IncidentStatus, *, err: bool = False) -> None:
    """Print an incident's status for a person (to stderr with `err`)."""

    def say(line: str = "") -> None:
        typer.echo(line, err=err)

    say(f"Incident {current.incident_id}: {current.facts.title}")
    say(f"  phase: {current.phase}   commander: {current.commander}")
    if current.assessment:
        a = current.assessment
        say(
            f"  affected: {a.total} people ({a.rejected} rows rejected), risk {a.risk}: "
            + "; ".join(a.risk_reasons)
        )
    if current.next_deadline:
        say(f"  next deadline: {current.next_deadline.isoformat()}")
    say("\nObligations")
    table(
        [
            [
                o.id,
                o.audience,
                o.recipient[:40],
                o.due_at.isoformat() if o.due_at else o.deadline[:40],
                "open" if o.id in current.open_obligations else "met/waived",
            ]
            for o in current.obligations
        ],
        ["id", "audience", "recipient", "due", "state"],
        err=err,
    )
    if current.deliveries:
        say("\nDeliveries")
        table(
            [
                [d.obligation_id, d.channel, str(d.targeted), str(d.sent), str(d.failed)]
                for d in current.deliveries
            ],
            ["obligation", "channel", "targeted", "sent", "failed"],
            err=err,
        )
    say("\nTimeline")
    for event in current.timeline:
        say(f"  {event.at.isoformat()}  {event.actor:<12} {event.kind:<24} {event.detail}")


@app.command("update-facts")
def update_facts(
    incident_id: str,
    facts: Annotated[Path, typer.Option("--facts")],
    actor: Annotated[str | None, typer.Option("--as")] = None,
) -> None:
    """Replace the facts: obligations and drafts are re-derived, timers follow."""

    async def body() -> None:
        result = await (await incidents()).update_facts(
            incident_id, UpdateFactsInput(facts=load_facts(facts), actor=actor or default_actor())
        )
        emit_json(result)

    run(body)


@app.command("waive")
def waive(
    incident_id: str,
    obligation_id: str,
    reason: Annotated[str, typer.Option("--reason", help="why (kept as evidence)")],
    actor: Annotated[str | None, typer.Option("--as")] = None,
) -> None:
    """Waive one obligation with a reason."""

    async def body() -> None:
        result = await (await incidents()).waive(
            incident_id,
            WaiveObligationInput(
                obligation_id=obligation_id, actor=actor or default_actor(), reason=reason
            ),
        )
        typer.echo(f"waived {result.obligation_id}; still open: {result.open_obligations}")

    run(body)


@app.command("close")
def close(
    incident_id: str,
    actor: Annotated[str | None, typer.Option("--as")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
) -> None:
    """Close the incident (refused while an obligation is neither met nor waived)."""

    async def body() -> None:
        result = await (await incidents()).close(
            incident_id, CloseIncidentInput(actor=actor or default_actor(), note=note)
        )
        typer.echo(f"{result.incident_id} closed at {result.closed_at.isoformat()}")

    run(body)
