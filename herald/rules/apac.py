"""What the Asia-Pacific regimes share beyond the common file frame: their file shape, scope.

``cn-pipl``, ``cn-cac-incident``, ``sg-pdpa``, ``au-ndb``, ``jp-appi``, ``kr-pipa`` and
``in-dpdp`` each keep their law in ``herald/rules/data/<regime id>.yaml``, loaded with
`herald.rules.regime_data.load_regime_file`. On top of the common frame (`VersionedFile`) a
file names its ``country``, the ``law`` as reasons call it, the ``statute`` and the
``language`` of the notices; each version carries either ``rules`` (whose schema lives in the
regime's own module) or ``not_in_force`` (why the regime imposes nothing yet, e.g. a law
published but not commenced). An incident is judged under the version in force on the day the
organisation became aware; before the first version the law is not in force at all.

Notices name a ``recipient``, a ``contact`` (portal, email or, where the reference gives none,
the authority's name marked UNCONFIRMED), the ``deadline`` in words, the ``citation``, the
``content`` element ids (checked against the shared sets) and the ``channels``.

Scope is the same for all seven: an entity established in the country is covered for every
affected person, a foreign one only for the people who reside there (`scope`). For China,
the special administrative regions and Taiwan (``CN-HK``, ``CN-MO``, ``CN-TW`` and their
numeric forms) are not where mainland law applies, so neither an establishment nor people
there bring the PIPL or the CAC Measures in.

Risk is judged for the covered people (`covered_risk`): a foreign entity's incident whose
sensitive data belongs to people elsewhere does not make the breach high-risk for the people
in the country; a responder's own risk level in the facts always wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, model_validator

from herald.jurisdictions import country_of
from herald.models import (
    AffectedGroup,
    Audience,
    Channel,
    DataCategory,
    IncidentFacts,
    Obligation,
    RiskLevel,
)
from herald.rules.base import Clock, Context, RegimeResult
from herald.rules.regime_data import (
    NoticeContent,
    ReportContent,
    Strict,
    VersionBase,
    VersionedFile,
    describe,
    notice_obligation,
)
from herald.rules.risk import risk_for_groups

# ISO 3166-2:CN lists Hong Kong, Macao and Taiwan as subdivisions of CN (numeric 91, 92, 71,
# normalised to these codes), but mainland law such as the PIPL and the CAC Measures does
# not apply there (the PIPL is not among the national laws the Basic Laws of the two SARs
# apply locally).
_OUTSIDE_MAINLAND = frozenset({"CN-HK", "CN-MO", "CN-TW"})


class Notice(Strict):
    """One notice a law requires: to whom, how to reach them, by when, with what."""

    recipient: str = Field(min_length=1)
    contact: str = Field(min_length=1, description="portal, email, or the authority's name")
    deadline: str = Field(min_length=1, description="the rule in words")
    citation: str = Field(min_length=1)
    content: list[str] = Field(default_factory=list, description="required element ids")
    channels: list[Channel] = Field(min_length=1)


class RegulatorNotice(Notice):
    """A notice or report to an authority."""

    content: ReportContent = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=lambda: [Channel.REPORT], min_length=1)


class IndividualsNotice(Notice):
    """A notice to the affected people themselves."""

    content: NoticeContent = Field(default_factory=list)


R = TypeVar("R", bound=BaseModel)


class Version(VersionBase, Generic[R]):
    """The law as in force from one date: its rules, or why it imposes nothing yet."""

    rules: R | None = None
    not_in_force: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _rules_or_reason(self) -> Version[R]:
        if (self.rules is None) == (self.not_in_force is None):
            raise ValueError("give exactly one of rules or not_in_force")
        return self


class RegimeFile(VersionedFile[Version[R]], Generic[R]):
    """The frame every Asia-Pacific regime file shares."""

    id: str = Field(pattern=r"^[a-z]{2}-[a-z0-9-]+$")
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    country_name: str = Field(min_length=1)
    law: str = Field(min_length=1, description="short name used in reasons")
    statute: str = Field(min_length=1)
    language: str = Field(min_length=2, description="BCP 47 language of the notices")


@dataclass(frozen=True)
class Case(Generic[R]):
    """An incident a country's law reaches: whom it covers, the rules in force, and why."""

    covered: Scope
    rules: R
    version: str
    why: str = ""  # the sentence saying whose personal data is involved


