"""US state breach-notification laws as data: the schema of `herald/rules/data/us/*.yaml`.

Every state (and DC) has one file. A file is validated on load, names its sources, and
holds one or more versions of the law by effective date, so an incident is judged under
the law in force on the day the organisation became aware (on the state's own calendar).
`herald.rules.us_states` interprets these files; nothing state-specific lives in Python.

Vocabulary used in the files:

* `threshold`: exactly one of `more_than: N` ("more than 500": 501 triggers) or
  `at_least: N` ("500 or more": 500 triggers); `at_least: 1` means any resident.
* `timing.kind`:
  - `none`: no fixed instant ("most expedient time possible and without unreasonable delay");
  - `days_after_clock`: N days after the law's clock start (`clock` of the version);
  - `with_individuals`: at the same time as the residents' notice (its deadline, if any);
  - `days_after_individuals`: N days after the residents are notified (chained: until the
    notice is sent, computed from the residents' deadline);
  - `business_days` makes N count business days of the state instead of calendar days.
* `note_if_government_id`, `note_if_credentials_only` (residents' rule): what else the law
  asks, in words, quoted in the reasons when a government identifier was exposed, or when
  online credentials alone make the data personal information.
* `counts` (a notice's rule): whom its threshold counts.
  - `residents` (default): the state's residents whose personal information was exposed;
  - `all_notified`: every person notified under a US state law in this incident, for
    statutes that count "persons" notified, residents of other states included (Texas'
    credit-bureau duty). A group of another state (`US-xx`) counts when its data is
    personal information under its own state's file or under this state's definition;
    other states' exceptions are not re-judged (an upper bound). The state's own residents
    are left out when its harm exception lifts their notice.
* `risk_of_harm_exception`: applies when the risk judged for the state's residents is
  `none`. Either
  - a string: the exception in words; it lifts every duty of the state (the first form, kept
    for the files that use it); or
  - a mapping:

        risk_of_harm_exception:
          text: the exception in words
          lifts: [individuals, credit_reporting_agencies]   # optional; absent: every duty
          determination:                                     # optional
            recipient: Department of Legal Affairs
            contact: ""                                      # optional
            threshold: {at_least: 1}                         # optional; default: any
            timing: {kind: days_after_clock, days: 30}
            deadline: the rule in words
            citation: the statute
            content: []                                      # optional

    `lifts` names the duties the exception removes: `individuals` (the residents' notice and
    the substitute notice that stands in for it), an audience (every notice to it, e.g.
    `credit_reporting_agencies`) or a notice's `key`; the other notices stay. A notice
    timed by the residents' notice (`with_individuals`, `days_after_individuals`) must be
    lifted with it. `determination` is the written no-harm determination the state
    requires when the exception is used: a notice to the regulator (id
    `<regime>-regulator-determination`) owed when its threshold of residents is met, timed
    `none` or `days_after_clock` (from the version's clock: the no-harm determination
    cannot come before it, so the date is never later than the law's).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from herald.models import Audience, Channel, DataCategory
from herald.models.types import JurisdictionCode, TimeZone

DATA_DIR = Path(__file__).parent / "data" / "us"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Strict):
    """A count of the state's residents at which a duty starts, with its exact boundary."""

    more_than: int | None = Field(default=None, ge=0)
    at_least: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> Threshold:
        if (self.more_than is None) == (self.at_least is None):
            raise ValueError("give exactly one of more_than or at_least")
        return self

    def met(self, count: int) -> bool:
        """Whether `count` residents reach the threshold."""
        if self.more_than is not None:
            return count > self.more_than
        assert self.at_least is not None
        return count >= self.at_least

    def describe(self) -> str:
        """The boundary in words, as the statute puts it."""
        if self.more_than is not None:
            return f"more than {self.more_than}"
        return "any" if self.at_least == 1 else f"{self.at_least} or more"


class TimingKind(StrEnum):
    """How a deadline is fixed (see the module docstring)."""

    NONE = "none"
    DAYS_AFTER_CLOCK = "days_after_clock"
    WITH_INDIVIDUALS = "with_individuals"
    DAYS_AFTER_INDIVIDUALS = "days_after_individuals"


