"""Delivery receipts: what SendGrid's Event Webhook and Twilio's status callbacks say about a
message Herald sent, reduced to the three outcomes the ledger records.

Pure: no I/O, no clock. The HTTP endpoints (`herald.api.webhooks`) verify the provider's
signature first and hand the parsed payload here; `herald.store.receipts` writes the result.

A message is named by Herald's idempotency key (`herald.channels.base.make_idempotency_key`),
which the adapters put where the provider echoes it back: SendGrid `custom_args.herald_key`
(top level of each event), Twilio `?k=` on the status callback URL.

Providers copy recipient data into free text (a bounce reason quotes the address the
receiving server refused), so every reason is scrubbed of anything that looks like an email
address or a phone number before it leaves this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from herald.models.vocabulary import Channel

__all__ = [
    "REASON_MAX",
    "Outcome",
    "Receipt",
    "ReceiptParseError",
    "receipt_from_twilio",
    "receipts_from_sendgrid",
    "scrub_reason",
]

# Same bound as the ledger's last_error column, so a stored reason is never cut mid-scrub.
REASON_MAX = 500


class Outcome(StrEnum):
    """What a final receipt says happened to a message."""

    DELIVERED = "delivered"
    BOUNCED = "bounced"
    FAILED = "failed"


class Receipt(BaseModel):
    """One provider's final word on one message.

    `event_id` identifies the provider's event, so a batch that repeats an event counts it
    once; duplicates across requests are absorbed by the ledger's state machine instead.
    """

    model_config = ConfigDict(frozen=True)

    idempotency_key: str = Field(min_length=1)
    channel: Channel = Field(description="the channel the provider implies (email, sms, voice)")
    provider_message_id: str | None = None
    outcome: Outcome
    reason: str | None = Field(default=None, description="why, scrubbed of addresses and numbers")
    event_id: str = Field(min_length=1)
    occurred_at: datetime | None = Field(
        default=None, description="when the provider says it happened, if it says"
    )


class ReceiptParseError(ValueError):
    """A payload Herald cannot read; the message names the event and field, never a value."""


# ---- scrubbing ------------------------------------------------------------------------------

# Anything around an "@" (or its URL encoding) up to a delimiter: over-matches on purpose.
_EMAIL = re.compile(r"[^\s<>()\[\]{}\"',;:]+(?:@|%40)[^\s<>()\[\]{}\"',;:]+", re.IGNORECASE)
# Seven or more digits, possibly split by spaces, dots, dashes, slashes or brackets.
_NUMBER = re.compile(r"\+?\d(?:[\s().\-/]*\d){6,}")
# An SMTP reply code with its enhanced status code ("421 4.7.28"): seven digits, not a phone.
_SMTP_CODE = re.compile(r"[245]\d\d[\s-][245]\.\d{1,3}\.\d{1,3}")


def _number(match: re.Match[str]) -> str:
    text = match.group(0)
    return text if _SMTP_CODE.fullmatch(text) else "[number]"


def scrub_reason(text: str | None) -> str | None:
    """A provider's reason with email addresses and phone-like numbers replaced, whitespace
    collapsed and cut to `REASON_MAX` (after scrubbing, so no half address survives).

    Over-scrubs rather than under-scrubs: an IP address or a long date becomes `[number]`.
    Names cannot be recognised and are not removed; providers do not put them in reasons.
    """
    if text is None:
        return None
    cleaned = _NUMBER.sub(_number, _EMAIL.sub("[address]", text))
    cleaned = " ".join(cleaned.split())
    return cleaned[:REASON_MAX] or None


# ---- SendGrid -------------------------------------------------------------------------------

_SENDGRID_OUTCOMES = {
    "delivered": Outcome.DELIVERED,
    "bounce": Outcome.BOUNCED,  # type "bounce" or "blocked": either way it did not arrive
    "dropped": Outcome.FAILED,  # SendGrid never tried (suppressed, invalid, unsubscribed)
}


def _optional_str(event: Mapping[str, Any], field: str, where: str) -> str | None:
    value = event.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ReceiptParseError(f"{where}: {field} is not a string")
    return value


def _timestamp(event: Mapping[str, Any], where: str) -> datetime | None:
    value = event.get("timestamp")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReceiptParseError(f"{where}: timestamp is not a Unix time")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise ReceiptParseError(f"{where}: timestamp is out of range") from None


def receipts_from_sendgrid(events: Sequence[Mapping[str, Any]]) -> list[Receipt]:
    """The final receipts in one Event Webhook batch, in the batch's order.

    Events without `herald_key` are other mail of the same SendGrid account and are skipped;
    so are events that are not final (processed, deferred, open, click, …).

    Raises:
        ReceiptParseError: a Herald event whose fields have the wrong type (named by index).
    """
    receipts: list[Receipt] = []
    for index, event in enumerate(events):
        where = f"event {index}"
        key = _optional_str(event, "herald_key", where)
        kind = _optional_str(event, "event", where)
        if key is None or kind is None or kind not in _SENDGRID_OUTCOMES:
            continue
        outcome = _SENDGRID_OUTCOMES[kind]
        message_id = _optional_str(event, "sg_message_id", where)
        occurred_at = _timestamp(event, where)
        reason: str | None = None
        if outcome is not Outcome.DELIVERED:
            detail = _optional_str(event, "reason", where)
            bounce_type = _optional_str(event, "type", where)
            if bounce_type and bounce_type != "bounce":
                detail = f"{bounce_type}: {detail}" if detail else bounce_type
            reason = scrub_reason(detail)
        event_id = _optional_str(event, "sg_event_id", where) or ":".join(
            ("sendgrid", message_id or "", kind, str(event.get("timestamp", "")), key)
        )
        receipts.append(
            Receipt(
                idempotency_key=key,
                channel=Channel.EMAIL,
                provider_message_id=message_id,
                outcome=outcome,
                reason=reason,
                event_id=event_id,
                occurred_at=occurred_at,
            )
        )
    return receipts


# ---- Twilio ---------------------------------------------------------------------------------

_MESSAGE_OUTCOMES = {
    "delivered": Outcome.DELIVERED,
    "read": Outcome.DELIVERED,
    "undelivered": Outcome.FAILED,
    "failed": Outcome.FAILED,
}
_CALL_OUTCOMES = {
    "completed": Outcome.DELIVERED,
    "busy": Outcome.FAILED,
    "no-answer": Outcome.FAILED,
    "failed": Outcome.FAILED,
    "canceled": Outcome.FAILED,
}


def _twilio_time(value: str | None) -> datetime | None:
    # Voice callbacks carry an RFC 2822 `Timestamp`; message callbacks carry none.
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def receipt_from_twilio(params: Mapping[str, str], key: str) -> Receipt | None:
    """The receipt in one Twilio status callback, or None when the status is not final.

    Args:
        params: The form fields Twilio posted (first value of each).
        key: Herald's idempotency key, from the callback URL's `k`.

    Raises:
        ReceiptParseError: no key, no status, or a status without its message/call SID.
    """
    if not key:
        raise ReceiptParseError("the callback URL has no k (Herald's message key)")
    if params.get("MessageStatus"):
        status = params["MessageStatus"].lower()
        sid = params.get("MessageSid") or params.get("SmsSid")
        if not sid:
            raise ReceiptParseError("MessageStatus without MessageSid")
        outcome, channel, label = _MESSAGE_OUTCOMES.get(status), Channel.SMS, "message"
    elif params.get("CallStatus"):
        status = params["CallStatus"].lower()
        sid = params.get("CallSid")
        if not sid:
            raise ReceiptParseError("CallStatus without CallSid")
        outcome, channel, label = _CALL_OUTCOMES.get(status), Channel.VOICE, "call"
    else:
        raise ReceiptParseError("neither MessageStatus nor CallStatus is set")
    if outcome is None:
        return None
    reason: str | None = None
    if outcome is not Outcome.DELIVERED:
        code = params.get("ErrorCode", "")
        # Twilio error codes are numbers; anything else is not copied into the ledger.
        suffix = f" (Twilio error {code})" if code.isdigit() and len(code) <= 10 else ""
        reason = f"{label} {status}{suffix}"
    return Receipt(
        idempotency_key=key,
        channel=channel,
        provider_message_id=sid,
        outcome=outcome,
        reason=reason,
        event_id=f"twilio:{sid}:{status}",
        occurred_at=_twilio_time(params.get("Timestamp")),
    )
