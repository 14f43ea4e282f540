"""The SendGrid adapter against a local HTTP peer: how SendGrid's answers are sorted.

The official SDK really talks HTTP to a peer on 127.0.0.1 that answers as SendGrid does:
rate limits with Retry-After or X-RateLimit-Reset, server errors, a peer slower than the
timeout, a refused key, a request too large, and SendGrid's own error body for a refused
recipient, which the adapter isolates by splitting the batch.
"""

from __future__ import annotations

import socket
import time

import pytest

from herald.channels.base import (
    ChannelAdapter,
    OutgoingMessage,
    PartiallySentError,
    ProviderConfigError,
    TransientSendError,
)
from herald.channels.sendgrid_mail import (
    HTML_NAME_TAG,
    TEXT_NAME_TAG,
    SendGridEmail,
)
from herald.models import Channel, content_hash
from herald.models.drafts import RECIPIENT_NAME_TOKEN
from tests.unit.channels.peer import Handler, Peer, Received, Reply, running_peer
from tests.unit.channels.provider_messages import BODY, HTML, SUBJECT, message


def emails(count: int) -> list[OutgoingMessage]:
    return [message(Channel.EMAIL, f"P{i}", f"person{i}@example.org") for i in range(count)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def sendgrid(peer: Peer, timeout: float = 5.0) -> SendGridEmail:
    return SendGridEmail(
        "SG.test-key",
        sender_email="notices@example.com",
        sender_name="Example Notices",
        host=peer.url,
        timeout=timeout,
    )


def recipients(request: Received) -> list[str]:
    return [p["to"][0]["email"] for p in request.json()["personalizations"]]


def test_sendgrid_is_a_channel_adapter() -> None:
    with running_peer(lambda _: Reply(202)) as peer:
        assert isinstance(sendgrid(peer), ChannelAdapter)


def test_sendgrid_sends_one_request_per_content_with_names_substituted() -> None:
    other_body = "A second approved text for " + RECIPIENT_NAME_TOKEN + "\n"
    batch = [
        message(Channel.EMAIL, "P1", "a@example.org", greeting_name='Zoé <b>"&"</b>'),
        message(Channel.EMAIL, "P2", "b@example.org", recipient_name="Line\r\nBcc: x@evil.test"),
        message(
            Channel.EMAIL,
            "P3",
            "c@example.org",
            body=other_body,
            html=None,
            content_hash=content_hash(SUBJECT, other_body),
        ),
    ]
    ids = iter(["msg-1", "msg-2"])
    with running_peer(lambda _: Reply(202, headers={"X-Message-Id": next(ids)})) as peer:
        results = sendgrid(peer).send_batch(batch)
    assert [r.provider_message_id for r in results] == ["msg-1", "msg-1", "msg-2"]
    assert all(r.accepted for r in results)
    first, second = (r.json() for r in peer.received)
    assert [p["to"] for p in first["personalizations"]] == [
        [{"email": "a@example.org", "name": "Person P1"}],
        [{"email": "b@example.org", "name": "Line Bcc: x@evil.test"}],
    ]
    assert first["content"] == [
        {"type": "text/plain", "value": BODY.replace(RECIPIENT_NAME_TOKEN, TEXT_NAME_TAG)},
        {"type": "text/html", "value": HTML.replace(RECIPIENT_NAME_TOKEN, HTML_NAME_TAG)},
    ]
    assert first["personalizations"][0]["substitutions"] == {
        TEXT_NAME_TAG: 'Zoé <b>"&"</b>',
        HTML_NAME_TAG: "Zoé &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;",
    }
    assert first["personalizations"][1]["custom_args"] == {
        "herald_key": batch[1].idempotency_key,
        "herald_incident": "INC-2026-007",
    }
    assert first["from"] == {"email": "notices@example.com", "name": "Example Notices"}
    assert first["subject"] == SUBJECT
    assert recipients(peer.received[1]) == ["c@example.org"]
    assert second["content"] == [
        {"type": "text/plain", "value": other_body.replace(RECIPIENT_NAME_TOKEN, TEXT_NAME_TAG)}
    ]
    assert peer.received[0].header("Authorization") == "Bearer SG.test-key"


def test_sendgrid_429_is_transient_with_retry_after() -> None:
    with running_peer(lambda _: Reply(429, {"errors": []}, {"Retry-After": "7"})) as peer:
        with pytest.raises(TransientSendError) as caught:
            sendgrid(peer).send_batch(emails(3))
    assert caught.value.retry_after == 7.0
    assert len(peer.received) == 1


def test_sendgrid_429_without_retry_after_uses_the_rate_limit_reset() -> None:
    reset = str(int(time.time()) + 30)
    with running_peer(lambda _: Reply(429, headers={"X-RateLimit-Reset": reset})) as peer:
        with pytest.raises(TransientSendError) as caught:
            sendgrid(peer).send_batch(emails(1))
    assert caught.value.retry_after is not None and 25 <= caught.value.retry_after <= 31


@pytest.mark.parametrize("status", [500, 502, 503])
def test_sendgrid_server_errors_are_transient(status: int) -> None:
    with running_peer(lambda _: Reply(status, {"errors": [{"message": "oops"}]})) as peer:
        with pytest.raises(TransientSendError) as caught:
            sendgrid(peer).send_batch(emails(2))
    assert caught.value.retry_after is None


def test_sendgrid_timeout_is_transient() -> None:
    with running_peer(lambda _: Reply(202, delay=5)) as peer:
        started = time.monotonic()
        with pytest.raises(TransientSendError):
            sendgrid(peer, timeout=0.3).send_batch(emails(2))
    assert time.monotonic() - started < 3


def test_sendgrid_connection_refused_is_transient() -> None:
    adapter = SendGridEmail(
        "k", sender_email="n@example.com", host=f"http://127.0.0.1:{free_port()}"
    )
    with pytest.raises(TransientSendError):
        adapter.send_batch(emails(1))


def bad_recipient(address: str) -> Handler:
    """A SendGrid peer that refuses any request containing `address`, as SendGrid does."""

    def handler(request: Received) -> Reply:
        addresses = recipients(request)
        if address in addresses:
            index = addresses.index(address)
            error = {
                "message": f"Does not contain a valid address: {address}",
                "field": f"personalizations.{index}.to.0.email",
                "help": "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html",
            }
            return Reply(400, {"errors": [error]})
        return Reply(202, headers={"X-Message-Id": f"id-{'-'.join(addresses)}"})

    return handler


def test_sendgrid_400_isolates_the_bad_recipient_and_sends_the_others() -> None:
    batch = emails(4)
    with running_peer(bad_recipient("person2@example.org")) as peer:
        results = sendgrid(peer).send_batch(batch)
    assert [r.accepted for r in results] == [True, True, False, True]
    refused = results[2]
    assert refused.permanent_error is not None
    assert "Does not contain a valid address" in refused.permanent_error
    assert "@" not in refused.permanent_error and "person2" not in refused.permanent_error
    assert results[0].provider_message_id == "id-person0@example.org-person1@example.org"
    assert results[3].provider_message_id == "id-person3@example.org"
    # Halves, then quarters of the refused half: four people, five requests.
    assert [recipients(r) for r in peer.received] == [
        [m.to for m in batch],
        [batch[0].to, batch[1].to],
        [batch[2].to, batch[3].to],
        [batch[2].to],
        [batch[3].to],
    ]


def test_sendgrid_400_about_the_request_itself_stops_without_splitting() -> None:
    error = {
        "message": "The from address does not match a verified Sender Identity.",
        "field": "from.email",
    }
    with running_peer(lambda _: Reply(400, {"errors": [error]})) as peer:
        with pytest.raises(ProviderConfigError, match="verified Sender Identity"):
            sendgrid(peer).send_batch(emails(8))
    assert len(peer.received) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_sendgrid_refused_key_is_a_config_error(status: int) -> None:
    body = {"errors": [{"message": "The provided authorization grant is invalid"}]}
    with running_peer(lambda _: Reply(status, body)) as peer:
        with pytest.raises(ProviderConfigError, match=str(status)):
            sendgrid(peer).send_batch(emails(2))


def test_sendgrid_413_splits_the_batch() -> None:
    def handler(request: Received) -> Reply:
        too_big = len(request.json()["personalizations"]) > 2
        return Reply(413, {"errors": [{"message": "too large"}]}) if too_big else Reply(202)

    with running_peer(handler) as peer:
        results = sendgrid(peer).send_batch(emails(5))
    assert all(r.accepted for r in results)
    assert [len(recipients(r)) for r in peer.received] == [5, 2, 3, 1, 2]


def test_sendgrid_unparseable_address_is_refused_without_sending() -> None:
    batch = [*emails(2), message(Channel.EMAIL, "PX", "not an address")]
    with running_peer(lambda _: Reply(202, headers={"X-Message-Id": "m"})) as peer:
        results = sendgrid(peer).send_batch(batch)
    assert [r.accepted for r in results] == [True, True, False]
    assert recipients(peer.received[0]) == [batch[0].to, batch[1].to]


def test_sendgrid_transient_failure_after_a_split_says_what_was_sent() -> None:
    batch = emails(4)
    refuse_bad = bad_recipient("person3@example.org")

    def handler(request: Received) -> Reply:
        if recipients(request) == [batch[2].to, batch[3].to]:
            return Reply(503, headers={"Retry-After": "2"})
        return refuse_bad(request)

    with running_peer(handler) as peer:
        with pytest.raises(PartiallySentError) as caught:
            sendgrid(peer).send_batch(batch)
    assert isinstance(caught.value, TransientSendError)
    assert caught.value.retry_after == 2.0
    settled = caught.value.results
    assert [r.accepted if r else None for r in settled] == [True, True, None, None]


def test_sendgrid_lookup_cannot_tell() -> None:
    with running_peer(lambda _: Reply(202)) as peer:
        assert sendgrid(peer).lookup(emails(2)) is None
        assert peer.received == []
