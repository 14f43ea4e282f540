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


# The elements an SMS pointer must carry: how to reach the organisation for the full story.
SMS_ELEMENTS: frozenset[str] = frozenset({"dpo_contact", "contact_info", "for_more_information"})

_CRA = all_of("Equifax", "Experian", "TransUnion")

MARKERS: dict[str, dict[str, Alternatives]] = {
    "en": {
        # GDPR Art. 33(3) / 34(2)
        "nature_of_breach": any_of(
            "What happened", "What Happened", "Nature of the personal data breach"
        ),
        "categories_and_numbers": all_of(
            "Categories of personal data concerned:",
            "Approximate number of data subjects concerned:",
            "Approximate number of personal data records concerned:",
        ),
        # A generic "Contact:" line names the "other contact point" Art. 33(3)(b) allows.
        "dpo_contact": any_of("Data protection officer or contact point:", "Contact:"),
        "likely_consequences": any_of(
            "What this may mean for you", "Likely consequences of the personal data breach"
        ),
        "measures_taken": any_of(
            "What we are doing", "What We Are Doing", "Measures taken or proposed"
        ),
        "delay_reasons": any_of("Reasons for the delay"),
        # Cal. Civ. Code § 1798.82(d): title and headings verbatim
        "ca_title": any_of("Notice of Data Breach"),
        "what_happened": any_of("What Happened"),
        "what_information": any_of("What Information Was Involved"),
        "what_we_are_doing": any_of("What We Are Doing"),
        "what_you_can_do": any_of("What You Can Do"),
        "for_more_information": any_of("For More Information"),
        "breach_date": any_of("Date of the breach:"),
        "contact_info": any_of("Contact:"),
        "cra_contacts": _CRA,
        # California AG sample-copy submission
        "sample_notice": any_of("Sample copy of the consumer notice"),
        "affected_count": any_of("Number of California residents notified:"),
    },
    "de": {
        "nature_of_breach": any_of("Was ist passiert"),
        "dpo_contact": any_of("Datenschutzbeauftragter oder Anlaufstelle:"),
        "likely_consequences": any_of("Was das für Sie bedeuten kann"),
        "measures_taken": any_of("Was wir unternehmen"),
    },
    "fr": {
        "nature_of_breach": any_of("Ce qui s'est passé"),
        "dpo_contact": any_of("Délégué à la protection des données ou point de contact :"),
        "likely_consequences": any_of("Ce que cela peut signifier pour vous"),
        "measures_taken": any_of("Les mesures que nous prenons"),
    },
    "zh-CN": {
        "nature_of_breach": any_of("发生了什么", "个人数据泄露的性质"),
        "categories_and_numbers": all_of(
            "涉及的个人数据类别：", "涉及的数据主体大致人数：", "涉及的个人数据记录大致数量："
        ),
        "dpo_contact": any_of("数据保护官或其他联系人：", "联系方式："),
        "likely_consequences": any_of("这可能对您造成的影响", "个人数据泄露可能造成的后果"),
        "measures_taken": any_of("我们正在采取的措施", "已采取或拟采取的措施"),
        "delay_reasons": any_of("延迟通报的原因"),
        # A translated California notice keeps the statutory English wording beside the
        # translation, so both must be there.
        "ca_title": all_of("数据泄露通知", "Notice of Data Breach"),
        "what_happened": all_of("发生了什么", "What Happened"),
        "what_information": all_of("涉及哪些信息", "What Information Was Involved"),
        "what_we_are_doing": all_of("我们正在采取的措施", "What We Are Doing"),
        "what_you_can_do": all_of("您可以采取的措施", "What You Can Do"),
        "for_more_information": all_of("更多信息", "For More Information"),
        "breach_date": any_of("泄露发生日期："),
        "contact_info": any_of("联系方式："),
        "cra_contacts": _CRA,
    },
}

# In an SMS every contact element is the one "Contact:" line.
SMS_MARKERS: dict[str, dict[str, Alternatives]] = {
    "en": {element: any_of("Contact:") for element in SMS_ELEMENTS},
    "zh-CN": {element: any_of("联系方式：") for element in SMS_ELEMENTS},
}

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

PLACEHOLDERS: dict[str, dict[str, str]] = {
    "en": {
        "description": "[Description of the incident: to be completed]",
        "remediation": "[Measures taken or proposed: to be completed]",
        "categories": "[Categories of personal data: to be completed]",
        "affected_count": "[Number of people affected: to be completed]",
        "dpo_contact": "[DPO contact: to be completed]",
        "contact_info": "[Contact details: to be completed]",
        "delay_reasons": "[Reasons for the delay: to be completed]",
        "identity_theft_services": "[Offer of identity theft prevention and mitigation "
        "services at no cost for at least 12 months: to be completed, or removed if the "
        "business was not the source of the breach]",
    },
    "de": {
        "description": "[Beschreibung des Vorfalls: noch zu ergänzen]",
        "remediation": "[Ergriffene oder geplante Maßnahmen: noch zu ergänzen]",
        "categories": "[Kategorien personenbezogener Daten: noch zu ergänzen]",
        "affected_count": "[Anzahl der betroffenen Personen: noch zu ergänzen]",
        "dpo_contact": "[Kontakt des Datenschutzbeauftragten: noch zu ergänzen]",
        "contact_info": "[Kontaktdaten: noch zu ergänzen]",
    },
    "fr": {
        "description": "[Description de l'incident : à compléter]",
        "remediation": "[Mesures prises ou envisagées : à compléter]",
        "categories": "[Catégories de données à caractère personnel : à compléter]",
        "affected_count": "[Nombre de personnes concernées : à compléter]",
        "dpo_contact": "[Coordonnées du DPO : à compléter]",
        "contact_info": "[Coordonnées : à compléter]",
    },
    "zh-CN": {
        "description": "[事件描述：待补充]",
        "remediation": "[已采取或拟采取的措施：待补充]",
        "categories": "[个人数据类别：待补充]",
        "affected_count": "[受影响人数：待补充]",
        "dpo_contact": "[数据保护官联系方式：待补充]",
        "contact_info": "[联系方式：待补充]",
        "delay_reasons": "[延迟原因：待补充]",
        "identity_theft_services": "[免费提供至少12个月身份盗用预防与缓解服务的说明：待补充；"
        "如本企业并非泄露来源，请删除]",
    },
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
    is_sms = channel == Channel.SMS
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
