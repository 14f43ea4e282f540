"""The FCM push adapter against local HTTP peers: how FCM's and Google OAuth's answers are sorted.

httpx really talks HTTP to two peers on 127.0.0.1: a token endpoint that checks the
service account's RS256 assertion as Google's does and hands out tokens, and a peer that
answers as FCM v1 does: rate limits with Retry-After, server errors, a peer slower than the
timeout, a token refused or expired, and FCM's own error bodies for a refused push token.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from herald.channels.base import (
    ChannelAdapter,
    OutgoingMessage,
    ProviderConfigError,
    SendResult,
    TransientSendError,
)
from herald.channels.fcm import FCM_SCOPE, JWT_BEARER, FcmPush, ServiceAccount
from herald.models import Channel
from tests.unit.channels.peer import Peer, Received, Reply, running_peer
from tests.unit.channels.provider_messages import SUBJECT, message


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class TokenEndpoint:
    """Google's OAuth token endpoint: checks the RS256 assertion, hands out tokens."""

    def __init__(self, key: rsa.RSAPrivateKey, *, refuse: bool = False) -> None:
        self.public_key = key.public_key()
        self.refuse = refuse
        self.issued: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, request: Received) -> Reply:
        form = request.form()
        assert form["grant_type"] == [JWT_BEARER]
        header, claims, signature = form["assertion"][0].split(".")
        self.public_key.verify(
            _unb64(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        payload = json.loads(_unb64(claims))
        assert payload["scope"] == FCM_SCOPE and payload["iss"] == "herald@demo.iam.example"
        assert payload["aud"] == "https://oauth2.example/token"
        assert payload["exp"] - payload["iat"] == 3600
        if self.refuse:
            return Reply(400, {"error": "invalid_grant", "error_description": "Invalid JWT"})
        with self.lock:
            token = f"token-{len(self.issued) + 1}"
            self.issued.append(token)
        return Reply(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def token_endpoint(rsa_key: rsa.RSAPrivateKey) -> Iterator[tuple[TokenEndpoint, Peer]]:
    endpoint = TokenEndpoint(rsa_key)
    with running_peer(endpoint) as peer:
        yield endpoint, peer


def account(key: rsa.RSAPrivateKey) -> ServiceAccount:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return ServiceAccount.from_info(
        {
            "type": "service_account",
            "client_email": "herald@demo.iam.example",
            "private_key": pem,
            "private_key_id": "key-1",
            "token_uri": "https://oauth2.example/token",
        }
    )


def fcm(fcm_peer: Peer, token_peer: Peer, key: rsa.RSAPrivateKey, timeout: float = 5.0) -> FcmPush:
    return FcmPush(
        "demo-project",
        account(key),
        base_url=fcm_peer.url,
        token_url=f"{token_peer.url}/token",
        timeout=timeout,
    )


def push(person: str = "P1", **overrides: Any) -> OutgoingMessage:
    return message(Channel.PUSH, person, f"fcm-token-{person}", **overrides)


def fcm_error(status: int, state: str, error_code: str | None, text: str) -> Reply:
    details: list[dict[str, Any]] = []
    if error_code:
        details.append(
            {
                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                "errorCode": error_code,
            }
        )
    return Reply(
        status, {"error": {"code": status, "message": text, "status": state, "details": details}}
    )


def test_fcm_sends_with_a_cached_token(
    rsa_key: rsa.RSAPrivateKey, token_endpoint: tuple[TokenEndpoint, Peer]
) -> None:
    endpoint, token_peer = token_endpoint
    reply = Reply(200, {"name": "projects/demo-project/messages/0:1"})
    with running_peer(lambda _: reply) as peer:
        adapter = fcm(peer, token_peer, rsa_key)
        assert isinstance(adapter, ChannelAdapter)
        link = "https://status.example.com/incident"
        results = adapter.send_batch([push("P1", link=link), push("P2")])
    assert [r.provider_message_id for r in results] == ["projects/demo-project/messages/0:1"] * 2
    assert endpoint.issued == ["token-1"]
    first = peer.received[0]
    assert first.path == "/v1/projects/demo-project/messages:send"
    assert first.header("Authorization") == "Bearer token-1"
    assert first.json() == {
        "message": {
            "token": "fcm-token-P1",
            "notification": {"title": SUBJECT, "body": push("P1").text()},
            "data": {"herald_key": push("P1").idempotency_key, "link": link},
            "webpush": {"fcmOptions": {"link": link}},
        }
    }
    assert "webpush" not in peer.received[1].json()["message"]


def test_fcm_shares_one_token_between_threads(
    rsa_key: rsa.RSAPrivateKey, token_endpoint: tuple[TokenEndpoint, Peer]
) -> None:
    endpoint, token_peer = token_endpoint
    with running_peer(lambda _: Reply(200, {"name": "n"})) as peer:
        adapter = fcm(peer, token_peer, rsa_key)
        results: list[SendResult] = []
        threads = [
            threading.Thread(target=lambda i=i: results.extend(adapter.send_batch([push(f"P{i}")])))
            for i in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(results) == 8 and all(r.accepted for r in results)
    assert endpoint.issued == ["token-1"]


def test_fcm_unregistered_token_is_permanent(
    rsa_key: rsa.RSAPrivateKey, token_endpoint: tuple[TokenEndpoint, Peer]
) -> None:
    reply = fcm_error(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.")
    with running_peer(lambda _: reply) as peer:
        [result] = fcm(peer, token_endpoint[1], rsa_key).send_batch([push()])
    assert not result.accepted
    assert result.permanent_error is not None and "UNREGISTERED" in result.permanent_error
    assert "fcm-token" not in result.permanent_error


def test_fcm_invalid_token_is_permanent_but_an_invalid_payload_is_not(
    rsa_key: rsa.RSAPrivateKey, token_endpoint: tuple[TokenEndpoint, Peer]
) -> None:
    bad_token = fcm_error(
        400,
        "INVALID_ARGUMENT",
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
    )
    with running_peer(lambda _: bad_token) as peer:
        [result] = fcm(peer, token_endpoint[1], rsa_key).send_batch([push()])
    assert not result.accepted and "INVALID_ARGUMENT" in str(result.permanent_error)
    bad_payload = fcm_error(
        400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid value at 'message.data[0].value'"
    )
    with running_peer(lambda _: bad_payload) as peer:
        with pytest.raises(ProviderConfigError, match="400"):
            fcm(peer, token_endpoint[1], rsa_key).send_batch([push()])


@pytest.mark.parametrize(("status", "state"), [(429, "RESOURCE_EXHAUSTED"), (503, "UNAVAILABLE")])
def test_fcm_rate_limit_and_unavailable_are_transient_with_retry_after(
    status: int,
    state: str,
    rsa_key: rsa.RSAPrivateKey,
    token_endpoint: tuple[TokenEndpoint, Peer],
) -> None:
    reply = fcm_error(status, state, "QUOTA_EXCEEDED" if status == 429 else None, "slow down")
    reply.headers = {"Retry-After": "11"}
    with running_peer(lambda _: reply) as peer:
        with pytest.raises(TransientSendError) as caught:
            fcm(peer, token_endpoint[1], rsa_key).send_batch([push()])
    assert caught.value.retry_after == 11.0


def test_fcm_500_and_timeout_are_transient(
    rsa_key: rsa.RSAPrivateKey, token_endpoint: tuple[TokenEndpoint, Peer]
) -> None:
    with running_peer(lambda _: fcm_error(500, "INTERNAL", "INTERNAL", "boom")) as peer:
        with pytest.raises(TransientSendError):
            fcm(peer, token_endpoint[1], rsa_key).send_batch([push()])
    with running_peer(lambda _: Reply(200, {"name": "n"}, delay=5)) as peer:
        started = time.monotonic()
        with pytest.raises(TransientSendError):
            fcm(peer, token_endpoint[1], rsa_key, timeout=0.3).send_batch([push()])
    assert time.monotonic() - started < 3


def test_fcm_401_refreshes_the_token_once(
    rsa_key: rsa.RSAPrivateKey, token_endpoint: tuple[TokenEndpoint, Peer]
) -> None:
    endpoint, token_peer = token_endpoint

    def handler(request: Received) -> Reply:
        if request.header("Authorization") == "Bearer token-1":
            return fcm_error(401, "UNAUTHENTICATED", None, "Request had invalid credentials.")
        return Reply(200, {"name": "ok"})

    with running_peer(handler) as peer:
        [result] = fcm(peer, token_peer, rsa_key).send_batch([push()])
    assert result.accepted and endpoint.issued == ["token-1", "token-2"]


def test_fcm_401_after_a_fresh_token_is_a_config_error(
    rsa_key: rsa.RSAPrivateKey, token_endpoint: tuple[TokenEndpoint, Peer]
) -> None:
    endpoint, token_peer = token_endpoint
    reply = fcm_error(403, "PERMISSION_DENIED", None, "Permission denied.")
    with running_peer(lambda _: reply) as peer:
        with pytest.raises(ProviderConfigError, match="403"):
            fcm(peer, token_peer, rsa_key).send_batch([push()])
    assert len(peer.received) == 2 and len(endpoint.issued) == 2


def test_fcm_refused_service_account_is_a_config_error(rsa_key: rsa.RSAPrivateKey) -> None:
    with running_peer(TokenEndpoint(rsa_key, refuse=True)) as token_peer:
        with running_peer(lambda _: Reply(200, {"name": "n"})) as peer:
            with pytest.raises(ProviderConfigError, match="invalid_grant"):
                fcm(peer, token_peer, rsa_key).send_batch([push()])
            assert peer.received == []
