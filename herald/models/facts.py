"""Incident facts: the input contract of `herald obligations --facts FILE` (see design.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from herald.models.types import JurisdictionCode, TimeZone
from herald.models.vocabulary import Channel, DataCategory, RiskLevel, Sector

# Bounds on what a facts document may hold. Facts travel in Temporal payloads (the server
# refuses a payload over 2 MB) and every count is formatted for people to read, so nothing
# in them may grow without limit: known text fields carry their own maximum, lists and
# maps a number of entries, and these bound the rest.
MAX_FACTS_JSON_BYTES = 1 << 20  # the whole document as JSON (the API's upload limit too)
MAX_UNKNOWN_CHARS = 100_000  # all unknown fields together: kept and reported, never used
MAX_NESTING = 32  # lists and maps inside an unknown field
MAX_PEOPLE = 10_000_000_000  # more than live on Earth: a larger count is a typo
# Instants outside these years are typos, and deadlines computed from them overflow.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

# A BCP 47 language tag (RFC 5646 advises supporting at least 35 characters).
LanguageTag = Annotated[str, StringConstraints(min_length=1, max_length=35)]
ElementId = Annotated[str, StringConstraints(min_length=1, max_length=80)]


class EntityContact(BaseModel):
    """The contact point notices and reports name (GDPR Art. 33(3)(b): the DPO)."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(default="Data Protection Officer", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    postal_address: str | None = Field(default=None, max_length=500)
    website: str | None = Field(default=None, max_length=500)

    def is_complete(self) -> bool:
        """A contact point is usable when a person can reach it by at least one means."""
        return bool(self.email or self.phone or self.postal_address)


class PolicyCommitment(BaseModel):
    """One promise an organisation's privacy policy makes about incidents or requests.

    The `policy` regime turns each into an obligation beside the legal ones, citing the
    clause it comes from, so what the organisation promised is executed and tracked too.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$")
    kind: Literal["notify_individuals", "public_announcement", "report_regulators", "respond"]
    summary: str = Field(min_length=1, max_length=1_000, description="the promise in words")
    within_hours: float | None = Field(
        default=None, gt=0, description="the period promised; None for 'promptly'"
    )
    channels: list[Channel] = Field(default_factory=list, max_length=20)
    required_content: list[ElementId] = Field(
        default_factory=list,
        max_length=100,
        description="element ids the promised notice must carry",
    )
    source: str = Field(min_length=1, max_length=500, description="the policy's clause")


class Entity(BaseModel):
    """The controller: the organisation the incident happened to."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1, max_length=500)
    established_in: list[JurisdictionCode] = Field(default_factory=list, max_length=500)
    sectors: list[Sector] = Field(default_factory=list, max_length=50)
    # IANA names are at most ~30 characters; a long one would reach the file system.
    timezone: TimeZone = Field(default="UTC", max_length=64)
    lead_authority: JurisdictionCode | None = None
    small_agent: bool = False
    contact: EntityContact | None = None
    policy_name: str = Field(default="", max_length=300, description="whose policy promises")
    languages: list[LanguageTag] = Field(
        default_factory=list,
        max_length=50,
        description="languages it communicates in, preferred first",
    )
    commitments: list[PolicyCommitment] = Field(
        default_factory=list,
        max_length=100,
        description="what its privacy policy promises (the policy regime)",
    )


class Encryption(BaseModel):
    """Whether the exposed data was encrypted, and whether the key went with it."""

    model_config = ConfigDict(extra="allow")

    encrypted: bool = False
    key_compromised: bool = False


class AffectedGroup(BaseModel):
    """How many people in one jurisdiction are affected, and optionally which data."""

    model_config = ConfigDict(extra="allow")

    jurisdiction: JurisdictionCode
    count: int = Field(ge=0, le=MAX_PEOPLE)
    data_categories: list[DataCategory] | None = Field(default=None, max_length=100)


class IncidentDetails(BaseModel):
    """What responders learn as the investigation goes on; reports print it where known.

    None of these decide an obligation: they fill the fields of authority forms (HHS portal,
    CAC report, NIS2 stages …) and notices. A field left empty is printed as "not yet
    determined", except where a required element depends on it (delay reasons, identity
    theft services), which shows a placeholder that blocks approval.
    """

    model_config = ConfigDict(extra="allow")

    cause: str = Field(default="", max_length=20_000, description="how it happened, root cause")
    systems: str = Field(default="", max_length=5_000, description="systems or media affected")
    breach_period: str = Field(default="", max_length=300, description="date or range, in words")
    ended_at: AwareDatetime | None = Field(default=None, description="when the breach stopped")
    records_count: int | None = Field(default=None, ge=0, le=MAX_PEOPLE)
    malicious: bool | None = Field(default=None, description="unlawful or malicious act suspected")
    cross_border: bool | None = Field(default=None, description="impact in other states possible")
    indicators: str = Field(default="", max_length=20_000, description="indicators of compromise")
    safeguards: str = Field(default="", max_length=20_000, description="protections before it")
    delay_reasons: str = Field(default="", max_length=5_000)
    identity_theft_services: str = Field(default="", max_length=5_000)
    law_enforcement_delay: bool | None = None

    @field_validator("ended_at")
    @classmethod
    def _plausible_instant(cls, value: datetime | None) -> datetime | None:
        return plausible_instant(value)


