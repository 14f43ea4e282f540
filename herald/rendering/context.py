"""The data a template sees: facts, obligation, counts and contact, formatted per language."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from herald.content import CREDIT_REPORTING_AGENCIES, placeholders
from herald.models.assessment import Assessment
from herald.models.drafts import RECIPIENT_NAME_TOKEN
from herald.models.facts import EntityContact, IncidentFacts, TranslatedText
from herald.models.obligations import Obligation
from herald.models.vocabulary import Audience, DataCategory
from herald.rendering import l10n

# Stands where the person's name goes in a sample copy filed with a regulator.
SAMPLE_RECIPIENT = "[Name of the individual]"


class NoticeDetails(TypedDict, total=False):
    """Optional details people supply; what is unknown is shown as a placeholder.

    Attributes:
        delay_reasons: why a regulator filing is late (GDPR Art. 33(1)).
        breach_period: the date or date range of the breach, in words.
        notice_date: the date printed on notices (and on the AG sample copy).
        records_count: approximate number of personal data records concerned.
        identity_theft_services: the offer California requires when ids were exposed.
        law_enforcement_delay: whether a law enforcement investigation delayed the notice;
            California notices state it when it can be determined.
    """

    delay_reasons: str
    breach_period: str
    notice_date: date
    records_count: int
    identity_theft_services: str
    law_enforcement_delay: bool


def _in_scope(code: str, scope: list[str]) -> bool:
    return not scope or any(code == j or code.startswith(f"{j}-") for j in scope)


def categories_for(
    facts: IncidentFacts, obligation: Obligation, assessment: Assessment | None
) -> list[DataCategory]:
    """Categories exposed for the people this obligation covers, in vocabulary order."""
    scope = obligation.jurisdictions
    found: set[DataCategory] = set()
    for group in facts.affected:
        if _in_scope(group.jurisdiction, scope):
            found.update(facts.categories_for(group))
    known = {str(category) for category in DataCategory}
    for count in assessment.jurisdictions if assessment else []:
        if _in_scope(count.jurisdiction, scope):
            found.update(
                DataCategory(k) for k, n in count.data_categories.items() if n and k in known
            )
    if not found:
        found.update(facts.data_categories)
    return [category for category in DataCategory if category in found]


def affected_for(
    facts: IncidentFacts, obligation: Obligation, assessment: Assessment | None
) -> int:
    """People this obligation covers: its own count, else the population's, else the facts'."""
    if obligation.affected_count:
        return obligation.affected_count
    scope = obligation.jurisdictions
    counted = 0
    if assessment:
        counted = sum(j.count for j in assessment.jurisdictions if _in_scope(j.jurisdiction, scope))
    return counted or sum(g.count for g in facts.affected if _in_scope(g.jurisdiction, scope))


# Federal US regimes, whose ids do not start with "us-".
US_FEDERAL_REGIMES = frozenset({"hipaa", "sec-8k", "ftc-safeguards", "nydfs-500"})


def is_us_regime(regime: str) -> bool:
    """Whether a regime is a US law: its notices write dates month first, on US Letter."""
    return regime.startswith("us-") or regime in US_FEDERAL_REGIMES


def translation_for(facts: IncidentFacts, language: str) -> TranslatedText:
    """The responder's text written in `language`, if someone translated it (else empty)."""
    tag = l10n.normalise_language(language, facts.translations)
    return facts.translations[tag] if tag else TranslatedText()


def form_of(obligation: Obligation) -> str:
    """Which of a regime's forms an obligation is: its id after `<regime>-<audience>`.

    "eu-nis2-regulator-early-warning" is form "early-warning"; "gdpr-regulator-de" is "de";
    an obligation with one form only has "". Templates branch on it (NIS2 stages, APPI
    preliminary and final reports).
    """
    prefix = f"{obligation.regime}-{str(obligation.audience).replace('_', '-')}"
    return obligation.id[len(prefix) :].strip("-") if obligation.id.startswith(prefix) else ""


def notice_url(contact: EntityContact | None) -> str | None:
    """Where the full notice can be read online: the contact point's website, if any."""
    website = (contact.website or "").strip() if contact else ""
    return website if website.startswith(("https://", "http://")) else None


def contact_view(contact: EntityContact | None) -> dict[str, object]:
    """The contact point as printed; `complete` when it names a way to reach someone.

    Nothing is derived from the entity's name: an unknown contact stays unknown, and the
    templates print a placeholder that keeps the draft from being approved.
    """
    if contact is None:
        return {"complete": False, "name": "", "lines": [], "text": "", "short": ""}
    fields = (contact.name, contact.email, contact.phone, contact.postal_address, contact.website)
    lines = [" ".join(value.split()) for value in fields if value and value.strip()]
    reach = next((v for v in (contact.phone, contact.email, contact.website) if v), "")
    return {
        "complete": contact.is_complete(),
        "name": contact.name,
        "lines": lines,
        "text": ", ".join(lines),
        "short": ", ".join(part for part in (contact.name, reach) if part),
    }


