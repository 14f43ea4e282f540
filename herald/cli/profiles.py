"""`herald profiles …`: check an organisation profile, list the seed organisations'."""

from __future__ import annotations

from pathlib import Path

import typer

from herald.cli.common import EXIT_BAD_INPUT, fail, table
from herald.inputs import InputError
from herald.profiles import PROFILES_DIR, known_orgs, load_profile

app = typer.Typer(help="Organisation profiles: what each privacy policy promises.")


@app.command("check")
def check(path: Path) -> None:
    """Validate a profile and show what Herald will do with it (errors name the field)."""
    try:
        profile = load_profile(path)
    except InputError as err:
        fail(str(err), EXIT_BAD_INPUT)
    typer.echo(f"{path}: valid profile of {profile.legal_name} ({profile.slug})")
    rows = [
        ["channels (in order)", ", ".join(str(c) for c in profile.channels), "channels"],
        ["public announcement", "yes" if profile.public_notice else "no", "public_notice"],
        ["languages", ", ".join(profile.languages), "languages"],
        ["laws named", ", ".join(profile.laws) or "-", "laws"],
        ["regulators", ", ".join(profile.regulators) or "-", "regulators"],
    ]
    table(
        [[what, value[:60], profile.sources.get(field, "-")[:70]] for what, value, field in rows],
        ["promise", "value", "clause"],
    )
    for item in profile.commitments:
        period = f"{item.within_hours:g} h" if item.within_hours else "promptly"
        typer.echo(f"  policy-{item.id} ({item.kind}, {period}): {item.summary} [{item.source}]")


@app.command("list")
def list_profiles() -> None:
    """The seed organisations' profiles (`herald demo --org SLUG` runs each)."""
    table(
        [[slug, load_profile(PROFILES_DIR / f"{slug}.yaml").legal_name] for slug in known_orgs()],
        ["slug", "organisation"],
    )
