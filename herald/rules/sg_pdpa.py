"""Singapore PDPA Part 6A: notifying the PDPC and the affected individuals.

Data: ``herald/rules/data/sg-pdpa.yaml`` (schema `SgRules`); reference: jurisdictions.md
section 17.

* **Trigger.** A *notifiable* data breach: one likely to result in **significant harm** to an
  affected individual, **or** of **significant scale**, 500 or more affected individuals (500
  triggers, 499 does not). Herald reads a high risk level as significant harm.
* **PDPC.** No later than **3 calendar days after the day** the organisation assessed the
  breach to be notifiable: the assessment is ``determined_at``; counting starts the next
  local day (entity time zone) and the deadline is the end of the third day.
* **Individuals.** Only for significant-harm breaches, on or after notifying the PDPC (no
  fixed period), unless a technological measure such as encryption with a safe key makes
  significant harm unlikely (s 26D).
* **Risk** is judged for the covered people (`herald.rules.apac.covered_risk`): for a foreign
  entity, only the data exposed for the people in Singapore counts.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from pydantic import Field

from herald.deadlines import end_of_day_after
from herald.models import Audience, Obligation, RiskLevel
from herald.rules.apac import (
    IndividualsNotice,
    RegimeFile,
    RegulatorNotice,
    Scope,
    build_obligation,
    covered_risk,
    local,
    open_case,
    unknown_count_warning,
)
from herald.rules.base import Context, RegimeResult, clock
from herald.rules.regime_data import Strict, Threshold, load_regime_file


class SgRules(Strict):
    """Part 6A as data."""

    significant_scale: Threshold
    assessment_days: int = Field(ge=1, description="PDPC guidance for the assessment itself")
    regulator_days_after_assessment: int = Field(ge=1)
    regulator: RegulatorNotice
    individuals: IndividualsNotice


class SgPdpa:
    """Singapore's data breach notification duty (``sg-pdpa``)."""

    id = "sg-pdpa"

    def __init__(self, file: RegimeFile[SgRules] | None = None) -> None:
        """Build the regime from its data file (the default is the law as it stands)."""
        self.file = file or load_regime_file(RegimeFile[SgRules], self.id)

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide whether the breach is notifiable, then the PDPC and individuals notices."""
        file = self.file
        case = open_case(ctx, file, concerns="Part 6A concerns personal data.")
        if isinstance(case, RegimeResult):
            return case
        covered, rules, version, why = case.covered, case.rules, case.version, case.why

        risk, risk_reasons = covered_risk(ctx, covered)
        harm = risk is RiskLevel.HIGH
        scale = rules.significant_scale.met(covered.count)
        harm_why = f"The risk is {risk}: " + (
            "the breach is taken as likely to result in significant harm (s 26B(1)(a))."
            if harm
            else "not high, so significant harm is not presumed (s 26B(1)(a))."
        )
        scale_why = (
            f"{covered.count} affected individuals against the significant-scale threshold of "
            f"{rules.significant_scale.describe()}: "
            + ("met (s 26B(1)(b))." if scale else "not met (s 26B(1)(b)).")
        )
        facts_why = [covered.reason, version, why, *risk_reasons, harm_why, scale_why]
        if not harm and not scale:
            return RegimeResult(
                applies=True,
                reasons=[
                    *facts_why,
                    "The breach is neither likely to cause significant harm nor of "
                    "significant scale, so it is not notifiable; the assessment must still be "
                    f"made reasonably and expeditiously (PDPC guidance: within "
                    f"{rules.assessment_days} calendar days) and documented.",
                ],
            )

        regulator = self._regulator(ctx, rules, covered, facts_why)
        obligations = [regulator]
        reasons = [
            *facts_why,
            "The breach is notifiable, so the PDPC must be notified.",
        ]
        individuals, why_individuals = self._individuals(ctx, rules, covered, facts_why, harm)
        reasons.append(why_individuals)
        if individuals is not None:
            obligations.append(individuals)
        return RegimeResult(applies=True, reasons=reasons, obligations=obligations)

    def _regulator(
        self, ctx: Context, rules: SgRules, covered: Scope, facts_why: list[str]
    ) -> Obligation:
        zone = ctx.facts.entity.timezone
        # Part 6A's clock is the organisation's assessment that the breach is notifiable,
        # which the facts carry as determined_at; `clock` falls back (earlier) with a warning.
        start = clock(ctx.facts, "determination")
        days = rules.regulator_days_after_assessment
        due = end_of_day_after(start.started_at, days, zone)
        assessed_on = start.started_at.astimezone(ZoneInfo(zone)).isoformat()
        return build_obligation(
            regime=self.id,
            key="regulator",
            audience=Audience.REGULATOR,
            notice=rules.regulator,
            covered=covered,
            language=self.file.language,
            start=start,
            due_at=due,
            clock_name="assessment",
            reasons=[
                *facts_why,
                f"The breach was assessed to be notifiable at {assessed_on} (determined_at); "
                f"{days} calendar days after that day end at {local(due, zone)}.",
                "The exception for a breach wholly within the organisation (s 26B) cannot "
                "be derived from the facts: waive with a reason if it applies.",
            ],
            warnings=unknown_count_warning(covered),
        )

    def _individuals(
        self,
        ctx: Context,
        rules: SgRules,
        covered: Scope,
        facts_why: list[str],
        harm: bool,
    ) -> tuple[Obligation | None, str]:
        encryption = ctx.facts.encryption
        if not harm:
            return None, (
                "The breach is notifiable for its scale alone, not for significant harm, so "
                "the individuals need not be notified (s 26D(2))."
            )
        if encryption.encrypted and not encryption.key_compromised:
            return None, (
                "The data was encrypted and the key was not compromised: a technological "
                "measure makes significant harm unlikely, so the individuals need not be "
                "notified (s 26D)."
            )
        obligation = build_obligation(
            regime=self.id,
            key="individuals",
            audience=Audience.INDIVIDUALS,
            notice=rules.individuals,
            covered=covered,
            language=self.file.language,
            start=clock(ctx.facts, "determination"),
            due_at=None,
            clock_name="assessment",
            reasons=[
                *facts_why,
                "The breach is likely to result in significant harm, so each affected "
                "individual must be notified, on or after notifying the PDPC (s 26D(2)).",
                "The remedial-action exception (s 26D) cannot be derived from the "
                "facts: waive with a reason if remedial action made significant harm unlikely.",
            ],
            warnings=[
                *unknown_count_warning(covered),
                "Do not notify the individuals if a prescribed law-enforcement agency "
                "instructs, or the PDPC directs, not to (s 26D).",
            ],
        )
        return obligation, "Significant harm is likely, so the individuals must be notified."
