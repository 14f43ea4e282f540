"""The API served by uvicorn next to the worker (as `herald dev` runs it), signalling the real
incident workflow on the real Temporal dev server; and `herald serve` stopping on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from herald.api.serving import bind_api_socket, run_services
from herald.channels.base import make_idempotency_key
from herald.channels.config import ProviderSettings
from herald.client import IncidentClient
from herald.inputs import load_facts
from herald.intake import new_incident
from herald.models import Channel, ReceiptCounts
from herald.profiles import load_profile
from herald.settings import Settings
from herald.store import Ledger, create_schema, make_engine
from herald.temporal import free_port, port_open
from tests.api.conftest import twilio_signature
from tests.conftest import EXAMPLES, herald_client
from worker import build_worker

TOKEN = "serving-test-token"
PUBLIC_URL = "https://receipts.example.org"
PATH = "/webhooks/twilio/status"


def signed_callback(k: str, status: str) -> tuple[str, dict[str, str]]:
    """A Twilio SMS status callback body and headers, signed for the public URL."""
    params = {"AccountSid": "AC1", "MessageSid": "SM1", "MessageStatus": status}
    signature = twilio_signature(f"{PUBLIC_URL}{PATH}?k={k}", params, TOKEN)
    return urlencode(params), {
        "X-Twilio-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def sent_row(settings: Settings, incident_id: str, person: str) -> str:
    """A ledger row as the sender leaves it; returns its idempotency key."""
    engine = make_engine(settings.db_url)
    create_schema(engine)
    ledger = Ledger(engine)
    assert ledger.claim_many(incident_id, Channel.SMS, [(person, "hash")]) == {person}
    ledger.mark_sent_many(incident_id, Channel.SMS, [(person, "SM1")])
    engine.dispose()
    return make_idempotency_key(incident_id, person, Channel.SMS)


async def test_the_api_beside_the_worker_signals_the_incident(
    local_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    target = local_env.client.service_client.config.target_host
    settings = Settings(
        home=tmp_path / "home",
        temporal_address=target,
        temporal_namespace=local_env.client.namespace,
        task_queue=f"serving-{uuid.uuid4().hex[:8]}",
    )
    settings.ensure_home()
    incidents = IncidentClient(herald_client(local_env, settings), task_queue=settings.task_queue)
    aware_at = datetime.now(UTC) - timedelta(hours=1)
    facts = load_facts(EXAMPLES / "facts.json").model_copy(
        update={"aware_at": aware_at, "discovered_at": aware_at - timedelta(hours=2)}
    )
    incident_id = f"INC-SERVE-{uuid.uuid4().hex[:6]}"
    k = sent_row(settings, incident_id, "P-receipt")

    async def run_worker(client: Client, stop: asyncio.Event) -> None:
        async with build_worker(client, settings):
            await stop.wait()

    port = free_port()
    sock = bind_api_socket("127.0.0.1", port)
    stop = asyncio.Event()
    # The API expects Twilio receipts; the worker (its own, default settings) sends to the outbox.
    providers = ProviderSettings(
        public_url=PUBLIC_URL, twilio_auth_token=SecretStr(TOKEN), sms_provider="twilio"
    )
    services = asyncio.create_task(
        run_services(settings, stop, worker=run_worker, api_socket=sock, providers=providers)
    )
    try:
        await incidents.start(
            new_incident(
                incident_id=incident_id,
                facts=facts,
                population=EXAMPLES / "population.csv",
                profile=load_profile(EXAMPLES / "profile.yaml"),
                commander="casey.commander",
                team=["team@example.org"],
            )
        )
        body, headers = signed_callback(k, "delivered")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(100):  # until uvicorn listens
                try:
                    response = await http.post(f"{PATH}?k={k}", content=body, headers=headers)
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            assert response.status_code == 204
        for _ in range(200):
            status = await incidents.status(incident_id)
            if status.receipts:
                break
            await asyncio.sleep(0.05)
        assert status.receipts == [ReceiptCounts(channel=Channel.SMS, delivered=1)]
        assert any(event.kind == "delivery.receipts" for event in status.timeline)
    finally:
        stop.set()
        await asyncio.wait_for(services, timeout=30)
        sock.close()
        await incidents.handle(incident_id).terminate("test over")
    assert services.exception() is None


def test_herald_serve_takes_receipts_without_temporal_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    home = tmp_path / "home"
    env = {
        **os.environ,
        "HERALD_HOME": str(home),
        "HERALD_PUBLIC_URL": PUBLIC_URL,
        "HERALD_TWILIO_AUTH_TOKEN": TOKEN,
        "HERALD_SMS_PROVIDER": "twilio",
        # Nobody listens there: receipts must still reach the ledger.
        "HERALD_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
    }
    settings = Settings(home=home)
    k = sent_row(settings, "INC-SERVE-1", "P-serve")
    program = "import typer; from herald.cli.server import serve; typer.run(serve)"
    process = subprocess.Popen(
        [sys.executable, "-c", program, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not port_open("127.0.0.1", port):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "herald serve did not start"
            time.sleep(0.05)
        body, headers = signed_callback(k, "undelivered")
        response = httpx.post(
            f"http://127.0.0.1:{port}{PATH}?k={k}", content=body, headers=headers, timeout=30
        )
        assert response.status_code == 204
        engine = make_engine(settings.db_url)
        record = Ledger(engine).get("INC-SERVE-1", "P-serve", Channel.SMS)
        engine.dispose()
        assert record is not None and record.state.value == "failed"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "stopped" in out
    # The signal could not be sent; that is said, by incident id only.
    assert "telling incident INC-SERVE-1 about sms changes failed" in err
    assert not port_open("127.0.0.1", port)
