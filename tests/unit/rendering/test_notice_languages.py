"""Individual notices in de, fr, es, pt-BR, ja and ko: every channel, every required element."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

import pytest
from babel.dates import format_date

from herald.impact import judge
from herald.models import IncidentFacts, Obligation, RenderedDraft
from herald.models.assessment import Assessment
from herald.models.vocabulary import Audience, Channel
from herald.render import NoticeDetails, render_drafts, sms_segments
from herald.rendering import locales
from herald.rendering.context import build_context
from herald.rendering.templates import environment, resolve, scan
from herald.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
LANGUAGES = ("de", "fr", "es", "pt-BR", "ja", "ko")
CHANNELS = (Channel.EMAIL, Channel.LETTER, Channel.SMS, Channel.PUSH, Channel.VOICE)
# The regime whose readers most often get each language; its obligation is rendered with
# every channel allowed.
REGIME = {
    "de": "gdpr",
    "fr": "ca-qc-law25",
    "es": "gdpr",
    "pt-BR": "br-lgpd",
    "ja": "jp-appi",
    "ko": "kr-pipa",
}
# California's statutory headings are only translated into Spanish (and Chinese).
CA_ONLY = frozenset({"ca_title", "what_happened", "what_information", "what_we_are_doing"})
HOSTILE = "{{ 7*7 }} {% raw %}x{% endraw %} <script>alert(1)</script>"


def make_facts(**overrides: Any) -> IncidentFacts:
    """An incident touching every regime these languages serve, with a complete contact."""
    data: dict[str, Any] = {
        "title": "Unauthorised access to the customer database",
        "description": "An attacker exported the customer table with a leaked token.",
        "remediation": "The token was revoked and all passwords were reset.",
        "aware_at": "2026-03-02T09:15:00+01:00",
        "discovered_at": "2026-03-01T22:00:00+01:00",
        "entity": {
            "name": "Example GmbH",
            "established_in": ["DE"],
            "timezone": "Europe/Berlin",
            "contact": {
                "name": "Privacy Office",
                "email": "privacy@example.com",
                "phone": "+49 30 1234567",
                "postal_address": "Hauptstr. 1, 10115 Berlin",
                "website": "https://example.com/notice",
            },
        },
        "data_categories": ["name", "email", "account_credentials", "payment_card"],
        "risk": "high",
        "affected": [
            {"jurisdiction": code, "count": 1500}
            for code in ("DE", "FR", "ES", "JP", "KR", "BR", "CA-QC", "US-CA", "US-CO")
        ],
    }
    data.update(overrides)
    return IncidentFacts.model_validate(data)


def individual_obligations(facts: IncidentFacts) -> dict[str, Obligation]:
    """The rules' individual obligations by regime, opened to every channel."""
    _, _, evaluation = judge(facts, None)
    return {
        o.regime: o.model_copy(update={"channels": []})
        for o in evaluation.obligations
        if o.audience == Audience.INDIVIDUALS
    }


def render(
    language: str,
    regime: str,
    *,
    facts: IncidentFacts | None = None,
    details: NoticeDetails | None = None,
) -> dict[Channel, RenderedDraft]:
    """One regime's individual drafts in one language, by channel."""
    facts = facts or make_facts()
    obligation = individual_obligations(facts)[regime]
    drafts = render_drafts(
        incident_id="INC-2026-0001",
        facts=facts,
        obligations=[obligation],
        assessment=Assessment(total=10, languages={language: 10}),
        channel_order=list(CHANNELS),
        templates_dir=TEMPLATES,
        details=details,
    )
    return {d.channel: d for d in drafts if d.language == language}


@cache
def rendered(language: str) -> dict[Channel, RenderedDraft]:
    return render(language, REGIME[language])


