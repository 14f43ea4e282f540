"""Notices on every channel: complete, structured, within their channel's limits, inert.

Each individual channel (email, letter, SMS, push, voice) in English and Simplified Chinese
for the generic templates, GDPR and California; the public notice page; the media release.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

import pytest

from herald.models import (
    RECIPIENT_NAME_TOKEN,
    Audience,
    Channel,
    IncidentFacts,
    Obligation,
    RenderedDraft,
)
from herald.models.drafts import ChannelLimits
from herald.render import NoticeDetails, render_drafts, resolve_template, sms_segments
from herald.rendering import structure
from herald.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
LANGUAGES = ("en", "zh-CN")
INDIVIDUAL_CHANNELS = (Channel.EMAIL, Channel.LETTER, Channel.SMS, Channel.PUSH, Channel.VOICE)
STRUCTURED = (Channel.EMAIL, Channel.LETTER, Channel.VOICE)
WEBSITE = "https://example.com/incident"
CA_TITLE = {"en": "Notice of Data Breach", "zh-CN": "数据泄露通知（Notice of Data Breach）"}
CA_HEADINGS = (
    "What Happened",
    "What Information Was Involved",
    "What We Are Doing",
    "What You Can Do",
    "For More Information",
)
CA_ELEMENTS = [
    "ca_title",
    "what_happened",
    "what_information",
    "what_we_are_doing",
    "what_you_can_do",
    "for_more_information",
    "breach_date",
    "contact_info",
    "cra_contacts",
]
GDPR_ELEMENTS = ["nature_of_breach", "dpo_contact", "likely_consequences", "measures_taken"]
# What other regimes ask of a notice that falls back to the generic templates (HIPAA, US
# states, APAC): "us-xx" is a US regime, so the credit bureaus are named as well.
DEFAULT_ELEMENTS = [*GDPR_ELEMENTS, "breach_date", "contact_info", "cra_contacts"]
REQUIRED = {"gdpr": GDPR_ELEMENTS, "us-ca": CA_ELEMENTS, "us-xx": DEFAULT_ELEMENTS}
MEDIA_ELEMENTS = ["nature_of_breach", "categories_and_numbers", "measures_taken", "dpo_contact"]
PUBLIC_ELEMENTS = [*CA_ELEMENTS, *GDPR_ELEMENTS]
# Evaluated, these would print 111111 and ten x; escaped or printed as written, never.
HOSTILE = "{{ 111*1001 }} {% for x in range(10) %}x{% endfor %} <script>alert(1)</script>"
CATEGORIES = ["name", "email", "account_credentials", "government_id", "payment_card", "health"]
DETAILS = NoticeDetails(
    identity_theft_services="We offer 24 months of free identity monitoring.",
    notice_date=date(2026, 3, 20),
    law_enforcement_delay=False,
)


def make_facts(**overrides: Any) -> IncidentFacts:
    """Complete facts: every element a notice needs is known."""
    data: dict[str, Any] = {
        "aware_at": "2026-03-02T09:15:00+01:00",
        "discovered_at": "2026-03-01T22:00:00+01:00",
        "entity": {
            "name": "Example Ltd",
            "established_in": ["DE"],
            "timezone": "Europe/Berlin",
            "contact": {
                "name": "Privacy Office",
                "email": "privacy@example.com",
                "phone": "+1 800 555 0100",
                "postal_address": "1 Main Street, Springfield, CA 90000",
                "website": WEBSITE,
            },
        },
        "data_categories": CATEGORIES,
        "affected": [{"jurisdiction": "US-CA", "count": 650}, {"jurisdiction": "DE", "count": 230}],
        "risk": "high",
        "title": "Credential stuffing against the customer portal",
        "description": "An attacker signed in to customer accounts with reused passwords.",
        "remediation": "We reset the affected passwords and added rate limiting.",
    }
    data.update(overrides)
    return IncidentFacts.model_validate(data)


def make_obligation(
    regime: str, audience: Audience, language: str, required: list[str], **extra: Any
) -> Obligation:
    data: dict[str, Any] = {
        "regime": regime,
        "audience": audience,
        "recipient": f"{regime} {audience}",
        "due_at": None,
        "deadline": "without undue delay",
        "citation": f"{regime} citation",
        "id": f"{regime}-{audience}",
        "jurisdictions": ["DE"] if regime == "gdpr" else ["US-CA"],
        "channels": [],
        "language": language,
        "required_content": required,
        **extra,
    }
    return Obligation.model_validate(data)


def render_one(
    regime: str,
    channel: Channel,
    language: str,
    *,
    facts: IncidentFacts | None = None,
    details: NoticeDetails | None = None,
    limits: ChannelLimits | None = None,
    audience: Audience = Audience.INDIVIDUALS,
    required: list[str] | None = None,
    **extra: Any,
) -> RenderedDraft:
    ob = make_obligation(
        regime, audience, language, REQUIRED.get(regime, []) if required is None else required
    )
    ob = ob.model_copy(update={"channels": [channel], **extra})
    drafts = render_drafts(
        incident_id="INC-2026-0001",
        facts=facts or make_facts(),
        obligations=[ob],
        assessment=None,
        channel_order=[channel],
        templates_dir=TEMPLATES,
        details=DETAILS if details is None else details,
        limits=limits,
    )
    assert len(drafts) == 1
    return drafts[0]


def width(text: str) -> int:
    """Columns a line takes in a monospaced font (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def underlined(body: str) -> list[tuple[str, str]]:
    """(line, underline) for every title and heading of a structured text."""
    lines = body.split("\n")
    return [
        (above, below)
        for above, below in zip(lines, lines[1:], strict=False)
        if above.strip() and len(below) >= 3 and set(below) in ({"="}, {"-"})
    ]


CASES = [
    (regime, channel, language)
    for regime in REQUIRED
    for channel in INDIVIDUAL_CHANNELS
    for language in LANGUAGES
]


# --- every channel, every language -----------------------------------------------------


@pytest.mark.parametrize(("regime", "channel", "language"), CASES)
def test_every_channel_renders_complete(regime: str, channel: Channel, language: str) -> None:
    draft = render_one(regime, channel, language)
    assert (draft.channel, draft.language) == (channel, language)
    assert draft.missing_elements == []
    assert draft.problems == []
    assert RECIPIENT_NAME_TOKEN in draft.body
    assert not re.search(r"\bNone\b|\{\{|\{%|\[[^\[\]]*: to be completed\]|待补充", draft.body)
    assert (draft.subject is not None) == (channel in (Channel.EMAIL, Channel.PUSH))
    if language == "zh-CN":
        letters = [ch for ch in draft.body if ch.isalpha()]
        assert sum("\u4e00" <= ch <= "\u9fff" for ch in letters) / len(letters) > 0.3


def test_voice_and_push_templates_resolve_as_intended() -> None:
    # California's elements need a script of its own; the generic one serves GDPR and others.
    for language in LANGUAGES:
        assert resolve_template(
            "us-ca", "individuals", "voice", language, templates_dir=TEMPLATES
        ) == (
            f"us-ca/individuals/voice.{language}.txt.j2",
            language,
        )
        assert resolve_template(
            "gdpr", "individuals", "voice", language, templates_dir=TEMPLATES
        ) == (
            f"_default/individuals/voice.{language}.txt.j2",
            language,
        )
        assert resolve_template(
            "us-ca", "individuals", "push", language, templates_dir=TEMPLATES
        ) == (
            f"_default/individuals/push.{language}.txt.j2",
            language,
        )


# --- structured text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("regime", "channel", "language"), [c for c in CASES if c[1] in STRUCTURED]
)
def test_long_notices_are_structured_text(regime: str, channel: Channel, language: str) -> None:
    draft = render_one(regime, channel, language)
    blocks = structure.parse(draft.body)
    assert blocks[0].kind == "title"
    assert [b.kind for b in blocks].count("title") == 1
    assert len([b for b in blocks if b.kind == "heading"]) >= 4
    # Every title and heading is underlined across its full width, nothing more.
    pairs = underlined(draft.body)
    assert pairs
    for line, underline in pairs:
        assert len(underline) == width(line), line
    # List items are their own blocks, never glued to a sentence.
    for block in blocks:
        if block.kind == "paragraph":
            assert not any(line.startswith("- ") for line in block.lines)


