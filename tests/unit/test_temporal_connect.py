"""Connecting to a Temporal cluster: settings → TLSConfig, and what `connect` presents.

The TLS tests are real handshakes on 127.0.0.1 with a throwaway PKI (tests.unit.tls_certs):
a gRPC peer that requires and records client certificates and headers, and a TLS front for
the real Temporal dev server (which has no TLS of its own), as a TLS-terminating proxy or a
load balancer would be.
"""

from __future__ import annotations

import asyncio
import base64
import os
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from temporalio.service import TLSConfig
from temporalio.testing import WorkflowEnvironment

from herald.codec import ENCODING
from herald.settings import Settings
from herald.temporal import TemporalTLSError, TemporalUnavailableError, connect, tls_config
from tests.unit.temporal_frontend import tls_frontend
from tests.unit.tls_certs import Authority, Issued

CODEC = "k1:" + base64.b64encode(os.urandom(32)).decode()
API_KEY = "tcld-" + base64.urlsafe_b64encode(os.urandom(24)).decode()
SERVER_NAME = "temporal.herald.internal"


@pytest.fixture
def pki(tmp_path: Path) -> Authority:
    """A CA of this test's own."""
    return Authority(tmp_path / "pki")


def _settings(tmp_path: Path, port: int, **tls: object) -> Settings:
    fields: dict[str, object] = {
        "home": tmp_path / "home",
        "codec_keys": CODEC,
        "temporal_address": f"127.0.0.1:{port}",
    }
    fields.update(tls)
    return Settings.model_validate(fields)


def _mtls(pki: Authority, client: Issued, **more: object) -> dict[str, object]:
    return {
        "temporal_tls_ca_file": pki.ca.cert_file,
        "temporal_tls_cert_file": client.cert_file,
        "temporal_tls_key_file": client.key_file,
        **more,
    }


# --- settings → TLSConfig -------------------------------------------------------------


def test_no_tls_settings_means_plain_tcp(tmp_path: Path) -> None:
    assert tls_config(_settings(tmp_path, 7233)) is None
    assert tls_config(_settings(tmp_path, 7233, temporal_tls=False)) is None


def test_tls_alone_trusts_the_system_roots(tmp_path: Path) -> None:
    assert tls_config(_settings(tmp_path, 7233, temporal_tls=True)) == TLSConfig()


def test_api_key_alone_turns_tls_on(tmp_path: Path) -> None:
    assert tls_config(_settings(tmp_path, 7233, temporal_api_key=API_KEY)) == TLSConfig()


def test_every_tls_setting_maps_to_its_field(tmp_path: Path, pki: Authority) -> None:
    client = pki.client("herald-worker")
    config = tls_config(
        _settings(tmp_path, 7233, **_mtls(pki, client, temporal_tls_server_name=SERVER_NAME))
    )
    assert config == TLSConfig(
        server_root_ca_cert=pki.ca.cert_pem,
        client_cert=client.cert_pem,
        client_private_key=client.key_pem,
        domain=SERVER_NAME,
    )


def test_ca_without_client_certificate(tmp_path: Path, pki: Authority) -> None:
    config = tls_config(_settings(tmp_path, 7233, temporal_tls_ca_file=pki.ca.cert_file))
    assert config == TLSConfig(server_root_ca_cert=pki.ca.cert_pem)


def test_unreadable_file_names_the_setting(tmp_path: Path, pki: Authority) -> None:
    client = pki.client("herald-worker")
    missing = tmp_path / "gone.key"
    settings = _settings(tmp_path, 7233, **_mtls(pki, client, temporal_tls_key_file=missing))
    with pytest.raises(TemporalTLSError) as caught:
        tls_config(settings)
    assert "HERALD_TEMPORAL_TLS_KEY_FILE" in str(caught.value) and str(missing) in str(caught.value)


