"""`herald dev`, `herald worker` and `herald serve`: the embedded Temporal server, workers and
the HTTP API (provider delivery receipts; `herald.api.serving`), in one process.

Ctrl-C (SIGINT) or SIGTERM sets one stop event that the worker and the API both wait on, so
they stop together.

Each refuses to start when herald.secrets finds a problem (in production: missing, generated
or example secrets), before anything listens or connects.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from typing import Annotated

import typer
from pydantic import ValidationError
from temporalio.client import Client

from herald.channels.config import ProviderSettings
from herald.cli.common import fail
from herald.secret_files import SecretFileError
from herald.secrets import SecretsError, require_secrets
from herald.settings import Settings, get_settings
from herald.temporal import EmbeddedTemporal, TemporalTLSError, TemporalUnavailableError

DEFAULT_API_PORT = 8000


def checked_settings() -> Settings:
    """The settings, once their secrets (and single sign-on, when configured) pass; else
    exit with the problems."""
    from herald.api.oidc_config import OidcConfig, OidcConfigError

    try:
        settings = get_settings()
        require_secrets(settings, ProviderSettings())
        OidcConfig.from_env()
    except (SecretsError, SecretFileError, ValidationError, OidcConfigError) as err:
        # hide_input_in_errors keeps values out of a ValidationError's text.
        fail(str(err))
    return settings


def demo_accounts(settings: Settings) -> list[tuple[str, str, str]]:
    """Local mode: the console's demo accounts, created when missing, as (user, role,
    password) for those still signing in with the demo password; none in production."""
    from herald.demo_users import ensure_demo_users
    from herald.store.db import create_schema, make_engine

    if settings.production:
        return []
    engine = make_engine(settings.db_url)
    try:
        create_schema(engine)
        return [(name, role.value, password) for name, role, password in ensure_demo_users(engine)]
    finally:
        engine.dispose()


def print_accounts(accounts: list[tuple[str, str, str]], *, err: bool = False) -> None:
    """Who can sign in to the console, one line each."""
    for name, role, password in accounts:
        typer.echo(f"  sign in as {name:<10} ({role}) password {password}", err=err)


def _run_until_interrupted(settings: Settings, *, worker: bool, api: socket.socket | None) -> None:
    # Imported here: uvicorn and FastAPI are not needed by the other commands.
    from herald.api.serving import run_services

    async def run_worker(client: Client, stop: asyncio.Event) -> None:
        from worker import build_worker

        async with build_worker(client, settings):
            await stop.wait()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_services(settings, stop, worker=run_worker if worker else None, api_socket=api)

    asyncio.run(main())


def dev(
    temporal_port: Annotated[
        int | None, typer.Option("--temporal-port", help="default: HERALD_TEMPORAL_PORT or 7233")
    ] = None,
    temporal_ui_port: Annotated[
        int | None,
        typer.Option("--temporal-ui-port", help="default: HERALD_TEMPORAL_UI_PORT or 8233"),
    ] = None,
    port: Annotated[
        int, typer.Option("--port", help="the console and HTTP API on 127.0.0.1")
    ] = DEFAULT_API_PORT,
) -> None:
    """Start the embedded Temporal dev server (SQLite under HERALD_HOME), a worker, and the
    console and HTTP API on 127.0.0.1:--port (demo accounts are created when missing).

    Ctrl-C stops everything cleanly. When --port is taken, dev runs without the API and says
    so: locally the outbox needs no webhooks.
    """
    settings = checked_settings()  # first: a refusal needs none of the API's imports
    temporal_port = temporal_port or settings.temporal_port
    temporal_ui_port = temporal_ui_port or settings.temporal_ui_port
    if settings.temporal_address:
        fail("HERALD_TEMPORAL_ADDRESS is set: use `herald worker` against that cluster")
    if settings.temporal_tls_enabled:
        fail(
            "HERALD_TEMPORAL_TLS* or HERALD_TEMPORAL_API_KEY is set, but the embedded dev "
            "server speaks plain TCP: unset them, or use `herald worker` against a cluster"
        )
    from herald.api.serving import ApiPortError, bind_api_socket

    settings.temporal_port = temporal_port
    # The embedded Web UI's own origin may call the codec server, whatever its port.
    ui_origins = [f"http://127.0.0.1:{temporal_ui_port}", f"http://localhost:{temporal_ui_port}"]
    settings.codec_cors_origins = ",".join([settings.codec_cors_origins, *ui_origins])
    api: socket.socket | None = None
    try:
        api = bind_api_socket("127.0.0.1", port)
    except ApiPortError as err:
        typer.secho(f"warning: API not started: {err}", err=True, fg=typer.colors.YELLOW)
    # The Web UI shows decrypted payloads through the API's codec server, to signed-in users.
    codec = f"http://127.0.0.1:{port}/codec" if api is not None else None
    server = EmbeddedTemporal(
        settings, port=temporal_port, ui_port=temporal_ui_port, codec_endpoint=codec
    )
    try:
        server.start()
        typer.echo(f"Temporal dev server on {server.address} (data: {settings.temporal_db})")
        typer.echo(f"Temporal UI on http://127.0.0.1:{temporal_ui_port}")
        if codec:
            typer.echo(
                f"  payloads decoded by {codec} for console users (sign in to the console, "
                "then enable 'include cross-origin credentials' in the UI's codec settings)"
            )
        typer.echo(f"Outbox: {settings.outbox_dir}")
        if api is not None:
            typer.echo(f"Console on http://127.0.0.1:{port}/  (API: /api, OpenAPI: /docs)")
            print_accounts(demo_accounts(settings))
        typer.echo("Worker running; press Ctrl-C to stop.")
        _run_until_interrupted(settings, worker=True, api=api)
    except KeyboardInterrupt:
        # Ctrl-C before the worker installed its own handler: still a clean stop.
        pass
    except (TemporalUnavailableError, TemporalTLSError) as err:
        server.stop()
        fail(str(err))
    finally:
        if api is not None:
            api.close()
        server.stop()
    typer.echo("stopped")


def worker() -> None:
    """Run a worker against the configured Temporal (HERALD_TEMPORAL_ADDRESS); Ctrl-C stops."""
    settings = checked_settings()
    try:
        _run_until_interrupted(settings, worker=True, api=None)
    except KeyboardInterrupt:
        pass
    except (TemporalUnavailableError, TemporalTLSError) as err:
        fail(str(err))


def serve(
    port: Annotated[int, typer.Option("--port", help="port of the HTTP API")] = DEFAULT_API_PORT,
    host: Annotated[
        str, typer.Option("--host", help="address to listen on (behind a proxy: keep local)")
    ] = "127.0.0.1",
) -> None:
    """Serve the HTTP API only (provider delivery receipts), for deployments: no embedded
    Temporal, no worker. Receipts signal incidents on the configured Temporal
    (HERALD_TEMPORAL_ADDRESS); Ctrl-C or SIGTERM stops."""
    settings = checked_settings()  # first: a refusal needs none of the API's imports
    from herald.api.serving import ApiPortError, bind_api_socket

    try:
        api = bind_api_socket(host, port)
    except ApiPortError as err:
        fail(str(err))
    typer.echo(f"API (provider webhooks) on http://{host}:{port}/webhooks/; Ctrl-C stops.")
    try:
        _run_until_interrupted(settings, worker=False, api=api)
    except KeyboardInterrupt:
        pass
    finally:
        api.close()
    typer.echo("stopped")
