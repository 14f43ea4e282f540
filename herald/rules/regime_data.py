"""The frame every regime data file shares, and the loader that validates it.

The US federal and sector regimes (HIPAA, SEC 8-K, FTC Safeguards, NYDFS), the Asia-Pacific
regimes, UK GDPR, NIS2, PIPEDA, Québec Law 25 and the LGPD keep their rules in
``herald/rules/data/<regime id>.yaml``. Each file has the same frame (`VersionedFile`): the
regime ``id`` (also the file's stem), the ``timezone`` on whose calendar effective dates are
read, ``versions`` in strictly increasing order of ``effective_from`` (each with a ``label``),
the ``sources`` actually read and ``notes`` (UNCONFIRMED points and the conservative reading
kept). A regime module adds its own fields and the shape of its versions; `StatuteFile` is
the frame of the US federal and sector files, `herald.rules.apac.RegimeFile` that of the
Asia-Pacific ones. Models are frozen and reject unknown keys, so a typo cannot pass silently;
`load_regime_file` reads a file once per process and names it in any error.

Content element ids are limited to those the drafts engine can check, one set per audience
kind: `ReportContent` for notices to authorities, media and other organisations,
`NoticeContent` for notices to people. Anything else a law asks for goes in the file's notes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, Protocol, TypeVar, get_args
from zoneinfo import ZoneInfo

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from herald.models import AffectedGroup, Audience, Channel, Obligation
from herald.models.types import TimeZone
from herald.rules.base import Clock, RegimeResult, in_force, slug

DATA_DIR = Path(__file__).parent / "data"

# Element ids the drafts engine has markers for: in a notice to an authority, the media or
# another organisation (a report), and in a notice to the people affected.
ReportElement = Literal[
    "nature_of_breach",
    "categories_and_numbers",
    "dpo_contact",
    "measures_taken",
    "likely_consequences",
]
NoticeElement = Literal[
    "nature_of_breach",
    "measures_taken",
    "likely_consequences",
    "breach_date",
    "contact_info",
    "dpo_contact",
    "cra_contacts",
]
REGULATOR_ELEMENTS: frozenset[str] = frozenset(get_args(ReportElement))
INDIVIDUALS_ELEMENTS: frozenset[str] = frozenset(get_args(NoticeElement))


def _known(allowed: frozenset[str]) -> Callable[[list[str]], list[str]]:
    def check(content: list[str]) -> list[str]:
        unknown = sorted(set(content) - allowed)
        if unknown:
            raise ValueError(
                f"content ids {unknown} have no draft marker; allowed: {sorted(allowed)} "
                "(list anything else the law requires in notes)"
            )
        return content

    return check


ReportContent = Annotated[list[str], AfterValidator(_known(REGULATOR_ELEMENTS))]
NoticeContent = Annotated[list[str], AfterValidator(_known(INDIVIDUALS_ELEMENTS))]


class Strict(BaseModel):
    """A frozen data-file model that rejects unknown keys (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(Strict):
    """A head count at which a duty starts, with the exact boundary the law uses."""

    at_least: int | None = Field(default=None, ge=1, description='"N or more": N triggers')
    more_than: int | None = Field(default=None, ge=0, description='"more than N": N+1 triggers')

    @model_validator(mode="after")
    def _exactly_one(self) -> Threshold:
        if (self.at_least is None) == (self.more_than is None):
            raise ValueError("give exactly one of at_least or more_than")
        return self

    def met(self, count: int) -> bool:
        """Whether ``count`` people reach the threshold."""
        if self.at_least is not None:
            return count >= self.at_least
        assert self.more_than is not None  # guaranteed by the validator
        return count > self.more_than

    def describe(self, *, triggers: bool = True) -> str:
        """The boundary in words, as the law puts it.

        Args:
            triggers: also say which number is the first to trigger, e.g.
                ``more than 1,000 (1,001 triggers)`` rather than ``more than 1,000``.
        """
        if self.at_least is not None:
            first, words = self.at_least, f"{self.at_least:,} or more"
        else:
            assert self.more_than is not None
            first, words = self.more_than + 1, f"more than {self.more_than:,}"
        return f"{words} ({first:,} triggers)" if triggers else words


class VersionBase(Strict):
    """The part every version shares: when it takes effect and what to call it."""

    effective_from: date
    label: str = Field(min_length=1)


VersionT = TypeVar("VersionT", bound=VersionBase)


class VersionedFile(Strict, Generic[VersionT]):
    """The frame of every regime data file; ``versions`` take the regime's own shape."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    timezone: TimeZone = Field(description="calendar on which effective dates are read")
    versions: list[VersionT] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    notes: list[str] = Field(
        default_factory=list, description="UNCONFIRMED points and the conservative reading kept"
    )

    @model_validator(mode="after")
    def _ordered(self) -> VersionedFile[VersionT]:
        days = [v.effective_from for v in self.versions]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError("versions must be in strictly increasing order of effective_from")
        return self

    def version_at(self, instant: datetime) -> VersionT | None:
        """The version in force at ``instant`` on the file's calendar, or None before any."""
        try:
            return in_force(tuple(self.versions), instant, self.timezone)
        except LookupError:
            return None


F = TypeVar("F", bound=VersionedFile[Any])


def load_regime_file(model: type[F], regime_id: str, directory: Path = DATA_DIR) -> F:
    """Read and validate ``<directory>/<regime_id>.yaml``, once per process.

    Args:
        model: the model of the whole file, e.g. ``HipaaFile`` or ``RegimeFile[SgRules]``.
        regime_id: the regime id, which is also the file's stem and its ``id``.
        directory: where the file lives (tests may point elsewhere).

    Returns:
        The validated file; later calls with the same arguments return the same object.

    Raises:
        ValueError: naming the file, if it is missing, not YAML, not valid or for another id.
    """
    loaded = _load(model, regime_id, directory)
    assert isinstance(loaded, model)
    return loaded


@cache
def _load(model: type[VersionedFile[Any]], regime_id: str, directory: Path) -> VersionedFile[Any]:
    path = directory / f"{regime_id}.yaml"
    try:
        loaded = model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as err:  # ValidationError is a ValueError
        raise ValueError(f"{path.name}: {err}") from err
    if loaded.id != regime_id:
        raise ValueError(f"{path.name}: id {loaded.id!r} is not {regime_id!r}")
    return loaded


def codes(groups: list[AffectedGroup]) -> list[str]:
    """The distinct jurisdiction codes of some groups, sorted."""
    return sorted({g.jurisdiction for g in groups})


def describe(groups: list[AffectedGroup]) -> str:
    """``US-CA: 600, US-NY: 20`` — a short list for reasons."""
    return ", ".join(f"{g.jurisdiction}: {g.count}" for g in groups) or "none"


# --- The US federal and sector files: notices that name their own recipient and contact ---


class StatuteFile(VersionedFile[VersionT], Generic[VersionT]):
    """The frame of a US federal or sector regime's file: its name and statute as well."""

    name: str = Field(min_length=1)
    statute: str = Field(min_length=1)

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


class NoticeRule(Strict):
    """A notice that names its own recipient, how to reach it, the rule in words and content.

    ``content`` is a report's by default; a notice to people narrows it to `NoticeContent`.
    ``warnings`` are the UNCONFIRMED points that bear on this notice; they are copied onto
    every obligation the rule produces so that a reviewer sees them next to the deadline.
    """

    recipient: str = Field(min_length=1)
    contact: str = Field(min_length=1, description="portal URL, address or means of delivery")
    deadline: str = Field(min_length=1, description="the rule in words")
    citation: str = Field(min_length=1)
    content: ReportContent
    channels: list[Channel]
    warnings: list[str] = Field(default_factory=list)


class NoticeWords(Protocol):
    """What a data file says about one notice: to whom, how, by when, with what."""

    @property
    def recipient(self) -> str: ...

    @property
    def contact(self) -> str: ...

    @property
    def deadline(self) -> str: ...

    @property
    def citation(self) -> str: ...

    @property
    def content(self) -> Sequence[str]: ...

    @property
    def channels(self) -> Sequence[Channel]: ...


def notice_obligation(
    words: NoticeWords,
    *,
    regime: str,
    audience: Audience,
    key: str,
    start: Clock,
    due_at: datetime | None,
    jurisdictions: list[str],
    count: int,
    reasons: list[str],
    warnings: list[str],
    language: str = "en",
    clock_name: str | None = None,
) -> Obligation:
    """The one place a data file's notice and a regime's decision become an obligation.

    Args:
        words: the file's notice (recipient, contact, deadline, citation, content, channels).
        regime: the regime id; with ``key`` it makes the stable id ``<regime>-<key>``.
        audience: who must be told.
        key: the part of the id after the regime, e.g. ``regulator``.
        start: the clock the deadline runs from.
        due_at: the deadline instant, or None where the law sets no fixed period.
        jurisdictions: the codes of the people covered.
        count: how many people it covers.
        reasons: why the obligation exists.
        warnings: what a person must check.
        language: the language of the notice.
        clock_name: the law's name for the clock when it differs from ``start.name``.
    """
    return Obligation(
        regime=regime,
        audience=audience,
        recipient=words.recipient,
        due_at=due_at,
        deadline=words.deadline,
        citation=words.citation,
        required_content=list(words.content),
        id=slug(regime, key),
        clock=clock_name or start.name,
        clock_started_at=start.started_at,
        jurisdictions=jurisdictions,
        affected_count=count,
        channels=list(words.channels),
        contact=words.contact,
        language=language,
        reasons=reasons,
        warnings=warnings,
    )


def rule_obligation(
    rule: NoticeRule,
    *,
    regime: str,
    audience: Audience,
    key: str,
    start: Clock,
    due_at: datetime,
    groups: list[AffectedGroup],
    count: int,
    reasons: list[str],
    warnings: list[str],
) -> Obligation:
    """An obligation (in English) from a notice rule: its words, the clock, the people covered.

    Args:
        rule: the file's rule (recipient, contact, words, content, channels, warnings).
        regime: the regime id.
        audience: who must be told.
        key: the part of the stable id after the regime, e.g. ``regulator``.
        start: the clock the deadline runs from.
        due_at: the deadline instant.
        groups: the groups the obligation covers (their codes are listed).
        count: how many people it covers.
        reasons: why the obligation exists.
        warnings: what a person must check; the rule's own warnings follow them.
    """
    return notice_obligation(
        rule,
        regime=regime,
        audience=audience,
        key=key,
        start=start,
        due_at=due_at,
        jurisdictions=codes(groups),
        count=count,
        reasons=reasons,
        warnings=[*warnings, *rule.warnings],
    )