def in_language(language: str, text: str) -> bool:
    """A rough check that text is written in the language, not English."""
    letters = [ch for ch in text if ch.isalpha()]
    if language == "ja":
        kana = sum("\u3040" <= ch <= "\u30ff" for ch in letters)
        return kana / len(letters) > 0.2
    if language == "ko":
        return sum("\uac00" <= ch <= "\ud7a3" for ch in letters) / len(letters) > 0.4
    words = {
        "de": ("Ihre", "Daten"),
        "fr": ("vos", "données"),
        "es": ("sus", "datos"),
        "pt-BR": ("seus", "dados"),
    }[language]
    return all(word in text for word in words) and "personal information" not in text


@pytest.mark.parametrize("channel", CHANNELS, ids=str)
@pytest.mark.parametrize("language", LANGUAGES)
def test_complete_facts_render_without_missing_elements(language: str, channel: Channel) -> None:
    draft = rendered(language)[channel]
    assert draft.language == language
    assert draft.id.endswith(f".{channel}.{language}")
    assert draft.missing_elements == []
    assert "[[recipient_name]]" in draft.body
    assert in_language(language, f"{draft.subject or ''}\n{draft.body}")
    assert not re.search(r"\bNone\b|\{\{|\{%", draft.body)


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_are_formatted_by_babel_for_the_locale(language: str) -> None:
    babel = locales.load(language).babel
    day = format_date(date(2026, 3, 1), "long", locale=babel)
    for channel in (Channel.EMAIL, Channel.LETTER, Channel.VOICE):
        assert day in rendered(language)[channel].body
    assert (
        locales.load(language).on_or_before.format(date=day)
        in rendered(language)[Channel.EMAIL].body
    )


def _individual_elements() -> set[str]:
    facts = make_facts(
        affected=[
            {"jurisdiction": code, "count": 5000}
            for code in ("DE", "FR", "JP", "KR", "BR", "CA-QC", "US-CA", "US-CO", "US-NC")
        ],
        data_categories=["name", "government_id", "payment_card"],
    )
    return {e for o in individual_obligations(facts).values() for e in o.required_content}


@pytest.mark.parametrize("language", LANGUAGES)
def test_locale_file_has_markers_for_every_individual_element(language: str) -> None:
    data = locales.load(language)
    wanted = _individual_elements()
    assert {"nature_of_breach", "contact_info", "cra_contacts"} <= wanted
    if language != "es":
        wanted -= CA_ONLY
    assert wanted <= set(data.markers), wanted - set(data.markers)
    assert data.pointer_contact
    assert set(locales.load("en").placeholders) <= set(data.placeholders)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marker_of_a_required_element_appears_in_some_notice(language: str) -> None:
    """A marker no template prints could never be satisfied: it is a typo."""
    ids = make_facts(data_categories=["name", "government_id"])
    drafts = [
        *rendered(language).values(),
        *render(language, "us-co", facts=ids).values(),
    ]
    if language == "es":
        drafts += render("es", "us-ca", facts=ids).values()
    if language == "fr":
        drafts += render("fr", "gdpr").values()
    text = "\n".join(f"{d.subject or ''}\n{d.body}" for d in drafts)
    wanted = _individual_elements() - (set() if language == "es" else CA_ONLY)
    for element in wanted:
        for alternative in locales.load(language).markers[element]:
            parts = [alternative] if isinstance(alternative, str) else alternative
            assert all(part in text for part in parts), (element, parts)


@pytest.mark.parametrize("language", LANGUAGES)
def test_push_title_and_body_limits(language: str) -> None:
    label = locales.load(language).pointer_contact
    long_name = make_facts(
        entity={**make_facts().entity.model_dump(), "name": "Very Long Organisation Name " * 3}
    )
    for facts in (make_facts(), long_name):
        push = render(language, REGIME[language], facts=facts)[Channel.PUSH]
        assert push.subject and len(push.subject) <= 65
        assert len(push.body) <= 240
        assert any(marker in push.body for marker in label)
        assert push.missing_elements == []


