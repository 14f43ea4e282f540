"""Helpers shared by the CLI commands: async entry, client, errors, output."""

from __future__ import annotations

import asyncio
import getpass
import json
import os
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from herald.client import IncidentClient
from herald.codec import CodecKeyError
from herald.inputs import InputError
from herald.settings import Settings, get_settings
from herald.temporal import TemporalTLSError, TemporalUnavailableError, connect

T = TypeVar("T")

JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]

EXIT_BAD_INPUT = 2
EXIT_REFUSED = 1


def fail(message: str, code: int = EXIT_REFUSED) -> NoReturn:
    """Print an error for the person and exit with `code`."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def run(coro: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run an async command body, turning known failures into clear exits."""
    try:
        return asyncio.run(coro())
    except InputError as err:
        fail(str(err), EXIT_BAD_INPUT)
    except (TemporalUnavailableError, TemporalTLSError, CodecKeyError) as err:
        # Configuration problems: the messages name the setting, never a key.
        fail(str(err))
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        fail(f"refused: {getattr(cause, 'message', None) or cause or err}")
    except RPCError as err:
        if "not found" in str(err).lower():
            fail("no such incident (see `herald incident list`)")
        fail(f"Temporal answered: {err.message}")


def settings() -> Settings:
    """The process settings."""
    return get_settings()


async def incidents() -> IncidentClient:
    """A connected incident client, or a clear error telling how to start a server."""
    config = settings()
    return IncidentClient(await connect(config), task_queue=config.task_queue)


def default_actor() -> str:
    """Who is acting when --as is not given: HERALD_USER, else the login name."""
    return os.environ.get("HERALD_USER") or getpass.getuser()


def emit_json(value: Any) -> None:
    """Print models or plain data as JSON on stdout."""
    if isinstance(value, BaseModel):
        typer.echo(value.model_dump_json(indent=2))
    elif isinstance(value, list) and all(isinstance(v, BaseModel) for v in value):
        typer.echo(json.dumps([v.model_dump(mode="json") for v in value], indent=2))
    else:
        typer.echo(json.dumps(value, indent=2, default=str))


def table(rows: list[list[str]], headers: list[str], *, err: bool = False) -> None:
    """Print a plain aligned table (to stderr with `err`)."""
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    for line in [headers, ["-" * w for w in widths], *rows]:
        typer.echo(
            "  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=False)), err=err
        )