@pytest.mark.parametrize("regime", list(REQUIRED))
@pytest.mark.parametrize("language", LANGUAGES)
def test_letters_start_with_the_underlined_title(regime: str, language: str) -> None:
    # The PDF layout prints sender, address block, date and reference: the text does not.
    letter = render_one(regime, Channel.LETTER, language).body
    first, second, third = letter.split("\n")[:3]
    assert set(second) == {"="} and len(second) == width(first)
    assert third == ""
    head = "\n".join(letter.split("\n")[:4])
    assert "INC-2026-0001" not in head
    assert "2026" not in head
    assert not letter.startswith("Example Ltd")


@pytest.mark.parametrize("channel", STRUCTURED)
@pytest.mark.parametrize("language", LANGUAGES)
def test_california_title_and_headings_in_order(channel: Channel, language: str) -> None:
    draft = render_one("us-ca", channel, language)
    blocks = structure.parse(draft.body)
    assert blocks[0].kind == "title"
    assert blocks[0].text == CA_TITLE[language]
    headings = [b.text for b in blocks if b.kind == "heading"]
    positions = [
        next(i for i, text in enumerate(headings) if heading in text) for heading in CA_HEADINGS
    ]
    assert positions == sorted(positions)
    if channel == Channel.EMAIL:
        assert draft.subject == CA_TITLE[language]