class Timing(_Strict):
    """When a notice is due."""

    kind: TimingKind
    days: int | None = Field(default=None, ge=1)
    business_days: bool = False

    @model_validator(mode="after")
    def _days_when_needed(self) -> Timing:
        needs = self.kind in (TimingKind.DAYS_AFTER_CLOCK, TimingKind.DAYS_AFTER_INDIVIDUALS)
        if needs != (self.days is not None):
            raise ValueError(f"timing {self.kind} {'needs' if needs else 'takes no'} days")
        return self


class Clock(StrEnum):
    """Which instant starts a state's clock."""

    DISCOVERY = "discovery"
    DETERMINATION = "determination"
    AWARENESS = "awareness"


class IndividualsRule(_Strict):
    """The duty to notify affected residents."""

    timing: Timing
    deadline: str = Field(min_length=1, description="the rule in words, as the statute says")
    citation: str = Field(min_length=1)
    content: list[str] = Field(default_factory=list, description="required element ids")
    content_if_government_id: list[str] = Field(
        default_factory=list, description="extra elements when SSN/DL/ID numbers were exposed"
    )
    note_if_government_id: str | None = Field(
        default=None, description="what else the law asks then, in words (e.g. free services)"
    )
    note_if_credentials_only: str | None = Field(
        default=None,
        description="the law's rule for a breach of online credentials alone, in words",
    )
    channels: list[Channel] = Field(
        default_factory=lambda: [Channel.LETTER, Channel.EMAIL],
        description="means the law allows (email only where E-SIGN consent or the law allows)",
    )


class Counts(StrEnum):
    """Whom a notice's threshold counts (see the module docstring)."""

    RESIDENTS = "residents"
    ALL_NOTIFIED = "all_notified"


class NoticeRule(_Strict):
    """A duty to tell someone else: the attorney general, an agency, credit bureaus, media."""

    key: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9-]+$",
        description="distinguishes several notices to one audience (id: <regime>-<audience>-<key>)",
    )
    audience: Audience
    recipient: str = Field(min_length=1)
    contact: str = Field(default="", description="portal URL, email or postal address")
    threshold: Threshold
    counts: Counts = Field(
        default=Counts.RESIDENTS,
        description="residents: the state's residents; all_notified: every person notified "
        "under a US state law in the incident",
    )
    timing: Timing
    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: list[str] = Field(default_factory=list)
    when_sector: list[str] = Field(
        default_factory=list, description="only for entities in one of these sectors"
    )


# The obligation key of the written determination (id: <regime>-regulator-determination).
DETERMINATION_KEY = "determination"


class DeterminationRule(_Strict):
    """The written no-harm determination a state requires when its harm exception is used."""

    recipient: str = Field(min_length=1)
    contact: str = Field(default="", description="portal URL, email or postal address")
    threshold: Threshold = Field(
        default_factory=lambda: Threshold(at_least=1),
        description="residents whose personal information was exposed (default: any)",
    )
    timing: Timing
    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_chained(self) -> DeterminationRule:
        if self.timing.kind not in (TimingKind.NONE, TimingKind.DAYS_AFTER_CLOCK):
            raise ValueError(
                f"the determination cannot be timed {self.timing.kind}: time it none or "
                "days_after_clock (it does not wait for a residents' notice)"
            )
        return self

    def as_notice(self) -> NoticeRule:
        """The determination as a notice to the regulator, keyed `determination`."""
        return NoticeRule(
            key=DETERMINATION_KEY,
            audience=Audience.REGULATOR,
            recipient=self.recipient,
            contact=self.contact,
            threshold=self.threshold,
            timing=self.timing,
            deadline=self.deadline,
            citation=self.citation,
            content=list(self.content),
        )


# The `lifts` entry naming the residents' notice (and the substitute notice).
INDIVIDUALS = "individuals"


class HarmException(_Strict):
    """A risk-of-harm exception: what it lifts when the risk is none, and what it asks."""

    text: str = Field(min_length=1, description="the exception in words")
    lifts: list[str] | None = Field(
        default=None,
        min_length=1,
        description="individuals, audiences or notice keys lifted; absent: every duty",
    )
    determination: DeterminationRule | None = None

    @property
    def lifts_individuals(self) -> bool:
        """Whether the residents' notice (and the substitute notice) is lifted."""
        return self.lifts is None or INDIVIDUALS in self.lifts

    def lifts_notice(self, rule: NoticeRule) -> bool:
        """Whether the exception lifts one notice (by its audience or its key)."""
        if self.lifts is None:
            return True
        return str(rule.audience) in self.lifts or (rule.key or "") in self.lifts


