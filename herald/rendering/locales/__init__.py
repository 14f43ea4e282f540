"""Per-language data for notices: one YAML file per language in this folder.

A file holds what the templates cannot: the Babel locale used for dates and numbers, the
labels of data categories, the likely consequences, the placeholders printed for unknown
values, and the *markers* by which required content is recognised in a rendered draft
(`herald.content`). Adding a language means adding its file here and its templates.

Keys of a file:
    name: the language's own name.
    babel: the Babel locale for dates and numbers (e.g. ``de_DE``).
    recipient_fallback: how a person with no name on file is addressed.
    on_or_before: the phrase for an estimated breach date, with ``{date}``.
    categories: a label per data category id (all of them).
    consequences: a noun phrase per consequence key (all of them, ``general`` included).
    placeholders: text printed where a value is unknown, per placeholder key.
    markers: element id -> alternatives; an alternative is a string or a list of strings
        that must all appear.
    pointer_contact: the labels that carry the contact point in a short pointer message
        (SMS, push), where only the contact elements are checked.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from herald.models.vocabulary import DataCategory

FOLDER = Path(__file__).parent
CONSEQUENCE_KEYS = (
    "credentials",
    "financial",
    "identity",
    "sensitive",
    "location",
    "children",
    "phishing",
    "general",
)


class LocaleData(BaseModel):
    """What one language file says; see the module docstring for each key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    babel: str
    recipient_fallback: str
    on_or_before: str
    categories: dict[DataCategory, str]
    consequences: dict[str, str]
    placeholders: dict[str, str] = Field(default_factory=dict)
    markers: dict[str, list[str | list[str]]] = Field(default_factory=dict)
    pointer_contact: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _complete(self) -> LocaleData:
        missing = [str(c) for c in DataCategory if c not in self.categories]
        missing += [k for k in CONSEQUENCE_KEYS if k not in self.consequences]
        if missing:
            raise ValueError(f"no text for: {', '.join(missing)}")
        if "{date}" not in self.on_or_before:
            raise ValueError("on_or_before must contain {date}")
        return self


@cache
def languages() -> tuple[str, ...]:
    """The languages that have a file, as templates are named (``en``, ``zh-CN`` ...)."""
    return tuple(sorted(path.stem for path in FOLDER.glob("*.yaml")))


@cache
def load(language: str) -> LocaleData:
    """The data of one language file.

    Raises:
        KeyError: no file for this exact language name.
        ValueError: the file is incomplete or malformed (names the file).
    """
    if language not in languages():
        raise KeyError(language)
    path = FOLDER / f"{language}.yaml"
    try:
        return LocaleData.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValueError as exc:
        raise ValueError(f"{path.name}: {exc}") from exc
