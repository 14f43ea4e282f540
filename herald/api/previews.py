"""The HTML a reader gets of a draft (email, letter, web notice), for a sample recipient:
shared by the API's preview (which prints letters to PDF) and the console's preview frame."""

from __future__ import annotations

from datetime import date

from herald.models import Draft, IncidentStatus
from herald.models.vocabulary import Channel
from herald.rendering import l10n, layout
from herald.rendering.context import SAMPLE_RECIPIENT, is_us_regime
from herald.settings import Settings

__all__ = ["PREVIEW_HEADERS", "SAMPLE_RECIPIENT", "preview_html"]

# A draft is text a responder (or an attacker's facts) chose, and a web notice is served as
# the HTML it is: on Herald's origin it could run script with the reader's session. Every
# preview therefore is a document of its own origin-less sandbox, with no script, request
# or form, framed only by Herald, and never sniffed into another type.
PREVIEW_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox"
    ),
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
}


def preview_html(current: IncidentStatus, draft: Draft, settings: Settings) -> str | None:
    """The HTML a reader gets of `draft`, for a sample recipient; None for channels that
    have no HTML form (SMS, calls, push, report text).

    An email's HTML part is laid out as delivery lays it out for each person (the
    approved text, the organisation's name, the incident; `herald.delivery.email_html`)
    and filled in as `OutgoingMessage.html_text` fills it; a letter as `herald preview`
    prints it; a web notice is rendered HTML already.
    """
    facts = current.facts
    templates_dir = settings.templates_dir
    if draft.channel is Channel.EMAIL:
        document = layout.email_html(
            subject=draft.subject or "",
            body=draft.body,
            language=draft.language,
            entity_name=facts.entity.name,
            incident_id=current.incident_id,
            templates_dir=templates_dir,
        )
        return layout.personalise_html(document, SAMPLE_RECIPIENT)
    if draft.channel is Channel.LETTER:
        obligation = next((o for o in current.obligations if o.id == draft.obligation_id), None)
        us = obligation is not None and is_us_regime(obligation.regime)
        contact = facts.entity.contact
        return layout.letter_html(
            body=draft.body,
            language=draft.language,
            entity_name=facts.entity.name,
            sender_address=(contact.postal_address or "") if contact else "",
            incident_id=current.incident_id,
            recipient_name=SAMPLE_RECIPIENT,
            recipient_address=layout.SAMPLE_ADDRESS,
            notice_date=l10n.format_date(date.today(), draft.language, us_style=us),
            us_letter=us,
            templates_dir=templates_dir,
        )
    if draft.channel is Channel.WEB:
        return draft.body
    return None