def open_case(
    ctx: Context, file: RegimeFile[R], *, concerns: str, name_mainland: bool = False
) -> Case[R] | RegimeResult:
    """The opening every regime here shares: scope, the law in force, personal data.

    Args:
        ctx: the evaluation context.
        file: the regime's file.
        concerns: the sentence saying what the law concerns, added when no personal data of
            the covered people is involved (e.g. "Part IIIC concerns personal data.").
        name_mainland: explain Hong Kong, Macao and Taiwan when out of scope (China's laws).

    Returns:
        The case to decide, or the result that ends the evaluation (out of scope, not in
        force yet, or no personal data involved).
    """
    facts = ctx.facts
    covered = scope(facts, file)
    if covered is None:
        reason = out_of_scope(file, facts) if name_mainland else out_of_scope(file)
        return RegimeResult(applies=False, reasons=[reason])
    rules, version = rules_in_force(file, facts.aware_at)
    if rules is None:
        return RegimeResult(applies=False, reasons=[covered.reason, version])
    involved, why = personal_data(facts, covered)
    if not involved:
        return RegimeResult(applies=False, reasons=[covered.reason, version, f"{why} {concerns}"])
    return Case(covered=covered, rules=rules, version=version, why=why)


def rules_in_force(file: RegimeFile[R], aware_at: datetime) -> tuple[R | None, str]:
    """The rules in force on the day of awareness (the country's calendar), and why.

    Args:
        file: the regime's file.
        aware_at: when the organisation became aware; the law in force that day applies.

    Returns:
        The rules, or None when the law imposes nothing on that day, with a sentence that
        names the day and the version (or the reason nothing is in force).
    """
    day = aware_at.astimezone(ZoneInfo(file.timezone)).date().isoformat()
    version = file.version_at(aware_at)
    if version is None:
        first = file.versions[0].effective_from.isoformat()
        return None, (
            f"The organisation became aware on {day} ({file.country_name} date), before "
            f"{file.law} took effect on {first}, so it imposes nothing on this incident."
        )
    if version.rules is None:
        return None, (
            f"The organisation became aware on {day} ({file.country_name} date), "
            f"{version.label}: {version.not_in_force}"
        )
    return version.rules, (
        f"The organisation became aware on {day} ({file.country_name} date), so "
        f"{version.label} applies."
    )


@dataclass(frozen=True)
class Scope:
    """Who a country's law covers in one incident, and why."""

    established: list[str]
    groups: list[AffectedGroup]
    reason: str

    @property
    def count(self) -> int:
        """The number of covered people."""
        return sum(g.count for g in self.groups)

    @property
    def jurisdictions(self) -> list[str]:
        """Codes of the covered groups, or of the establishment when nobody is known."""
        return sorted({g.jurisdiction for g in self.groups}) or sorted(set(self.established))


def scope(facts: IncidentFacts, file: RegimeFile[R]) -> Scope | None:
    """Whether the country's law reaches the incident, and whom it covers.

    An entity established in the country is covered for every affected person wherever they
    reside (the law governs its processing as a whole). A foreign entity is covered only for
    the people who reside in the country (the extraterritorial reach of each law concerns
    the people there), so only they count towards a numeric threshold.

    Args:
        facts: the incident facts (establishment and affected groups are read).
        file: the regime's file, which names the country.

    Returns:
        The scope, or None when the entity is not established there and nobody affected
        resides there.
    """
    country = file.country
    established = [c for c in facts.entity.established_in if _in_country(c, country)]
    local = [g for g in facts.affected if _in_country(g.jurisdiction, country)]
    if established:
        return Scope(
            established,
            list(facts.affected),
            f"The entity is established in {file.country_name} ({', '.join(established)}), so "
            f"every affected person, wherever they reside, is covered by {file.law} "
            f"({facts.total_affected()} people recorded).",
        )
    if local:
        return Scope(
            [],
            local,
            f"The entity is not established in {file.country_name}, but "
            f"{sum(g.count for g in local)} affected people reside there ({describe(local)}); "
            f"they are covered by {file.law}, and only they count towards its thresholds."
            + outside_mainland(facts, file),
        )
    return None


def outside_mainland(facts: IncidentFacts, file: RegimeFile[R]) -> str:
    """A sentence naming the codes of Hong Kong, Macao or Taiwan that were left out, if any."""
    if file.country != "CN":
        return ""
    codes = sorted(
        {c for c in facts.entity.established_in if c in _OUTSIDE_MAINLAND}
        | {g.jurisdiction for g in facts.affected if g.jurisdiction in _OUTSIDE_MAINLAND}
    )
    if not codes:
        return ""
    return (
        f" {', '.join(codes)} (Hong Kong, Macao, Taiwan) are not counted as China: mainland "
        f"law such as {file.law} does not apply there."
    )


def _in_country(code: str, country: str) -> bool:
    """Whether a jurisdiction code lies where the country's law applies."""
    return country_of(code) == country and code not in _OUTSIDE_MAINLAND


