"""Messages for the provider adapter tests (`test_sendgrid_errors`, `test_twilio_errors`,
`test_fcm_errors`), made as a campaign makes them: the approved text with the recipient
token in it, its content hash, and the idempotency key of (incident, person, channel)."""

from __future__ import annotations

from typing import Any

from herald.channels.base import OutgoingMessage, make_idempotency_key
from herald.models import Channel, content_hash
from herald.models.drafts import RECIPIENT_NAME_TOKEN

SUBJECT = "Security incident notice"
BODY = f"Dear {RECIPIENT_NAME_TOKEN},\n\nWe write to tell you about an incident.\n"
HTML = f"<p>Dear {RECIPIENT_NAME_TOKEN},</p><p>We write to tell you about an incident.</p>"


def message(channel: Channel, person: str, to: str, **overrides: Any) -> OutgoingMessage:
    fields: dict[str, Any] = {
        "incident_id": "INC-2026-007",
        "person_id": person,
        "channel": channel,
        "to": to,
        "recipient_name": f"Person {person}",
        "greeting_name": f"Person {person}",
        "subject": SUBJECT,
        "body": BODY,
        "html": HTML if channel is Channel.EMAIL else None,
        "content_hash": content_hash(SUBJECT, BODY),
        "idempotency_key": make_idempotency_key("INC-2026-007", person, channel),
    }
    fields.update(overrides)
    return OutgoingMessage.model_validate(fields)
