"""SendGrid's signed Event Webhook over HTTP: verified, applied once, reasons scrubbed."""

from __future__ import annotations

import base64
import json
import logging
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from herald.api import WebhookConfigError, create_app
from herald.api.webhooks import MAX_BODY_BYTES
from herald.channels.config import ProviderSettings
from herald.models import Channel, ReceiptCounts
from herald.settings import Settings
from herald.store import Ledger
from tests.api.conftest import (
    IN_USE,
    INC,
    OTHER,
    PUBLIC_URL,
    SENDGRID,
    Recorder,
    client_for,
    event,
    post_sendgrid,
    row,
    sendgrid_headers,
    states,
)


def test_a_sendgrid_batch_updates_the_ledger_and_tells_each_incident(
    client: TestClient, ledger: Ledger, recorder: Recorder, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    stranger = event("delivered", "p1")
    stranger["herald_key"] = "f" * 32  # a message this ledger never sent
    foreign = event("delivered", "p4")
    del foreign["herald_key"]  # other mail of the same SendGrid account
    events = [
        event("processed", "p1"),
        event("delivered", "p1"),
        event("open", "p1"),
        event("bounce", "p2", type="bounce", reason="550 5.1.1 <p2@example.org>: user unknown"),
        event("dropped", "p3", reason="Unsubscribed Address"),
        event("delivered", "p1", OTHER),
        stranger,
        foreign,
    ]
    assert post_sendgrid(client, events, signing_key).status_code == 204
    assert [row(ledger, p, Channel.EMAIL).state.value for p in ("p1", "p2", "p3", "p4")] == [
        "delivered",
        "bounced",
        "failed",
        "sent",
    ]
    assert row(ledger, "p2", Channel.EMAIL).last_error == "550 5.1.1 <[address]>: user unknown"
    assert row(ledger, "p1", Channel.EMAIL, OTHER).state.value == "delivered"
    assert recorder.calls == [
        (INC, ReceiptCounts(channel=Channel.EMAIL, delivered=1, bounced=1, failed=1)),
        (OTHER, ReceiptCounts(channel=Channel.EMAIL, delivered=1)),
    ]


def test_the_same_sendgrid_batch_twice_changes_nothing_the_second_time(
    client: TestClient, ledger: Ledger, recorder: Recorder, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    events = [event("delivered", "p1"), event("bounce", "p2", reason="mailbox full")]
    events.append(dict(events[0]))  # SendGrid repeats an event within a batch, too
    assert post_sendgrid(client, events, signing_key).status_code == 204
    before = [row(ledger, p, Channel.EMAIL) for p in ("p1", "p2")]
    assert post_sendgrid(client, events, signing_key).status_code == 204
    assert [row(ledger, p, Channel.EMAIL) for p in ("p1", "p2")] == before
    assert recorder.calls == [(INC, ReceiptCounts(channel=Channel.EMAIL, delivered=1, bounced=1))]


def test_a_receipt_for_a_message_still_sending_is_kept(
    client: TestClient, ledger: Ledger, recorder: Recorder, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    # The provider called back before the sender recorded `sent`.
    assert ledger.claim_many(INC, Channel.EMAIL, [("p9", "hash")]) == {"p9"}
    assert post_sendgrid(client, [event("delivered", "p9")], signing_key).status_code == 204
    ledger.mark_sent_many(INC, Channel.EMAIL, [("p9", "x-message-id")])
    record = row(ledger, "p9", Channel.EMAIL)
    assert (record.state.value, record.provider_message_id) == ("delivered", "sg-p9.filterdrecv")
    assert recorder.calls == [(INC, ReceiptCounts(channel=Channel.EMAIL, delivered=1))]


@pytest.mark.parametrize(
    "tamper", ["other key", "body changed", "no signature", "garbage signature", "old", "future"]
)
def test_a_sendgrid_batch_that_is_not_signed_right_is_refused(
    client: TestClient,
    ledger: Ledger,
    recorder: Recorder,
    signing_key: ec.EllipticCurvePrivateKey,
    tamper: str,
) -> None:
    before = states(ledger)
    payload = json.dumps([event("delivered", "p1")])
    headers = sendgrid_headers(payload, signing_key)
    if tamper == "other key":
        headers = sendgrid_headers(payload, ec.generate_private_key(ec.SECP256R1()))
    elif tamper == "body changed":
        payload = payload.replace("delivered", "bounce")
    elif tamper == "no signature":
        del headers["X-Twilio-Email-Event-Webhook-Signature"]
    elif tamper == "garbage signature":
        headers["X-Twilio-Email-Event-Webhook-Signature"] = "not base64!"
    elif tamper == "old":  # past SendGrid's 24 hours of retries
        headers = sendgrid_headers(payload, signing_key, at=time.time() - 26 * 3600)
    else:
        headers = sendgrid_headers(payload, signing_key, at=time.time() + 3600)
    response = client.post(SENDGRID, content=payload.encode(), headers=headers)
    assert response.status_code == 403
    assert "X-Twilio-Email-Event-Webhook" in response.json()["detail"]
    assert states(ledger) == before
    assert recorder.calls == []


def test_a_retry_signed_hours_ago_is_still_accepted(
    client: TestClient, ledger: Ledger, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    # SendGrid retries for 24 hours; the window must not lose those receipts.
    response = post_sendgrid(
        client, [event("delivered", "p1")], signing_key, at=time.time() - 20 * 3600
    )
    assert response.status_code == 204
    assert row(ledger, "p1", Channel.EMAIL).state.value == "delivered"


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        ("{not json", "body is not JSON"),
        ('{"event": "delivered"}', "not a JSON array"),
        ('[{"event": "delivered"}, 7]', "event 1 is not a JSON object"),
        (json.dumps([{"event": "bounce", "herald_key": "k", "timestamp": "x"}]), "event 0: time"),
    ],
)
def test_a_signed_but_malformed_sendgrid_batch_is_a_400(
    client: TestClient,
    ledger: Ledger,
    signing_key: ec.EllipticCurvePrivateKey,
    payload: str,
    detail: str,
) -> None:
    before = states(ledger)
    response = post_sendgrid(client, payload, signing_key)
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert states(ledger) == before


def test_a_body_that_is_not_utf8_is_a_400(
    client: TestClient, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    headers = sendgrid_headers("[]", signing_key)
    response = client.post(SENDGRID, content=b"[\xff]", headers=headers)
    assert (response.status_code, response.json()["detail"]) == (400, "body is not UTF-8")


def test_a_body_past_the_limit_is_a_413(
    client: TestClient, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    payload = "[" + " " * MAX_BODY_BYTES + "]"
    response = client.post(SENDGRID, content=payload, headers=sendgrid_headers("[]", signing_key))
    assert response.status_code == 413


def test_sendgrid_events_are_refused_until_they_can_be_verified(
    engine: Engine,
    ledger: Ledger,
    recorder: Recorder,
    settings: Settings,
    signing_key: ec.EllipticCurvePrivateKey,
) -> None:
    providers = ProviderSettings(public_url=PUBLIC_URL, **IN_USE)
    client = client_for(engine, providers, recorder, settings)
    response = post_sendgrid(client, [event("delivered", "p1")], signing_key)
    assert response.status_code == 503  # SendGrid retries for 24 hours: nothing is lost
    assert "HERALD_SENDGRID_WEBHOOK_PUBLIC_KEY" in response.json()["detail"]
    outbox_only = client_for(engine, ProviderSettings(public_url=PUBLIC_URL), recorder, settings)
    response = post_sendgrid(outbox_only, [event("delivered", "p1")], signing_key)
    assert response.status_code == 404
    assert "HERALD_EMAIL_PROVIDER" in response.json()["detail"]
    assert row(ledger, "p1", Channel.EMAIL).state.value == "sent"


@pytest.mark.parametrize("bad_key", ["not a key", base64.b64encode(b"\x00" * 64).decode()])
def test_an_unusable_public_key_stops_the_app_from_being_built(
    engine: Engine, recorder: Recorder, settings: Settings, bad_key: str
) -> None:
    providers = ProviderSettings(sendgrid_webhook_public_key=bad_key)
    with pytest.raises(WebhookConfigError, match="HERALD_SENDGRID_WEBHOOK_PUBLIC_KEY") as caught:
        create_app(settings, providers, engine=engine, on_receipts=recorder)
    assert bad_key not in str(caught.value)


def test_a_failing_on_receipts_does_not_undo_the_ledger(
    client: TestClient,
    ledger: Ledger,
    recorder: Recorder,
    signing_key: ec.EllipticCurvePrivateKey,
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder.fail = True
    with caplog.at_level(logging.ERROR, logger="herald.api.webhooks"):
        response = post_sendgrid(client, [event("delivered", "p1")], signing_key)
    assert response.status_code == 204
    assert row(ledger, "p1", Channel.EMAIL).state.value == "delivered"
    assert f"telling incident {INC} about email changes failed" in caplog.text
    assert "p1@example.org" not in caplog.text
