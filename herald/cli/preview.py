"""`herald preview`: render every draft of every obligation into a folder, without Temporal."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from herald.cli.common import EXIT_BAD_INPUT, fail, table
from herald.inputs import InputError, load_facts
from herald.models.drafts import ChannelLimits
from herald.models.vocabulary import PERSONAL_CHANNELS, Channel
from herald.population import PopulationFileError
from herald.preview import preview as render_preview
from herald.profiles import load_profile
from herald.settings import get_settings


def _channels(value: str | None) -> list[Channel] | None:
    if not value:
        return None
    chosen: list[Channel] = []
    for name in value.split(","):
        try:
            channel = Channel(name.strip())
        except ValueError:
            channel = None
        if channel not in PERSONAL_CHANNELS:
            names = ", ".join(str(c) for c in PERSONAL_CHANNELS)
            raise typer.BadParameter(f"{name.strip()!r} is not a personal channel ({names})")
        chosen.append(channel)
    return chosen


def preview(
    facts: Annotated[Path, typer.Option("--facts", help="incident facts, JSON or YAML")],
    out: Annotated[Path, typer.Option("--out", help="folder for the drafts and index.json")],
    population: Annotated[
        Path | None, typer.Option("--population", help="affected people, CSV or JSONL")
    ] = None,
    profile: Annotated[
        Path | None, typer.Option("--profile", help="organisation profile (contact, channels)")
    ] = None,
    channels: Annotated[
        str | None,
        typer.Option("--channels", help="channel order, e.g. email,sms,letter (default: all)"),
    ] = None,
    notice_date: Annotated[
        str | None, typer.Option("--notice-date", help="date printed on notices (YYYY-MM-DD)")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="exit 1 when any draft misses content")
    ] = False,
) -> None:
    """Render every draft of every obligation into a folder, with an index.json."""
    try:
        parsed = load_facts(facts)
        organisation = load_profile(profile) if profile else None
        day = date.fromisoformat(notice_date) if notice_date else None
    except InputError as err:
        fail(str(err), EXIT_BAD_INPUT)
    except ValueError:
        fail(f"--notice-date: {notice_date!r} is not a date (YYYY-MM-DD)", EXIT_BAD_INPUT)
    if population is not None and not population.exists():
        fail(f"{population}: no such file", EXIT_BAD_INPUT)
    try:
        index = render_preview(
            facts=parsed,
            out=out,
            population=population,
            profile=organisation,
            channel_order=_channels(channels),
            notice_date=day,
            limits=ChannelLimits(sms_max_segments=get_settings().sms_max_segments),
        )
    except PopulationFileError as err:
        fail(str(err), EXIT_BAD_INPUT)
    table(
        [
            [
                d.path,
                d.language,
                "-" if d.recipients is None else str(d.recipients),
                ",".join(d.missing_elements + d.problems)[:50] or "ok",
            ]
            for d in index.drafts
        ],
        ["file", "language", "people", "missing / problems"],
    )
    incomplete = sum(1 for d in index.drafts if d.missing_elements or d.problems)
    typer.echo(
        f"{len(index.drafts)} drafts for {len(index.obligations)} obligations in {out}"
        f" ({incomplete} incomplete); index: {out / 'index.json'}"
    )
    if strict and incomplete:
        raise typer.Exit(1)