def test_swapped_certificate_and_key_are_caught(tmp_path: Path, pki: Authority) -> None:
    client = pki.client("herald-worker")
    swapped = _mtls(
        pki, client, temporal_tls_cert_file=client.key_file, temporal_tls_key_file=client.cert_file
    )
    with pytest.raises(TemporalTLSError, match="HERALD_TEMPORAL_TLS_CERT_FILE.*no PEM"):
        tls_config(_settings(tmp_path, 7233, **swapped))


# --- real handshakes against a TLS gRPC peer ------------------------------------------


async def test_mtls_presents_the_client_certificate(tmp_path: Path, pki: Authority) -> None:
    server = pki.server(SERVER_NAME, ip="127.0.0.1")
    client = pki.client("herald-worker")
    with tls_frontend(server.cert_pem, server.key_pem, client_ca_pem=pki.ca.cert_pem) as (
        port,
        seen,
    ):
        await connect(_settings(tmp_path, port, **_mtls(pki, client)))
    assert seen.client_common_names == ["herald-worker"]
    assert "authorization" not in seen.metadata[0]


async def test_mtls_without_a_client_certificate_is_refused(tmp_path: Path, pki: Authority) -> None:
    server = pki.server(SERVER_NAME, ip="127.0.0.1")
    with tls_frontend(server.cert_pem, server.key_pem, client_ca_pem=pki.ca.cert_pem) as (
        port,
        seen,
    ):
        settings = _settings(tmp_path, port, temporal_tls_ca_file=pki.ca.cert_file)
        with pytest.raises(TemporalUnavailableError, match="TLS connection failed"):
            await connect(settings)
    assert seen.metadata == []


async def test_client_certificate_of_another_ca_is_refused(tmp_path: Path, pki: Authority) -> None:
    server = pki.server(SERVER_NAME, ip="127.0.0.1")
    stranger = Authority(tmp_path / "other", name="Someone Else").client("herald-worker")
    with tls_frontend(server.cert_pem, server.key_pem, client_ca_pem=pki.ca.cert_pem) as (
        port,
        seen,
    ):
        with pytest.raises(TemporalUnavailableError, match="TLS connection failed"):
            await connect(_settings(tmp_path, port, **_mtls(pki, stranger)))
    assert seen.metadata == []


async def test_server_of_an_untrusted_ca_is_refused(tmp_path: Path, pki: Authority) -> None:
    impostor = Authority(tmp_path / "impostor", name="Impostor CA").server(
        SERVER_NAME, ip="127.0.0.1"
    )
    with tls_frontend(impostor.cert_pem, impostor.key_pem) as (port, seen):
        settings = _settings(tmp_path, port, temporal_tls_ca_file=pki.ca.cert_file)
        with pytest.raises(TemporalUnavailableError, match="TLS connection failed"):
            await connect(settings)
    assert seen.metadata == []


async def test_server_name_checks_a_certificate_without_the_address(
    tmp_path: Path, pki: Authority
) -> None:
    # The certificate names the service, not 127.0.0.1: as behind a load balancer.
    server = pki.server(SERVER_NAME)
    with tls_frontend(server.cert_pem, server.key_pem) as (port, seen):
        unnamed = _settings(tmp_path, port, temporal_tls_ca_file=pki.ca.cert_file)
        with pytest.raises(TemporalUnavailableError, match="TLS connection failed"):
            await connect(unnamed)
        named = unnamed.model_copy(update={"temporal_tls_server_name": SERVER_NAME})
        await connect(named)
    assert len(seen.metadata) == 1


async def test_api_key_reaches_the_server_as_a_bearer_token(tmp_path: Path, pki: Authority) -> None:
    server = pki.server(SERVER_NAME, ip="127.0.0.1")
    with tls_frontend(server.cert_pem, server.key_pem) as (port, seen):
        settings = _settings(
            tmp_path, port, temporal_tls_ca_file=pki.ca.cert_file, temporal_api_key=API_KEY
        )
        await connect(settings)
    assert seen.metadata[0]["authorization"] == f"Bearer {API_KEY}"


