"""`herald deliveries`: the delivery ledger of an incident, per channel and state.

Reads Herald's own database, so it works while the worker runs or not. Rows a crash left
with an outcome nobody can know (`unknown`) wait here for a person's decision: `resend`
releases them and has the incident run its campaigns again, knowing some people may get
the notice twice.
"""

from __future__ import annotations

from typing import Annotated

import typer

from herald.cli.common import JsonFlag, default_actor, emit_json, run, settings, table
from herald.models import Channel, DeliveryState
from herald.models.delivery import RELEASED_SIGNAL, DeliveriesReleased
from herald.store.db import create_schema, make_engine
from herald.store.ledger import Ledger
from herald.temporal import connect

app = typer.Typer(help="The delivery ledger: who was sent what, by channel and state.")

ChannelOption = Annotated[
    Channel | None, typer.Option("--channel", help="one channel only (email, sms, …)")
]


def _ledger() -> Ledger:
    engine = make_engine(settings().db_url)
    create_schema(engine)
    return Ledger(engine)


@app.command("show")
def show(incident_id: str, channel: ChannelOption = None, as_json: JsonFlag = False) -> None:
    """Rows per state for each channel of INCIDENT_ID (counts only, never recipients)."""
    ledger = _ledger()
    channels = [channel] if channel else list(Channel)
    counts = {ch.value: ledger.counts(incident_id, ch) for ch in channels}
    counts = {ch: c for ch, c in counts.items() if any(c.values())}
    if as_json:
        emit_json(counts)
        return
    if not counts:
        typer.echo(f"no deliveries recorded for {incident_id}")
        return
    states = [state.value for state in DeliveryState]
    table([[ch, *(str(c[s]) for s in states)] for ch, c in counts.items()], ["channel", *states])
    unknown = sum(c[DeliveryState.UNKNOWN.value] for c in counts.values())
    if unknown:
        typer.echo(
            f"{unknown} deliveries were interrupted and the provider cannot say whether it has "
            f"them: `herald deliveries resend {incident_id}` sends them again."
        )


@app.command("resend")
def resend(
    incident_id: str,
    channel: ChannelOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False,
) -> None:
    """Release deliveries held as `unknown`; the incident's campaigns run again to send them.

    Some of these people may already have the notice (the provider cannot tell): that is
    the decision this command asks a person to take.
    """
    if not yes:
        typer.confirm("Some recipients may receive the notice twice. Release them?", abort=True)
    released = _ledger().resend_unknown(incident_id, channel)
    if released:
        run(lambda: _tell_incident(incident_id, channel, released))
    typer.echo(f"released {released} deliveries; the incident's campaigns run again to send them")


async def _tell_incident(incident_id: str, channel: Channel | None, count: int) -> None:
    client = await connect(settings())
    handle = client.get_workflow_handle(incident_id)
    await handle.signal(
        RELEASED_SIGNAL,
        DeliveriesReleased(channel=channel, count=count, actor=default_actor()),
    )
