"""`herald demo`: run a whole sample incident and show what went out."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Annotated

import typer

from herald.cli.incidents import show_status
from herald.settings import get_settings


def demo(
    as_json: Annotated[
        bool, typer.Option("--json", help="end with one JSON line (see design.md)")
    ] = False,
) -> None:
    """Run a sample incident end to end on the embedded Temporal server."""
    from herald.demo import run_demo

    settings = get_settings()

    def log(line: str) -> None:
        # Progress goes to stderr with --json so stdout stays machine-readable.
        typer.echo(f"» {line}", err=as_json)

    result = asyncio.run(run_demo(settings, log=log))
    if as_json:
        show_status_to = sys.stderr
        typer.echo(
            f"timeline of {result.incident_id}: {len(result.status.timeline)} events",
            file=show_status_to,
        )
        typer.echo(
            json.dumps(
                {
                    "incident_id": result.incident_id,
                    "phase": result.phase.value,
                    "outbox": str(result.outbox),
                    "obligations": len(result.status.obligations),
                    "deliveries": [d.model_dump(mode="json") for d in result.status.deliveries],
                    "reports": [
                        {"id": r.id, "status": r.status.value, "reference": r.reference}
                        for r in result.status.reports
                    ],
                }
            )
        )
        return
    show_status(result.status)
    typer.echo(f"\nOutbox (every message a person or authority would receive): {result.outbox}")
    typer.echo("Next: `herald dev` for the Temporal UI, then `herald incident start --help`.")
    if result.phase.value != "closed":
        raise typer.Exit(1)