class TranslatedText(BaseModel):
    """The responder's words in one more language; an empty field falls back to the original.

    Notices in that language print these instead of the original text, so a Chinese notice
    does not carry English paragraphs when someone has translated them.
    """

    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=20_000)
    remediation: str = Field(default="", max_length=20_000)
    cause: str = Field(default="", max_length=20_000)


class IncidentFacts(BaseModel):
    """What is known about an incident; every change re-runs assessment."""

    model_config = ConfigDict(extra="allow")

    aware_at: AwareDatetime
    discovered_at: AwareDatetime | None = None
    determined_at: AwareDatetime | None = None
    ransom_paid_at: AwareDatetime | None = None
    entity: Entity
    data_categories: list[DataCategory] = Field(default_factory=list, max_length=100)
    encryption: Encryption = Field(default_factory=Encryption)
    affected: list[AffectedGroup] = Field(default_factory=list, max_length=10_000)
    risk: RiskLevel | None = None
    title: str = Field(default="Security incident", max_length=300)
    description: str = Field(default="", max_length=20_000)
    remediation: str = Field(default="", max_length=20_000)
    details: IncidentDetails = Field(default_factory=IncidentDetails)
    translations: dict[LanguageTag, TranslatedText] = Field(
        default_factory=dict,
        max_length=50,
        description="the responder's text in other languages, by language tag (e.g. zh-CN)",
    )

    @field_validator("aware_at", "discovered_at", "determined_at", "ransom_paid_at")
    @classmethod
    def _plausible_instant(cls, value: datetime | None) -> datetime | None:
        return plausible_instant(value)

    @model_validator(mode="after")
    def _ordered_instants(self) -> IncidentFacts:
        if self.discovered_at and self.discovered_at > self.aware_at:
            raise ValueError("discovered_at must not be later than aware_at")
        return self

    @model_validator(mode="after")
    def _bounded_size(self) -> IncidentFacts:
        # Unknown fields first, by a walk that stops at the limit: a value may be a shared
        # structure (a YAML alias graph) that would be gigabytes if it were serialised.
        budget = MAX_UNKNOWN_CHARS
        for path, value in self._unknown_values():
            budget -= measure(value, budget, path)
            if budget < 0:
                raise ValueError(
                    f"unknown fields hold over {MAX_UNKNOWN_CHARS:,} characters (at {path});"
                    " Herald does not use them: remove them"
                )
        size = len(self.model_dump_json().encode())  # bytes, as a payload carries them
        if size > MAX_FACTS_JSON_BYTES:
            raise ValueError(
                f"the facts are {size:,} bytes as JSON, over the {MAX_FACTS_JSON_BYTES:,}"
                f" allowed (largest: {self._largest_field()})"
            )
        return self

    def _unknown_values(self) -> list[tuple[str, Any]]:
        parts: list[tuple[str, BaseModel | None]] = [
            ("", self),
            ("entity.", self.entity),
            ("entity.contact.", self.entity.contact),
            ("encryption.", self.encryption),
            ("details.", self.details),
        ]
        parts += [(f"affected.{n}.", group) for n, group in enumerate(self.affected)]
        return [
            (f"{prefix}{key}", value)
            for prefix, model in parts
            if model is not None
            for key, value in (model.model_extra or {}).items()
        ]

    def _largest_field(self) -> str:
        sizes = {
            key: len(self.model_dump_json(include={key})) for key in self.model_dump(mode="json")
        }
        return max(sizes, key=lambda key: sizes[key])

    def categories_for(self, group: AffectedGroup) -> list[DataCategory]:
        """Data categories exposed for one group (its own list overrides the incident's)."""
        if group.data_categories is not None:
            return group.data_categories
        return self.data_categories

    def clock_start(self) -> datetime:
        """The earliest known instant of the incident, used when a law's clock start is unknown."""
        return min(t for t in (self.discovered_at, self.aware_at, self.determined_at) if t)

    def unknown_fields(self) -> list[str]:
        """Keys the contract does not define; kept, but reported so a typo is noticed."""
        found = [f"{key}" for key in (self.model_extra or {})]
        found += [f"entity.{key}" for key in (self.entity.model_extra or {})]
        found += [f"details.{key}" for key in (self.details.model_extra or {})]
        for index, group in enumerate(self.affected):
            found += [f"affected.{index}.{key}" for key in (group.model_extra or {})]
        return found

    def total_affected(self) -> int:
        """Number of affected people over all jurisdictions."""
        return sum(group.count for group in self.affected)


def plausible_instant(value: datetime | None) -> datetime | None:
    """`value`, if it lies between 1970 and 2200; deadlines run from these instants."""
    if value is not None and not EARLIEST <= value < LATEST:
        raise ValueError(f"must lie between {EARLIEST.year} and {LATEST.year}")
    return value


def measure(value: object, limit: int, path: str) -> int:
    """Characters in a parsed JSON/YAML value (strings by length, anything else as 1), counted
    only up to just past `limit`; raises ValueError naming `path` if it nests too deeply.

    Iterative, and stops early, so a shared or self-referencing structure costs at most
    `limit` steps however large it would be written out.
    """
    total = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack and total <= limit:
        item, depth = stack.pop()
        if depth > MAX_NESTING:
            raise ValueError(f"{path} is nested more than {MAX_NESTING} levels deep")
        if isinstance(item, (dict, list, tuple)):
            total += 1 + len(item)  # an entry costs at least one, so a long list stops here
            if total > limit:
                break
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, inner in pairs:
                stack += [(key, depth + 1), (inner, depth + 1)]
        else:
            total += len(item) if isinstance(item, (str, bytes)) else 1
    return total
