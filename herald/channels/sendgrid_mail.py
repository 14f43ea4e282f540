"""Email through SendGrid's Mail Send API (`POST /v3/mail/send`), on the official SDK.

Messages that share the approved content go out in one request with one personalization
per recipient, so the approved subject and body are sent once and are what every
recipient gets. The recipient's name is filled in by SendGrid from per-personalization
`substitutions`, with two tags: the plain-text part takes the name as it is, the HTML part
takes it HTML-escaped (a name is data, never markup). Each personalization carries
`custom_args` (`herald_key`, `herald_incident`), which SendGrid's Event Webhook sends back
with every delivery, bounce and drop, so receipts find their ledger row.

A rejected batch is split to find the recipients SendGrid refuses (400) or to fit the
request size limit (413): the accepted part is sent, the refused recipients get a
permanent refusal that names no address.
"""

from __future__ import annotations

import html
import http.client
import json
import logging
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from python_http_client.exceptions import HTTPError  # type: ignore[import-untyped]
from sendgrid import SendGridAPIClient

from herald.channels.base import (
    OutgoingMessage,
    PartiallySentError,
    ProviderConfigError,
    SendResult,
    TransientSendError,
    display_name,
    retry_after_seconds,
)
from herald.channels.config import ProviderSettings
from herald.models.drafts import RECIPIENT_NAME_TOKEN

__all__ = ["HTML_NAME_TAG", "TEXT_NAME_TAG", "SendGridEmail"]

# SendGrid's limit on personalizations in one request (and the spec's maxItems).
MAX_PERSONALIZATIONS = 1000
# Substitution tags: distinctive enough never to occur in a notice by chance.
TEXT_NAME_TAG = "-herald-recipient-name-text-"
HTML_NAME_TAG = "-herald-recipient-name-html-"
# Whatever looks like an address in a provider's error text; it never reaches the ledger.
_ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")
_ERROR_MAX = 300
# Characters no addr-spec SendGrid accepts may contain outside quotes (whitespace, controls,
# angle brackets, commas).
_UNSENDABLE = re.compile(r"[\s\x00-\x1f\x7f<>,;]")
# The SDK's HTTP layer logs every request body (names, addresses) at DEBUG: keep it quiet
# whatever level the application logs at.
logging.getLogger("python_http_client").setLevel(logging.INFO)


