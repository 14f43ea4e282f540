"""The adapters' real requests, through the real SDKs, are valid per the providers' specs.

Each test sends real messages through an adapter to a Prism mock of the provider's own
OpenAPI document and asserts that Prism found nothing wrong with any request (see
`conftest.py`). The `*_has_teeth` tests send a request the spec forbids along the same
path and see the check fail, so a passing check means something.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from herald.channels.base import (
    OutgoingMessage,
    ProviderConfigError,
    make_idempotency_key,
)
from herald.channels.fcm import FCM_SCOPE, FcmPush, ServiceAccount
from herald.channels.sendgrid_mail import HTML_NAME_TAG, TEXT_NAME_TAG, SendGridEmail
from herald.channels.twilio_messaging import TwilioSms, TwilioVoice
from herald.models import Channel, content_hash
from herald.models.drafts import RECIPIENT_NAME_TOKEN
from tests.contract.conftest import MockProvider
from tests.unit.channels.peer import Peer, Received, Reply, running_peer

ACCOUNT_SID = "AC" + "5f0e1d2c3b4a69788796a5b4c3d2e1f0"
SERVICE_SID = "MG" + "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
SUBJECT = "Notice of a data breach / Avis de violation de données"
BODY = f"Dear {RECIPIENT_NAME_TOKEN},\n\nWe are writing about a security incident.\n"
HTML = f"<p>Dear {RECIPIENT_NAME_TOKEN},</p>\n<p>We are writing about a security incident.</p>"


def message(channel: Channel, person: str, to: str, name: str, **extra: Any) -> OutgoingMessage:
    fields: dict[str, Any] = {
        "incident_id": "INC-2026-042",
        "person_id": person,
        "channel": channel,
        "to": to,
        "recipient_name": name,
        "greeting_name": name,
        "subject": SUBJECT,
        "body": BODY,
        "html": HTML if channel is Channel.EMAIL else None,
        "content_hash": content_hash(SUBJECT, BODY),
        "idempotency_key": make_idempotency_key("INC-2026-042", person, channel),
    }
    fields.update(extra)
    return OutgoingMessage.model_validate(fields)


# ---- SendGrid ------------------------------------------------------------------------------


def sendgrid(mock: MockProvider) -> SendGridEmail:
    return SendGridEmail(
        "SG.contract-test",
        sender_email="privacy@example.com",
        sender_name="Example Ltd — Privacy",
        host=mock.url,
    )


def test_sendgrid_batch_is_valid_per_the_mail_send_spec(sendgrid_mock: MockProvider) -> None:
    names = ["Zoé Müller", 'O\'Brien <&> "Q"', "李雷", "Ana\r\nBcc: x@evil.test", ""]
    batch = [
        message(Channel.EMAIL, f"P{i}", f"person.{i}@example.org", name)
        for i, name in enumerate(names)
    ]
    results = sendgrid(sendgrid_mock).send_batch(batch)
    assert all(r.accepted for r in results)
    [exchange] = sendgrid_mock.assert_all_valid()
    sent = exchange.request.json()
    assert [p["to"][0].get("name") for p in sent["personalizations"]] == [
        "Zoé Müller",
        'O\'Brien <&> "Q"',
        "李雷",
        "Ana Bcc: x@evil.test",
        None,
    ]
    assert sent["personalizations"][1]["substitutions"] == {
        TEXT_NAME_TAG: 'O\'Brien <&> "Q"',
        HTML_NAME_TAG: "O&#x27;Brien &lt;&amp;&gt; &quot;Q&quot;",
    }
    assert {p["custom_args"]["herald_key"] for p in sent["personalizations"]} == {
        m.idempotency_key for m in batch
    }


def test_sendgrid_text_only_mail_is_valid(sendgrid_mock: MockProvider) -> None:
    plain = message(Channel.EMAIL, "P9", "solo@example.net", "Solo", html=None)
    [result] = sendgrid(sendgrid_mock).send_batch([plain])
    assert result.accepted
    [exchange] = sendgrid_mock.assert_all_valid()
    assert [c["type"] for c in exchange.request.json()["content"]] == ["text/plain"]


def test_sendgrid_check_has_teeth(sendgrid_mock: MockProvider) -> None:
    # Python's parser takes "person@localhost"; the spec's `format: email` does not.
    batch = [
        message(Channel.EMAIL, "P1", "good@example.org", "Good"),
        message(Channel.EMAIL, "P2", "person@localhost", "Local"),
    ]
    with pytest.raises(ProviderConfigError):
        sendgrid(sendgrid_mock).send_batch(batch)
    with pytest.raises(AssertionError, match="personalizations.1.to.0.email"):
        sendgrid_mock.assert_all_valid()


# ---- Twilio --------------------------------------------------------------------------------


def sms_messages() -> list[OutgoingMessage]:
    return [
        message(Channel.SMS, "P1", "+33639980012", "Zoé"),
        message(Channel.SMS, "P2", "+14155550123", "Ana <&>"),
    ]


@pytest.mark.parametrize(
    "sender",
    [{"messaging_service_sid": SERVICE_SID}, {"from_number": "+15005550006"}],
    ids=["messaging-service", "from-number"],
)
def test_twilio_sms_is_valid_per_the_messages_spec(
    twilio_mock: MockProvider, sender: dict[str, Any]
) -> None:
    adapter = TwilioSms(
        ACCOUNT_SID,
        "auth-token",
        public_url="https://herald.example.org",
        base_url=twilio_mock.url,
        **sender,
    )
    results = adapter.send_batch(sms_messages())
    assert all(r.accepted and str(r.provider_message_id).startswith("SM") for r in results)
    exchanges = twilio_mock.assert_all_valid()
    assert [e.request.form()["Body"] for e in exchanges] == [[m.text()] for m in sms_messages()]


def test_twilio_voice_call_is_valid_per_the_calls_spec(twilio_mock: MockProvider) -> None:
    adapter = TwilioVoice(
        ACCOUNT_SID,
        "auth-token",
        from_number="+15005550006",
        public_url="https://herald.example.org",
        base_url=twilio_mock.url,
    )
    call = message(Channel.VOICE, "P1", "+33639980012", "Zoé", language="fr")
    [result] = adapter.send_batch([call])
    assert result.accepted and str(result.provider_message_id).startswith("CA")
    [exchange] = twilio_mock.assert_all_valid()
    form = exchange.request.form()
    assert form["Twiml"][0].startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Response>')
    assert form["StatusCallback"] == [
        f"https://herald.example.org/webhooks/twilio/status?k={call.idempotency_key}"
    ]


def test_twilio_lookups_are_valid_per_the_list_specs(twilio_mock: MockProvider) -> None:
    common: dict[str, Any] = {"base_url": twilio_mock.url, "from_number": "+15005550006"}
    sms = TwilioSms(ACCOUNT_SID, "auth-token", **common)
    calls = TwilioVoice(ACCOUNT_SID, "auth-token", **common)
    # The mock answers with the spec's example records, which are years old.
    assert sms.lookup(sms_messages()) == [False, False]
    assert calls.lookup([message(Channel.VOICE, "P1", "+33639980012", "Zoé")]) == [False]
    exchanges = twilio_mock.assert_all_valid()
    assert [e.request.path.rsplit("/", 1)[-1] for e in exchanges] == [
        "Messages.json",
        "Messages.json",
        "Calls.json",
    ]


def test_twilio_check_has_teeth(twilio_mock: MockProvider) -> None:
    adapter = TwilioSms(
        ACCOUNT_SID, "auth-token", messaging_service_sid="MG-not-a-sid", base_url=twilio_mock.url
    )
    with pytest.raises(ProviderConfigError, match="422"):
        adapter.send_batch(sms_messages()[:1])
    with pytest.raises(AssertionError, match="MessagingServiceSid"):
        twilio_mock.assert_all_valid()


# ---- FCM -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service_account() -> tuple[ServiceAccount, rsa.RSAPublicKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "herald-contract",
        "private_key_id": "0123abcd",
        "private_key": pem,
        "client_email": "herald-sender@herald-contract.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return ServiceAccount.from_info(info), key.public_key()


@pytest.fixture
def token_endpoint(service_account: tuple[ServiceAccount, rsa.RSAPublicKey]) -> Iterator[Peer]:
    """A tiny OAuth token endpoint that checks the assertion's RS256 signature."""
    _, public_key = service_account

    def handler(request: Received) -> Reply:
        header, claims, signature = request.form()["assertion"][0].split(".")
        try:
            public_key.verify(
                _unb64(signature),
                f"{header}.{claims}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except Exception:  # noqa: BLE001 - any verification failure is a refusal
            return Reply(400, {"error": "invalid_grant"})
        if json.loads(_unb64(claims))["scope"] != FCM_SCOPE:
            return Reply(400, {"error": "invalid_scope"})
        return Reply(200, {"access_token": "ya29.contract", "expires_in": 3599})

    with running_peer(handler) as peer:
        yield peer


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fcm(
    mock: MockProvider, token_peer: Peer, account: tuple[ServiceAccount, rsa.RSAPublicKey]
) -> FcmPush:
    return FcmPush(
        "herald-contract", account[0], base_url=mock.url, token_url=f"{token_peer.url}/token"
    )


def test_fcm_notifications_are_valid_per_the_send_spec(
    fcm_mock: MockProvider,
    token_endpoint: Peer,
    service_account: tuple[ServiceAccount, rsa.RSAPublicKey],
) -> None:
    adapter = fcm(fcm_mock, token_endpoint, service_account)
    pushes = [
        message(Channel.PUSH, "P1", "fcm-token-1", "Zoé", link="https://status.example.com/i"),
        message(Channel.PUSH, "P2", "fcm-token-2", "李雷", subject=None),
    ]
    results = adapter.send_batch(pushes)
    assert all(r.accepted and r.provider_message_id for r in results)
    exchanges = fcm_mock.assert_all_valid()
    assert exchanges[0].request.header("Authorization") == "Bearer ya29.contract"
    assert exchanges[0].request.json()["message"]["webpush"] == {
        "fcmOptions": {"link": "https://status.example.com/i"}
    }
    assert "title" not in exchanges[1].request.json()["message"]["notification"]
    adapter.close()


def test_fcm_check_has_teeth(
    fcm_mock: MockProvider,
    token_endpoint: Peer,
    service_account: tuple[ServiceAccount, rsa.RSAPublicKey],
) -> None:
    adapter = fcm(fcm_mock, token_endpoint, service_account)
    # The adapter's own client, URL and token; a body the spec forbids (an unknown priority
    # and a non-string data value).
    invalid = {"message": {"token": "t", "android": {"priority": "URGENT"}, "data": {"n": 1}}}
    response = adapter.http.post(
        adapter.url, json=invalid, headers={"Authorization": f"Bearer {adapter.tokens.get()}"}
    )
    assert response.status_code == 422
    with pytest.raises(AssertionError, match="422"):
        fcm_mock.assert_all_valid()
    adapter.close()