class SubstituteRule(_Strict):
    """Substitute (public) notice when individual notice is impossible or too costly."""

    cost_over_usd: int | None = None
    people_over: int | None = None
    insufficient_contact: bool = True
    methods: list[str] = Field(description="e.g. email, website posting, statewide media")
    posting_days: int | None = Field(default=None, description="minimum website posting period")
    citation: str = Field(min_length=1)


class Version(_Strict):
    """The law as in force from one date."""

    effective_from: date
    label: str = Field(min_length=1)
    clock: Clock = Clock.DISCOVERY
    individuals: IndividualsRule
    notices: list[NoticeRule] = Field(default_factory=list)
    substitute: SubstituteRule | None = None


class PersonalInformation(_Strict):
    """What counts as personal information: a name with one of `with_name`, or `alone`."""

    with_name: list[DataCategory]
    alone: list[DataCategory] = Field(default_factory=list)
    citation: str = Field(min_length=1)


class StateLaw(_Strict):
    """One state's breach-notification law (business version)."""

    id: str = Field(pattern=r"^us-[a-z]{2}$")
    jurisdiction: JurisdictionCode
    name: str
    timezone: TimeZone
    statute: str = Field(min_length=1)
    personal_information: PersonalInformation
    trigger: str = Field(pattern=r"^(acquisition|access)$")
    risk_of_harm_exception: HarmException | None = Field(
        default=None,
        description="when set, the exception: no notice (or only some) if the risk is none",
    )
    encryption_safe_harbour: bool = True
    versions: list[Version] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    notes: list[str] = Field(
        default_factory=list, description="UNCONFIRMED points and the conservative reading kept"
    )

    @field_validator("risk_of_harm_exception", mode="before")
    @classmethod
    def _exception_in_words(cls, value: object) -> object:
        """The string form: the exception in words, lifting every duty."""
        return {"text": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> StateLaw:
        if self.id != f"us-{self.jurisdiction.split('-')[1].lower()}":
            raise ValueError(f"id {self.id} does not match jurisdiction {self.jurisdiction}")
        days = [v.effective_from for v in self.versions]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError("versions must be in increasing order of effective_from")
        if self.risk_of_harm_exception is not None:
            self._check_exception(self.risk_of_harm_exception)
        return self

    def _check_exception(self, exception: HarmException) -> None:
        """Every lifted name exists; a notice chained to a lifted residents' notice goes too."""
        notices = [rule for version in self.versions for rule in version.notices]
        known = {INDIVIDUALS, *(a.value for a in Audience), *(r.key for r in notices if r.key)}
        unknown = sorted(set(exception.lifts or []) - known)
        if unknown:
            raise ValueError(
                f"risk_of_harm_exception lifts {', '.join(unknown)}: give individuals, an "
                "audience or the key of a notice"
            )
        if not exception.lifts_individuals:
            return
        chained = (TimingKind.WITH_INDIVIDUALS, TimingKind.DAYS_AFTER_INDIVIDUALS)
        for version in self.versions:
            for rule in version.notices:
                if rule.timing.kind in chained and not exception.lifts_notice(rule):
                    raise ValueError(
                        f"{version.label}: the notice to {rule.recipient} is timed by the "
                        "residents' notice, which risk_of_harm_exception lifts; lift it too"
                    )


def load_state_law(path: Path) -> StateLaw:
    """Read and validate one state file; errors name the file."""
    try:
        return StateLaw.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except Exception as err:
        raise ValueError(f"{path.name}: {err}") from err


@cache
def state_laws(directory: Path = DATA_DIR) -> dict[str, StateLaw]:
    """Every state law in `directory`, by jurisdiction code (loaded once per process)."""
    laws = [load_state_law(path) for path in sorted(directory.glob("*.yaml"))]
    return {law.jurisdiction: law for law in laws}
