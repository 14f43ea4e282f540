"""The naive baseline: the same messages as a plain loop, one SDK call per person.

What a team would write without Herald: read the file, call the provider once per row. No
ledger, no batching, no retries, no durability: the figure to compare Herald against.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

from herald.channels.config import ProviderSettings
from herald.models import Channel
from herald.models.drafts import RECIPIENT_NAME_TOKEN
from herald.models.messages import ApprovedMessage

__all__ = ["naive_loop"]


def naive_loop(
    population: Path, channel: Channel, providers: ProviderSettings, message: ApprovedMessage
) -> dict[str, Any]:
    """Send `message` to every row of `population` on `channel`, one call each; time it."""
    send = _sender(channel, providers, message)
    sent = 0
    started = time.perf_counter()
    with population.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            send(row)
            sent += 1
    seconds = time.perf_counter() - started
    return {
        "mode": "naive",
        "recipients": sent,
        "seconds": round(seconds, 3),
        "per_second": round(sent / seconds, 1) if seconds else 0.0,
    }


def _sender(channel: Channel, providers: ProviderSettings, message: ApprovedMessage) -> Any:
    text = message.body
    if channel is Channel.EMAIL:
        from sendgrid import SendGridAPIClient
        from sendgrid.helpers.mail import Mail

        assert providers.sendgrid_api_key is not None
        client = SendGridAPIClient(
            api_key=providers.sendgrid_api_key.get_secret_value(), host=providers.sendgrid_host
        )

        def send_email(row: dict[str, str]) -> None:
            client.send(
                Mail(
                    from_email=providers.sender_email,
                    to_emails=row["email"],
                    subject=message.subject,
                    plain_text_content=text.replace(RECIPIENT_NAME_TOKEN, row["name"]),
                )
            )

        return send_email
    if channel is Channel.SMS:
        from twilio.rest import Client

        from herald.channels.twilio_transport import PooledTwilioHttp

        assert providers.twilio_auth_token is not None
        twilio = Client(
            providers.twilio_account_sid,
            providers.twilio_auth_token.get_secret_value(),
            # The same transport Herald uses, so the comparison is about the loop alone.
            http_client=PooledTwilioHttp(
                base_url=providers.twilio_base_url, timeout=providers.provider_timeout_seconds
            ),
        )

        def send_sms(row: dict[str, str]) -> None:
            twilio.messages.create(
                to=row["phone"],
                from_=providers.twilio_from,
                body=text.replace(RECIPIENT_NAME_TOKEN, row["name"]),
            )

        return send_sms
    import httpx

    http = httpx.Client(base_url=providers.fcm_base_url, headers={"Authorization": "Bearer x"})

    def send_push(row: dict[str, str]) -> None:
        http.post(
            f"/v1/projects/{providers.fcm_project_id}/messages:send",
            json={
                "message": {
                    "token": row["push_token"],
                    "notification": {
                        "title": message.subject,
                        "body": text.replace(RECIPIENT_NAME_TOKEN, row["name"]),
                    },
                }
            },
        ).raise_for_status()

    return send_push
