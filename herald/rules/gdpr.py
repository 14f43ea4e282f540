"""EU GDPR Articles 33 and 34: notifying the supervisory authority and the data subjects.

The rules are data in ``data/gdpr.yaml``, validated by `GdprLaw` and versioned by effective
date (jurisdictions.md section 1); the file also holds the supervisory authority of every
EU/EEA state. Before the GDPR applied (25 May 2018) the regime imposes nothing.

Scope (Art. 3): the regime applies when the controller is established in the EU/EEA
(Art. 3(1), whatever the residence of the people affected) or when people in the EU/EEA are
affected (Art. 3(2), which covers only those people).

* **Regulator (Art. 33).** Every breach unless it is unlikely to result in a risk: due
  72 elapsed hours after awareness. An EEA-established controller notifies its lead
  supervisory authority only (one-stop-shop, Art. 56(1)); a controller not established in
  the EEA notifies the authority of every state where affected people reside (EDPB
  Guidelines 9/2022, revised para. 73).
* **Individuals (Art. 34).** When the risk is high, "without undue delay" (no instant),
  unless the data was encrypted and the key is safe (Art. 34(3)(a)).
* **Risk.** Judged for the people the GDPR covers (`base.covered_context`): when only
  some affected groups are in scope (Art. 3(2)) and the groups carry their own data categories,
  a computed risk comes from the data exposed for those people, not from the whole incident.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from herald.deadlines import hours_after
from herald.jurisdictions import EEA_STATES, country_of, is_eea
from herald.models import AffectedGroup, Audience, Channel, Entity, Obligation, RiskLevel
from herald.models.types import TimeZone
from herald.rules.base import (
    NO_PERSONAL_DATA,
    Context,
    RegimeResult,
    clock,
    covered_context,
    in_force,
    personal_data_involved,
    slug,
)
from herald.rules.regime_data import codes

DATA_FILE = Path(__file__).parent / "data" / "gdpr.yaml"

# The elements of Art. 33(3) and 34(2) the drafts engine has markers for; anything else the
# law asks for is listed in the data file's notes ("Content not yet checked").
Element = Literal[
    "nature_of_breach",
    "categories_and_numbers",
    "dpo_contact",
    "likely_consequences",
    "measures_taken",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SupervisoryAuthority(_Strict):
    """One member state's supervisory authority (Art. 51) and how to reach it."""

    name: str = Field(min_length=1)
    contact: str = Field(pattern=r"^https://\S+$", description="breach portal or website")
    language: str = Field(pattern=r"^[a-z]{2}$", description="working language, ISO 639-1")


class RegulatorRule(_Strict):
    """Art. 33: the notice to the lead or each concerned supervisory authority."""

    hours: int = Field(ge=1, description="elapsed hours after awareness")
    deadline: str = Field(min_length=1, description="the rule in words")
    lead_citation: str = Field(min_length=1, description="one-stop-shop (Art. 56(1))")
    per_state_citation: str = Field(min_length=1, description="controller outside the EEA")
    content: list[Element] = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)


class IndividualsRule(_Strict):
    """Art. 34: the communication to the data subjects (no fixed period)."""

    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: list[Element] = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)


class Version(_Strict):
    """The rules as in force from one (Brussels) date."""

    effective_from: date
    label: str = Field(min_length=1)
    regulator: RegulatorRule
    individuals: IndividualsRule


class GdprLaw(_Strict):
    """The whole data file: versions, supervisory authorities, sources and open points."""

    id: Literal["gdpr"]
    name: str = Field(min_length=1)
    timezone: TimeZone
    versions: list[Version] = Field(min_length=1)
    authorities: dict[str, SupervisoryAuthority] = Field(description="by EU/EEA state")
    sources: list[str] = Field(min_length=1)
    notes: list[str] = Field(default_factory=list, description="UNCONFIRMED points and more")

    @model_validator(mode="after")
    def _consistent(self) -> GdprLaw:
        days = [v.effective_from for v in self.versions]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError("versions must be in increasing order of effective_from")
        if set(self.authorities) != EEA_STATES:
            odd = ", ".join(sorted(set(self.authorities) ^ EEA_STATES))
            raise ValueError(f"authorities must be exactly the EU/EEA states; check {odd}")
        return self


@cache
def load_rules(path: Path = DATA_FILE) -> GdprLaw:
    """Read and validate the data file once per process; errors name the file."""
    try:
        return GdprLaw.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except Exception as err:
        raise ValueError(f"{path.name}: {err}") from err


