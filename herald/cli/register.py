"""`herald register`: the breach register (GDPR Art. 33(5)), every incident, notified or not.

It reads Herald's own database (the worker writes the entries), so no Temporal server has
to be running.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError

from herald.cli.common import JsonFlag, emit_json, fail, settings, table
from herald.models.evidence import RegisterEntry
from herald.store.db import create_schema, make_engine
from herald.store.register import Register

T = TypeVar("T")

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]


def register(
    as_json: JsonFlag = False,
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since",
            formats=DATE_FORMATS,
            metavar="DATE",
            help="only incidents opened on or after this date (UTC unless an offset is given)",
        ),
    ] = None,
    notified: Annotated[
        bool | None,
        typer.Option(
            "--notified/--not-notified",
            help="only incidents that required a notification / that did not",
            show_default=False,
        ),
    ] = None,
    show: Annotated[
        str | None,
        typer.Option(
            "--show",
            metavar="INCIDENT_ID",
            help="print one entry in full: facts, effects, remedial action, decisions",
        ),
    ] = None,
) -> None:
    """The breach register: every incident, including those that needed no notification."""
    if show is not None:
        entry = _read(lambda store: store.get(show))
        if entry is None:
            fail(f"{show}: not in the register (`herald register` lists those it holds)")
        if as_json:
            emit_json(entry)
        else:
            show_entry(entry)
        return
    entries = _read(lambda store: store.entries(since=_utc(since), notified=notified))
    if as_json:
        emit_json(entries)
        return
    if not entries:
        typer.echo("The register is empty (for these filters).")
        return
    table([_row(entry) for entry in entries], HEADERS)


HEADERS = [
    "incident",
    "opened",
    "title",
    "affected",
    "risk",
    "notify",
    "obligations",
    "reports",
    "closed",
]


def _row(entry: RegisterEntry) -> list[str]:
    reports = ", ".join(f"{key}: {status}" for key, status in sorted(entry.reports.items()))
    return [
        entry.incident_id,
        _when(entry.opened_at),
        _cut(entry.title, 40),
        str(entry.affected),
        entry.risk or "-",
        "yes" if entry.notification_required else "no",
        str(len(entry.obligations)),
        reports or "-",
        _when(entry.closed_at) if entry.closed_at else "-",
    ]


def show_entry(entry: RegisterEntry) -> None:
    """Print one register entry in full, the reasoning of every regime included."""
    say = typer.echo
    say(f"Incident {entry.incident_id}: {entry.title}")
    say(f"  phase: {entry.phase}")
    say(f"  opened: {_when(entry.opened_at)}   last recorded: {_when(entry.updated_at)}")
    say(f"  closed: {_when(entry.closed_at) if entry.closed_at else 'not yet'}")

    say("\nFacts")
    say(f"  became aware: {_when(entry.aware_at)}")
    say(f"  jurisdictions: {', '.join(entry.jurisdictions) or 'none recorded'}")
    say(f"  people affected: {entry.affected}")
    say(f"  data categories: {', '.join(entry.data_categories) or 'none recorded'}")
    _block("description", entry.description)

    say("\nEffects")
    say(f"  risk: {entry.risk or 'not assessed'}")
    for reason in entry.risk_reasons:
        say(f"    - {reason}")

    say("\nRemedial action")
    _block(None, entry.remediation)

    say("\nNotification")
    if entry.notification_required:
        say(f"  required: yes ({len(entry.obligations)} obligations)")
        for obligation in entry.obligations:
            say(f"    - {obligation}")
    else:
        say("  required: no (the decisions below say why)")

    say("\nDecisions")
    if not entry.decisions:
        say("  none recorded")
    for decision in entry.decisions:
        verdict = "applies" if decision.applies else "does not apply"
        owed = f" -> {', '.join(decision.obligations)}" if decision.obligations else ""
        say(f"  {decision.regime}: {verdict}{owed}")
        for reason in decision.reasons:
            say(f"    - {reason}")

    if entry.reports:
        say("\nReports")
        for key, status in sorted(entry.reports.items()):
            say(f"  {key}: {status}")
    if entry.waived:
        say("\nWaivers")
        for key, reason in sorted(entry.waived.items()):
            say(f"  {key}: {reason}")


def _block(label: str | None, text: str) -> None:
    lines = text.strip().splitlines() or ["none recorded"]
    if label is not None:
        typer.echo(f"  {label}:")
    for line in lines:
        typer.echo(f"    {line}" if label is not None else f"  {line}")


def _read(query: Callable[[Register], T]) -> T:
    """Run `query` against the configured database, failing clearly if it is unreachable."""
    try:
        engine = make_engine(settings().db_url)
    except (SQLAlchemyError, ImportError) as err:  # a bad URL, or its driver not installed
        fail(f"cannot open Herald's database: {err}")
    try:
        create_schema(engine)
        return query(Register(engine))
    except SQLAlchemyError as err:
        fail(f"cannot read the register: {err}")
    finally:
        engine.dispose()


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
