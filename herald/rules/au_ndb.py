"""Australia's Notifiable Data Breaches scheme (Privacy Act 1988 Part IIIC): OAIC and individuals.

Data: ``herald/rules/data/au-ndb.yaml`` (schema `NdbRules`); reference: jurisdictions.md
section 18.

* **Trigger.** An *eligible data breach*: unauthorised access to or disclosure of personal
  information (or its loss where that is likely) that a reasonable person would conclude is
  **likely to result in serious harm**. No numeric threshold. Herald reads a high risk level
  as serious harm; a lower one means the entity must still finish its assessment.
* **Assessment.** A suspected breach is assessed within **30 days** (s 26WH): the end of the
  30th calendar day after awareness, in the entity's time zone, is stated in the reasons.
* **OAIC and individuals.** **As soon as practicable** (no fixed instant): the statement to the
  Commissioner (s 26WK), then the individuals, all or only those at risk, or a website
  publication if neither is practicable (s 26WL).
* **Risk** is judged for the covered people (`herald.rules.apac.covered_risk`): for a foreign
  entity, only the data exposed for the people in Australia counts.
"""

from __future__ import annotations

from pydantic import Field

from herald.deadlines import end_of_day_after
from herald.models import Audience, RiskLevel
from herald.rules.apac import (
    IndividualsNotice,
    RegimeFile,
    RegulatorNotice,
    build_obligation,
    covered_risk,
    local,
    open_case,
    unknown_count_warning,
)
from herald.rules.base import Context, RegimeResult, clock
from herald.rules.regime_data import Strict, load_regime_file

_APP_ENTITY = (
    "The scheme binds APP entities only (businesses with an annual turnover above A$3 "
    "million, private health service providers, credit reporting bodies, TFN recipients, "
    "traders in personal information ...); this cannot be read from the facts, so the entity "
    "is taken to be one: waive with a reason if it is not."
)


class NdbRules(Strict):
    """Part IIIC as data."""

    assessment_days: int = Field(ge=1)
    regulator: RegulatorNotice
    individuals: IndividualsNotice


class AuNdb:
    """Australia's Notifiable Data Breaches scheme (``au-ndb``)."""

    id = "au-ndb"

    def __init__(self, file: RegimeFile[NdbRules] | None = None) -> None:
        """Build the regime from its data file (the default is the law as it stands)."""
        self.file = file or load_regime_file(RegimeFile[NdbRules], self.id)

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide whether the breach is eligible, then the statement and the individuals."""
        facts, file = ctx.facts, self.file
        case = open_case(ctx, file, concerns="Part IIIC concerns personal data.")
        if isinstance(case, RegimeResult):
            return case
        covered, rules, version, why = case.covered, case.rules, case.version, case.why

        # Awareness of a suspected breach starts the s 26WH assessment; the notices follow
        # "as soon as practicable" once there are reasonable grounds, with no fixed instant.
        start = clock(facts, "awareness")
        zone = facts.entity.timezone
        assessed_by = end_of_day_after(start.started_at, rules.assessment_days, zone)
        assessment = (
            f"The assessment of the suspected breach must be reasonable and expeditious, "
            f"taking all reasonable steps to finish within {rules.assessment_days} days of "
            f"awareness: by {local(assessed_by, zone)} (s 26WH)."
        )
        risk, risk_reasons = covered_risk(ctx, covered)
        facts_why = [covered.reason, version, why, *risk_reasons]
        if risk is not RiskLevel.HIGH:
            return RegimeResult(
                applies=True,
                reasons=[
                    *facts_why,
                    f"The risk is {risk}, not high, so serious harm is not presumed and "
                    "the breach is not taken to be an eligible data breach (s 26WE); if the "
                    "assessment finds serious harm likely, the OAIC and the individuals must "
                    "be notified as soon as practicable.",
                    assessment,
                ],
            )

        eligible = (
            "The risk is high, so a reasonable person would conclude that serious harm is "
            "likely: the breach is taken to be an eligible data breach (s 26WE)."
        )
        exception = (
            "The remedial-action exception (s 26WF: action taken before serious harm that "
            "makes it no longer likely) cannot be derived from the facts: waive with a reason "
            "if it applies."
        )
        reasons = [*facts_why, eligible, assessment, exception]
        warnings = [_APP_ENTITY, *unknown_count_warning(covered)]
        regulator = build_obligation(
            regime=self.id,
            key="regulator",
            audience=Audience.REGULATOR,
            notice=rules.regulator,
            covered=covered,
            language=file.language,
            start=start,
            due_at=None,
            reasons=[
                *reasons,
                "A statement must be given to the Commissioner as soon as practicable; the "
                "law sets no fixed period (s 26WK).",
            ],
            warnings=warnings,
        )
        individuals = build_obligation(
            regime=self.id,
            key="individuals",
            audience=Audience.INDIVIDUALS,
            notice=rules.individuals,
            covered=covered,
            language=file.language,
            start=start,
            due_at=None,
            reasons=[
                *reasons,
                "As soon as practicable after the statement is prepared, the individuals are "
                "told: all of them, or only those at risk of serious harm; if neither is "
                "practicable, the statement is published on the website and publicised "
                "(s 26WL).",
            ],
            warnings=warnings,
        )
        return RegimeResult(
            applies=True,
            reasons=[
                *reasons,
                "The OAIC and the individuals must be notified as soon as practicable.",
            ],
            obligations=[regulator, individuals],
        )