def test_california_law_enforcement_statement_and_services_offer() -> None:
    delayed = NoticeDetails(
        identity_theft_services="We offer 24 months of free identity monitoring.",
        law_enforcement_delay=True,
    )
    for channel in STRUCTURED:
        body = render_one("us-ca", channel, "en", details=delayed).body
        assert "a law enforcement agency determined" in body
        assert "24 months of free identity monitoring" in body
    no_offer = NoticeDetails(notice_date=date(2026, 3, 20))
    for channel in STRUCTURED:
        pending = render_one("us-ca", channel, "en", details=no_offer)
        assert pending.missing_elements == ["what_we_are_doing"]


def test_steps_follow_the_categories_exposed() -> None:
    narrow = make_facts(data_categories=["name", "email"])
    body = render_one("us-xx", Channel.EMAIL, "en", facts=narrow, required=GDPR_ELEMENTS).body
    assert "Change your password" not in body
    assert "card statements" not in body
    assert "Equifax" not in body
    full = render_one("us-xx", Channel.EMAIL, "en").body
    assert "Change your password" in full
    assert "card statements" in full
    assert "health insurer" in full
    assert "Equifax" in full


# --- pointers: SMS and push ------------------------------------------------------------


@pytest.mark.parametrize("regime", list(REQUIRED))
def test_sms_fits_two_segments_and_compact_is_shorter(regime: str) -> None:
    for language in LANGUAGES:
        normal = render_one(regime, Channel.SMS, language)
        encoding, segments = sms_segments(normal.body)
        assert segments <= 2
        if language == "en":
            assert encoding == "GSM-7"
        else:
            assert len(normal.body) <= 134
        # With a one-segment maximum the renderer falls back to the compact wording.
        compact = render_one(
            regime, Channel.SMS, language, limits=ChannelLimits(sms_max_segments=1)
        )
        assert len(compact.body) < len(normal.body)
        assert compact.missing_elements == []
        assert RECIPIENT_NAME_TOKEN in compact.body
        if language == "en":
            assert sms_segments(compact.body) == ("GSM-7", 1)
            assert compact.problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_push_title_and_body_limits(language: str) -> None:
    draft = render_one("us-xx", Channel.PUSH, language)
    assert draft.subject and len(draft.subject) <= 65
    assert "Example Ltd" in draft.subject
    assert len(draft.body) <= 240
    assert ("Contact:" if language == "en" else "联系方式：") in draft.body
    assert draft.link == WEBSITE
    # A long name gives way to a generic title; a long contact point to a shorter body.
    entity = make_facts().entity.model_dump()
    entity["name"] = "The Very Long Name of an Example Holding Company Limited and Partners"
    entity["contact"]["name"] = "Customer Privacy and Data Protection Office " * 3
    long = render_one("us-xx", Channel.PUSH, language, facts=make_facts(entity=entity))
    assert long.subject and len(long.subject) <= 65
    assert "Holding" not in long.subject
    assert len(long.body) <= 240
    assert long.missing_elements == []


# --- voice -----------------------------------------------------------------------------


