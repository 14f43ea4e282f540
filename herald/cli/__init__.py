"""The `herald` command line."""

from __future__ import annotations

import logging
import os

import typer

from herald.cli import (
    bench,
    deliveries,
    drafts,
    evidence,
    incidents,
    population,
    profiles,
    reports,
    users,
)
from herald.cli.demo import demo
from herald.cli.drill import drill
from herald.cli.obligations import obligations
from herald.cli.preview import preview
from herald.cli.register import register
from herald.cli.server import dev, serve, worker

app = typer.Typer(
    help="Herald: security-incident notification on Temporal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(incidents.app, name="incident")
app.add_typer(drafts.app, name="drafts")
app.add_typer(reports.app, name="reports")
app.add_typer(profiles.app, name="profiles")
app.add_typer(bench.app, name="bench")
app.add_typer(evidence.app, name="evidence")
app.add_typer(population.app, name="population")
app.add_typer(deliveries.app, name="deliveries")
app.add_typer(users.app, name="users")
app.command()(obligations)
app.command()(preview)
app.command()(register)
app.command()(dev)
app.command()(serve)
app.command()(worker)
app.command()(demo)
app.command()(drill)


def main() -> None:
    """Entry point of the `herald` script."""
    logging.basicConfig(
        level=os.environ.get("HERALD_LOG_LEVEL", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    app()