class Gdpr:
    """The EU GDPR regime (``gdpr``)."""

    id = "gdpr"

    def __init__(self, law: GdprLaw | None = None) -> None:
        """Build the regime from its data (the bundled data file by default)."""
        self.law = law if law is not None else load_rules()

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide scope, the regulator notice(s) and the individuals notice."""
        facts, law = ctx.facts, self.law
        established = [c for c in facts.entity.established_in if is_eea(c)]
        eea_groups = [g for g in facts.affected if is_eea(g.jurisdiction)]
        if not established and not eea_groups:
            return RegimeResult(
                applies=False,
                reasons=[
                    "The entity is not established in the EU/EEA and no affected group "
                    "resides there, so the GDPR does not reach this incident (Art. 3)."
                ],
            )
        try:
            version = in_force(tuple(law.versions), facts.aware_at, law.timezone)
        except LookupError:
            return RegimeResult(
                applies=False,
                reasons=[
                    f"The GDPR applies from {law.versions[0].effective_from}; the organisation "
                    f"became aware earlier ({facts.aware_at.isoformat()}), when EU law imposed "
                    "no general duty to notify personal data breaches (the Data Protection "
                    "Directive 95/46/EC had none; national laws are not modelled)."
                ],
            )

        if established:
            # Art. 3(1): every data subject of an EEA establishment is covered, wherever
            # they live.
            covered = list(facts.affected)
            scope = (
                f"The entity is established in the EU/EEA ({', '.join(established)}), so the "
                "GDPR covers every affected person wherever they reside (Art. 3(1))."
            )
        else:
            covered = eea_groups
            scope = (
                "The entity is not established in the EU/EEA but people there are affected "
                f"({_describe(eea_groups)}); the GDPR covers them (Art. 3(2))."
            )
            ctx = covered_context(ctx, covered)
        if not personal_data_involved(facts):
            return RegimeResult(
                applies=True, reasons=[scope, NO_PERSONAL_DATA.format(law="Arts. 33 and 34")]
            )
        reasons = [scope, *ctx.risk_reasons]
        obligations: list[Obligation] = []

        if ctx.risk is RiskLevel.NONE:
            reasons.append(
                "The breach is unlikely to result in a risk to people, so no supervisory "
                "authority is notified (Art. 33(1)); it must still be recorded in the "
                "internal breach register (Art. 33(5))."
            )
        else:
            if established:
                obligations.append(self._lead_notice(ctx, version, established, covered, scope))
            else:
                obligations.extend(self._per_state_notices(ctx, version, eea_groups, scope))
            reasons.append(
                f"The risk is {ctx.risk}, not none, so the supervisory authority must be "
                f"notified ({', '.join(o.recipient for o in obligations)}) within "
                f"{version.regulator.hours} hours of awareness (Art. 33(1))."
            )

        individuals, why = self._individuals(ctx, version, covered, scope)
        reasons.extend(why)
        if individuals is not None:
            obligations.append(individuals)
        return RegimeResult(applies=True, reasons=reasons, obligations=obligations)

    # --- regulator -----------------------------------------------------------------------

    def _lead_notice(
        self,
        ctx: Context,
        version: Version,
        established: list[str],
        covered: list[AffectedGroup],
        scope: str,
    ) -> Obligation:
        country, why, warnings = _lead_state(ctx.facts.entity, established)
        return self._regulator_notice(
            ctx,
            version.regulator,
            country,
            covered,
            [scope, *ctx.risk_reasons, why],
            warnings,
            citation=version.regulator.lead_citation,
        )

    def _per_state_notices(
        self, ctx: Context, version: Version, eea_groups: list[AffectedGroup], scope: str
    ) -> list[Obligation]:
        by_state: dict[str, list[AffectedGroup]] = {}
        for group in eea_groups:
            by_state.setdefault(country_of(group.jurisdiction), []).append(group)
        why = (
            "A controller not established in the EU/EEA has no lead authority and notifies "
            "the supervisory authority of every state where affected people reside "
            "(EDPB Guidelines 9/2022, para. 73)."
        )
        return [
            self._regulator_notice(
                ctx,
                version.regulator,
                state,
                groups,
                [scope, *ctx.risk_reasons, why],
                [],
                citation=version.regulator.per_state_citation,
            )
            for state, groups in sorted(by_state.items())
        ]

    def _regulator_notice(
        self,
        ctx: Context,
        rule: RegulatorRule,
        state: str,
        groups: list[AffectedGroup],
        reasons: list[str],
        warnings: list[str],
        *,
        citation: str,
    ) -> Obligation:
        name, contact, language = self._authority(state)
        start = clock(ctx.facts, "awareness")
        due = hours_after(start.started_at, rule.hours)
        count = sum(g.count for g in groups)
        return Obligation(
            regime=self.id,
            audience=Audience.REGULATOR,
            recipient=name,
            due_at=due,
            deadline=rule.deadline,
            citation=citation,
            required_content=list(rule.content),
            id=slug(self.id, "regulator", state),
            clock=start.name,
            clock_started_at=start.started_at,
            jurisdictions=codes(groups),
            affected_count=count,
            channels=list(rule.channels),
            contact=contact,
            language=language,
            reasons=[
                *reasons,
                f"The risk is {ctx.risk}, not none, so the authority must be notified; "
                f"{rule.hours} hours after awareness "
                f"({start.started_at.isoformat()}) is {due.isoformat()}.",
            ],
            warnings=[*start.warnings, *warnings],
        )

    # --- individuals -----------------------------------------------------------------------

    def _individuals(
        self, ctx: Context, version: Version, covered: list[AffectedGroup], scope: str
    ) -> tuple[Obligation | None, list[str]]:
        facts, rule = ctx.facts, version.individuals
        if ctx.risk is not RiskLevel.HIGH:
            return None, [
                f"The risk is {ctx.risk}, not high, so data subjects need not be told (Art. 34(1))."
            ]
        if facts.encryption.encrypted and not facts.encryption.key_compromised:
            return None, [
                "The data was encrypted and the key was not compromised, so communication "
                "to data subjects is not required (Art. 34(3)(a))."
            ]
        encryption = (
            ["The data was encrypted but the key was compromised, so Art. 34(3)(a) does not apply."]
            if facts.encryption.encrypted
            else []
        )
        warnings = (
            []
            if covered
            else ["No affected group is known yet; add the affected people to the facts."]
        )
        start = clock(facts, "awareness")
        obligation = Obligation(
            regime=self.id,
            audience=Audience.INDIVIDUALS,
            recipient="Affected data subjects",
            due_at=None,
            deadline=rule.deadline,
            citation=rule.citation,
            required_content=list(rule.content),
            id=slug(self.id, "individuals"),
            clock=start.name,
            clock_started_at=start.started_at,
            jurisdictions=codes(covered),
            affected_count=sum(g.count for g in covered),
            channels=list(rule.channels),
            language=self._language(covered),
            reasons=[
                scope,
                *ctx.risk_reasons,
                *encryption,
                "The risk is high, so the data subjects must be told in clear and plain "
                "language (Art. 34(1)-(2)). The exemptions of Art. 34(3)(b) (later measures "
                "remove the high risk) and (c) (disproportionate effort, replaced by a public "
                "communication) cannot be derived from the facts: waive with a reason if one "
                "applies.",
            ],
            warnings=[*start.warnings, *warnings],
        )
        return obligation, [
            "The risk is high and no encryption safe harbour applies, so data subjects must "
            "be told (Art. 34(1))."
        ]

    def _language(self, groups: list[AffectedGroup]) -> str:
        """Default language: the national language of the largest group (people's own
        preferences, from the population, take precedence when notices are rendered)."""
        if not groups:
            return "en"
        largest = max(groups, key=lambda g: (g.count, g.jurisdiction))
        authority = self.law.authorities.get(country_of(largest.jurisdiction))
        return authority.language if authority else "en"

    def _authority(self, state: str) -> tuple[str, str, str]:
        """Name, contact and language of a state's supervisory authority."""
        known = self.law.authorities.get(state)
        if known is None:  # not for a validated table; a missing entry never hides a notice
            return f"Supervisory authority of {state}", "", "en"
        return known.name, known.contact, known.language


