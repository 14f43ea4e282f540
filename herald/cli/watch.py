"""`herald incident watch ID`: campaign progress per channel, live, until sending is over.

Two sources, because each knows half: the incident workflow knows which campaigns exist and
their final totals (a `DeliverySummary` is filled in when its campaign completes), and the
delivery ledger in Herald's database knows, row by row and while it happens, who has been
sent what. While a campaign runs its bar counts ledger rows against the people contactable
on that channel (an upper bound: with a fallback order, later channels serve only those the
earlier ones could not reach, hence the `~`); once every campaign of the channel completed,
the bar shows the campaigns' own totals.

On a terminal the bars redraw in place every second (rich, which typer brings along);
otherwise — a pipe, a CI log — one plain line is printed per change, with no control codes.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError

from herald.cli.common import incidents, run, settings
from herald.models import (
    Audience,
    Channel,
    DeliverySummary,
    Draft,
    DraftState,
    IncidentStatus,
    Phase,
    ReceiptCounts,
)
from herald.store.db import create_schema, make_engine
from herald.store.ledger import Ledger

__all__ = [
    "ChannelProgress",
    "awaiting_notices",
    "channel_progress",
    "plain_lines",
    "render",
    "sending_over",
    "watch",
]

BAR_WIDTH = 30
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class ChannelProgress:
    """Where one channel's campaigns stand (counts of people, never who)."""

    channel: str
    sent: int = 0  # handed to the provider (delivered and bounced included)
    failed: int = 0
    unknown: int = 0  # interrupted mid-send, held for a person (`herald deliveries resend`)
    total: int = 0
    estimated: bool = True  # `total` is an upper bound until every campaign has completed
    campaigns: int = 0
    completed: int = 0
    delivered: int = 0
    bounced: int = 0

    @property
    def done(self) -> bool:
        """Every campaign on this channel has completed."""
        return self.campaigns > 0 and self.completed == self.campaigns

    @property
    def processed(self) -> int:
        """People whose notice on this channel has an outcome."""
        return self.sent + self.failed + self.unknown


def channel_progress(
    deliveries: Iterable[DeliverySummary],
    ledger: Mapping[str, Mapping[str, int]],
    *,
    contactable: Mapping[str, int],
    receipts: Iterable[ReceiptCounts] = (),
) -> list[ChannelProgress]:
    """Progress per channel, in channel order.

    Args:
        deliveries: The incident's campaign summaries (`IncidentStatus.deliveries`).
        ledger: Ledger rows per channel and state (`Ledger.counts`), empty if unreadable.
        contactable: People with a usable contact point per channel (the assessment's).
        receipts: Provider receipts per channel (`IncidentStatus.receipts`).
    """
    by_channel: dict[str, list[DeliverySummary]] = {}
    for summary in deliveries:
        by_channel.setdefault(summary.channel.value, []).append(summary)
    heard = {r.channel.value: r for r in receipts}
    result = []
    for channel in sorted(by_channel, key=lambda c: list(Channel).index(Channel(c))):
        summaries = by_channel[channel]
        completed = sum(s.completed for s in summaries)
        receipt = heard.get(channel, ReceiptCounts(channel=Channel(channel)))
        base = ChannelProgress(
            channel=channel,
            campaigns=len(summaries),
            completed=completed,
            delivered=receipt.delivered,
            bounced=receipt.bounced,
        )
        if completed == len(summaries):
            result.append(
                replace(
                    base,
                    sent=sum(s.sent + s.already_sent for s in summaries),
                    failed=sum(s.failed for s in summaries),
                    unknown=sum(s.unknown for s in summaries),
                    total=sum(s.targeted for s in summaries),
                    estimated=False,
                )
            )
            continue
        rows = ledger.get(channel, {})
        result.append(
            replace(
                base,
                sent=sum(rows.get(state, 0) for state in ("sent", "delivered", "bounced")),
                failed=rows.get("failed", 0),
                unknown=rows.get("unknown", 0),
                total=max(contactable.get(channel, 0), sum(rows.values())),
            )
        )
    return result


def awaiting_notices(drafts: Iterable[Draft], open_obligations: Collection[str]) -> int:
    """Notices to individuals not yet approved, of obligations still open: each may start a
    campaign once approved, so the watch goes on."""
    return sum(
        1
        for d in drafts
        if d.audience is Audience.INDIVIDUALS
        and d.state is not DraftState.APPROVED
        and d.obligation_id in open_obligations
    )


def sending_over(phase: Phase, deliveries: Iterable[DeliverySummary], *, awaiting: int = 0) -> bool:
    """Whether there is nothing left to watch: the incident is closed, or every campaign
    completed and no notice awaits approval, or it went past notifying without any
    campaign (no individual notices)."""
    summaries = list(deliveries)
    if phase is Phase.CLOSED:
        return True
    if awaiting:
        return False
    if summaries:
        return all(s.completed for s in summaries)
    return phase in (Phase.REPORTING, Phase.MONITORING)


