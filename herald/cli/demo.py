"""`herald demo`: run a whole sample incident and show what went out."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from herald.cli.common import EXIT_BAD_INPUT, fail
from herald.cli.incidents import show_status
from herald.cli.server import demo_accounts, print_accounts
from herald.inputs import InputError
from herald.profiles import sample_incident
from herald.settings import get_settings
from herald.temporal import TemporalUnavailableError


def demo(
    as_json: Annotated[
        bool, typer.Option("--json", help="end with one JSON line on stdout (see design.md)")
    ] = False,
    evidence: Annotated[
        Path | None,
        typer.Option("--evidence", help="write the closed incident's evidence pack (zip) here"),
    ] = None,
    org: Annotated[
        str | None,
        typer.Option("--org", help="a seed organisation's incident (profiles/<slug>.yaml)"),
    ] = None,
) -> None:
    """Run a sample incident end to end on the embedded Temporal server.

    Two demo approvers (alice.legal, bob.privacy) approve every draft, the notices go to the
    outbox, the regulator reports are recorded as submitted and acknowledged, and the
    incident is closed. Exits 0 when it is closed.
    """
    from herald.demo import run_demo

    settings = get_settings()

    def log(line: str) -> None:
        # With --json, stdout carries only the final JSON line; people read stderr.
        typer.echo(f"» {line}", err=as_json)

    pack = evidence.resolve() if evidence else None
    try:
        sample = sample_incident(org) if org else None
    except InputError as err:
        fail(str(err), EXIT_BAD_INPUT)
    try:
        result = asyncio.run(run_demo(settings, log=log, evidence=pack, sample=sample))
    except (TemporalUnavailableError, TimeoutError) as err:
        fail(f"the demo did not complete: {err}")
    show_status(result.status, err=as_json)
    typer.echo(
        f"\nOutbox (every message a person or authority would receive): {result.outbox}",
        err=as_json,
    )
    if result.evidence is not None:
        typer.echo(f"Evidence pack: {result.evidence}", err=as_json)
    typer.echo(
        "\nNext: `herald dev` (or `make console`) serves the console on http://127.0.0.1:8000 "
        "and the Temporal UI on http://127.0.0.1:8233:",
        err=as_json,
    )
    print_accounts(demo_accounts(settings), err=as_json)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "incident_id": result.incident_id,
                    "phase": result.phase.value,
                    "outbox": str(result.outbox),
                    "obligations": len(result.status.obligations),
                    "obligation_ids": [o.id for o in result.status.obligations],
                    "drafts": [
                        {
                            "id": d.id,
                            "audience": d.audience.value,
                            "channel": d.channel.value,
                            "language": d.language,
                        }
                        for d in result.status.drafts
                    ],
                    "deliveries": [d.model_dump(mode="json") for d in result.status.deliveries],
                    "reports": [
                        {"id": r.id, "status": r.status.value, "reference": r.reference}
                        for r in result.status.reports
                    ],
                }
                | ({"evidence": str(result.evidence)} if result.evidence else {})
            )
        )
    if result.phase.value != "closed":
        raise typer.Exit(1)
