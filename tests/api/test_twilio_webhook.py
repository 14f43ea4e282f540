"""Twilio status callbacks over HTTP: signed for the public URL, applied once."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from herald.channels.config import ProviderSettings
from herald.models import Channel, ReceiptCounts
from herald.settings import Settings
from herald.store import Ledger
from tests.api.conftest import (
    IN_USE,
    INC,
    PUBLIC_URL,
    TOKEN,
    TWILIO,
    Recorder,
    client_for,
    key,
    post_twilio,
    row,
    sms_status,
    states,
    twilio_signature,
)


def test_twilio_signature_helper_matches_the_official_validator() -> None:
    from twilio.request_validator import RequestValidator

    url, params = f"{PUBLIC_URL}x?k=1", sms_status("delivered")
    assert twilio_signature(url, params) == RequestValidator(TOKEN).compute_signature(url, params)


def test_a_delivered_sms_updates_the_ledger_and_tells_the_incident(
    client: TestClient, ledger: Ledger, recorder: Recorder
) -> None:
    response = post_twilio(client, sms_status("delivered"), key("p1", Channel.SMS))
    assert response.status_code == 204
    assert row(ledger, "p1", Channel.SMS).state.value == "delivered"
    assert recorder.calls == [(INC, ReceiptCounts(channel=Channel.SMS, delivered=1))]


def test_the_same_twilio_callback_twice_changes_nothing_the_second_time(
    client: TestClient, ledger: Ledger, recorder: Recorder
) -> None:
    params = sms_status("undelivered", ErrorCode="30003")
    assert post_twilio(client, params, key("p2", Channel.SMS)).status_code == 204
    first = row(ledger, "p2", Channel.SMS)
    assert post_twilio(client, params, key("p2", Channel.SMS)).status_code == 204
    assert row(ledger, "p2", Channel.SMS) == first
    assert (first.state.value, first.permanent_failure) == ("failed", True)
    assert first.last_error == "message undelivered (Twilio error 30003)"
    assert recorder.calls == [(INC, ReceiptCounts(channel=Channel.SMS, failed=1))]


def test_a_call_that_was_not_answered_is_a_failure(
    client: TestClient, ledger: Ledger, recorder: Recorder
) -> None:
    params = {"AccountSid": "AC0001", "CallSid": "CA0001", "CallStatus": "no-answer"}
    assert post_twilio(client, params, key("p3", Channel.VOICE)).status_code == 204
    assert row(ledger, "p3", Channel.VOICE).state.value == "failed"
    assert recorder.calls == [(INC, ReceiptCounts(channel=Channel.VOICE, failed=1))]


def test_a_status_that_is_not_final_is_accepted_and_changes_nothing(
    client: TestClient, ledger: Ledger, recorder: Recorder
) -> None:
    before = states(ledger)
    assert post_twilio(client, sms_status("sent"), key("p1", Channel.SMS)).status_code == 204
    assert states(ledger) == before and recorder.calls == []


@pytest.mark.parametrize(
    "tamper",
    ["wrong token", "no signature", "signed for the local URL", "body changed", "key changed"],
)
def test_a_twilio_callback_that_is_not_signed_right_is_refused(
    client: TestClient, ledger: Ledger, recorder: Recorder, tamper: str
) -> None:
    k = key("p1", Channel.SMS)
    params = sms_status("delivered")
    public = f"{PUBLIC_URL.rstrip('/')}{TWILIO}?k={k}"
    if tamper == "wrong token":
        response = post_twilio(client, params, k, signature=twilio_signature(public, params, "x"))
    elif tamper == "no signature":
        response = client.post(f"{TWILIO}?k={k}", content=urlencode(params))
    elif tamper == "signed for the local URL":
        response = post_twilio(client, params, k, signed_url=f"http://testserver{TWILIO}?k={k}")
    elif tamper == "body changed":
        signature = twilio_signature(public, sms_status("failed"))
        response = post_twilio(client, params, k, signed_url=public, signature=signature)
    else:
        other = key("p2", Channel.SMS)
        response = post_twilio(client, params, other, signature=twilio_signature(public, params))
    assert response.status_code == 403
    assert "X-Twilio-Signature" in response.json()["detail"]
    assert row(ledger, "p1", Channel.SMS).state.value == "sent"
    assert row(ledger, "p2", Channel.SMS).state.value == "sent"
    assert recorder.calls == []


@pytest.mark.parametrize(
    ("params", "k", "detail"),
    [
        (sms_status("delivered"), None, "has no k"),
        ({"AccountSid": "AC0001", "MessageSid": "SM1"}, "abc", "neither MessageStatus"),
        ({"MessageStatus": "delivered"}, "abc", "MessageStatus without MessageSid"),
    ],
)
def test_a_signed_but_unreadable_twilio_callback_is_a_400(
    client: TestClient, ledger: Ledger, params: dict[str, str], k: str | None, detail: str
) -> None:
    before = states(ledger)
    response = post_twilio(client, params, k)
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert states(ledger) == before


def test_twilio_receipts_are_refused_until_they_can_be_verified(
    engine: Engine, ledger: Ledger, recorder: Recorder, settings: Settings
) -> None:
    before = states(ledger)
    for providers in (
        ProviderSettings(public_url=PUBLIC_URL, **IN_USE),
        ProviderSettings(twilio_auth_token=SecretStr(TOKEN), **IN_USE),
    ):
        client = client_for(engine, providers, recorder, settings)
        response = post_twilio(client, sms_status("delivered"), key("p1", Channel.SMS))
        assert response.status_code == 503  # Twilio retries: nothing is lost meanwhile
        assert "HERALD_TWILIO_AUTH_TOKEN" in response.json()["detail"]
    assert states(ledger) == before


def test_twilio_receipts_are_not_found_when_no_channel_uses_twilio(
    engine: Engine, ledger: Ledger, recorder: Recorder, settings: Settings
) -> None:
    before = states(ledger)
    providers = ProviderSettings(public_url=PUBLIC_URL, twilio_auth_token=SecretStr(TOKEN))
    client = client_for(engine, providers, recorder, settings)
    response = post_twilio(client, sms_status("delivered"), key("p1", Channel.SMS))
    assert response.status_code == 404
    assert "HERALD_SMS/VOICE_PROVIDER" in response.json()["detail"]
    assert states(ledger) == before
