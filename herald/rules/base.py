"""The small interface every regime implements, and helpers regimes share.

A regime is one body of law. It receives a `Context` (the facts, the optional assessment
and the risk computed once for the whole incident) and returns a `RegimeResult`: whether the
incident falls within the regime's scope, why, and the obligations it imposes. The engine
(`herald.rules.evaluate`) turns results into `RegimeDecision`s and sorts the obligations.

Regime data (authorities, thresholds, deadlines, versions by effective date) lives in plain
frozen dataclasses and dicts beside each regime, so that a later change can load the same
shapes from YAML without touching the logic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from herald.models import AffectedGroup, Assessment, IncidentFacts, Obligation, RiskLevel
from herald.rules.risk import risk_for_groups


@dataclass(frozen=True)
class Context:
    """Everything a regime may look at; built once per evaluation."""

    facts: IncidentFacts
    assessment: Assessment | None
    risk: RiskLevel
    risk_reasons: list[str]
    # When each obligation (by id) was fulfilled, once it has been (individual notices all
    # delivered, a report filed): deadlines chained to it ("15 days after notifying the
    # residents", "one month after the incident notification") resolve from that instant.
    notified: dict[str, datetime] = field(default_factory=dict)


@dataclass
class RegimeResult:
    """What one regime concluded.

    ``applies`` says whether the incident falls within the regime's scope at all; a regime
    can apply and still impose nothing (``obligations`` empty), and ``reasons`` say why.
    """

    applies: bool
    reasons: list[str] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)


class Regime(Protocol):
    """One body of law, evaluated independently of every other."""

    @property
    def id(self) -> str:
        """The regime id used in obligations (``gdpr``, ``us-ca`` ...)."""
        ...

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide whether the regime applies and which obligations it imposes."""
        ...


@dataclass(frozen=True)
class Clock:
    """The instant a legal clock starts, and how it was chosen."""

    name: str
    started_at: datetime
    warnings: list[str]


def covered_context(ctx: Context, groups: Sequence[AffectedGroup]) -> Context:
    """The context with the risk judged for the people one law covers.

    `Context.risk` is judged over the whole incident. A law that covers only some of the
    affected groups protects only those people (`herald.rules.risk.risk_for_groups`). A
    risk given in the facts is the responder's judgement and is kept as it is; so is the
    incident's risk when the law covers every affected group.

    Returns:
        ``ctx`` itself, or a copy whose ``risk`` and ``risk_reasons`` are the covered people's.
    """
    facts = ctx.facts
    if facts.risk is not None or not groups or list(groups) == list(facts.affected):
        return ctx
    risk, reasons = risk_for_groups(facts, ctx.assessment, groups)
    listed = ", ".join(f"{g.jurisdiction}: {g.count}" for g in groups)
    return dataclasses.replace(
        ctx,
        risk=risk,
        risk_reasons=[
            f"The risk is judged for the people this law covers ({listed}), "
            "from the data exposed for them rather than for the whole incident.",
            *reasons,
        ],
    )


def personal_data_involved(facts: IncidentFacts) -> bool:
    """Whether the facts describe a personal data breach at all.

    Some regimes oblige filings without personal data (SEC 8-K, NIS2, CAC); the data
    protection laws do not. An incident with no data category recorded and nobody affected
    is not a personal data breach.
    """
    categories = bool(facts.data_categories) or any(g.data_categories for g in facts.affected)
    return categories or facts.total_affected() > 0


NO_PERSONAL_DATA = (
    "No personal data is recorded as affected (no data category, nobody affected), so this "
    "is not a personal data breach and {law} imposes nothing; if personal data was "
    "involved, add its categories or the affected people to the facts."
)


def clock(facts: IncidentFacts, name: str) -> Clock:
    """Pick the instant a law names, falling back to the earliest known one.

    Args:
        facts: the incident facts.
        name: ``awareness`` (aware_at), ``discovery`` (discovered_at) or ``determination``
            (determined_at).

    Returns:
        The clock in UTC. When the named instant is missing, the earliest known instant of
        the incident starts the clock instead (the conservative choice: the deadline can
        only come earlier) and a warning says so.
    """
    field_name = _CLOCK_FIELDS[name]
    instant: datetime | None = getattr(facts, field_name)
    if instant is not None:
        return Clock(name, instant.astimezone(UTC), [])
    fallback = facts.clock_start().astimezone(UTC)
    return Clock(
        name,
        fallback,
        [
            f"{field_name} is not given: the {name} clock starts at the earliest known instant "
            f"of the incident ({fallback.isoformat()}) instead; "
            f"set {field_name} to compute the deadline the law names."
        ],
    )


_CLOCK_FIELDS = {
    "awareness": "aware_at",
    "discovery": "discovered_at",
    "determination": "determined_at",
}


class Versioned(Protocol):
    """Regime data that takes effect on a date."""

    @property
    def effective_from(self) -> date:
        """First day on which this version of the rule is in force."""
        ...


V = TypeVar("V", bound=Versioned)


def in_force(versions: tuple[V, ...], instant: datetime, zone: str) -> V:
    """Return the version of a rule in force at ``instant``, judged by the local date in ``zone``.

    Args:
        versions: the rule's versions, any order; at least one must be in force.
        instant: the instant that decides the applicable law (usually awareness).
        zone: IANA zone of the enacting jurisdiction, whose calendar the effective date uses.

    Returns:
        The version with the latest ``effective_from`` on or before that local date.

    Raises:
        LookupError: if no version is in force yet.
    """
    day = instant.astimezone(ZoneInfo(zone)).date()
    candidates = [v for v in versions if v.effective_from <= day]
    if not candidates:
        raise LookupError(f"no version of the rule is in force on {day.isoformat()}")
    return max(candidates, key=lambda v: v.effective_from)


def slug(*parts: str) -> str:
    """Join parts into a short lower-case obligation id, e.g. ``gdpr-regulator-ie``."""
    return "-".join(p.lower().replace("_", "-") for p in parts if p)