async def test_plain_tcp_to_a_tls_server_fails_clearly(tmp_path: Path, pki: Authority) -> None:
    server = pki.server(SERVER_NAME, ip="127.0.0.1")
    with tls_frontend(server.cert_pem, server.key_pem) as (port, _seen):
        with pytest.raises(TemporalUnavailableError, match="no Temporal server at 127.0.0.1"):
            await connect(_settings(tmp_path, port))


async def test_tls_failure_message_holds_no_secret(tmp_path: Path, pki: Authority) -> None:
    server = pki.server(SERVER_NAME, ip="127.0.0.1")
    client = pki.client("herald-worker")
    stranger_ca = Authority(tmp_path / "other", name="Someone Else")
    with tls_frontend(server.cert_pem, server.key_pem, client_ca_pem=stranger_ca.ca.cert_pem) as (
        port,
        _seen,
    ):
        settings = _settings(tmp_path, port, **_mtls(pki, client, temporal_api_key=API_KEY))
        with pytest.raises(TemporalUnavailableError) as caught:
            await connect(settings)
    text = str(caught.value)
    key_body = client.key_pem.decode().splitlines()[1]
    assert API_KEY not in text and key_body not in text


# --- the real Temporal dev server behind a TLS front ----------------------------------


@asynccontextmanager
async def mtls_front(
    upstream_port: int, server: Issued, client_ca: Issued
) -> AsyncIterator[tuple[int, list[str]]]:
    """Terminate mTLS on 127.0.0.1 and pass the bytes to the dev server in the clear.

    Yields the port and the common names of the client certificates it accepted.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(server.cert_file, server.key_file)
    context.load_verify_locations(client_ca.cert_file)
    context.verify_mode = ssl.CERT_REQUIRED
    context.set_alpn_protocols(["h2"])  # gRPC is HTTP/2
    peers: list[str] = []
    writers: list[asyncio.StreamWriter] = []

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        certificate = writer.get_extra_info("peercert") or {}
        for rdn in certificate.get("subject", ()):
            peers.extend(value for key, value in rdn if key == "commonName")
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
        writers.extend([writer, up_writer])
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    front = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    try:
        yield int(front.sockets[0].getsockname()[1]), peers
    finally:
        front.close()
        for writer in writers:
            writer.close()
        await front.wait_closed()


async def test_real_temporal_over_mtls_with_the_codec(
    tmp_path: Path, pki: Authority, local_env: WorkflowEnvironment
) -> None:
    upstream = int(local_env.client.service_client.config.target_host.rsplit(":", 1)[1])
    server = pki.server(SERVER_NAME)
    client_cert = pki.client("herald-worker")
    async with mtls_front(upstream, server, pki.ca) as (port, peers):
        settings = _settings(
            tmp_path,
            port,
            temporal_namespace=local_env.client.namespace,
            **_mtls(pki, client_cert, temporal_tls_server_name=SERVER_NAME),
        )
        client = await connect(settings)
        # A round trip through the server: a workflow started (its input encrypted by the
        # codec) and described back, all over the TLS front.
        handle = await client.start_workflow(
            "NoSuchWorkflow", "payload", id=f"tls-{os.urandom(4).hex()}", task_queue="tls-none"
        )
        description = await handle.describe()
        history = await handle.fetch_history()
        await handle.terminate()
    assert description.workflow_type == "NoSuchWorkflow"
    started = history.events[0].workflow_execution_started_event_attributes
    (stored,) = started.input.payloads
    assert stored.metadata["encoding"] == ENCODING and b"payload" not in stored.data
    assert peers and set(peers) == {"herald-worker"}


def test_dev_refuses_tls_settings_for_the_embedded_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from herald.cli import app
    from herald.settings import get_settings
    from herald.temporal import free_port

    for name in list(os.environ):
        if name.upper().startswith("HERALD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HERALD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HERALD_TEMPORAL_API_KEY", API_KEY)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["dev", "--port", str(free_port())])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "the embedded dev server speaks plain TCP" in result.output
    assert API_KEY not in result.output
