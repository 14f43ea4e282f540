"""Push notifications through Firebase Cloud Messaging's HTTP v1 API, with httpx.

One request per message (`POST /v1/projects/{project}/messages:send`). Authentication is
a Google service account: Herald signs an RS256 JWT assertion with the account's private
key and exchanges it for an OAuth access token (RFC 7523), which is cached until shortly
before it expires and shared by every worker thread. This keeps google-auth out of
Herald's dependencies; `cryptography` does the signing.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from herald.channels.base import (
    OutgoingMessage,
    ProviderConfigError,
    SendResult,
    TransientSendError,
    retry_after_seconds,
)
from herald.channels.config import ProviderSettings

__all__ = ["FCM_SCOPE", "FcmPush", "ServiceAccount"]

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
# Google accepts assertions valid for at most an hour.
ASSERTION_LIFETIME = 3600
# Refresh this long before the token's expiry, so a request never carries a dead token.
REFRESH_MARGIN = 300.0
# FCM's errorCode values that mean "this token will never reach anyone again".
_DEAD_TOKEN = {"UNREGISTERED"}


@dataclass(frozen=True)
class ServiceAccount:
    """The parts of a Google service-account key file that Herald uses."""

    client_email: str
    private_key: rsa.RSAPrivateKey
    token_uri: str = GOOGLE_TOKEN_URI
    private_key_id: str | None = None

    @classmethod
    def from_file(cls, path: Path) -> ServiceAccount:
        """Read a service-account JSON key file (as downloaded from the Cloud console)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ProviderConfigError(
                f"cannot read the FCM service account file ({type(exc).__name__})"
            ) from None
        return cls.from_info(data)

    @classmethod
    def from_info(cls, data: Mapping[str, Any]) -> ServiceAccount:
        """Build from the key file's parsed JSON."""
        try:
            email, pem = str(data["client_email"]), str(data["private_key"])
        except KeyError as exc:
            raise ProviderConfigError(f"FCM service account file lacks {exc.args[0]}") from None
        try:
            key = serialization.load_pem_private_key(pem.encode(), password=None)
        except (ValueError, TypeError):
            raise ProviderConfigError("FCM service account private_key is not a PEM key") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ProviderConfigError("FCM service account private_key is not an RSA key")
        return cls(
            client_email=email,
            private_key=key,
            token_uri=str(data.get("token_uri") or GOOGLE_TOKEN_URI),
            private_key_id=data.get("private_key_id"),
        )

    def assertion(self, now: float) -> str:
        """A signed JWT asking `token_uri` for an FCM access token (RFC 7523, RS256)."""
        header: dict[str, str] = {"alg": "RS256", "typ": "JWT"}
        if self.private_key_id:
            header["kid"] = self.private_key_id
        claims = {
            "iss": self.client_email,
            "scope": FCM_SCOPE,
            "aud": self.token_uri,
            "iat": int(now),
            "exp": int(now) + ASSERTION_LIFETIME,
        }
        signing_input = f"{_b64(json.dumps(header))}.{_b64(json.dumps(claims))}"
        signature = self.private_key.sign(
            signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        return f"{signing_input}.{_b64(signature)}"


class _TokenCache:
    """An OAuth access token, fetched once and shared by threads until near its expiry."""

    def __init__(self, account: ServiceAccount, token_url: str, http: httpx.Client) -> None:
        self.account = account
        self.token_url = token_url
        self.http = http
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0

    def get(self, *, stale: str | None = None) -> str:
        """A valid token; `stale` is one the API refused, which is then replaced."""
        with self._lock:
            if self._token is None or self._token == stale or time.time() >= self._expires:
                self._token, self._expires = self._fetch()
            return self._token

    def _fetch(self) -> tuple[str, float]:
        now = time.time()
        form = {"grant_type": JWT_BEARER, "assertion": self.account.assertion(now)}
        try:
            response = self.http.post(self.token_url, data=form)
        except httpx.HTTPError as exc:
            raise TransientSendError(
                f"fcm token endpoint unreachable or too slow ({type(exc).__name__})"
            ) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientSendError(
                f"fcm token endpoint answered {response.status_code}",
                retry_after=retry_after_seconds(response.headers),
            )
        body = _json(response)
        if response.status_code != 200 or not isinstance(body.get("access_token"), str):
            reason = body.get("error") or response.status_code
            raise ProviderConfigError(f"fcm token endpoint refused the service account: {reason}")
        lifetime = float(body.get("expires_in") or ASSERTION_LIFETIME)
        margin = min(REFRESH_MARGIN, lifetime / 2)
        return str(body["access_token"]), now + lifetime - margin


class FcmPush:
    """A `ChannelAdapter` that sends push notifications through FCM HTTP v1."""

    name = "fcm"
    max_batch = 1

    def __init__(
        self,
        project_id: str,
        account: ServiceAccount,
        *,
        base_url: str = "https://fcm.googleapis.com",
        token_url: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        """Create the adapter.

        Args:
            project_id: The Firebase project id.
            account: The service account that signs Herald's token requests.
            base_url: FCM's base URL (tests: a local peer or mock).
            token_url: Where to exchange the assertion; default the account's `token_uri`.
            timeout: Seconds to wait for FCM (and the token endpoint) on each request.
        """
        self.http = httpx.Client(timeout=timeout)
        self.url = f"{base_url.rstrip('/')}/v1/projects/{project_id}/messages:send"
        self.tokens = _TokenCache(account, token_url or account.token_uri, self.http)

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> FcmPush:
        """The adapter configured by HERALD_FCM_*."""
        if not settings.fcm_project_id or settings.fcm_service_account_file is None:
            raise ProviderConfigError(
                "HERALD_FCM_PROJECT_ID and HERALD_FCM_SERVICE_ACCOUNT_FILE must be set"
            )
        return cls(
            settings.fcm_project_id,
            ServiceAccount.from_file(settings.fcm_service_account_file),
            base_url=settings.fcm_base_url,
            token_url=settings.fcm_token_url,
            timeout=settings.provider_timeout_seconds,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    # ---- ChannelAdapter ------------------------------------------------------------------

    def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[SendResult]:
        """Send each message with its own request (`max_batch` is 1)."""
        return [self.send(message) for message in messages]

    def lookup(self, messages: Sequence[OutgoingMessage]) -> list[bool] | None:
        """FCM cannot tell, so this is always None: a sent message has a name, but FCM
        offers no way to read messages back or to find one by its data."""
        return None

    def send(self, message: OutgoingMessage) -> SendResult:
        """Send one notification; a dead or invalid token is a permanent refusal."""
        payload = {"message": _fcm_message(message)}
        token = self.tokens.get()
        response = self._post(payload, token)
        if response.status_code in (401, 403):
            # A token revoked or expired early: one fresh token, then it is the account.
            response = self._post(payload, self.tokens.get(stale=token))
        if response.status_code == 200:
            name = _json(response).get("name")
            return SendResult(accepted=True, provider_message_id=str(name) if name else None)
        return _refusal(response)

    def _post(self, payload: dict[str, Any], token: str) -> httpx.Response:
        try:
            return self.http.post(
                self.url, json=payload, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise TransientSendError(
                f"fcm unreachable or too slow ({type(exc).__name__})"
            ) from None


def _fcm_message(message: OutgoingMessage) -> dict[str, Any]:
    notification = {"body": message.text()}
    if message.subject:
        notification["title"] = message.subject
    data = {"herald_key": message.idempotency_key}
    fcm: dict[str, Any] = {"token": message.to, "notification": notification, "data": data}
    if message.link:
        data["link"] = message.link
        if message.link.startswith("https://"):
            # Web push opens this page on a click (FCM accepts only https links there).
            fcm["webpush"] = {"fcmOptions": {"link": message.link}}
    return fcm


def _refusal(response: httpx.Response) -> SendResult:
    """Sort an FCM error: a permanent refusal of this token, or raise."""
    status = response.status_code
    error = _json(response).get("error")
    error = error if isinstance(error, dict) else {}
    codes = {
        str(detail.get("errorCode"))
        for detail in error.get("details") or []
        if isinstance(detail, dict) and detail.get("errorCode")
    }
    state = str(error.get("status") or "")
    if status == 429 or status >= 500:
        raise TransientSendError(
            f"fcm answered {status} {state}".strip(),
            retry_after=retry_after_seconds(response.headers),
        )
    if status in (401, 403):
        raise ProviderConfigError(
            f"fcm refused the service account ({status} {state} {sorted(codes)})"
        )
    if codes & _DEAD_TOKEN:
        return SendResult(
            accepted=False, permanent_error="fcm UNREGISTERED: token is not registered"
        )
    if status == 400 and _about_token(error):
        return SendResult(
            accepted=False,
            permanent_error="fcm INVALID_ARGUMENT: not a valid registration token",
        )
    raise ProviderConfigError(f"fcm refused the request ({status} {state} {sorted(codes)})")


def _about_token(error: Mapping[str, Any]) -> bool:
    """Whether an INVALID_ARGUMENT names the registration token, not the rest of the
    message (a bad payload would be refused for every recipient alike)."""
    details = [d for d in error.get("details") or [] if isinstance(d, dict)]
    violations = [v for d in details for v in d.get("fieldViolations") or []]
    if any(isinstance(v, dict) and v.get("field") == "message.token" for v in violations):
        return True
    return "registration token" in str(error.get("message") or "").lower()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _b64(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