def build_context(
    *,
    incident_id: str,
    facts: IncidentFacts,
    obligation: Obligation,
    assessment: Assessment | None,
    language: str,
    details: NoticeDetails,
    compact: bool = False,
) -> dict[str, object]:
    """Everything a template may use for one draft, already formatted for `language`.

    Args:
        incident_id: printed as the reference.
        facts: incident facts; free text is passed through as data.
        obligation: the obligation the draft fulfils.
        assessment: the population summary, if any.
        language: the language being rendered.
        details: overrides for `facts.details` (delay reasons, breach period …) and the
            notice date.
        compact: ask pointer templates (SMS) for their shortest wording.

    Returns:
        The template context; see the templates for how each key is used.
    """
    us_style = is_us_regime(obligation.regime)
    zone = ZoneInfo(facts.entity.timezone)

    def day(value: date) -> str:
        return l10n.format_date(value, language, us_style=us_style)

    aware_date = day(facts.aware_at.astimezone(zone).date())
    discovered = facts.discovered_at
    discovered_date = day(discovered.astimezone(zone).date()) if discovered else None
    categories = categories_for(facts, obligation, assessment)
    affected = affected_for(facts, obligation, assessment)
    known = facts.details
    own = translation_for(facts, language)
    records = details.get("records_count", known.records_count)
    notice_date = details.get("notice_date")
    posting = obligation.posting_days
    posted_until = day(notice_date + timedelta(days=posting)) if notice_date and posting else None
    risk = facts.risk or (assessment.risk if assessment else None)
    individual = obligation.audience == Audience.INDIVIDUALS
    return {
        "incident_id": incident_id,
        "language": language,
        "regime": obligation.regime,
        "entity_name": facts.entity.name,
        "recipient_name": RECIPIENT_NAME_TOKEN if individual else SAMPLE_RECIPIENT,
        "facts": {
            "title": own.title or facts.title,
            "description": (own.description or facts.description).strip(),
            "remediation": (own.remediation or facts.remediation).strip(),
            "aware_at": l10n.format_utc(facts.aware_at, language, us_style=us_style),
            "aware_date": aware_date,
            "discovered_at": (
                l10n.format_utc(discovered, language, us_style=us_style) if discovered else None
            ),
            "discovered_date": discovered_date,
            "categories": l10n.category_labels(categories, language),
            "category_ids": [str(category) for category in categories],
            "encrypted": facts.encryption.encrypted,
            "key_compromised": facts.encryption.key_compromised,
            "risk": str(risk) if risk else None,
            "cause": (own.cause or known.cause).strip(),
            "ransom_paid_at": (
                l10n.format_utc(facts.ransom_paid_at, language, us_style=us_style)
                if facts.ransom_paid_at
                else None
            ),
            "systems": known.systems.strip(),
            "ended_at": (
                l10n.format_utc(known.ended_at, language, us_style=us_style)
                if known.ended_at
                else None
            ),
            "malicious": known.malicious,
            "cross_border": known.cross_border,
            "indicators": known.indicators.strip(),
            "safeguards": known.safeguards.strip(),
        },
        "obligation": {
            "id": obligation.id,
            "form": form_of(obligation),
            "regime": obligation.regime,
            "audience": str(obligation.audience),
            "recipient": obligation.recipient,
            "citation": obligation.citation,
            "deadline": obligation.deadline,
            "due_at": l10n.format_utc(obligation.due_at, language) if obligation.due_at else None,
            "jurisdictions": list(obligation.jurisdictions),
            "required_content": list(obligation.required_content),
        },
        "counts": {
            "affected": affected,
            "affected_text": l10n.format_count(affected, language),
            "total": assessment.total if assessment else facts.total_affected(),
            "records_text": l10n.format_count(records, language) if records else None,
        },
        "contact": contact_view(facts.entity.contact),
        "notice_url": notice_url(facts.entity.contact),
        "compact": compact,
        "consequences": l10n.likely_consequences(categories, language),
        "government_id_exposed": DataCategory.GOVERNMENT_ID in categories,
        # US state laws point readers to the nationwide credit bureaus when ids leaked.
        "show_credit_reporting_agencies": us_style and DataCategory.GOVERNMENT_ID in categories,
        "credit_reporting_agencies": CREDIT_REPORTING_AGENCIES,
        "identity_theft_services": (
            details.get("identity_theft_services") or known.identity_theft_services
        ).strip()
        or None,
        "law_enforcement_delay": details.get("law_enforcement_delay", known.law_enforcement_delay),
        "delay_reasons": (details.get("delay_reasons") or known.delay_reasons).strip() or None,
        "breach_date": (details.get("breach_period") or known.breach_period).strip()
        or l10n.on_or_before(discovered_date or aware_date, language),
        "notice_date": day(notice_date) if notice_date else None,
        # Substitute notice laws require the page to stay up for a period: stated as a date
        # when the posting date is known, else as a number of days.
        "posting_days": posting,
        "posted_until": posted_until,
        "placeholders": placeholders(language),
    }
