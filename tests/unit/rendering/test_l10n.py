"""Language choice shared by the renderer, the preview and delivery; language files."""

from __future__ import annotations

from datetime import date

import pytest

from herald.models.vocabulary import DataCategory
from herald.rendering import l10n, locales


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("de-AT", "de"),
        ("zh-Hans", "zh-CN"),
        ("zh_TW", "en"),  # Traditional readers are not served Simplified Chinese
        ("ja", "en"),  # not written: the obligation's language
        (None, "en"),
    ],
)
def test_choose_language(wanted: str | None, expected: str) -> None:
    assert l10n.choose_language(wanted, ["en", "de", "zh-CN"], "en") == expected


def test_choose_language_without_the_default() -> None:
    assert l10n.choose_language("fr", ["de", "zh-CN"], "en") == "de"
    assert l10n.choose_language("fr", [], "en") is None


@pytest.mark.parametrize("language", locales.languages())
def test_every_language_file_is_complete(language: str) -> None:
    data = locales.load(language)
    assert set(data.categories) == set(DataCategory)
    assert data.placeholders.keys() <= locales.load("en").placeholders.keys()
    # Dates come from Babel in the file's locale.
    assert "2026" in l10n.format_date(date(2026, 3, 1), language)


def test_unknown_language_falls_back_to_english() -> None:
    assert l10n.locale_language("tlh") == "en"
    assert l10n.category_labels([DataCategory.EMAIL], "tlh") == ["Email address"]
    with pytest.raises(KeyError):
        locales.load("tlh")
