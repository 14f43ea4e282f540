"""EU GDPR Articles 33 and 34: notifying the supervisory authority and the data subjects.

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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from herald.deadlines import hours_after
from herald.jurisdictions import country_of, is_eea
from herald.models import AffectedGroup, Audience, Channel, Entity, Obligation, RiskLevel
from herald.rules.authorities import EEA_SUPERVISORY_AUTHORITIES, Authority, supervisory_authority
from herald.rules.base import Context, RegimeResult, clock, slug


@dataclass(frozen=True)
class GdprRules:
    """The GDPR's notification rules as data (one version: unchanged since 25 May 2018)."""

    regulator_hours: int = 72
    regulator_deadline: str = (
        "Without undue delay and, where feasible, not later than 72 hours after becoming "
        "aware of the breach; a later notification must give the reasons for the delay, and "
        "information may be provided in phases (Art. 33(4))."
    )
    regulator_citation: str = "GDPR Art. 33(1), 33(3)"
    regulator_content: tuple[str, ...] = (
        "nature_of_breach",
        "categories_and_numbers",
        "dpo_contact",
        "likely_consequences",
        "measures_taken",
    )
    individuals_deadline: str = "Without undue delay (no fixed period)."
    individuals_citation: str = "GDPR Art. 34(1)-(3)"
    individuals_content: tuple[str, ...] = (
        "nature_of_breach",
        "dpo_contact",
        "likely_consequences",
        "measures_taken",
    )
    individuals_channels: tuple[Channel, ...] = (Channel.EMAIL, Channel.SMS, Channel.LETTER)


GDPR_RULES = GdprRules()


class Gdpr:
    """The EU GDPR regime (``gdpr``)."""

    id = "gdpr"

    def __init__(
        self,
        rules: GdprRules = GDPR_RULES,
        authorities: Mapping[str, Authority] = EEA_SUPERVISORY_AUTHORITIES,
    ) -> None:
        """Build the regime from its data (the defaults are the law as it stands)."""
        self.rules = rules
        self.authorities = authorities

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide scope, the regulator notice(s) and the individuals notice."""
        facts = ctx.facts
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
                obligations.append(self._lead_notice(ctx, established, covered, scope))
            else:
                obligations.extend(self._per_state_notices(ctx, eea_groups, scope))
            reasons.append(
                f"The risk is {ctx.risk}, not none, so the supervisory authority must be "
                f"notified ({', '.join(o.recipient for o in obligations)}) within "
                f"{self.rules.regulator_hours} hours of awareness (Art. 33(1))."
            )

        individuals, why = self._individuals(ctx, covered, scope)
        reasons.extend(why)
        if individuals is not None:
            obligations.append(individuals)
        return RegimeResult(applies=True, reasons=reasons, obligations=obligations)

    # --- regulator -----------------------------------------------------------------------

    def _lead_notice(
        self,
        ctx: Context,
        established: list[str],
        covered: list[AffectedGroup],
        scope: str,
    ) -> Obligation:
        country, why, warnings = _lead_state(ctx.facts.entity, established)
        return self._regulator_notice(
            ctx,
            country,
            covered,
            [scope, *ctx.risk_reasons, why],
            warnings,
            citation=f"{self.rules.regulator_citation}, 56(1)",
        )

    def _per_state_notices(
        self, ctx: Context, eea_groups: list[AffectedGroup], scope: str
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
                state,
                groups,
                [scope, *ctx.risk_reasons, why],
                [],
                citation=f"{self.rules.regulator_citation}; EDPB Guidelines 9/2022 para. 73",
            )
            for state, groups in sorted(by_state.items())
        ]

    def _regulator_notice(
        self,
        ctx: Context,
        state: str,
        groups: list[AffectedGroup],
        reasons: list[str],
        warnings: list[str],
        *,
        citation: str,
    ) -> Obligation:
        authority = supervisory_authority(state, self.authorities)
        start = clock(ctx.facts, "awareness")
        due = hours_after(start.started_at, self.rules.regulator_hours)
        count = sum(g.count for g in groups)
        return Obligation(
            regime=self.id,
            audience=Audience.REGULATOR,
            recipient=authority.name,
            due_at=due,
            deadline=self.rules.regulator_deadline,
            citation=citation,
            required_content=list(self.rules.regulator_content),
            id=slug(self.id, "regulator", state),
            clock=start.name,
            clock_started_at=start.started_at,
            jurisdictions=_codes(groups),
            affected_count=count,
            channels=[Channel.REPORT],
            contact=authority.contact,
            language=authority.language,
            reasons=[
                *reasons,
                f"The risk is {ctx.risk}, not none, so the authority must be notified; "
                f"{self.rules.regulator_hours} hours after awareness "
                f"({start.started_at.isoformat()}) is {due.isoformat()}.",
            ],
            warnings=[*start.warnings, *warnings],
        )

    # --- individuals -----------------------------------------------------------------------

    def _individuals(
        self, ctx: Context, covered: list[AffectedGroup], scope: str
    ) -> tuple[Obligation | None, list[str]]:
        facts = ctx.facts
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
            deadline=self.rules.individuals_deadline,
            citation=self.rules.individuals_citation,
            required_content=list(self.rules.individuals_content),
            id=slug(self.id, "individuals"),
            clock=start.name,
            clock_started_at=start.started_at,
            jurisdictions=_codes(covered),
            affected_count=sum(g.count for g in covered),
            channels=list(self.rules.individuals_channels),
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
        authority = self.authorities.get(country_of(largest.jurisdiction))
        return authority.language if authority else "en"


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


def _codes(groups: list[AffectedGroup]) -> list[str]:
    return sorted({g.jurisdiction for g in groups})


def _describe(groups: list[AffectedGroup]) -> str:
    return ", ".join(f"{g.jurisdiction}: {g.count}" for g in groups)
