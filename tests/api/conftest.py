"""Fixtures of the webhook tests: a real SQLite ledger with sent rows, provider settings
with a fresh SendGrid key pair, the app under FastAPI's TestClient, and signing helpers that
do what the providers do."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from herald.api import create_app
from herald.channels.base import make_idempotency_key
from herald.channels.config import ProviderSettings
from herald.models import Channel, ReceiptCounts
from herald.settings import Settings
from herald.store import DeliveryRecord, Ledger, create_schema, make_engine

INC = "INC-2026-007"
OTHER = "INC-2026-008"
TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_URL = "https://receipts.example.org/"  # what Twilio calls; the test client is elsewhere
TWILIO = "/webhooks/twilio/status"
SENDGRID = "/webhooks/sendgrid/events"
# Receipts are expected only from providers a channel uses.
IN_USE: dict[str, Any] = {
    "email_provider": "sendgrid",
    "sms_provider": "twilio",
    "voice_provider": "twilio",
}


class Recorder:
    """The `on_receipts` of these tests: remembers what it was told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, ReceiptCounts]] = []
        self.fail = False

    async def __call__(self, incident_id: str, counts: ReceiptCounts) -> None:
        self.calls.append((incident_id, counts))
        if self.fail:
            raise RuntimeError("Temporal is down")


@pytest.fixture(scope="session")
def signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_key_b64(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


@pytest.fixture
def providers(signing_key: ec.EllipticCurvePrivateKey) -> ProviderSettings:
    return ProviderSettings(
        public_url=PUBLIC_URL,
        twilio_auth_token=SecretStr(TOKEN),
        sendgrid_webhook_public_key=public_key_b64(signing_key),
        **IN_USE,
    )


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'herald.db'}")
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def ledger(engine: Engine) -> Ledger:
    """p1..p4 sent on email, SMS and voice, in two incidents, as the sender leaves them."""
    ledger = Ledger(engine)
    people = [f"p{n}" for n in range(1, 5)]
    for incident in (INC, OTHER):
        for channel in (Channel.EMAIL, Channel.SMS, Channel.VOICE):
            claimed = ledger.claim_many(incident, channel, [(p, "hash") for p in people])
            assert claimed == set(people)
            ledger.mark_sent_many(incident, channel, [(p, f"{channel}-{p}") for p in people])
    return ledger


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def client_for(
    engine: Engine, providers: ProviderSettings, recorder: Recorder, settings: Settings
) -> TestClient:
    app = create_app(settings, providers, engine=engine, on_receipts=recorder)
    return TestClient(app)


@pytest.fixture
def client(
    engine: Engine, providers: ProviderSettings, recorder: Recorder, settings: Settings
) -> TestClient:
    return client_for(engine, providers, recorder, settings)


def key(person: str, channel: Channel, incident: str = INC) -> str:
    return make_idempotency_key(incident, person, channel)


def row(ledger: Ledger, person: str, channel: Channel, incident: str = INC) -> DeliveryRecord:
    record = ledger.get(incident, person, channel)
    assert record is not None
    return record


def states(ledger: Ledger) -> dict[tuple[str, str, str], str]:
    """Every row's state: to show a refused request changed nothing."""
    return {
        (incident, person, channel.value): row(ledger, person, channel, incident).state.value
        for incident in (INC, OTHER)
        for channel in (Channel.EMAIL, Channel.SMS, Channel.VOICE)
        for person in ("p1", "p2", "p3", "p4")
    }


# ---- Twilio ---------------------------------------------------------------------------------


def twilio_signature(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    """Twilio's scheme, written out: HMAC-SHA1 over the URL and the sorted name+value pairs."""
    data = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def post_twilio(
    client: TestClient,
    params: dict[str, str],
    k: str | None,
    *,
    signed_url: str | None = None,
    signature: str | None = None,
) -> httpx.Response:
    query = "" if k is None else f"?k={k}"
    url = signed_url or f"{PUBLIC_URL.rstrip('/')}{TWILIO}{query}"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    headers["X-Twilio-Signature"] = signature or twilio_signature(url, params)
    # Typed: starlette types its client against httpx2, which is not installed here.
    body = urlencode(params)
    response: httpx.Response = client.post(TWILIO + query, content=body, headers=headers)
    return response


def sms_status(status: str, sid: str = "SM0001", **extra: str) -> dict[str, str]:
    return {
        "AccountSid": "AC0001",
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "To": "+14155550100",
        **extra,
    }


# ---- SendGrid -------------------------------------------------------------------------------


def sendgrid_headers(
    payload: str, signing_key: ec.EllipticCurvePrivateKey, *, at: float | None = None
) -> dict[str, str]:
    """Sign like SendGrid: ECDSA P-256 / SHA-256 over timestamp + body, DER, base64."""
    timestamp = str(int(time.time() if at is None else at))
    signature = signing_key.sign((timestamp + payload).encode(), ec.ECDSA(hashes.SHA256()))
    return {
        "Content-Type": "application/json",
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
    }


def event(kind: str, person: str, incident: str = INC, **extra: Any) -> dict[str, Any]:
    return {
        "email": f"{person}@example.org",
        "event": kind,
        "herald_key": key(person, Channel.EMAIL, incident),
        "herald_incident": incident,
        "sg_event_id": f"evt-{incident}-{person}-{kind}",
        "sg_message_id": f"sg-{person}.filterdrecv",
        "timestamp": int(time.time()) - 60,
        **extra,
    }


def post_sendgrid(
    client: TestClient, events: Any, signing_key: ec.EllipticCurvePrivateKey, **sign: Any
) -> httpx.Response:
    payload = events if isinstance(events, str) else json.dumps(events)
    headers = sendgrid_headers(payload, signing_key, **sign)
    response: httpx.Response = client.post(SENDGRID, content=payload.encode(), headers=headers)
    return response


from tests.api.stack import api, evidence_home  # noqa: E402,F401  (live-API fixtures)
