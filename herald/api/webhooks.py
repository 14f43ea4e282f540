"""Provider callbacks: Twilio status callbacks and SendGrid's Event Webhook.

Both endpoints are public (providers must reach them), so nothing is believed before its
signature checks out:

- Twilio signs the URL it called plus the form fields with the account auth token
  (`X-Twilio-Signature`, HMAC-SHA1). The URL is rebuilt from `HERALD_PUBLIC_URL`, because
  behind a proxy the local server sees another scheme, host or port than Twilio called.
  Webhooks signed with a Twilio *SharedKey* (`X-Twilio-Webhooks-Signature-Settings`) are not
  supported: Herald holds the auth token only, so they are refused like any bad signature.
- SendGrid signs timestamp + raw body with ECDSA P-256; the public key is
  `HERALD_SENDGRID_WEBHOOK_PUBLIC_KEY` (checked when the app is built, so a bad key stops the
  server from starting instead of refusing every batch).

Answers: 204 when the payload was applied (or had nothing final in it); 403 for a missing,
malformed or wrong signature and for a SendGrid timestamp outside the accepted window; 404
when no channel uses that provider (no receipts are expected, none can be lost); 503 when a
channel uses it but its verification secret is not configured (unverified receipts are never
accepted, and a 5xx makes the provider retry, so they arrive once the secret is set); 400
for a body Herald cannot read, naming what is wrong; 413 past
`MAX_BODY_BYTES`. Nothing touches the ledger unless the answer is 204.

SendGrid's timestamp window is `SENDGRID_MAX_AGE` (25 hours), not minutes: SendGrid retries a
failed POST for up to 24 hours and does not document re-signing its retries, so a short
window could refuse every retry after an outage and lose those receipts for good. A replayed
batch gains an attacker nothing: applying receipts is idempotent (a duplicate changes no row
and counts nothing), and only SendGrid can sign a new one.

`on_receipts` runs after the answer is sent (a background task), once per incident and
channel with changes; a failure there is logged with the incident id and does not undo the
ledger, which stays the record of truth.
"""

from __future__ import annotations

import binascii
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, HTTPException, Request, Response
from sendgrid.helpers.eventwebhook import EventWebhook
from sqlalchemy import Engine
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from twilio.request_validator import RequestValidator

from herald.channels.config import ProviderSettings
from herald.models.delivery import ReceiptCounts
from herald.receipts import (
    Receipt,
    ReceiptParseError,
    receipt_from_twilio,
    receipts_from_sendgrid,
)
from herald.store.receipts import record_receipts

__all__ = [
    "MAX_BODY_BYTES",
    "SENDGRID_EVENTS_PATH",
    "SENDGRID_MAX_AGE",
    "SENDGRID_MAX_SKEW",
    "TWILIO_STATUS_PATH",
    "OnReceipts",
    "WebhookConfigError",
    "webhook_router",
]

log = logging.getLogger(__name__)

OnReceipts = Callable[[str, ReceiptCounts], Awaitable[None]]

TWILIO_STATUS_PATH = "/webhooks/twilio/status"
SENDGRID_EVENTS_PATH = "/webhooks/sendgrid/events"
TWILIO_SIGNATURE = "X-Twilio-Signature"
SENDGRID_SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
SENDGRID_TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"

SENDGRID_MAX_AGE = timedelta(hours=25)  # SendGrid's 24 h of retries, plus slack
SENDGRID_MAX_SKEW = timedelta(minutes=5)  # a timestamp this far in the future is still fine
# A SendGrid batch is well under 1 MB; a Twilio callback is a few hundred bytes.
MAX_BODY_BYTES = 8 * 1024 * 1024


class WebhookConfigError(ValueError):
    """A configured verification secret is unusable (names the setting, never its value)."""


class _FormParams(dict[str, list[str]]):
    """Form fields with every value of a repeated name, as Twilio's validator expects."""

    def getlist(self, name: str) -> list[str]:
        """All values of `name` (the validator signs each one)."""
        return self[name]

    def first(self) -> dict[str, str]:
        """The first value of each field: what the receipt parser reads."""
        return {name: values[0] for name, values in self.items()}


def sendgrid_verifier(public_key: str) -> EventWebhook:
    """The SDK's verifier for a base64 (DER) ECDSA public key, checked now.

    Raises:
        WebhookConfigError: the key is not a base64 EC public key.
    """
    try:
        verifier = EventWebhook(public_key.strip())
    except (ValueError, TypeError):
        raise WebhookConfigError(
            "HERALD_SENDGRID_WEBHOOK_PUBLIC_KEY is not a base64 ECDSA public key"
        ) from None
    if not isinstance(verifier.public_key, ec.EllipticCurvePublicKey):
        raise WebhookConfigError("HERALD_SENDGRID_WEBHOOK_PUBLIC_KEY is not an ECDSA key")
    return verifier