def covered_risk(ctx: Context, covered: Scope) -> tuple[RiskLevel, list[str]]:
    """The risk to the covered people, with its reasons.

    The engine computes one risk for the whole incident. When the law covers only some of
    the affected groups (a foreign entity, people in the country only), the risk is judged
    again from the data exposed for those groups alone, so that one country's identity
    numbers do not make a name-and-email leak elsewhere "significant" or "serious" harm.
    A risk level the responder put in the facts is a judgement of the whole incident and
    always wins; so does the incident's risk when every group is covered.

    Args:
        ctx: the evaluation context (facts, assessment, incident-wide risk).
        covered: the people the law covers.

    Returns:
        The risk level and the sentences explaining it.
    """
    facts = ctx.facts
    if facts.risk is not None or len(covered.groups) == len(facts.affected):
        return ctx.risk, list(ctx.risk_reasons)
    risk, reasons = risk_for_groups(facts, ctx.assessment, covered.groups)
    return risk, [
        f"The risk is judged for the {covered.count} covered people only "
        f"({describe(covered.groups)}; the whole incident's risk is {ctx.risk}): {risk}.",
        *reasons,
    ]


def out_of_scope(file: RegimeFile[R], facts: IncidentFacts | None = None) -> str:
    """The reason a law does not reach an incident with nothing in its country."""
    return (
        f"The entity is not established in {file.country_name} ({file.country}) and no "
        f"affected group resides there, so {file.law} does not reach this incident."
    ) + (outside_mainland(facts, file) if facts is not None else "")


def exposed(facts: IncidentFacts, covered: Scope) -> set[DataCategory]:
    """The data categories exposed for the covered people (the incident's list if none)."""
    if not covered.groups:
        return set(facts.data_categories)
    found: set[DataCategory] = set()
    for group in covered.groups:
        found.update(facts.categories_for(group))
    return found


def personal_data(facts: IncidentFacts, covered: Scope) -> tuple[bool, str]:
    """Whether covered people's personal data is involved, with the sentence saying so.

    People counted in a covered group are involved; with no group recorded at all, recorded
    data categories still mean personal data was exposed, only the number is unknown.
    """
    if covered.count > 0:
        return True, f"Personal data of {covered.count} covered people is involved."
    if not facts.affected and facts.data_categories:
        listed = ", ".join(sorted(c.value for c in facts.data_categories))
        return True, (
            f"Personal data ({listed}) is involved, but no affected group is recorded yet, "
            "so the number of people is unknown."
        )
    return False, "No personal data of covered people is recorded as involved."


def unknown_count_warning(covered: Scope) -> list[str]:
    """A warning when nobody is counted yet, so a count threshold was judged on zero."""
    if covered.count:
        return []
    return ["No affected people are counted yet; add the affected groups to the facts."]


def listed(categories: set[DataCategory]) -> str:
    """Categories in a stable order for reasons."""
    return ", ".join(sorted(c.value for c in categories))


def local(instant: datetime, zone: str) -> str:
    """An instant for reasons: local wall time in ``zone`` and the exact UTC instant."""
    wall = instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
    # Minutes are enough for a sentence; the obligation's due_at carries the exact instant.
    utc = instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    return f"{wall} {zone} [{utc}]"


def build_obligation(
    *,
    regime: str,
    key: str,
    audience: Audience,
    notice: Notice,
    covered: Scope,
    language: str,
    start: Clock,
    due_at: datetime | None,
    reasons: list[str],
    warnings: list[str],
    clock_name: str | None = None,
) -> Obligation:
    """An obligation from a notice rule of a file and what the regime decided.

    Args:
        regime: the regime id; with ``key`` it makes the stable id ``<regime>-<key>``.
        key: the audience part of the id, e.g. ``regulator-preliminary``.
        audience: who must be told.
        notice: the file's rule for this notice (recipient, contact, words, content).
        covered: the people the obligation covers.
        language: the language of the notice.
        start: the clock the deadline runs from.
        due_at: the deadline instant, or None where the law sets no fixed period.
        reasons: why the obligation exists (facts, threshold, exemptions considered).
        warnings: fallbacks and gaps a person must check.
        clock_name: the law's name for the clock when it differs from ``start.name``
            (Singapore's "assessment").
    """
    return notice_obligation(
        notice,
        regime=regime,
        audience=audience,
        key=key,
        start=start,
        due_at=due_at,
        jurisdictions=covered.jurisdictions,
        count=covered.count,
        reasons=reasons,
        warnings=[*start.warnings, *warnings],
        language=language,
        clock_name=clock_name,
    )
