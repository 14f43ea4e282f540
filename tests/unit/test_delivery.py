"""The fallback plan of a campaign: which people a channel serves and which it counts."""

from __future__ import annotations

from herald.delivery import FallbackPlan
from herald.models import Channel, Person
from herald.models.messages import CampaignSpec

EMAIL, SMS, LETTER = Channel.EMAIL, Channel.SMS, Channel.LETTER


def plan(channel: Channel, order: list[Channel]) -> FallbackPlan:
    return FallbackPlan(
        CampaignSpec(
            incident_id="INC-1",
            obligation_id="ob",
            channel=channel,
            channel_order=order,
            jurisdictions=["FR"],
            messages=[],
        )
    )


def person(**contacts: str) -> Person:
    return Person(row=1, id="p", jurisdiction="FR", **contacts)


def test_contacts_follow_the_order_and_skip_channels_outside_it() -> None:
    both = person(email="a@example.com", phone="+33612345678", postal_address="1 rue\nParis")
    assert plan(SMS, [EMAIL, SMS]).contacts(both) == [EMAIL, SMS]
    assert plan(LETTER, [LETTER, EMAIL]).contacts(both) == [LETTER, EMAIL]


def test_only_the_last_channel_counts_people_it_cannot_serve() -> None:
    email_first, sms_last = plan(EMAIL, [EMAIL, SMS]), plan(SMS, [EMAIL, SMS])
    only_phone = [SMS]
    assert not email_first.is_last and sms_last.is_last
    assert not email_first.concerns(only_phone)  # SMS serves them
    assert sms_last.concerns([EMAIL])  # the last channel counts an email-only person
    assert sms_last.watched == {EMAIL, SMS} and email_first.watched == set()


def test_the_ledger_is_asked_only_when_an_earlier_channel_could_serve() -> None:
    sms = plan(SMS, [EMAIL, SMS, LETTER])
    assert sms.checks([EMAIL, SMS])  # email might have failed for good
    assert not sms.checks([SMS, LETTER])  # SMS is their first channel
    assert sms.before(EMAIL) and not sms.before(LETTER)


def test_a_channel_missing_from_the_order_is_placed_last() -> None:
    voice = plan(Channel.VOICE, [EMAIL])
    assert voice.order == [EMAIL, Channel.VOICE] and voice.is_last