def _sms(language: str, *, compact: bool) -> str:
    facts = make_facts()
    obligation = individual_obligations(facts)[REGIME[language]]
    found = resolve(scan(TEMPLATES), obligation.regime, "individuals", "sms", language, "txt")
    assert found is not None and found[1] == language
    context = build_context(
        incident_id="INC-2026-0001",
        facts=facts,
        obligation=obligation,
        assessment=None,
        language=language,
        details={},
        compact=compact,
    )
    return environment(TEMPLATES.resolve()).get_template(found[0]).render(context).strip()


@pytest.mark.parametrize("language", LANGUAGES)
def test_sms_segments(language: str) -> None:
    normal = rendered(language)[Channel.SMS].body
    assert normal == _sms(language, compact=False)
    encoding, segments = sms_segments(normal)
    assert segments <= 3
    if language in ("de", "fr", "es", "pt-BR"):
        assert encoding == "GSM-7"  # written without characters outside GSM 03.38
    compact = _sms(language, compact=True)
    assert len(compact) < len(normal)
    assert sms_segments(compact)[1] <= 2
    assert any(marker in compact for marker in locales.load(language).pointer_contact)


@pytest.mark.parametrize("language", LANGUAGES)
def test_hostile_free_text_is_printed_literally(language: str) -> None:
    facts = make_facts(description=HOSTILE, remediation=HOSTILE)
    drafts = render(language, REGIME[language], facts=facts)
    for channel in (Channel.EMAIL, Channel.LETTER, Channel.VOICE):
        body = drafts[channel].body
        assert HOSTILE in body
        assert "49" not in body.replace("+49", "")


def test_spanish_california_notice_keeps_the_statutory_english_headings() -> None:
    facts = make_facts(data_categories=["name", "government_id"])
    offer = NoticeDetails(identity_theft_services="Le ofrecemos 24 meses de monitoreo gratuito.")
    drafts = render("es", "us-ca", facts=facts, details=offer)
    headings = (
        "Qué ocurrió (What Happened)",
        "Qué información estuvo involucrada (What Information Was Involved)",
        "Qué estamos haciendo (What We Are Doing)",
        "Qué puede hacer usted (What You Can Do)",
        "Para más información (For More Information)",
    )
    for channel in (Channel.EMAIL, Channel.LETTER):
        draft = drafts[channel]
        assert draft.missing_elements == []
        positions = [draft.body.index(heading) for heading in headings]
        assert positions == sorted(positions)
        assert draft.body.startswith("Aviso de violación de datos (Notice of Data Breach)\n===")
        assert all(agency in draft.body for agency in ("Equifax", "Experian", "TransUnion"))
    assert drafts[Channel.EMAIL].subject == "Aviso de violación de datos (Notice of Data Breach)"
    # Without the business's offer of identity theft services, the draft is not complete.
    pending = render("es", "us-ca", facts=facts)[Channel.EMAIL]
    assert pending.missing_elements == ["what_we_are_doing"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_unknown_contact_is_a_placeholder_in_the_language(language: str) -> None:
    entity = {"name": "Example GmbH", "established_in": ["DE"], "timezone": "Europe/Berlin"}
    drafts = render(language, REGIME[language], facts=make_facts(entity=entity))
    shown = locales.load(language).placeholders
    for channel in CHANNELS:
        draft = drafts[channel]
        assert shown["contact_info"] in draft.body or shown["dpo_contact"] in draft.body
        assert {"contact_info", "dpo_contact"} & set(draft.missing_elements)


def test_population_language_selects_the_translated_notice() -> None:
    facts = make_facts()
    obligation = individual_obligations(facts)["jp-appi"].model_copy(
        update={"channels": [Channel.EMAIL]}
    )
    drafts = render_drafts(
        incident_id="INC-1",
        facts=facts,
        obligations=[obligation],
        assessment=Assessment(total=10, languages={"ja-JP": 5, "ko": 3, "es-419": 2}),
        channel_order=[Channel.EMAIL],
        templates_dir=TEMPLATES,
    )
    assert [d.language for d in drafts] == ["ja", "ko", "es"]
    assert all(d.missing_elements == [] for d in drafts)