class _Rejected(Exception):
    """SendGrid refused the request's content (400) or its size (413)."""

    def __init__(self, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(status)
        self.status = status
        self.errors = errors


class SendGridEmail:
    """A `ChannelAdapter` that sends email through SendGrid."""

    name = "sendgrid"
    max_batch = MAX_PERSONALIZATIONS

    def __init__(
        self,
        api_key: str,
        *,
        sender_email: str,
        sender_name: str = "",
        host: str = "https://api.sendgrid.com",
        timeout: float = 30.0,
    ) -> None:
        """Create the adapter.

        Args:
            api_key: A SendGrid API key with the Mail Send permission.
            sender_email: The From address (a verified sender or domain).
            sender_name: The From display name.
            host: The API's base URL (tests: a local peer or mock).
            timeout: Seconds to wait for SendGrid on each request.
        """
        self.client = SendGridAPIClient(api_key=api_key, host=host.rstrip("/"))
        self.sender: dict[str, str] = {"email": sender_email}
        if sender_name:
            self.sender["name"] = sender_name
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> SendGridEmail:
        """The adapter configured by HERALD_SENDGRID_* and the sender settings."""
        if settings.sendgrid_api_key is None:
            raise ProviderConfigError("HERALD_SENDGRID_API_KEY is not set")
        return cls(
            settings.sendgrid_api_key.get_secret_value(),
            sender_email=settings.sender_email,
            sender_name=settings.sender_name,
            host=settings.sendgrid_host,
            timeout=settings.provider_timeout_seconds,
        )

    # ---- ChannelAdapter ------------------------------------------------------------------

    def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[SendResult]:
        """Send each group of messages with the same content in one request (or fewer)."""
        results: list[SendResult | None] = [None] * len(messages)
        groups: dict[tuple[str, ...], list[int]] = {}
        for index, message in enumerate(messages):
            if not _valid_address(message):
                results[index] = SendResult(
                    accepted=False, permanent_error="not a valid email address (not sent)"
                )
                continue
            groups.setdefault(_content_key(message), []).append(index)
        try:
            for indexes in groups.values():
                for start in range(0, len(indexes), MAX_PERSONALIZATIONS):
                    chunk = indexes[start : start + MAX_PERSONALIZATIONS]
                    self._deliver(messages, chunk, results)
        except ProviderConfigError as exc:
            if exc.results is None and any(result is not None for result in results):
                # Stops the campaign, but what SendGrid already took must still be recorded.
                raise ProviderConfigError(str(exc), results=list(results)) from exc
            raise
        settled = [result for result in results if result is not None]
        # `_deliver` settles every index it is given or raises.
        assert len(settled) == len(messages)
        return settled

    def lookup(self, messages: Sequence[OutgoingMessage]) -> list[bool] | None:
        """SendGrid cannot tell, so this is always None.

        The Mail Send API keeps nothing that can be asked for later: a 202 only means the
        request was queued. The Email Activity API is a paid add-on, is eventually
        consistent (minutes) and cannot search by `custom_args`, so its silence would not
        mean the message is missing. Delivery receipts arrive through the Event Webhook
        instead, keyed by `herald_key`.
        """
        return None

    # ---- sending -------------------------------------------------------------------------

    def _deliver(
        self,
        messages: Sequence[OutgoingMessage],
        indexes: list[int],
        results: list[SendResult | None],
    ) -> None:
        """Send `indexes` in one request, splitting it on 400/413 until each part is settled."""
        try:
            message_id = self._post([messages[i] for i in indexes])
        except _Rejected as rejected:
            if rejected.status == 400 and not _names_recipients(rejected.errors):
                # About `from`, `content`, ...: every half would be refused the same way.
                raise ProviderConfigError(
                    f"sendgrid refused the request: {_describe(rejected.errors, [])}"
                ) from None
            if len(indexes) > 1:
                # Halves: a few bad recipients cost a few requests each, not one per person.
                half = len(indexes) // 2
                self._deliver(messages, indexes[:half], results)
                self._deliver(messages, indexes[half:], results)
                return
            if rejected.status == 413:
                raise ProviderConfigError(
                    "sendgrid refused a single message as too large (413): the approved "
                    "content exceeds SendGrid's request size limit"
                ) from None
            refused = SendResult(
                accepted=False,
                permanent_error=_describe(rejected.errors, [messages[indexes[0]]]),
            )
            results[indexes[0]] = refused
            return
        except TransientSendError as exc:
            if any(result is not None for result in results):
                raise PartiallySentError(
                    f"{exc} (after {sum(r is not None for r in results)} of "
                    f"{len(results)} messages were settled)",
                    list(results),
                    retry_after=exc.retry_after,
                ) from exc
            raise
        accepted = SendResult(accepted=True, provider_message_id=message_id)
        for index in indexes:
            results[index] = accepted

    def _post(self, group: list[OutgoingMessage]) -> str | None:
        """One Mail Send request; the `X-Message-Id` of the accepted request."""
        try:
            response = self.client.client.mail.send.post(
                request_body=_request_body(group, self.sender), timeout=self.timeout
            )
        except HTTPError as exc:
            status = int(exc.status_code)
            if status in (400, 413):
                raise _Rejected(status, _errors(exc.body)) from None
            if status == 429:
                raise TransientSendError(
                    "sendgrid rate limit (429)", retry_after=_retry_after(exc.headers)
                ) from None
            if status >= 500:
                raise TransientSendError(
                    f"sendgrid server error ({status})", retry_after=_retry_after(exc.headers)
                ) from None
            if status in (401, 403):
                raise ProviderConfigError(
                    f"sendgrid refused the API key or sender ({status}): "
                    f"{_describe(_errors(exc.body), group)}"
                ) from None
            raise ProviderConfigError(f"sendgrid answered {status} to mail send") from None
        except (OSError, http.client.HTTPException) as exc:
            # urllib's timeouts and connection errors are OSErrors (URLError, TimeoutError).
            raise TransientSendError(
                f"sendgrid unreachable or too slow ({type(exc).__name__})"
            ) from None
        message_id = response.headers.get("X-Message-Id")
        return str(message_id) if message_id else None


def _request_body(group: list[OutgoingMessage], sender: dict[str, str]) -> dict[str, Any]:
    """The Mail Send body: the group's shared content and one personalization each."""
    first = group[0]
    content = [
        {"type": "text/plain", "value": first.body.replace(RECIPIENT_NAME_TOKEN, TEXT_NAME_TAG)}
    ]
    if first.html is not None:
        html_part = first.html.replace(RECIPIENT_NAME_TOKEN, HTML_NAME_TAG)
        content.append({"type": "text/html", "value": html_part})
    body: dict[str, Any] = {
        "personalizations": [_personalization(message) for message in group],
        "from": sender,
        "content": content,
        # The outbox writes the same headers into its .eml files.
        "headers": {
            "X-Herald-Incident": first.incident_id,
            "X-Herald-Content-Hash": first.content_hash,
        },
    }
    if first.subject is not None:
        body["subject"] = first.subject
    return body


def _personalization(message: OutgoingMessage) -> dict[str, Any]:
    recipient = {"email": message.to}
    name = display_name(message.recipient_name)
    if name:
        recipient["name"] = name
    return {
        "to": [recipient],
        "substitutions": {
            TEXT_NAME_TAG: message.greeting_name,
            HTML_NAME_TAG: html.escape(message.greeting_name),
        },
        "custom_args": {
            "herald_key": message.idempotency_key,
            "herald_incident": message.incident_id,
        },
    }


def _content_key(message: OutgoingMessage) -> tuple[str, ...]:
    """Messages with equal keys can share one request (the headers name the incident)."""
    return (
        message.incident_id,
        message.content_hash,
        message.subject or "",
        message.body,
        "\x00" if message.html is None else message.html,
    )


def _valid_address(message: OutgoingMessage) -> bool:
    """Whether the address can go into a request at all (one that cannot would make SendGrid
    refuse the whole batch). Cheap on purpose: it runs per recipient, and the engine has
    already validated every address (herald.channels.validate) before any send."""
    local, at, domain = message.to.rpartition("@")
    return bool(at and local and domain) and not _UNSENDABLE.search(message.to)


def _errors(body: bytes | str | None) -> list[dict[str, Any]]:
    """The `errors` array of a SendGrid error body (empty when there is none)."""
    try:
        parsed = json.loads(body or b"")
    except ValueError:
        return []
    errors = parsed.get("errors") if isinstance(parsed, dict) else None
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


def _names_recipients(errors: list[dict[str, Any]]) -> bool:
    """Whether a 400 may be about recipients: some error names a personalization, or an
    error names no field (then only splitting can tell)."""
    fields = [e.get("field") for e in errors]
    if not fields or any(not isinstance(f, str) or not f for f in fields):
        return True
    return any(f.startswith("personalizations") for f in fields if isinstance(f, str))


def _describe(errors: list[dict[str, Any]], group: Sequence[OutgoingMessage]) -> str:
    """SendGrid's error messages without addresses or names, for the ledger and logs."""
    texts = [str(e.get("message") or "") for e in errors if e.get("message")]
    text = "; ".join(texts) or "no reason given"
    for message in group:
        for value in (message.to, message.recipient_name, message.greeting_name):
            if len(value) >= 3:
                text = re.sub(re.escape(value), "[recipient]", text, flags=re.IGNORECASE)
    text = _ADDRESS.sub("[address]", text)
    return f"sendgrid: {text}"[:_ERROR_MAX]


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    """The wait SendGrid asks for: `Retry-After`, else its `X-RateLimit-Reset` time."""
    wait = retry_after_seconds(headers)
    if wait is not None or headers is None:
        return wait
    reset = headers.get("X-RateLimit-Reset")
    try:
        return max(0.0, float(reset) - time.time()) if reset else None
    except ValueError:
        return None
