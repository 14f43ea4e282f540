"""Provider payloads become receipts: only final outcomes, and reasons without personal data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from herald.models import Channel
from herald.receipts import (
    REASON_MAX,
    Outcome,
    Receipt,
    ReceiptParseError,
    receipt_from_twilio,
    receipts_from_sendgrid,
    scrub_reason,
)

KEY = "0123456789abcdef0123456789abcdef"


def sendgrid_event(kind: str, **extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "email": "jane.doe@example.org",
        "event": kind,
        "herald_key": KEY,
        "herald_incident": "INC-1",
        "sg_event_id": f"evt-{kind}",
        "sg_message_id": "msg-1.filterdrecv-1",
        "timestamp": 1_767_225_600,
    }
    event.update(extra)
    return event


# ---- SendGrid -------------------------------------------------------------------------------


def test_sendgrid_final_events_become_receipts_and_the_rest_is_ignored() -> None:
    events = [
        sendgrid_event("processed"),
        sendgrid_event("deferred", response="try later"),
        sendgrid_event("delivered"),
        sendgrid_event("open"),
        sendgrid_event("click"),
        sendgrid_event("spamreport"),
        sendgrid_event("unsubscribe"),
        sendgrid_event("group_unsubscribe"),
        sendgrid_event("bounce", type="bounce", reason="550 5.1.1 mailbox unknown"),
        sendgrid_event("dropped", reason="Bounced Address"),
    ]
    receipts = receipts_from_sendgrid(events)
    assert receipts == [
        Receipt(
            idempotency_key=KEY,
            channel=Channel.EMAIL,
            provider_message_id="msg-1.filterdrecv-1",
            outcome=Outcome.DELIVERED,
            event_id="evt-delivered",
            occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        ),
        Receipt(
            idempotency_key=KEY,
            channel=Channel.EMAIL,
            provider_message_id="msg-1.filterdrecv-1",
            outcome=Outcome.BOUNCED,
            reason="550 5.1.1 mailbox unknown",
            event_id="evt-bounce",
            occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        ),
        Receipt(
            idempotency_key=KEY,
            channel=Channel.EMAIL,
            provider_message_id="msg-1.filterdrecv-1",
            outcome=Outcome.FAILED,
            reason="Bounced Address",
            event_id="evt-dropped",
            occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        ),
    ]


def test_a_blocked_bounce_is_a_bounce_and_says_so() -> None:
    [receipt] = receipts_from_sendgrid(
        [sendgrid_event("bounce", type="blocked", reason="554 5.7.1 rejected by policy")]
    )
    assert receipt.outcome is Outcome.BOUNCED
    assert receipt.reason == "blocked: 554 5.7.1 rejected by policy"


def test_the_bounce_reason_loses_the_address_it_quotes() -> None:
    reason = (
        "550 5.1.1 <jane.doe@example.org>: Recipient address rejected: user unknown; "
        "forwarded to JANE%40EXAMPLE.ORG"
    )
    [receipt] = receipts_from_sendgrid([sendgrid_event("bounce", reason=reason)])
    assert receipt.reason == (
        "550 5.1.1 <[address]>: Recipient address rejected: user unknown; forwarded to [address]"
    )
    assert "example.org" not in receipt.model_dump_json().lower()


def test_events_of_other_mail_are_skipped() -> None:
    foreign = sendgrid_event("delivered")
    del foreign["herald_key"]
    assert receipts_from_sendgrid([foreign, sendgrid_event("delivered", herald_key="")]) == []


def test_an_event_without_an_event_id_gets_a_stable_one() -> None:
    event = sendgrid_event("delivered")
    del event["sg_event_id"]
    first = receipts_from_sendgrid([event])[0].event_id
    assert first == receipts_from_sendgrid([dict(event)])[0].event_id
    assert first != receipts_from_sendgrid([sendgrid_event("delivered", timestamp=1)])[0].event_id


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("herald_key", 42, "event 1: herald_key is not a string"),
        ("event", ["delivered"], "event 1: event is not a string"),
        ("timestamp", "yesterday", "event 1: timestamp is not a Unix time"),
        ("timestamp", True, "event 1: timestamp is not a Unix time"),
        ("timestamp", 10**20, "event 1: timestamp is out of range"),
        ("reason", {"text": "x"}, "event 1: reason is not a string"),
    ],
)
def test_a_malformed_herald_event_names_its_index_and_field(
    field: str, value: object, message: str
) -> None:
    events = [sendgrid_event("delivered"), sendgrid_event("bounce", **{field: value})]
    with pytest.raises(ReceiptParseError) as caught:
        receipts_from_sendgrid(events)
    assert str(caught.value) == message


# ---- Twilio ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("queued", None),
        ("accepted", None),
        ("sending", None),
        ("sent", None),
        ("delivered", Outcome.DELIVERED),
        ("read", Outcome.DELIVERED),
        ("undelivered", Outcome.FAILED),
        ("failed", Outcome.FAILED),
    ],
)
def test_twilio_message_statuses(status: str, outcome: Outcome | None) -> None:
    receipt = receipt_from_twilio({"MessageSid": "SM1", "MessageStatus": status}, KEY)
    if outcome is None:
        assert receipt is None
        return
    assert receipt is not None
    assert (receipt.outcome, receipt.channel, receipt.provider_message_id) == (
        outcome,
        Channel.SMS,
        "SM1",
    )
    assert receipt.idempotency_key == KEY
    assert receipt.event_id == f"twilio:SM1:{status}"


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("initiated", None),
        ("ringing", None),
        ("in-progress", None),
        ("completed", Outcome.DELIVERED),
        ("busy", Outcome.FAILED),
        ("no-answer", Outcome.FAILED),
        ("failed", Outcome.FAILED),
        ("canceled", Outcome.FAILED),
    ],
)
def test_twilio_call_statuses(status: str, outcome: Outcome | None) -> None:
    timestamp = "Thu, 01 Jan 2026 10:00:00 +0000"
    params = {"CallSid": "CA1", "CallStatus": status, "Timestamp": timestamp}
    receipt = receipt_from_twilio(params, KEY)
    if outcome is None:
        assert receipt is None
        return
    assert receipt is not None
    assert (receipt.outcome, receipt.channel) == (outcome, Channel.VOICE)
    assert receipt.occurred_at == datetime(2026, 1, 1, 10, tzinfo=UTC)
    if outcome is Outcome.FAILED:
        assert receipt.reason == f"call {status}"


def test_twilio_failure_reason_carries_the_numeric_error_code_only() -> None:
    coded = receipt_from_twilio(
        {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30003"}, KEY
    )
    assert coded is not None and coded.reason == "message undelivered (Twilio error 30003)"
    odd = receipt_from_twilio(
        {"MessageSid": "SM1", "MessageStatus": "failed", "ErrorCode": "+14155550100 gone"}, KEY
    )
    assert odd is not None and odd.reason == "message failed"


@pytest.mark.parametrize(
    ("params", "key", "message"),
    [
        ({"MessageSid": "SM1", "MessageStatus": "delivered"}, "", "has no k"),
        ({"MessageStatus": "delivered"}, KEY, "MessageStatus without MessageSid"),
        ({"CallStatus": "completed"}, KEY, "CallStatus without CallSid"),
        ({"MessageSid": "SM1", "AccountSid": "AC1"}, KEY, "neither MessageStatus nor CallStatus"),
    ],
)
def test_an_unreadable_twilio_callback_says_what_is_missing(
    params: dict[str, str], key: str, message: str
) -> None:
    with pytest.raises(ReceiptParseError, match=message):
        receipt_from_twilio(params, key)


# ---- scrubbing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "scrubbed"),
    [
        ("550 5.1.1 user unknown", "550 5.1.1 user unknown"),
        ("421 4.7.28 rate limited", "421 4.7.28 rate limited"),
        ("no route to +1 (415) 555-0100 today", "no route to [number] today"),
        ("number 0049 30 1234567 invalid", "number [number] invalid"),
        ("a.b+tag@sub.example.co.uk said no", "[address] said no"),
        ("rejected\n\tby   host", "rejected by host"),
        ("", None),
        (None, None),
    ],
)
def test_scrub_reason(raw: str | None, scrubbed: str | None) -> None:
    assert scrub_reason(raw) == scrubbed


def test_a_long_reason_is_cut_after_scrubbing() -> None:
    reason = scrub_reason("x" * (REASON_MAX - 5) + " jane.doe@example.org")
    assert reason is not None
    assert len(reason) == REASON_MAX
    assert "jane" not in reason and "@" not in reason