@pytest.mark.parametrize("regime", list(REQUIRED))
@pytest.mark.parametrize("language", LANGUAGES)
def test_voice_script_reads_no_web_address(regime: str, language: str) -> None:
    script = render_one(regime, Channel.VOICE, language).body
    assert not re.search(r"https?://|www\.", script, re.IGNORECASE)
    assert WEBSITE not in script
    assert "+1 800 555 0100" in script
    # A call script has no lists or tables to scan: only paragraphs, headings and a title.
    kinds = {block.kind for block in structure.parse(script)}
    assert kinds <= {"title", "heading", "paragraph"}
    assert "|" not in script and "\t" not in script


# --- the public notice page ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_page_is_a_complete_accessible_document(language: str) -> None:
    page = render_one(
        "us-ca",
        Channel.WEB,
        language,
        audience=Audience.PUBLIC,
        required=PUBLIC_ELEMENTS,
        posting_days=30,
    )
    html = page.body
    assert page.missing_elements == []
    assert html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}"' in html
    assert re.search(r"<title>[^<]*Notice of Data Breach[^<]*</title>", html)
    assert html.count("<h1>") == 1 and html.count("<h2>") >= 6
    assert "<main" in html and "<style>" in html
    for heading in CA_HEADINGS:
        assert heading in html
    # Conspicuously posted for a period: the end date is stated.
    if language == "en":
        assert "Date posted: March 20, 2026" in html
        assert "This notice will remain posted until April 19, 2026." in html
    else:
        assert "发布日期：2026年3月20日" in html
        assert "本通知将持续张贴至2026年4月19日。" in html
    # Self-contained: no scripts, external styles, fonts, images or frames.
    lowered = html.lower()
    for forbidden in ("<script", "<link", "<img", "<iframe", "<object", "@import", "url("):
        assert forbidden not in lowered, forbidden
    assert not re.search(r"<[^>]*\s(on\w+|src)=", lowered)


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_page_states_no_period_when_none_applies(language: str) -> None:
    html = render_one(
        "gdpr", Channel.WEB, language, audience=Audience.PUBLIC, required=GDPR_ELEMENTS
    ).body
    assert "remain posted" not in html and "持续张贴" not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_page_escapes_hostile_input(language: str) -> None:
    entity = make_facts().entity.model_dump()
    entity["name"] = "<b>Evil</b> {{ 37*3003 }} Corp"
    entity["contact"].update(name=HOSTILE, email="<img src=x onerror=alert(1)>@example.com")
    entity["contact"]["website"] = "javascript:alert(1)"
    facts = make_facts(title=HOSTILE, description=HOSTILE, remediation=HOSTILE, entity=entity)
    html = render_one(
        "us-ca", Channel.WEB, language, facts=facts, audience=Audience.PUBLIC, required=[]
    ).body
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Evil&lt;/b&gt;" in html
    assert "{{ 111*1001 }}" in html and "{{ 37*3003 }}" in html
    assert "111111" not in html and "xxxxxxxxxx" not in html
    assert 'href="javascript:' not in html


def test_text_channels_print_hostile_input_as_written() -> None:
    entity = {**make_facts().entity.model_dump(), "name": "{{ 37*3003 }} Corp"}
    facts = make_facts(description=HOSTILE, remediation=HOSTILE, entity=entity)
    for channel in INDIVIDUAL_CHANNELS:
        draft = render_one("us-xx", channel, "en", facts=facts)
        text = (draft.subject or "") + draft.body
        assert "111111" not in text and "xxxxxxxxxx" not in text
        if channel in STRUCTURED:
            assert HOSTILE in draft.body


# --- the media release -----------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_media_release(language: str) -> None:
    release = render_one(
        "us-xx", Channel.REPORT, language, audience=Audience.MEDIA, required=MEDIA_ELEMENTS
    )
    assert release.missing_elements == []
    assert release.subject
    blocks = structure.parse(release.body)
    assert blocks[0].kind == "title" and "Example Ltd" in blocks[0].text
    assert len([b for b in blocks if b.kind == "heading"]) >= 5
    if language == "en":
        assert "FOR IMMEDIATE RELEASE" in release.body
        assert "March 20, 2026 - Example Ltd is notifying 650 people" in release.body
        assert "members of the press" in release.body
    else:
        assert "即时发布" in release.body
        assert "2026年3月20日——Example Ltd" in release.body
        assert "媒体记者" in release.body
    assert "Privacy Office" in release.body
