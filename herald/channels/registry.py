"""Which adapter delivers each channel, from the provider settings.

Unset providers mean the outbox, so a fresh install (and the demo) sends nothing anywhere.
Provider modules are imported only when chosen: a deployment using the outbox never loads the
SendGrid or Twilio SDKs.
"""

from __future__ import annotations

from herald.channels.base import ChannelAdapter
from herald.channels.config import ProviderSettings
from herald.channels.outbox import OutboxChannel
from herald.models.vocabulary import Channel
from herald.settings import Settings

__all__ = ["build_adapters"]


def build_adapters(
    settings: Settings, providers: ProviderSettings
) -> dict[Channel, ChannelAdapter]:
    """One adapter per channel; channels that reach no single person (web, report) use the
    outbox, which writes what would be published or filed."""
    outbox = OutboxChannel(
        settings.outbox_dir, sender=f"{providers.sender_name} <{providers.sender_email}>"
    )
    adapters: dict[Channel, ChannelAdapter] = dict.fromkeys(Channel, outbox)
    if providers.email_provider == "sendgrid":
        from herald.channels.sendgrid_mail import SendGridEmail

        adapters[Channel.EMAIL] = SendGridEmail.from_settings(providers)
    elif providers.email_provider == "smtp":
        from herald.channels.smtp import SmtpEmail

        adapters[Channel.EMAIL] = SmtpEmail(providers)
    if providers.sms_provider == "twilio":
        from herald.channels.twilio_messaging import TwilioSms

        adapters[Channel.SMS] = TwilioSms.from_settings(providers)
    if providers.voice_provider == "twilio":
        from herald.channels.twilio_messaging import TwilioVoice

        adapters[Channel.VOICE] = TwilioVoice.from_settings(providers)
    if providers.push_provider == "fcm":
        from herald.channels.fcm import FcmPush

        adapters[Channel.PUSH] = FcmPush.from_settings(providers)
    if providers.letter_provider == "printhouse":
        from herald.channels.letter import PrintHouseLetters

        adapters[Channel.LETTER] = PrintHouseLetters.from_settings(
            providers, settings.home, sender_address=providers.sender_postal_address
        )
    return adapters
