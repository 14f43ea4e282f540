"""Provider settings (HERALD_*): which adapter serves each channel, credentials and limits.

Credentials are `SecretStr`, so they never appear in a repr, a log line or an error, and each
can be read from a file named by `HERALD_<NAME>_FILE` instead (herald.secret_files). Every
provider's base URL is configurable: tests and benchmarks point the official SDKs at local
peers on 127.0.0.1, production leaves the defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from herald.models.vocabulary import Channel
from herald.settings import SecretFilesSettings

__all__ = ["ProviderSettings"]

EmailProvider = Literal["outbox", "sendgrid", "smtp"]
SmsProvider = Literal["outbox", "twilio"]
PushProvider = Literal["outbox", "fcm"]
LetterProvider = Literal["outbox", "printhouse"]


class ProviderSettings(SecretFilesSettings):
    """How each channel is delivered. Unset providers mean the outbox (files, no sending)."""

    model_config = SettingsConfigDict(
        env_prefix="HERALD_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    email_provider: EmailProvider = "outbox"
    sms_provider: SmsProvider = "outbox"
    voice_provider: SmsProvider = "outbox"
    push_provider: PushProvider = "outbox"
    letter_provider: LetterProvider = "outbox"

    sender_email: str = Field(
        default="notifications@herald.example", description="From address of notices"
    )
    sender_name: str = Field(
        default="Herald Notifications", description="the organisation, as notices name it"
    )
    sender_postal_address: str = Field(
        default="", description="return address printed on letters (lines separated by \\n)"
    )
    public_url: str | None = Field(
        default=None,
        description="Herald's public base URL; provider callbacks are sent to <url>/webhooks/…",
    )

    sendgrid_api_key: SecretStr | None = None
    sendgrid_host: str = "https://api.sendgrid.com"
    sendgrid_webhook_public_key: str | None = Field(
        default=None, description="base64 ECDSA public key of the signed Event Webhook"
    )

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_base_url: str | None = Field(
        default=None, description="replaces https://api.twilio.com (tests: a local peer)"
    )
    twilio_messaging_service_sid: str | None = None
    twilio_from: str | None = Field(default=None, description="sender number, E.164")

    fcm_project_id: str | None = None
    fcm_service_account_file: Path | None = None
    fcm_base_url: str = "https://fcm.googleapis.com"
    fcm_token_url: str | None = Field(
        default=None, description="OAuth token endpoint; default: the service account's token_uri"
    )

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True

    letter_dir: Path | None = Field(
        default=None, description="print batches for the print-mail house; default: home/letters"
    )

    provider_timeout_seconds: float = Field(default=30.0, gt=0)
    rate_email: float | None = Field(default=None, gt=0, description="messages per second")
    rate_sms: float | None = Field(default=None, gt=0)
    rate_voice: float | None = Field(default=None, gt=0)
    rate_push: float | None = Field(default=None, gt=0)
    rate_letter: float | None = Field(default=None, gt=0)

    def rate(self, channel: Channel) -> float | None:
        """Messages per second allowed on `channel` (None: as fast as the provider takes)."""
        value = getattr(self, f"rate_{channel.value}", None)
        return float(value) if value is not None else None
