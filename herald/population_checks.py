"""Validation of one population row: from raw column values to a `Person` and row errors.

Split from `herald.population` (which reads files) so each stays small. Errors name the row
and the field, never the value: population files hold personal data, and row errors travel
into workflow history, logs and the console.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from herald.jurisdictions import UnknownJurisdictionError, normalise
from herald.models.population import Person, RowError
from herald.models.vocabulary import DataCategory

__all__ = [
    "COLUMNS",
    "DROPPED",
    "MAX_ID_LENGTH",
    "REQUIRED_COLUMNS",
    "ROW_FIELD",
    "is_valid_email",
    "normalise_language",
    "to_person",
]

COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "email",
    "phone",
    "push_token",
    "postal_address",
    "jurisdiction",
    "language",
    "data_categories",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("id", "jurisdiction")
# Field name of a RowError about the whole row (bad JSON, wrong column count).
ROW_FIELD = "row"
# Ids end up in ledger keys (VARCHAR(255)); longer ones are almost surely a broken export.
MAX_ID_LENGTH = 255
# Ends the message of a RowError that dropped a field but kept the person.
DROPPED = "field dropped, row kept"

_COLUMN_SET = frozenset(COLUMNS)
_SCALAR_COLUMNS = tuple(c for c in COLUMNS if c != "data_categories")
_DATA_CATEGORIES = {c.value: c for c in DataCategory}
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Spaces, dots, dashes and brackets are formatting people type around an E.164 number.
_PHONE_FORMATTING = re.compile(r"[\s.()\-]")
# Basic shape only (local@dotted.domain, no spaces); Unicode domains are allowed.
_EMAIL = re.compile(r"^[^@\s]{1,64}@(?:[^@\s.]+\.)+[^@\s.]+$")
# Simplified BCP 47: language, optional script, optional region, optional variants.
_BCP47 = re.compile(
    r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|\d{3}))?(-(?:[A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*$"
)


class _Rejected(Exception):
    """Raised inside `to_person` to reject the row; carries the field and message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def is_valid_email(address: str) -> bool:
    """Basic syntax check of an email address (one `@`, a dotted domain, no spaces).

    Deliberately the only place that judges emails, so a stricter checker can replace it.
    """
    return len(address) <= 254 and _EMAIL.match(address) is not None


@lru_cache(maxsize=1024)  # a population has few distinct tags and many rows
def normalise_language(tag: str) -> str | None:
    """Return a BCP 47 tag in its conventional case (`zh-cn` → `zh-CN`), or None if malformed."""
    tag = tag.strip().replace("_", "-")
    if not _BCP47.match(tag):
        return None
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def to_person(
    row: int, record: Mapping[str, object], seen: set[str]
) -> tuple[Person | None, list[RowError]]:
    """Validate one record (column → value) read from data row `row`.

    Args:
        row: The 1-based data row number.
        record: Column values: strings from CSV, any JSON value from JSONL.
        seen: Ids of people already yielded, for duplicate detection (not modified here).

    Returns:
        The person (None if the row is rejected) and the row's errors. Errors that come with
        a person are warnings: the named field was dropped and the row kept.
    """
    warnings: list[RowError] = []
    try:
        person = _build(row, record, seen, warnings)
    except _Rejected as rejected:
        return None, [RowError(row=row, field=rejected.field, message=rejected.message)]
    return person, warnings


def _build(
    row: int, record: Mapping[str, object], seen: set[str], warnings: list[RowError]
) -> Person:
    # CSV values are always strings; only JSON can put a list or object in a scalar column.
    if not all(type(value) is str for value in record.values()):
        for field in _SCALAR_COLUMNS:
            if isinstance(record.get(field), (list, dict)):
                raise _Rejected(field, f"{field} must be a string")

    person_id = _text(record.get("id"))
    if person_id is None:
        raise _Rejected("id", "missing id")
    if len(person_id) > MAX_ID_LENGTH:
        raise _Rejected("id", f"id longer than {MAX_ID_LENGTH} characters")
    if person_id in seen:
        raise _Rejected("id", "duplicate id (already used by an earlier row)")

    raw_jurisdiction = _text(record.get("jurisdiction"))
    if raw_jurisdiction is None:
        raise _Rejected("jurisdiction", "missing jurisdiction")
    try:
        jurisdiction = normalise(raw_jurisdiction)
    except UnknownJurisdictionError:
        # Not the exception's text: it quotes the code, and errors never echo values.
        raise _Rejected(
            "jurisdiction", "unknown jurisdiction (expected ISO 3166-1 or 3166-2 code)"
        ) from None

    categories = _categories(record.get("data_categories"))

    def dropped(field: str, why: str) -> None:
        warnings.append(RowError(row=row, field=field, message=f"{why}; {DROPPED}"))

    email = _text(record.get("email"))
    if email is not None and not is_valid_email(email):
        dropped("email", "invalid email address")
        email = None
    phone = _clean_phone(_text(record.get("phone")))
    if phone is not None and not _E164.match(phone):
        dropped("phone", "phone is not E.164 (+ and 7-15 digits)")
        phone = None
    language = _text(record.get("language"))
    if language is not None:
        language = normalise_language(language)
        if language is None:
            dropped("language", "language is not a BCP 47 tag")

    return Person(
        row=row,
        id=person_id,
        jurisdiction=jurisdiction,
        name=_text(record.get("name")) or "",
        email=email,
        phone=phone,
        push_token=_text(record.get("push_token")),
        postal_address=_text(record.get("postal_address")),
        language=language,
        data_categories=categories,
        extra={
            key: text
            for key, value in record.items()
            if key not in _COLUMN_SET and (text := _text(value)) is not None
        },
    )


def _text(value: object) -> str | None:
    """A value as stripped text; empty string and null mean absent; JSON kept as JSON."""
    if isinstance(value, str):
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, (bool, list, dict)):
        # ASCII escapes keep any undecodable bytes (lone surrogates) out of the text.
        return json.dumps(value)
    return str(value).strip() or None


def _categories(value: object) -> tuple[DataCategory, ...]:
    """Categories from a ';'-separated string or a JSON list, in order, without repeats."""
    if value is None:
        return ()
    if isinstance(value, str):
        return _categories_from_text(value)
    if not isinstance(value, list):
        raise _Rejected("data_categories", "data_categories must be a ';'-separated string or list")
    return _category_tuple(value)


@lru_cache(maxsize=4096)  # a population repeats a few category lists over many rows
def _categories_from_text(value: str) -> tuple[DataCategory, ...]:
    return _category_tuple(value.split(";"))


def _category_tuple(items: Iterable[object]) -> tuple[DataCategory, ...]:
    out: dict[DataCategory, None] = {}
    unknown = 0
    for item in items:
        if not isinstance(item, str):
            raise _Rejected("data_categories", "data_categories must hold strings")
        cid = item.strip().lower()
        if not cid:
            continue
        category = _DATA_CATEGORIES.get(cid)
        if category is None:
            unknown += 1
        else:
            out[category] = None
    if unknown:
        # Rejected rather than dropped: a misread category can change which laws apply.
        raise _Rejected("data_categories", f"{unknown} unknown data category id(s)")
    return tuple(out)


def _clean_phone(phone: str | None) -> str | None:
    # "+44 (0)20 ..." marks a trunk prefix that E.164 omits; stripping the brackets would
    # leave a wrong number that still looks valid, so it is left to fail the check.
    if phone is None or "(0)" in phone.replace(" ", ""):
        return phone
    return _PHONE_FORMATTING.sub("", phone)
