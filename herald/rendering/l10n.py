"""Localised labels, phrases and date/number formats used when rendering notices.

Dates and numbers come from Babel; labels and phrases from the language files in
`herald/rendering/locales`. A language without a file falls back to English.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from herald.models.vocabulary import DataCategory
from herald.rendering import locales

FALLBACK_LANGUAGE = "en"

# Script, not region, decides which written Chinese a reader can read: Hant tags and the
# regions that use Traditional characters must never be served a Simplified text.
_TRADITIONAL_SUBTAGS = frozenset({"hant", "tw", "hk", "mo"})


def canonical_language(tag: str) -> str:
    """Reduce a BCP 47 tag to the `lang` or `lang-REGION` form templates are named by.

    Chinese is reduced by script: "zh", "zh-Hans", "zh-CN", "zh-SG" become "zh-CN";
    "zh-Hant", "zh-TW", "zh-HK" become "zh-TW".

    Args:
        tag: a language tag as found in a population file, e.g. "en_us" or "zh-Hans-CN".

    Returns:
        The canonical tag, e.g. "en-US"; an empty string for an empty tag.
    """
    parts = [part for part in tag.strip().replace("_", "-").split("-") if part]
    if not parts:
        return ""
    primary, rest = parts[0].lower(), [part.lower() for part in parts[1:]]
    if primary == "zh":
        return "zh-TW" if _TRADITIONAL_SUBTAGS.intersection(rest) else "zh-CN"
    region = next((part.upper() for part in rest if len(part) == 2 and part.isalpha()), None)
    return f"{primary}-{region}" if region else primary


def normalise_language(tag: str, available: Iterable[str]) -> str | None:
    """Match a requested language to one of the available ones, or None.

    Tries the canonical tag, then (except for Chinese, where the script matters) its
    primary subtag: "en-US" matches "en", "zh-Hans" matches "zh-CN", "zh-TW" never
    matches "zh-CN".

    Args:
        tag: the requested language (BCP 47, any case, "-" or "_").
        available: languages that have content, e.g. from template file names.

    Returns:
        The available language's own spelling, or None when nothing fits.
    """
    lookup = {language.lower(): language for language in available}
    canonical = canonical_language(tag)
    if canonical == "zh-CN":
        candidates = ["zh-CN", "zh-Hans", "zh"]
    elif canonical == "zh-TW":
        candidates = ["zh-TW", "zh-Hant"]
    else:
        candidates = [canonical, canonical.split("-")[0]]
    for candidate in candidates:
        if candidate and candidate.lower() in lookup:
            return lookup[candidate.lower()]
    return None


def choose_language(wanted: str | None, available: Iterable[str], default: str) -> str | None:
    """The text a reader gets: their own language if it was written, else the default's.

    The one rule the renderer's plan, the preview's recipient counts and delivery share, so
    a person is always sent the draft that was written for them.

    Args:
        wanted: the reader's language tag (from the population row), if known.
        available: languages the texts exist in.
        default: the obligation's language.

    Returns:
        One of `available`, or None when it is empty.
    """
    options = list(available)
    matched = normalise_language(wanted, options) if wanted else None
    return matched or normalise_language(default, options) or (options[0] if options else None)


def _base(language: str) -> str:
    """The key this module's tables use: "zh-CN" for Simplified Chinese, else the primary tag."""
    canonical = canonical_language(language)
    return canonical if canonical.startswith("zh") else canonical.split("-")[0]


def locale_language(language: str) -> str:
    """The language file (`herald/rendering/locales`) that serves `language`, else English."""
    return normalise_language(language, locales.languages()) or FALLBACK_LANGUAGE


def locale_data(language: str) -> locales.LocaleData:
    """Labels, phrases and markers for `language` (English when it has no file)."""
    return locales.load(locale_language(language))


def _babel_locale(language: str, us_style: bool) -> str:
    # English notices to US residents write the month first; elsewhere day first.
    if _base(language) == "en":
        return "en_US" if us_style else "en_GB"
    return locale_data(language).babel


def format_date(value: date, language: str, *, us_style: bool = False) -> str:
    """Format a calendar date the way a reader of `language` expects (Babel's long form).

    Args:
        value: the date.
        language: the notice language.
        us_style: month first ("March 1, 2026") for English notices to US residents.

    Returns:
        e.g. "1 March 2026", "1. März 2026", "1 de março de 2026", "2026年3月1日".
    """
    return babel_dates.format_date(value, "long", locale=_babel_locale(language, us_style))


def format_utc(value: datetime, language: str, *, us_style: bool = False) -> str:
    """Format an instant in UTC with minutes, as regulators compare it against hour clocks."""
    utc = value.astimezone(UTC)
    return f"{format_date(utc.date(), language, us_style=us_style)} {utc:%H:%M} UTC"


def format_count(value: int, language: str) -> str:
    """Format a whole number with the reader's digit grouping ("1,250", "1.250", "1 250")."""
    return babel_numbers.format_decimal(value, locale=_babel_locale(language, us_style=False))


def on_or_before(value: str, language: str) -> str:
    """Phrase an estimated date as "on or before <value>" in the notice language."""
    return locale_data(language).on_or_before.format(date=value)


def category_labels(categories: Iterable[DataCategory], language: str) -> list[str]:
    """Human-readable labels for data categories, in the given order."""
    labels = locale_data(language).categories
    return [labels[category] for category in categories]


_C = DataCategory
# Likely consequences, written as noun phrases so that one text serves both a notice to the
# person ("what this means for you") and a report about them to a regulator.
_CONSEQUENCE_OF: dict[DataCategory, str] = {
    _C.ACCOUNT_CREDENTIALS: "credentials",
    _C.FINANCIAL_ACCOUNT: "financial",
    _C.PAYMENT_CARD: "financial",
    _C.GOVERNMENT_ID: "identity",
    _C.DATE_OF_BIRTH: "identity",
    _C.EMAIL: "phishing",
    _C.PHONE: "phishing",
    _C.POSTAL_ADDRESS: "phishing",
    _C.HEALTH: "sensitive",
    _C.BIOMETRIC: "sensitive",
    _C.GENETIC: "sensitive",
    _C.PRECISE_LOCATION: "location",
    _C.CHILDREN: "children",
}


def likely_consequences(categories: Iterable[DataCategory], language: str) -> list[str]:
    """Likely consequences of exposing these categories, most direct harm first.

    Always ends with the general loss of control, which applies to every breach.
    """
    texts = locale_data(language).consequences
    keys = {_CONSEQUENCE_OF[c] for c in categories if c in _CONSEQUENCE_OF}
    return [texts[key] for key in locales.CONSEQUENCE_KEYS if key in keys] + [texts["general"]]
