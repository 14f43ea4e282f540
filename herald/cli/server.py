"""`herald dev` and `herald worker`: run the embedded Temporal server and workers."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer

from herald.cli.common import fail
from herald.settings import get_settings
from herald.temporal import EmbeddedTemporal, TemporalUnavailableError, connect


async def _serve_worker(stop: asyncio.Event) -> None:
    from worker import build_worker

    settings = get_settings()
    client = await connect(settings)
    async with build_worker(client, settings):
        await stop.wait()


def _run_until_interrupted() -> None:
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await _serve_worker(stop)

    asyncio.run(main())


def dev(
    temporal_port: Annotated[
        int | None, typer.Option("--temporal-port", help="default: HERALD_TEMPORAL_PORT or 7233")
    ] = None,
    temporal_ui_port: Annotated[
        int | None,
        typer.Option("--temporal-ui-port", help="default: HERALD_TEMPORAL_UI_PORT or 8233"),
    ] = None,
) -> None:
    """Start the embedded Temporal dev server (SQLite under HERALD_HOME) and a worker.

    Ctrl-C stops both cleanly.
    """
    settings = get_settings()
    temporal_port = temporal_port or settings.temporal_port
    temporal_ui_port = temporal_ui_port or settings.temporal_ui_port
    if settings.temporal_address:
        fail("HERALD_TEMPORAL_ADDRESS is set: use `herald worker` against that cluster")
    settings.temporal_port = temporal_port
    server = EmbeddedTemporal(settings, port=temporal_port, ui_port=temporal_ui_port)
    try:
        server.start()
        typer.echo(f"Temporal dev server on {server.address} (data: {settings.temporal_db})")
        typer.echo(f"Temporal UI on http://127.0.0.1:{temporal_ui_port}")
        typer.echo(f"Outbox: {settings.outbox_dir}")
        typer.echo("Worker running; press Ctrl-C to stop.")
        _run_until_interrupted()
    except KeyboardInterrupt:
        # Ctrl-C before the worker installed its own handler: still a clean stop.
        pass
    except TemporalUnavailableError as err:
        server.stop()
        fail(str(err))
    finally:
        server.stop()
    typer.echo("stopped")


def worker() -> None:
    """Run a worker against the configured Temporal (HERALD_TEMPORAL_ADDRESS); Ctrl-C stops."""
    try:
        _run_until_interrupted()
    except KeyboardInterrupt:
        pass
    except TemporalUnavailableError as err:
        fail(str(err))
