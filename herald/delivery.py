"""Who a campaign sends what: the domain side of delivery, without Temporal or I/O.

A campaign sends one approved notice over one channel. `FallbackPlan` says where that
channel stands in the organisation's channel order (who it serves, who it counts as
unreachable); `pick_message` and `personalise` turn the approved text into one person's
message. The batch activity (`activities/delivery.py`) adds the ledger and the provider.
"""

from __future__ import annotations

from functools import lru_cache

from herald.assess import contact_point
from herald.channels.base import OutgoingMessage, make_idempotency_key
from herald.models import Channel, Person
from herald.models.messages import ApprovedMessage, CampaignSpec
from herald.rendering import l10n, layout

__all__ = ["FallbackPlan", "covers", "email_html", "personalise", "pick_message"]


def covers(jurisdictions: list[str], person_jurisdiction: str) -> bool:
    """Whether a campaign notifies a person: their exact code is in its notice plan.

    Plans are built from the population's own codes (herald.rules.locality), so an exact
    match is complete, and two campaigns never claim the same person.
    """
    return person_jurisdiction in jurisdictions


def pick_message(spec: CampaignSpec, language: str | None) -> ApprovedMessage:
    """The approved text in the person's language, matched as the renderer matched it
    (herald.rendering.l10n: "en-US" reads "en", "zh-TW" never reads "zh-CN"), else the
    obligation's default language, else the first one approved."""
    by_language = {m.language: m for m in spec.messages}
    chosen = l10n.choose_language(language, by_language, spec.default_language)
    return by_language[chosen] if chosen else spec.messages[0]


def personalise(message: ApprovedMessage, person: Person, spec: CampaignSpec) -> OutgoingMessage:
    """The approved message addressed to one person (the name is filled in by the adapter)."""
    to = contact_point(person, spec.channel)
    assert to is not None, "only people with a contact point on the channel are sent to"
    # Built without validation: every part is already validated (the approved draft, the
    # population row), and a million-person campaign builds a million of these.
    return OutgoingMessage.model_construct(
        incident_id=spec.incident_id,
        person_id=person.id,
        channel=spec.channel,
        to=to,
        recipient_name=person.name or "",
        greeting_name=person.name or l10n.locale_data(message.language).recipient_fallback,
        subject=message.subject,
        body=message.body,
        language=message.language,
        html=email_html(message, spec) if spec.channel is Channel.EMAIL else None,
        link=message.link,
        content_hash=message.content_hash,
        idempotency_key=make_idempotency_key(spec.incident_id, person.id, spec.channel),
    )


def email_html(message: ApprovedMessage, spec: CampaignSpec) -> str:
    """The HTML part of an approved email, laid out once per text (not once per person)."""
    return _email_html(
        message.subject or "", message.body, message.language, spec.sender_name, spec.incident_id
    )


@lru_cache(maxsize=64)
def _email_html(subject: str, body: str, language: str, entity: str, incident_id: str) -> str:
    return layout.email_html(
        subject=subject, body=body, language=language, entity_name=entity, incident_id=incident_id
    )


class FallbackPlan:
    """Where one campaign's channel stands in the fallback order."""

    def __init__(self, spec: CampaignSpec) -> None:
        """Place `spec.channel` in `spec.channel_order` (appended if missing)."""
        self.spec = spec
        order = list(spec.channel_order) or [spec.channel]
        if spec.channel not in order:
            order.append(spec.channel)
        self.order = order
        self.position = order.index(spec.channel)
        # The last channel of the order counts who no channel reaches.
        self.is_last = self.position == len(order) - 1
        earlier = set(order[: self.position])
        self.watched = earlier | {spec.channel} if self.is_last else earlier

    def contacts(self, person: Person) -> list[Channel]:
        """The channels of the order on which the person has a contact point, in order."""
        return [ch for ch in self.order if contact_point(person, ch)]

    def before(self, channel: Channel) -> bool:
        """Whether `channel` comes before this campaign's channel in the order."""
        return self.order.index(channel) < self.position

    def concerns(self, contacts: list[Channel]) -> bool:
        """Whether this campaign may serve (or, as the last, count) a person."""
        return self.spec.channel in contacts or self.is_last

    def checks(self, contacts: list[Channel]) -> bool:
        """Whether the ledger must be asked about the person's other channels."""
        return self.is_last or self.before(contacts[0])
