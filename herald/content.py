"""Required content: how each element id is recognised in a rendered draft.

Every element id an obligation can require maps, per language, to *markers*: literal text
the template prints when the element is there (a heading such as California's "What
Happened", or a labelled line such as "Data protection officer or contact point:").
Matching is exact and case-sensitive because some laws mandate the wording verbatim.

Where the data behind an element is unknown (no DPO contact, no description yet), the
template prints a visible *placeholder* from this module instead of inventing content; a
placeholder left in a draft makes the elements it stands for count as missing, so the draft
cannot be approved until someone completes it. A placeholder whose elements the obligation
does not require is reported under its own key, so no unfinished text can be approved.

SMS is a short pointer to the full notice (sent by email or letter): an SMS draft is only
checked for the contact elements in `SMS_ELEMENTS`, never for the long-form ones.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from herald.models.vocabulary import Channel
from herald.rendering import locales
from herald.rendering.l10n import FALLBACK_LANGUAGE, normalise_language

# One alternative is a tuple of strings that must all appear; an element is present when any
# of its alternatives is.
Alternatives = tuple[tuple[str, ...], ...]


def any_of(*markers: str) -> Alternatives:
    """The element is present when any one of these strings appears."""
    return tuple((marker,) for marker in markers)


def all_of(*markers: str) -> Alternatives:
    """The element is present only when every one of these strings appears."""
    return (markers,)


# The elements a short pointer (SMS, push) must carry: how to reach the organisation for
# the full story.
SMS_ELEMENTS: frozenset[str] = frozenset({"dpo_contact", "contact_info", "for_more_information"})
POINTER_CHANNELS: frozenset[Channel] = frozenset({Channel.SMS, Channel.PUSH})


def _alternatives(entries: list[str | list[str]]) -> Alternatives:
    return tuple((entry,) if isinstance(entry, str) else tuple(entry) for entry in entries)


MarkerTable = dict[str, dict[str, Alternatives]]


def _tables() -> tuple[MarkerTable, MarkerTable, dict[str, dict[str, str]]]:
    # Read once at import: the workflow checks revisions with these tables and must not
    # touch files while it runs.
    markers, pointer, shown = {}, {}, {}
    for language in locales.languages():
        data = locales.load(language)
        markers[language] = {k: _alternatives(v) for k, v in data.markers.items()}
        contact = any_of(*data.pointer_contact)
        pointer[language] = dict.fromkeys(SMS_ELEMENTS, contact) if contact else {}
        shown[language] = dict(data.placeholders)
    return markers, pointer, shown


MARKERS, SMS_MARKERS, PLACEHOLDERS = _tables()

_CONTACT_ELEMENTS = ("dpo_contact", "contact_info", "for_more_information")

# Placeholder key -> the element ids it stands for.
PLACEHOLDER_ELEMENTS: dict[str, tuple[str, ...]] = {
    "description": ("nature_of_breach", "what_happened"),
    "remediation": ("measures_taken", "what_we_are_doing"),
    "categories": ("categories_and_numbers", "what_information"),
    "affected_count": ("categories_and_numbers", "affected_count"),
    # Either contact placeholder means no contact point is known, whatever the label.
    "dpo_contact": _CONTACT_ELEMENTS,
    "contact_info": _CONTACT_ELEMENTS,
    "delay_reasons": ("delay_reasons",),
    "identity_theft_services": ("what_we_are_doing",),
}

# The three nationwide US consumer reporting agencies, as listed in breach notices for
# § 1798.82(d)(2)(F). Public fraud-alert numbers and addresses change now and then: legal
# should confirm them against each agency's site before a campaign.
CREDIT_REPORTING_AGENCIES: tuple[dict[str, str], ...] = (
    {
        "name": "Equifax",
        "phone": "1-800-685-1111",
        "address": "P.O. Box 105069, Atlanta, GA 30348-5069",
        "website": "https://www.equifax.com/personal/credit-report-services/",
    },
    {
        "name": "Experian",
        "phone": "1-888-397-3742",
        "address": "P.O. Box 9554, Allen, TX 75013",
        "website": "https://www.experian.com/help/",
    },
    {
        "name": "TransUnion",
        "phone": "1-800-680-7289",
        "address": "P.O. Box 2000, Chester, PA 19016",
        "website": "https://www.transunion.com/credit-help",
    },
)


def placeholders(language: str) -> dict[str, str]:
    """Placeholder texts for one language, English where no translation exists."""
    return {**PLACEHOLDERS["en"], **PLACEHOLDERS.get(language, {})}


def check_required_content(
    draft_body: str,
    subject: str | None,
    required: Sequence[str],
    language: str,
    channel: Channel | str,
) -> list[str]:
    """Return the required elements a rendered draft does not carry.

    An element is missing when none of its marker alternatives appears in the subject or
    body, when a placeholder standing for it is still there, or when no marker is known
    for it (what cannot be verified is not assumed present). Leftover placeholders for
    elements the obligation does not require are reported under their own key.

    Args:
        draft_body: the rendered body (HTML bodies are unescaped before matching).
        subject: the rendered subject, if the channel has one.
        required: element ids from the obligation.
        language: the language the draft was rendered in.
        channel: the draft's channel; SMS is only checked for `SMS_ELEMENTS`.

    Returns:
        Missing element ids (and stray placeholder keys), in the order of `required`.
    """
    body = html.unescape(draft_body) if channel == Channel.WEB else draft_body
    text = f"{subject or ''}\n{body}"
    lang = normalise_language(language, MARKERS) or FALLBACK_LANGUAGE
    is_sms = channel in POINTER_CHANNELS
    tables = [SMS_MARKERS.get(lang, {}), SMS_MARKERS["en"]] if is_sms else []
    tables += [MARKERS[lang], MARKERS["en"]]
    wanted = [e for e in dict.fromkeys(required) if not is_sms or e in SMS_ELEMENTS]

    # A template rendered in a fallback language may carry English placeholders too.
    flagged: list[str] = []
    for key, shown in [*PLACEHOLDERS["en"].items(), *PLACEHOLDERS.get(lang, {}).items()]:
        if shown in text:
            hits = [element for element in PLACEHOLDER_ELEMENTS[key] if element in wanted]
            flagged += hits or [key]

    missing: list[str] = []
    for element in wanted:
        alternatives = next((t[element] for t in tables if element in t), ())
        present = any(all(marker in text for marker in alt) for alt in alternatives)
        if not present or element in flagged:
            missing.append(element)
    extras = [key for key in dict.fromkeys(flagged) if key not in wanted and key not in missing]
    return missing + extras