def _lead_state(entity: Entity, established: list[str]) -> tuple[str, str, list[str]]:
    """The state of the lead supervisory authority, why, and any warnings."""
    first = country_of(established[0])
    if entity.lead_authority is None:
        return (
            first,
            f"The lead supervisory authority is taken to be that of {first}, the first "
            "EU/EEA state in entity.established_in (Art. 56(1)); set entity.lead_authority "
            "if the main establishment is elsewhere.",
            [],
        )
    lead = country_of(entity.lead_authority)
    if not is_eea(lead):
        return (
            first,
            f"The lead supervisory authority is taken to be that of {first}, the first "
            "EU/EEA state in entity.established_in (Art. 56(1)).",
            [
                f"entity.lead_authority {entity.lead_authority} is not an EU/EEA state and "
                f"was ignored; {first} is used instead."
            ],
        )
    warnings = (
        []
        if lead in {country_of(c) for c in established}
        else [
            f"entity.lead_authority {lead} is not among the EU/EEA states in "
            "entity.established_in; check where the main establishment is."
        ]
    )
    return (
        lead,
        f"The lead supervisory authority is that of {lead}, given in entity.lead_authority "
        "(one-stop-shop, Art. 56(1)); only the lead authority is notified.",
        warnings,
    )


def _describe(groups: list[AffectedGroup]) -> str:
    return ", ".join(f"{g.jurisdiction}: {g.count}" for g in groups)
