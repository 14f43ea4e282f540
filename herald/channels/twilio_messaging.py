"""SMS and voice calls through Twilio's REST API (2010-04-01), on the official SDK.

One request per message (`max_batch = 1`): Twilio has no batch create. Each message's
status callback URL carries its idempotency key (`?k=`), so Twilio's delivery receipts find
their ledger row. Twilio's refusals are sorted by error code: codes that mean "this
recipient cannot get this" (invalid or unsubscribed number, landline, region not enabled)
are permanent refusals of that one message; other 4xx mean Herald's own request or account
is wrong and stop the campaign; 429 and 5xx are retried.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from twilio.base import values
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from herald.channels.base import (
    OutgoingMessage,
    ProviderConfigError,
    SendResult,
    TransientSendError,
    retry_after_seconds,
)
from herald.channels.config import ProviderSettings
from herald.channels.twilio_transport import PooledTwilioHttp
from herald.rendering import voice

__all__ = ["RECIPIENT_ERRORS", "TwilioSms", "TwilioVoice"]

# Twilio error codes that refuse this recipient only: sending to them again cannot work,
# and the next person is unaffected. https://www.twilio.com/docs/api/errors/<code>
RECIPIENT_ERRORS: dict[int, str] = {
    21211: "invalid 'To' phone number",
    21214: "'To' phone number cannot be reached",
    21215: "calls to this number's region are not enabled",
    21216: "calls to this number are blocked",
    21217: "'To' phone number does not appear to be valid",
    21202: "'To' number is a premium number",
    21265: "'To' number is a short code",
    21408: "SMS to this number's region is not enabled",
    21610: "recipient has unsubscribed (replied STOP)",
    21612: "'To' number cannot be reached from this sender",
    21614: "'To' number is not a mobile number",
    21635: "'To' number is a landline",
}
# 4xx codes that are a queue or rate limit, not a refusal: later may work.
_TRANSIENT_CODES = {20429, 21611, 14107}
# Twilio refuses inline TwiML longer than this (error 32018).
MAX_TWIML = 4000
# Anything that looks like a phone number in Twilio's error text (it quotes the To).
_NUMBER = re.compile(r"\+?\d[\d\s().-]{4,}\d")
# How far back `lookup` looks, and how many of the newest records per number it reads (one
# page: one request per message, however busy the number).
LOOKUP_WINDOW = timedelta(days=1)
LOOKUP_LIMIT = 200


class _TwilioAdapter:
    """What SMS and voice share: the client, callbacks, error sorting and `lookup`."""

    name = "twilio"
    max_batch = 1

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        public_url: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.http = PooledTwilioHttp(base_url=base_url, timeout=timeout)
        self.client = Client(account_sid, auth_token, http_client=self.http)
        self.public_url = public_url.rstrip("/") if public_url else None

    @staticmethod
    def _credentials(settings: ProviderSettings) -> tuple[str, str]:
        if not settings.twilio_account_sid or settings.twilio_auth_token is None:
            raise ProviderConfigError(
                "HERALD_TWILIO_ACCOUNT_SID and HERALD_TWILIO_AUTH_TOKEN must be set"
            )
        return settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value()

    def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[SendResult]:
        """Send each message with its own request (`max_batch` is 1)."""
        return [self.send(message) for message in messages]

    def send(self, message: OutgoingMessage) -> SendResult:
        """Create the message or call; a refused recipient is a permanent refusal."""
        try:
            sid = self._create(message)
        except TwilioException as exc:
            return self._refusal(exc)
        except (OSError, http.client.HTTPException) as exc:
            raise TransientSendError(
                f"twilio unreachable or too slow ({type(exc).__name__})"
            ) from None
        return SendResult(accepted=True, provider_message_id=sid)

    def lookup(self, messages: Sequence[OutgoingMessage]) -> list[bool]:
        """Whether Twilio has, for each message, a record to that number created in the last
        day that matches it (see the subclasses for what "matches" means).

        The window is applied to each record's creation time, not with Twilio's `DateSent`
        filter: a message still queued at Twilio has no send date yet, and it is exactly
        the one a crash right after the request leaves behind.

        Limits: only the newest `LOOKUP_LIMIT` records to a number are read; Twilio keeps
        records only as long as the account's retention allows, and an account that
        redacts message bodies makes an SMS never match. A message sent outside Herald to
        the same number with the same text also matches.
        """
        since = datetime.now(UTC) - LOOKUP_WINDOW
        found: list[bool] = []
        for message in messages:
            try:
                found.append(self._exists(message, since))
            except TwilioException as exc:
                # Raises unless Twilio refused the number itself: then nothing went to it.
                self._refusal(exc)
                found.append(False)
            except (OSError, http.client.HTTPException) as exc:
                raise TransientSendError(
                    f"twilio unreachable or too slow ({type(exc).__name__})"
                ) from None
        return found

    # ---- per channel ---------------------------------------------------------------------

    def _create(self, message: OutgoingMessage) -> str:
        raise NotImplementedError

    def _exists(self, message: OutgoingMessage, since: datetime) -> bool:
        raise NotImplementedError

    # ---- shared --------------------------------------------------------------------------

    def _status_callback(self, message: OutgoingMessage) -> str | None:
        if self.public_url is None:
            return None
        return f"{self.public_url}/webhooks/twilio/status?k={quote(message.idempotency_key)}"

    def _refusal(self, exc: TwilioException) -> SendResult:
        """Sort a Twilio error: return a permanent refusal, or raise."""
        status, code = _status_and_code(exc)
        if not isinstance(status, int):
            raise ProviderConfigError(f"twilio client error ({type(exc).__name__})") from None
        if status == 429 or code in _TRANSIENT_CODES:
            raise TransientSendError(
                f"twilio rate or queue limit ({status}, code {code})",
                retry_after=retry_after_seconds(self.http.last_headers()),
            ) from None
        if status >= 500:
            raise TransientSendError(f"twilio server error ({status})") from None
        if status in (401, 403):
            raise ProviderConfigError(
                f"twilio refused the account credentials ({status}, code {code})"
            ) from None
        if isinstance(code, int) and code in RECIPIENT_ERRORS:
            return SendResult(
                accepted=False, permanent_error=f"twilio {code}: {RECIPIENT_ERRORS[code]}"
            )
        if code == 32018:
            raise ProviderConfigError(_twiml_too_long(None)) from None
        reason = _NUMBER.sub("[number]", str(getattr(exc, "msg", "") or getattr(exc, "title", "")))
        raise ProviderConfigError(
            f"twilio refused the request ({status}, code {code}): {reason}"[:300]
        ) from None


class TwilioSms(_TwilioAdapter):
    """A `ChannelAdapter` that sends SMS through Twilio Programmable Messaging."""

    name = "twilio-sms"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        messaging_service_sid: str | None = None,
        from_number: str | None = None,
        public_url: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        """Create the adapter.

        Args:
            account_sid: The Twilio account SID (AC…).
            auth_token: The account's auth token.
            messaging_service_sid: The Messaging Service (MG…) that picks the sender;
                preferred over `from_number` when both are set.
            from_number: The sender number (E.164), when there is no Messaging Service.
            public_url: Herald's public base URL, for delivery status callbacks.
            base_url: Replaces https://api.twilio.com (tests: a local peer or mock).
            timeout: Seconds to wait for Twilio on each request.
        """
        if not messaging_service_sid and not from_number:
            raise ProviderConfigError(
                "SMS needs HERALD_TWILIO_MESSAGING_SERVICE_SID or HERALD_TWILIO_FROM"
            )
        super().__init__(
            account_sid, auth_token, public_url=public_url, base_url=base_url, timeout=timeout
        )
        self.messaging_service_sid = messaging_service_sid
        self.from_number = from_number

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> TwilioSms:
        """The adapter configured by HERALD_TWILIO_* and HERALD_PUBLIC_URL."""
        sid, token = cls._credentials(settings)
        return cls(
            sid,
            token,
            messaging_service_sid=settings.twilio_messaging_service_sid,
            from_number=settings.twilio_from,
            public_url=settings.public_url,
            base_url=settings.twilio_base_url,
            timeout=settings.provider_timeout_seconds,
        )

    def _create(self, message: OutgoingMessage) -> str:
        sender: dict[str, str] = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": str(self.from_number)}
        )
        callback = self._status_callback(message)
        if callback is not None:
            sender["status_callback"] = callback
        created = self.client.messages.create(to=message.to, body=message.text(), **sender)
        return str(created.sid)

    def _exists(self, message: OutgoingMessage, since: datetime) -> bool:
        """An outbound message to the number, created since `since`, with the same text.

        Twilio may store a different body than was sent (a Messaging Service can append
        opt-out text or replace characters with Smart Encoding); such a message does not
        match and would be sent again.
        """
        text = message.text()
        return any(
            record.body == text
            and record.date_created is not None
            and record.date_created >= since
            and str(record.direction or "").startswith("outbound")
            for record in self.client.messages.page(to=message.to, page_size=LOOKUP_LIMIT)
        )


class TwilioVoice(_TwilioAdapter):
    """A `ChannelAdapter` that reads the notice out in a Twilio call (inline TwiML)."""

    name = "twilio-voice"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str,
        public_url: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        """Create the adapter.

        Args:
            account_sid: The Twilio account SID (AC…).
            auth_token: The account's auth token.
            from_number: The calling number (E.164); calls cannot use a Messaging Service.
            public_url: Herald's public base URL, for call status callbacks.
            base_url: Replaces https://api.twilio.com (tests: a local peer or mock).
            timeout: Seconds to wait for Twilio on each request.
        """
        if not from_number:
            raise ProviderConfigError("voice calls need HERALD_TWILIO_FROM (a calling number)")
        super().__init__(
            account_sid, auth_token, public_url=public_url, base_url=base_url, timeout=timeout
        )
        self.from_number = from_number

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> TwilioVoice:
        """The adapter configured by HERALD_TWILIO_* and HERALD_PUBLIC_URL."""
        sid, token = cls._credentials(settings)
        return cls(
            sid,
            token,
            from_number=settings.twilio_from or "",
            public_url=settings.public_url,
            base_url=settings.twilio_base_url,
            timeout=settings.provider_timeout_seconds,
        )

    def _create(self, message: OutgoingMessage) -> str:
        document = voice.twiml(message.text(), message.language)
        if len(document) > MAX_TWIML:
            raise ProviderConfigError(_twiml_too_long(len(document)))
        # Without StatusCallbackEvent Twilio reports only `completed`, the one event the
        # ledger needs. Sending the one-element list instead means the same to Twilio, but
        # Prism (the contract tests' mock) reads a single form value as a string, not a list.
        created = self.client.calls.create(
            to=message.to,
            from_=self.from_number,
            twiml=document,
            status_callback=self._status_callback(message) or values.unset,
        )
        return str(created.sid)

    def _exists(self, message: OutgoingMessage, since: datetime) -> bool:
        """Any call to the number created since `since`: a call record holds no script,
        so a call placed outside Herald in that window also counts."""
        return any(
            record.date_created is not None and record.date_created >= since
            for record in self.client.calls.page(to=message.to, page_size=LOOKUP_LIMIT)
        )


def _status_and_code(exc: TwilioException) -> tuple[int | None, int | None]:
    """The HTTP status and Twilio error code of an SDK error.

    Creates raise `TwilioRestException` (status, code); a failed list page raises a plain
    `TwilioException("Unable to fetch page", response)` with the response as its argument.
    """
    status, code = getattr(exc, "status", None), getattr(exc, "code", None)
    if status is None and len(exc.args) == 2 and hasattr(exc.args[1], "status_code"):
        status = exc.args[1].status_code
        try:
            code = json.loads(exc.args[1].text).get("code")
        except (ValueError, TypeError, AttributeError):
            code = None
    return (
        status if isinstance(status, int) else None,
        code if isinstance(code, int) else None,
    )


def _twiml_too_long(length: int | None) -> str:
    size = f"{length} characters of TwiML" if length else "TwiML over the limit"
    return (
        f"the voice script renders to {size}; Twilio takes at most {MAX_TWIML} inline "
        "(error 32018): shorten the approved voice script"
    )