def _refuse(status: int, detail: str) -> NoReturn:
    raise HTTPException(status_code=status, detail=detail)


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        _refuse(413, f"body larger than {MAX_BODY_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            _refuse(413, f"body larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        _refuse(400, "body is not UTF-8")


async def _notify(on_receipts: OnReceipts, results: list[tuple[str, ReceiptCounts]]) -> None:
    for incident_id, counts in results:
        try:
            await on_receipts(incident_id, counts)
        except Exception:
            # The ledger already holds these receipts; a provider retry would be a duplicate
            # and signal nothing, so the failure is made visible here instead.
            log.exception(
                "receipts: telling incident %s about %s changes failed (the ledger has them)",
                incident_id,
                counts.channel.value,
            )


def _in_use(providers: ProviderSettings) -> set[str]:
    return {
        providers.email_provider,
        providers.sms_provider,
        providers.voice_provider,
        providers.push_provider,
        providers.letter_provider,
    }


def webhook_router(
    providers: ProviderSettings, *, engine: Engine, on_receipts: OnReceipts
) -> APIRouter:
    """The two provider endpoints, bound to one ledger and one receipts callback.

    Args:
        providers: Where the public URL and the verification secrets come from.
        engine: Herald's database (schema created).
        on_receipts: Called once per incident and channel whose rows a request changed.

    Raises:
        WebhookConfigError: `sendgrid_webhook_public_key` is set but unusable.
    """
    router = APIRouter()
    in_use = _in_use(providers)
    key = providers.sendgrid_webhook_public_key
    verifier = sendgrid_verifier(key) if key else None

    async def apply(receipts: list[Receipt]) -> Response:
        results = await run_in_threadpool(record_receipts, engine, receipts) if receipts else []
        background = BackgroundTask(_notify, on_receipts, results) if results else None
        return Response(status_code=204, background=background)

    @router.post(TWILIO_STATUS_PATH, status_code=204, response_class=Response)
    async def twilio_status(request: Request) -> Response:
        """A Twilio SMS or voice status callback (form-encoded; `?k=` names the message)."""
        token = providers.twilio_auth_token
        if "twilio" not in in_use:
            _refuse(404, "Twilio is not a provider of any channel (HERALD_SMS/VOICE_PROVIDER)")
        if token is None or not providers.public_url:
            _refuse(
                503,
                "Twilio receipts are refused: HERALD_TWILIO_AUTH_TOKEN and HERALD_PUBLIC_URL "
                "must both be set to verify them",
            )
        signature = request.headers.get(TWILIO_SIGNATURE)
        if not signature:
            _refuse(403, f"missing {TWILIO_SIGNATURE}")
        params = _FormParams()
        for name, value in parse_qsl(_text(await _read_body(request)), keep_blank_values=True):
            params.setdefault(name, []).append(value)
        query = request.scope.get("query_string", b"").decode("latin-1")
        url = providers.public_url.rstrip("/") + TWILIO_STATUS_PATH + (f"?{query}" if query else "")
        if not RequestValidator(token.get_secret_value()).validate(url, params, signature):
            log.info("receipts: Twilio callback with a bad signature refused")
            _refuse(403, f"{TWILIO_SIGNATURE} does not match")
        try:
            receipt = receipt_from_twilio(params.first(), request.query_params.get("k", ""))
        except ReceiptParseError as err:
            _refuse(400, str(err))
        return await apply([receipt] if receipt else [])

    @router.post(SENDGRID_EVENTS_PATH, status_code=204, response_class=Response)
    async def sendgrid_events(request: Request) -> Response:
        """A batch of SendGrid Event Webhook events (JSON array, signed)."""
        if "sendgrid" not in in_use:
            _refuse(404, "SendGrid is not the email provider (HERALD_EMAIL_PROVIDER)")
        if verifier is None:
            _refuse(
                503,
                "SendGrid events are refused: HERALD_SENDGRID_WEBHOOK_PUBLIC_KEY must be set "
                "to verify them",
            )
        signature = request.headers.get(SENDGRID_SIGNATURE)
        timestamp = request.headers.get(SENDGRID_TIMESTAMP)
        if not signature or not timestamp:
            _refuse(403, f"missing {SENDGRID_SIGNATURE} or {SENDGRID_TIMESTAMP}")
        payload = _text(await _read_body(request))
        try:
            valid = verifier.verify_signature(payload, signature, timestamp)
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            log.info("receipts: SendGrid batch with a bad signature refused")
            _refuse(403, f"{SENDGRID_SIGNATURE} does not match")
        _check_age(timestamp)
        return await apply(_sendgrid_receipts(payload))

    return router


def _check_age(timestamp: str) -> None:
    """Refuse a SendGrid signature made outside the accepted window."""
    if not (timestamp.isascii() and timestamp.isdigit()):
        _refuse(403, f"{SENDGRID_TIMESTAMP} is not a Unix time")
    try:
        signed_at = datetime.fromtimestamp(int(timestamp), UTC)
    except (OverflowError, OSError, ValueError):
        _refuse(403, f"{SENDGRID_TIMESTAMP} is out of range")
    age = datetime.now(UTC) - signed_at
    if age > SENDGRID_MAX_AGE or -age > SENDGRID_MAX_SKEW:
        _refuse(403, f"{SENDGRID_TIMESTAMP} is outside the accepted window")


def _sendgrid_receipts(payload: str) -> list[Receipt]:
    try:
        events: Any = json.loads(payload)
    except json.JSONDecodeError:
        _refuse(400, "body is not JSON")
    if not isinstance(events, list):
        _refuse(400, "body is not a JSON array of events")
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            _refuse(400, f"event {index} is not a JSON object")
    try:
        return receipts_from_sendgrid(events)
    except ReceiptParseError as err:
        _refuse(400, str(err))
