"""Shared plumbing for regimes whose rules live in one YAML file each.

The US federal and sector regimes (``hipaa``, ``sec-8k``, ``ftc-safeguards``, ``nydfs-500``)
keep their rules in ``herald/rules/data/<id>.yaml``. Every such file has the same frame,
validated here: the regime's id and name, the calendar on which its effective dates are
read, versions ordered by ``effective_from``, the ``sources`` actually read and ``notes``
(UNCONFIRMED points and the conservative reading kept). Each regime module defines the
shape of its own versions and passes it to `RegimeFile`.

Content element ids are restricted here to the ones the drafts engine can check
(`REPORT_ELEMENTS` for notices to authorities, media and others, `NOTICE_ELEMENTS` for
notices to people), so a data file cannot ask for an element no draft can carry.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Generic, Literal, TypeVar
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from herald.jurisdictions import country_of
from herald.models import AffectedGroup
from herald.models.types import TimeZone
from herald.rules.base import RegimeResult, in_force

DATA_DIR = Path(__file__).parent / "data"

# Element ids allowed in an authority, media or other notice, and in a notice to people.
ReportElement = Literal[
    "nature_of_breach",
    "categories_and_numbers",
    "dpo_contact",
    "measures_taken",
    "likely_consequences",
]
NoticeElement = Literal[
    "nature_of_breach", "measures_taken", "breach_date", "contact_info", "cra_contacts"
]


class Strict(BaseModel):
    """A frozen data-file model that rejects unknown keys (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(Strict):
    """A head count at which a duty starts, with the exact boundary the law uses."""

    more_than: int | None = Field(default=None, ge=0, description='"more than N": N+1 triggers')
    at_least: int | None = Field(default=None, ge=1, description='"N or more": N triggers')

    @model_validator(mode="after")
    def _exactly_one(self) -> Threshold:
        if (self.more_than is None) == (self.at_least is None):
            raise ValueError("give exactly one of more_than or at_least")
        return self

    def met(self, count: int) -> bool:
        """Whether ``count`` people reach the threshold."""
        if self.more_than is not None:
            return count > self.more_than
        assert self.at_least is not None  # guaranteed by the validator
        return count >= self.at_least

    def describe(self) -> str:
        """The boundary in words, as the law puts it."""
        if self.more_than is not None:
            return f"more than {self.more_than}"
        return f"{self.at_least} or more"


class NoticeRule(Strict):
    """What every notice rule states: recipient, how to reach it, the rule in words, citation.

    ``warnings`` are the UNCONFIRMED points that bear on this notice; they are copied onto
    every obligation the rule produces so that a reviewer sees them next to the deadline.
    """

    recipient: str = Field(min_length=1)
    contact: str = Field(min_length=1, description="portal URL, address or means of delivery")
    deadline: str = Field(min_length=1, description="the rule in words")
    citation: str = Field(min_length=1)
    warnings: list[str] = Field(default_factory=list)


class VersionBase(Strict):
    """The part every version shares: when it takes effect and what to call it."""

    effective_from: date
    label: str = Field(min_length=1)


VersionT = TypeVar("VersionT", bound=VersionBase)


class RegimeFile(Strict, Generic[VersionT]):
    """The frame of one regime's data file; ``versions`` take the regime's own shape."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    statute: str = Field(min_length=1)
    timezone: TimeZone = Field(description="calendar on which effective dates are read")
    versions: list[VersionT] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    notes: list[str] = Field(
        default_factory=list, description="UNCONFIRMED points and the conservative reading kept"
    )

    @model_validator(mode="after")
    def _ordered(self) -> RegimeFile[VersionT]:
        days = [v.effective_from for v in self.versions]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError("versions must be in strictly increasing order of effective_from")
        return self

    def version_at(self, instant: datetime) -> VersionT | None:
        """The version in force at ``instant`` on the regime's calendar, or None before any."""
        try:
            return in_force(tuple(self.versions), instant, self.timezone)
        except LookupError:
            return None

    def not_in_force(self, instant: datetime) -> RegimeResult:
        """The result for an incident that predates every modelled version."""
        first = self.versions[0].effective_from.isoformat()
        day = instant.astimezone(ZoneInfo(self.timezone)).date().isoformat()
        return RegimeResult(
            applies=False,
            reasons=[
                f"The organisation became aware on {day} ({self.timezone}), before "
                f"{self.name} took effect on {first}, so it does not apply."
            ],
        )


M = TypeVar("M", bound=BaseModel)


def load_regime_file(path: Path, model: type[M]) -> M:
    """Read and validate one regime data file.

    Args:
        path: the YAML file.
        model: the pydantic model of the whole file.

    Returns:
        The validated model.

    Raises:
        ValueError: if the file cannot be read or does not validate; the message names it.
    """
    try:
        return model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as err:
        raise ValueError(f"{path.name}: {err}") from err


def is_us(group: AffectedGroup) -> bool:
    """Whether a group resides in the United States (``US`` or any ``US-xx`` subdivision)."""
    return country_of(group.jurisdiction) == "US"


def codes(groups: list[AffectedGroup]) -> list[str]:
    """The distinct jurisdiction codes of some groups, sorted."""
    return sorted({g.jurisdiction for g in groups})


def describe(groups: list[AffectedGroup]) -> str:
    """``US-CA: 600, US-NY: 20`` — a short list for reasons."""
    return ", ".join(f"{g.jurisdiction}: {g.count}" for g in groups) or "none"
