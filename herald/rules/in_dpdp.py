"""India DPDP Act 2023 s 8(6) and DPDP Rules 2025 Rule 7: the Board and the Data Principals.

Data: ``herald/rules/data/in-dpdp.yaml`` (schema `DpdpRules`); reference: jurisdictions.md
section 24.

* **Commencement.** Rule 7 comes into force 18 months after the Rules were published
  (13 Nov 2025), taken as **13 May 2027**. Before that day the regime imposes nothing, and
  says why (a version with ``not_in_force`` in the file).
* **Trigger.** Any personal data breach: no harm or size threshold, no encryption exception.
* **Board.** Two stages from awareness: an intimation **without delay** (no fixed instant),
  then a detailed report **within 72 hours** (exact instant; the Board may allow longer on a
  written request).
* **Data Principals.** Each affected person, **without delay**, through their user account
  or a registered mode of communication.
"""

from __future__ import annotations

from pydantic import Field

from herald.deadlines import hours_after
from herald.models import Audience
from herald.rules.apac import (
    IndividualsNotice,
    RegimeFile,
    RegulatorNotice,
    build_obligation,
    local,
    open_case,
    unknown_count_warning,
)
from herald.rules.base import Context, RegimeResult, clock
from herald.rules.regime_data import Strict, load_regime_file


class DpdpRules(Strict):
    """Rule 7 as data."""

    detailed_hours: int = Field(ge=1)
    regulator: RegulatorNotice
    regulator_detailed: RegulatorNotice
    individuals: IndividualsNotice


class InDpdp:
    """India's personal data breach intimation duty (``in-dpdp``)."""

    id = "in-dpdp"

    def __init__(self, file: RegimeFile[DpdpRules] | None = None) -> None:
        """Build the regime from its data file (the default is the law as it stands)."""
        self.file = file or load_regime_file(RegimeFile[DpdpRules], self.id)

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide commencement and scope, then the Board's two stages and the notices."""
        facts, file = ctx.facts, self.file
        case = open_case(ctx, file, concerns="Rule 7 concerns personal data.")
        if isinstance(case, RegimeResult):
            return case
        covered, rules, version, why = case.covered, case.rules, case.version, case.why

        start = clock(facts, "awareness")
        zone = facts.entity.timezone
        detailed_due = hours_after(start.started_at, rules.detailed_hours)
        facts_why = [
            covered.reason,
            version,
            why,
            "Any personal data breach is intimated: the Act and Rule 7 set no harm or size "
            "threshold and no encryption exception.",
        ]
        warnings = unknown_count_warning(covered)
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
                *facts_why,
                "First stage: the Board is told without delay; the Rule sets no fixed period "
                "(Rule 7(2)(a)).",
            ],
            warnings=warnings,
        )
        detailed = build_obligation(
            regime=self.id,
            key="regulator-detailed",
            audience=Audience.REGULATOR,
            notice=rules.regulator_detailed,
            covered=covered,
            language=file.language,
            start=start,
            due_at=detailed_due,
            reasons=[
                *facts_why,
                f"Second stage: the detailed report is due {rules.detailed_hours} hours after "
                f"becoming aware ({local(start.started_at, zone)}): by "
                f"{local(detailed_due, zone)}, unless the Board allows longer on a written "
                "request (Rule 7(2)(b)).",
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
                *facts_why,
                "Each affected Data Principal is told without delay, through their user "
                "account or a registered mode of communication (Rule 7(1)).",
            ],
            warnings=warnings,
        )
        return RegimeResult(
            applies=True,
            reasons=[
                *facts_why,
                "The Board is told without delay and in detail within "
                f"{rules.detailed_hours} hours; each Data Principal without delay.",
            ],
            obligations=[regulator, detailed, individuals],
        )
