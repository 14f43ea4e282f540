"""The Twilio SMS and voice adapters against a local HTTP peer: how Twilio's answers are sorted.

The official SDK really talks HTTP to a peer on 127.0.0.1 that answers as Twilio does: the
Messages and Calls resources, rate limits with Retry-After, server errors, a full sender
queue, a peer slower than the timeout, and Twilio's own error bodies for a refused number
or credential; and lookup through the message and call lists.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from herald.channels.base import (
    ChannelAdapter,
    ProviderConfigError,
    SendResult,
    TransientSendError,
)
from herald.channels.twilio_messaging import TwilioSms, TwilioVoice
from herald.models import Channel
from tests.unit.channels.peer import Peer, Received, Reply, running_peer
from tests.unit.channels.provider_messages import message

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
SERVICE_SID = "MG" + "fedcba9876543210" * 2
NUMBER = "+15005550009"


def twilio_error(status: int, code: int, text: str, headers: dict[str, str] | None = None) -> Reply:
    body = {
        "code": code,
        "message": text,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return Reply(status, body, headers or {})


def sms(peer: Peer, timeout: float = 5.0, **options: Any) -> TwilioSms:
    settings: dict[str, Any] = {"messaging_service_sid": SERVICE_SID}
    settings.update(options)
    return TwilioSms(ACCOUNT_SID, "auth-token", base_url=peer.url, timeout=timeout, **settings)


def created(sid: str) -> Reply:
    return Reply(201, {"sid": sid, "status": "queued", "account_sid": ACCOUNT_SID})


def test_twilio_sms_create_carries_body_service_and_status_callback() -> None:
    msg = message(Channel.SMS, "P1", NUMBER, greeting_name="Zoé")
    with running_peer(lambda _: created("SM" + "a" * 32)) as peer:
        adapter = sms(peer, public_url="https://herald.example.org/")
        assert isinstance(adapter, ChannelAdapter)
        [result] = adapter.send_batch([msg])
    assert result == SendResult(accepted=True, provider_message_id="SM" + "a" * 32)
    [request] = peer.received
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.form() == {
        "To": [NUMBER],
        "Body": [msg.text()],
        "MessagingServiceSid": [SERVICE_SID],
        "StatusCallback": [
            f"https://herald.example.org/webhooks/twilio/status?k={msg.idempotency_key}"
        ],
    }
    expected = base64.b64encode(f"{ACCOUNT_SID}:auth-token".encode()).decode()
    assert request.header("Authorization") == f"Basic {expected}"


def test_twilio_sms_without_service_sends_from_the_number() -> None:
    with running_peer(lambda _: created("SM" + "b" * 32)) as peer:
        sms(peer, messaging_service_sid=None, from_number="+15005550006").send_batch(
            [message(Channel.SMS, "P1", NUMBER)]
        )
    form = peer.received[0].form()
    assert form["From"] == ["+15005550006"] and "MessagingServiceSid" not in form
    assert "StatusCallback" not in form


def test_twilio_voice_call_reads_the_twiml_and_reports_completion() -> None:
    msg = message(Channel.VOICE, "P1", NUMBER, greeting_name="Ana <&>", language="fr")
    with running_peer(lambda _: created("CA" + "c" * 32)) as peer:
        voice_adapter = TwilioVoice(
            ACCOUNT_SID,
            "tok",
            from_number="+15005550006",
            public_url="https://h.example",
            base_url=peer.url,
        )
        [result] = voice_adapter.send_batch([msg])
    assert result.provider_message_id == "CA" + "c" * 32
    request = peer.received[0]
    assert request.path.endswith("/Calls.json")
    form = request.form()
    assert form["From"] == ["+15005550006"] and form["To"] == [NUMBER]
    assert form["StatusCallback"] == [
        f"https://h.example/webhooks/twilio/status?k={msg.idempotency_key}"
    ]
    # Twilio then reports only the `completed` event.
    assert "StatusCallbackEvent" not in form
    assert form["Twiml"][0].count('<Say language="fr-FR">Dear Ana &lt;&amp;&gt;,</Say>') == 2


def test_twilio_429_is_transient_with_retry_after() -> None:
    reply = twilio_error(429, 20429, "Too Many Requests", {"Retry-After": "3"})
    with running_peer(lambda _: reply) as peer:
        with pytest.raises(TransientSendError) as caught:
            sms(peer).send_batch([message(Channel.SMS, "P1", NUMBER)])
    assert caught.value.retry_after == 3.0


@pytest.mark.parametrize("status", [500, 503])
def test_twilio_server_errors_are_transient(status: int) -> None:
    with running_peer(lambda _: twilio_error(status, 20500, "Internal Server Error")) as peer:
        with pytest.raises(TransientSendError):
            sms(peer).send_batch([message(Channel.SMS, "P1", NUMBER)])


def test_twilio_full_sender_queue_is_transient() -> None:
    reply = twilio_error(400, 21611, "This 'From' number has exceeded the maximum queue")
    with running_peer(lambda _: reply) as peer:
        with pytest.raises(TransientSendError):
            sms(peer).send_batch([message(Channel.SMS, "P1", NUMBER)])


def test_twilio_timeout_is_transient() -> None:
    with running_peer(lambda _: Reply(201, {"sid": "SMx"}, delay=5)) as peer:
        started = time.monotonic()
        with pytest.raises(TransientSendError):
            sms(peer, timeout=0.3).send_batch([message(Channel.SMS, "P1", NUMBER)])
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (21211, f"The 'To' number {NUMBER} is not a valid phone number."),
        (21610, f"Attempt to send to unsubscribed recipient {NUMBER}"),
        (21614, f"'To' number {NUMBER} is not a valid mobile number"),
    ],
)
def test_twilio_refused_recipient_is_permanent_and_names_no_number(code: int, text: str) -> None:
    with running_peer(lambda _: twilio_error(400, code, text)) as peer:
        [result] = sms(peer).send_batch([message(Channel.SMS, "P1", NUMBER)])
    assert not result.accepted
    assert result.permanent_error is not None
    assert result.permanent_error.startswith(f"twilio {code}: ")
    assert "5550009" not in result.permanent_error


def test_twilio_401_is_a_config_error() -> None:
    with running_peer(lambda _: twilio_error(401, 20003, "Authenticate")) as peer:
        with pytest.raises(ProviderConfigError, match="401"):
            sms(peer).send_batch([message(Channel.SMS, "P1", NUMBER)])


def test_twilio_other_4xx_is_a_config_error_without_the_number() -> None:
    reply = twilio_error(400, 21606, f"The From phone number {NUMBER} is not a valid sender")
    with running_peer(lambda _: reply) as peer:
        with pytest.raises(ProviderConfigError) as caught:
            sms(peer).send_batch([message(Channel.SMS, "P1", NUMBER)])
    assert "21606" in str(caught.value) and "5550009" not in str(caught.value)


def test_twilio_lookup_finds_a_recent_message_with_the_same_text() -> None:
    now = datetime.now(UTC)
    sent = message(Channel.SMS, "P1", NUMBER)
    other = message(Channel.SMS, "P2", "+15005550010")
    stale = message(Channel.SMS, "P3", "+15005550011")

    def record(to: str, body: str, created_at: datetime) -> dict[str, Any]:
        return {
            "sid": "SM" + "d" * 32,
            "to": to,
            "body": body,
            "direction": "outbound-api",
            "date_created": format_datetime(created_at, usegmt=True),
        }

    def handler(request: Received) -> Reply:
        to = request.query["To"][0]
        records = {
            NUMBER: [record(NUMBER, sent.text(), now - timedelta(minutes=3))],
            other.to: [record(other.to, "some other text", now)],
            stale.to: [record(stale.to, stale.text(), now - timedelta(days=2))],
        }[to]
        return Reply(200, {"messages": records, "next_page_uri": None, "page": 0, "page_size": 50})

    with running_peer(handler) as peer:
        assert sms(peer).lookup([sent, other, stale]) == [True, False, False]
    assert [r.query["To"] for r in peer.received] == [[NUMBER], [other.to], [stale.to]]


def test_twilio_voice_lookup_counts_any_recent_call() -> None:
    now = format_datetime(datetime.now(UTC), usegmt=True)
    calls = {"calls": [{"sid": "CA" + "e" * 32, "to": NUMBER, "date_created": now}]}
    with running_peer(lambda _: Reply(200, calls)) as peer:
        adapter = TwilioVoice(ACCOUNT_SID, "t", from_number="+15005550006", base_url=peer.url)
        assert adapter.lookup([message(Channel.VOICE, "P1", NUMBER)]) == [True]
    assert peer.received[0].path.endswith("/Calls.json")


def test_twilio_needs_a_sender() -> None:
    with pytest.raises(ProviderConfigError):
        TwilioSms(ACCOUNT_SID, "t")
    with pytest.raises(ProviderConfigError):
        TwilioVoice(ACCOUNT_SID, "t", from_number="")
