"""`herald population check FILE`: what Herald will make of a population file, before an incident.

Prints how many people are accepted, how many rows are rejected and why, by row and field.
Messages never quote a cell: population files hold personal data. Exit code 0 whenever the
file can be read (rejected rows included), 2 when it cannot.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from herald.assess import assess_population
from herald.cli.common import EXIT_BAD_INPUT, JsonFlag, emit_json, fail, table
from herald.exports import write_rejected_rows
from herald.models.population import PopulationSource, RowError
from herald.population import PopulationFileError, iter_rows, open_population

app = typer.Typer(help="Population files: check one before an incident uses it.")

# Errors listed on the console (all of them go to --rejected).
MAX_SHOWN = 100


@app.command("check")
def check(
    path: Path,
    rejected: Annotated[
        Path | None,
        typer.Option(
            "--rejected",
            metavar="OUT.csv",
            help="write every row error, with the row's cells (formula-escaped), to this CSV",
        ),
    ] = None,
    as_json: JsonFlag = False,
    max_shown: Annotated[
        int, typer.Option("--max-errors", min=0, help="row errors to list")
    ] = MAX_SHOWN,
) -> None:
    """Check a population file (CSV or JSON Lines): people accepted, rows rejected, why."""
    try:
        source = open_population(path)
        assessment = assess_population(source, [], max_row_errors=max_shown)
    except (PopulationFileError, ValueError, OSError) as err:
        fail(f"cannot read population {path}: {_reason(err)}", EXIT_BAD_INPUT)
    written: int | None = None
    if rejected is not None:
        try:
            written = write_rejected_rows(rejected, _errors(source), source)
        except PopulationFileError as err:
            fail(f"cannot read population {path}: {_reason(err)}", EXIT_BAD_INPUT)
        except OSError as err:
            fail(f"cannot write {rejected}: {err.strerror or err}", EXIT_BAD_INPUT)
    errors = assessment.row_errors
    if as_json:
        emit_json(
            {
                "file": source.path,
                "sha256": source.sha256,
                "people": assessment.total,
                "rejected_rows": assessment.rejected,
                "errors": [error.model_dump(mode="json") for error in errors],
                "errors_listed_max": max_shown,
                "rejected_file": str(rejected) if rejected is not None else None,
                "errors_written": written,
            }
        )
        return
    typer.echo(f"{path}: {assessment.total} people accepted, {assessment.rejected} rows rejected")
    if errors:
        table([[str(e.row), e.field, e.message] for e in errors], ["row", "field", "problem"])
        if len(errors) >= max_shown:
            typer.echo(f"(first {max_shown} errors shown; --rejected OUT.csv writes them all)")
    if rejected is not None:
        typer.echo(f"{written} row errors written to {rejected}")


def _errors(source: PopulationSource) -> Iterator[RowError]:
    """Every row error, streamed (a second pass: the console list is capped)."""
    return (item for item in iter_rows(source) if isinstance(item, RowError))


def _reason(err: Exception) -> str:
    """The error without the absolute path the population module prefixes."""
    if isinstance(err, OSError):
        return err.strerror or str(err)
    text = str(err)
    head, sep, tail = text.partition(": ")
    return tail if sep and Path(head).is_absolute() else text
