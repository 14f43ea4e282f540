"""Required-content markers, placeholders, localisation helpers and SMS segment counting."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from herald.content import (
    MARKERS,
    PLACEHOLDER_ELEMENTS,
    PLACEHOLDERS,
    SMS_ELEMENTS,
    check_required_content,
)
from herald.models import Channel, DataCategory
from herald.render import sms_segments
from herald.rendering import l10n

CA = [
    "ca_title",
    "what_happened",
    "what_information",
    "what_we_are_doing",
    "what_you_can_do",
    "for_more_information",
]
CA_BODY = """Notice of Data Breach
What Happened
What Information Was Involved
What We Are Doing
What You Can Do
For More Information
"""


def test_california_headings_must_appear_verbatim() -> None:
    assert check_required_content(CA_BODY, None, CA, "en", Channel.LETTER) == []
    lowered = CA_BODY.replace("What Happened", "What happened")
    assert check_required_content(lowered, None, CA, "en", Channel.LETTER) == ["what_happened"]


def test_title_may_come_from_the_subject() -> None:
    body = CA_BODY.replace("Notice of Data Breach\n", "")
    assert check_required_content(body, None, CA, "en", Channel.EMAIL) == ["ca_title"]
    assert check_required_content(body, "Notice of Data Breach", CA, "en", "email") == []


def test_all_of_markers_need_every_part() -> None:
    body = "Equifax 1-800 Experian 1-888"
    assert check_required_content(body, None, ["cra_contacts"], "en", "letter") == ["cra_contacts"]
    assert (
        check_required_content(body + " TransUnion", None, ["cra_contacts"], "en", "letter") == []
    )


def test_chinese_california_notice_needs_both_languages() -> None:
    chinese_only = "数据泄露通知\n发生了什么\n"
    both = "数据泄露通知（Notice of Data Breach）\n发生了什么（What Happened）\n"
    required = ["ca_title", "what_happened"]
    assert check_required_content(chinese_only, None, required, "zh-CN", "email") == required
    assert check_required_content(both, None, required, "zh-Hans", "email") == []


def test_placeholder_makes_its_elements_missing() -> None:
    body = "Data protection officer or contact point: [DPO contact: to be completed]\n"
    assert check_required_content(body, None, ["dpo_contact"], "en", "email") == ["dpo_contact"]
    done = "Data protection officer or contact point: Jane Doe, dpo@example.com\n"
    assert check_required_content(done, None, ["dpo_contact"], "en", "email") == []


def test_stray_placeholder_is_reported_under_its_own_key() -> None:
    body = "What happened\n[Categories of personal data: to be completed]\n"
    assert check_required_content(body, None, ["nature_of_breach"], "en", "email") == ["categories"]


def test_element_without_marker_counts_as_missing() -> None:
    assert check_required_content("anything", None, ["hipaa_toll_free"], "en", "letter") == [
        "hipaa_toll_free"
    ]


def test_language_falls_back_to_english_markers() -> None:
    body = "Was ist passiert\nDatenschutzbeauftragter oder Anlaufstelle: X, x@example.com\n"
    required = ["nature_of_breach", "dpo_contact"]
    assert check_required_content(body, None, required, "de-AT", "email") == []
    english = "What happened\nData protection officer or contact point: X\n"
    assert check_required_content(english, None, required, "tlh", "email") == []
    assert check_required_content(english, None, required, "de", "email") == required


def test_sms_is_only_checked_for_the_contact_elements() -> None:
    required = ["nature_of_breach", "dpo_contact", "likely_consequences", "measures_taken"]
    sms = "[[recipient_name]], notice from X. Contact: Privacy Office, +1 800 555 0100"
    assert check_required_content(sms, None, required, "en", Channel.SMS) == []
    assert check_required_content("no contact", None, required, "en", "sms") == ["dpo_contact"]
    assert check_required_content(sms, None, required, "en", Channel.EMAIL) == [
        "nature_of_breach",
        "likely_consequences",
        "measures_taken",
    ]
    assert SMS_ELEMENTS == {"dpo_contact", "contact_info", "for_more_information"}


def test_html_is_unescaped_before_matching() -> None:
    page = "<h2>Ce qui s&#39;est passé</h2>"
    assert check_required_content(page, None, ["nature_of_breach"], "fr", Channel.WEB) == []


def test_tables_are_consistent() -> None:
    for language, placeholders in PLACEHOLDERS.items():
        assert set(placeholders) <= set(PLACEHOLDER_ELEMENTS), language
        assert all(text.startswith("[") and text.endswith("]") for text in placeholders.values())
    for language, markers in MARKERS.items():
        assert set(markers) <= set(MARKERS["en"]), language


def test_every_rules_element_has_an_english_marker() -> None:
    # The rules package is written in parallel; hold the contract once it is there.
    elements = pytest.importorskip("herald.rules.elements")
    assert set(elements.ELEMENTS) <= set(MARKERS["en"])


# --- localisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh", "zh-CN"),
        ("zh-Hans", "zh-CN"),
        ("zh-CN", "zh-CN"),
        ("zh_cn", "zh-CN"),
        ("zh-Hans-SG", "zh-CN"),
        ("zh-TW", None),
        ("zh-Hant", None),
        ("en-US", "en"),
        ("EN", "en"),
        ("de-AT", "de"),
        ("pt-BR", None),
        ("", None),
    ],
)
def test_normalise_language(tag: str, expected: str | None) -> None:
    assert l10n.normalise_language(tag, {"en", "de", "zh-CN"}) == expected


@pytest.mark.parametrize(
    ("language", "us_style", "expected"),
    [
        ("en", False, "1 March 2026"),
        ("en", True, "March 1, 2026"),
        ("de", False, "1. März 2026"),
        ("fr", False, "1 mars 2026"),
        ("zh-CN", False, "2026年3月1日"),
        ("ja", False, "2026年3月1日"),
        ("tlh", False, "1 March 2026"),  # no language file: English
    ],
)
def test_format_date(language: str, us_style: bool, expected: str) -> None:
    assert l10n.format_date(date(2026, 3, 1), language, us_style=us_style) == expected


def test_format_utc_and_counts() -> None:
    instant = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
    assert l10n.format_utc(instant, "en") == "2 March 2026 08:15 UTC"
    assert [l10n.format_count(1234567, lang) for lang in ("en", "de", "fr", "zh-CN")] == [
        "1,234,567",
        "1.234.567",
        "1\u202f234\u202f567",  # CLDR: French groups digits with a narrow no-break space
        "1,234,567",
    ]


def test_every_category_has_a_label_in_every_language() -> None:
    for language in ("en", "de", "fr", "zh-CN"):
        assert len(set(l10n.category_labels(DataCategory, language))) == len(DataCategory)


def test_consequences_most_direct_harm_first() -> None:
    found = l10n.likely_consequences([DataCategory.EMAIL, DataCategory.ACCOUNT_CREDENTIALS], "en")
    assert found[0].startswith("Unauthorised access")
    assert found[-1] == "Loss of control over the personal data concerned"
    assert l10n.likely_consequences([], "zh-CN") == ["对相关个人信息失去控制"]


# --- SMS segments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("GSM-7", 0)),
        ("a" * 160, ("GSM-7", 1)),
        ("a" * 161, ("GSM-7", 2)),
        ("a" * 306, ("GSM-7", 2)),
        ("a" * 307, ("GSM-7", 3)),
        ("€" * 80, ("GSM-7", 1)),  # extension characters take two septets
        ("€" * 81, ("GSM-7", 2)),
        ("a" * 152 + "€" + "a" * 152, ("GSM-7", 3)),  # an escape pair is never split
        ("äöüñéèà ÄÖÜÑ ÅåØøÆæß £¥§¿¡", ("GSM-7", 1)),
        ("中" * 70, ("UCS-2", 1)),
        ("中" * 71, ("UCS-2", 2)),
        ("中" * 134, ("UCS-2", 2)),
        ("中" * 135, ("UCS-2", 3)),
        ("a" * 69 + "’", ("UCS-2", 1)),  # one curly quote switches the whole text
        ("a" * 70 + "’", ("UCS-2", 2)),
        ("😀" * 35, ("UCS-2", 1)),  # surrogate pairs count twice
        ("😀" * 36, ("UCS-2", 2)),
    ],
)
def test_sms_segments(text: str, expected: tuple[str, int]) -> None:
    assert sms_segments(text) == expected
