"""`herald obligations`: the facts → obligations contract (design.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from herald.cli.common import EXIT_BAD_INPUT, fail, table
from herald.impact import judge
from herald.inputs import InputError, load_facts
from herald.models import Evaluation
from herald.profiles import load_profile


def obligations(
    facts: Annotated[Path, typer.Option("--facts", help="incident facts, JSON or YAML")],
    as_json: Annotated[
        bool, typer.Option("--json", help="print a JSON array of obligations")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="say per regime what was decided")
    ] = False,
    profile: Annotated[
        Path | None, typer.Option("--profile", help="organisation profile filling the entity")
    ] = None,
) -> None:
    """Print the obligations the facts create: who, by when, under which provision."""
    try:
        parsed = load_facts(facts)
        if profile is not None:
            parsed = load_profile(profile).fill(parsed)
    except InputError as err:
        fail(str(err), EXIT_BAD_INPUT)
    _, assessment, evaluation = judge(parsed)
    if as_json:
        typer.echo(
            json.dumps([o.model_dump(mode="json") for o in evaluation.obligations], indent=2)
        )
        if explain:
            # stdout stays the JSON contract; the explanation goes to stderr.
            explain_evaluation(evaluation, err=True)
        return
    typer.echo(f"risk: {assessment.risk} — " + "; ".join(assessment.risk_reasons))
    table(
        [
            [
                o.regime,
                o.audience,
                o.recipient[:45],
                o.due_at.isoformat() if o.due_at else "(no fixed instant)",
                o.citation[:40],
            ]
            for o in evaluation.obligations
        ],
        ["regime", "audience", "recipient", "due (UTC)", "citation"],
    )
    if explain:
        explain_evaluation(evaluation)


def explain_evaluation(evaluation: Evaluation, *, err: bool = False) -> None:
    """Per regime: what was decided and why, including regimes that impose nothing."""

    def say(line: str) -> None:
        typer.echo(line, err=err)

    quiet = []
    for decision in evaluation.decisions:
        if not decision.applies and not decision.obligations:
            # Out of scope: one line each, after the regimes that matter.
            quiet.append(f"  [{decision.regime}] {' '.join(decision.reasons)}")
            continue
        verdict = "imposes" if decision.obligations else "applies but imposes nothing"
        say(f"\n[{decision.regime}] {verdict}")
        for reason in decision.reasons:
            say(f"  - {reason}")
        for obligation_id in decision.obligations:
            say(f"  → {obligation_id}")
    if quiet:
        say(f"\nOut of scope ({len(quiet)} regimes):")
        for line in quiet:
            say(line)
    for item in evaluation.obligations:
        for warning in item.warnings:
            typer.secho(f"warning ({item.id}): {warning}", fg=typer.colors.YELLOW, err=err)