def _bar(progress: ChannelProgress, width: int) -> str:
    if progress.done:
        share = 1.0
    else:
        share = min(progress.processed / progress.total, 1.0) if progress.total else 0.0
    filled = round(share * width)
    return "█" * filled + "░" * (width - filled)


def _numbers(progress: ChannelProgress) -> str:
    total = f"~{progress.total:,}" if progress.estimated else f"{progress.total:,}"
    parts = [f"{progress.sent:,}/{total} sent"]
    for label, value in (
        ("failed", progress.failed),
        ("unknown", progress.unknown),
        ("delivered", progress.delivered),
        ("bounced", progress.bounced),
    ):
        if value:
            parts.append(f"{value:,} {label}")
    state = "done" if progress.done else f"sending ({progress.completed}/{progress.campaigns} done)"
    return ", ".join(parts) + f" · {state}"


def _headline(
    incident_id: str, phase: Phase, channels: list[ChannelProgress], awaiting: int
) -> str:
    if awaiting:
        return f"{incident_id}: {phase.value}, {awaiting} notice draft(s) await approval"
    if not channels:
        if phase in (Phase.DETECTED, Phase.ASSESSING, Phase.DRAFTING, Phase.AWAITING_APPROVAL):
            return f"{incident_id}: {phase.value}, no campaign yet (drafts must be approved)"
        return f"{incident_id}: {phase.value}, no campaign"
    return f"{incident_id}: {phase.value}"


def render(
    incident_id: str,
    phase: Phase,
    channels: list[ChannelProgress],
    *,
    awaiting: int = 0,
    width: int = BAR_WIDTH,
) -> list[str]:
    """The terminal view: a headline, then one bar per channel."""
    lines = [_headline(incident_id, phase, channels, awaiting)]
    name_width = max((len(p.channel) for p in channels), default=0)
    for progress in channels:
        lines.append(
            f"  {progress.channel:<{name_width}}  {_bar(progress, width)}  {_numbers(progress)}"
        )
    return lines


def plain_lines(
    incident_id: str,
    phase: Phase,
    channels: list[ChannelProgress],
    previous: Mapping[str, str],
    *,
    awaiting: int = 0,
) -> tuple[list[str], dict[str, str]]:
    """Lines for a log (no bars, no control codes): only what changed since `previous`.

    Returns the lines to print and the new `previous` to pass next time.
    """
    now = {"": _headline(incident_id, phase, channels, awaiting)}
    now |= {p.channel: f"{p.channel}: {_numbers(p)}" for p in channels}
    return [line for key, line in now.items() if previous.get(key) != line], now


def _ledger_counts(ledger: Ledger | None, incident_id: str) -> dict[str, dict[str, int]]:
    if ledger is None:
        return {}
    return {ch.value: ledger.counts(incident_id, ch) for ch in Channel}


def _open_ledger(warn: Callable[[str], None]) -> Ledger | None:
    """The ledger, or None (and a warning) when this machine cannot reach the database."""
    try:
        engine = make_engine(settings().db_url)
        create_schema(engine)
        return Ledger(engine)
    except SQLAlchemyError:
        warn("Herald's database is not reachable from here: bars move when campaigns complete")
        return None


def watch(
    incident_id: str,
    every: Annotated[
        float, typer.Option("--every", min=0.2, help="seconds between refreshes")
    ] = 1.0,
) -> None:
    """Follow an incident's campaigns per channel (sent/total) until sending is over."""
    tty = sys.stdout.isatty()

    def warn(line: str) -> None:
        typer.echo(f"note: {line}", err=True)

    async def body() -> IncidentStatus:
        client = await incidents()
        ledger = _open_ledger(warn)
        previous: dict[str, str] = {}
        console = Console(highlight=False)
        # Room for the channel name and the numbers beside the bar on a narrow terminal.
        width = max(10, min(BAR_WIDTH, console.width - 54))
        display: contextlib.AbstractContextManager[Live | None] = (
            Live(console=console, auto_refresh=False) if tty else contextlib.nullcontext()
        )
        with display as live:
            while True:
                started = time.monotonic()
                status = await client.status(incident_id)
                counts = _ledger_counts(ledger, incident_id)
                channels = channel_progress(
                    status.deliveries,
                    counts,
                    contactable=status.assessment.contactable if status.assessment else {},
                    receipts=status.receipts,
                )
                awaiting = awaiting_notices(status.drafts, status.open_obligations)
                if live is not None:
                    view = render(
                        incident_id, status.phase, channels, awaiting=awaiting, width=width
                    )
                    live.update(Text("\n".join(view)), refresh=True)
                else:
                    lines, previous = plain_lines(
                        incident_id, status.phase, channels, previous, awaiting=awaiting
                    )
                    for line in lines:
                        typer.echo(line)
                if sending_over(status.phase, status.deliveries, awaiting=awaiting):
                    return status
                await asyncio.sleep(max(0.0, every - (time.monotonic() - started)))

    try:
        final = run(body)
    except KeyboardInterrupt:
        typer.echo("stopped watching; the campaigns go on", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    typer.echo(f"{incident_id}: sending is over (phase {final.phase.value})")
