"""Running the API under uvicorn next to a worker, in one asyncio loop (`herald dev`,
`herald serve`).

One stop event ends everything: Herald's CLI sets it on Ctrl-C / SIGTERM, and the worker and
the API both wait on it. Uvicorn's own signal capture is switched off for that reason: it
would take the signal for the API alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import socket
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

import uvicorn
from sqlalchemy import Engine
from temporalio.client import Client

from herald.api.app import create_app
from herald.api.oidc_config import OidcConfig
from herald.api.signals import WorkflowSignaller
from herald.channels.config import ProviderSettings
from herald.client import IncidentClient
from herald.secrets import intake_secret, session_secret
from herald.settings import Settings
from herald.store.db import create_schema, make_engine
from herald.temporal import connect

__all__ = ["ApiPortError", "api_server", "bind_api_socket", "run_services"]


class ApiPortError(OSError):
    """The API's address cannot be bound (in use, or not allowed)."""


class _ApiServer(uvicorn.Server):
    """Uvicorn without its signal handlers: Herald's stop event ends the API and the worker."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind_api_socket(host: str, port: int) -> socket.socket:
    """Bind the API's listening socket now, so a taken port is a clear error at start."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        why = "is already in use" if err.errno == errno.EADDRINUSE else f"cannot be bound ({err})"
        raise ApiPortError(f"{host}:{port} {why}: pick another with --port") from None
    return sock


def api_server(
    settings: Settings,
    providers: ProviderSettings,
    engine: Engine,
    connect_incidents: Callable[[], Awaitable[IncidentClient]],
) -> uvicorn.Server:
    """The API app under uvicorn, signalling incidents through `connect_incidents`'s client."""
    app = create_app(
        settings,
        providers,
        engine=engine,
        on_receipts=WorkflowSignaller(connect_incidents),
        incidents=connect_incidents,
        session_secret=session_secret(settings),
        intake_secret=intake_secret(settings),
        oidc=OidcConfig.from_env(),
    )
    level = os.environ.get("HERALD_LOG_LEVEL", "WARNING").lower()
    # log_config None: keep the logging the CLI set up instead of uvicorn's own.
    config = uvicorn.Config(app, log_config=None, log_level=level, lifespan="off")
    return _ApiServer(config)


async def run_services(
    settings: Settings,
    stop: asyncio.Event,
    *,
    worker: Callable[[Client, asyncio.Event], Coroutine[Any, Any, None]] | None,
    api_socket: socket.socket | None,
    providers: ProviderSettings | None = None,
) -> None:
    """Run the worker and/or the API until `stop` is set or one of them ends (then both).

    Args:
        settings: Herald's settings (Temporal address, database).
        stop: Set by the caller's signal handler; set here too when a service ends.
        worker: Runs the worker on a client until the event is set; None: API only.
        api_socket: A bound socket (`bind_api_socket`) to serve the API on; None: no API.
        providers: Public URL and verification secrets; default: from the environment.

    The worker needs Temporal at once; the API alone connects on the first request that
    needs Temporal (and keeps that connection), so it takes receipts (into the ledger) and
    serves sign-in while Temporal is unreachable.
    """
    client: Client | None = await connect(settings) if worker is not None else None
    connecting = asyncio.Lock()

    async def incidents() -> IncidentClient:
        nonlocal client
        async with connecting:  # one connection, however many requests arrive at once
            if client is None:
                client = await connect(settings)
        return IncidentClient(client, task_queue=settings.task_queue)

    engine: Engine | None = None
    server: uvicorn.Server | None = None
    tasks: list[asyncio.Task[None]] = []
    try:
        if worker is not None and client is not None:
            tasks.append(asyncio.create_task(worker(client, stop)))
        if api_socket is not None:
            engine = make_engine(settings.db_url)
            create_schema(engine)
            server = api_server(settings, providers or ProviderSettings(), engine, incidents)
            tasks.append(asyncio.create_task(server.serve(sockets=[api_socket])))
        waiter = asyncio.create_task(stop.wait())
        await asyncio.wait([*tasks, waiter], return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
    finally:
        stop.set()
        if server is not None:
            server.should_exit = True
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        if engine is not None:
            engine.dispose()
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
