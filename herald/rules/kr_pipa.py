"""South Korea PIPA Art. 34: notifying the data subjects and reporting to the PIPC or KISA.

Data: ``herald/rules/data/kr-pipa.yaml`` (schema `PipaRules`); reference: jurisdictions.md
section 23.

* **Trigger.** Loss, theft or leakage of personal information.
* **Data subjects.** Always, within **72 hours** of becoming aware (exact instant).
* **PIPC or KISA.** Within **72 hours** of becoming aware, if **1,000 or more** data subjects
  are affected (1,000 triggers, 999 does not), **or** sensitive or unique identification
  information leaked, **or** the leak came through external unauthorised access (hacking),
  any number. Hacking is read from the facts only as ransomware (``ransom_paid_at``).
"""

from __future__ import annotations

from pydantic import Field

from herald.deadlines import hours_after
from herald.models import Audience, DataCategory
from herald.rules.apac import (
    IndividualsNotice,
    RegimeFile,
    RegulatorNotice,
    build_obligation,
    exposed,
    listed,
    local,
    open_case,
    unknown_count_warning,
)
from herald.rules.base import Context, RegimeResult, clock
from herald.rules.regime_data import Strict, Threshold, load_regime_file


class PipaRules(Strict):
    """Art. 34 and the Enforcement Decree as data."""

    regulator_threshold: Threshold
    sensitive_categories: list[DataCategory] = Field(min_length=1)
    hours: int = Field(ge=1)
    regulator: RegulatorNotice
    individuals: IndividualsNotice


class KrPipa:
    """South Korea's personal information leak duty (``kr-pipa``)."""

    id = "kr-pipa"

    def __init__(self, file: RegimeFile[PipaRules] | None = None) -> None:
        """Build the regime from its data file (the default is the law as it stands)."""
        self.file = file or load_regime_file(RegimeFile[PipaRules], self.id)

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide the data subjects' notice and whether the PIPC/KISA report is due."""
        facts, file = ctx.facts, self.file
        case = open_case(ctx, file, concerns="Art. 34 concerns personal information.")
        if isinstance(case, RegimeResult):
            return case
        covered, rules, version, why = case.covered, case.rules, case.version, case.why

        start = clock(facts, "awareness")
        zone = facts.entity.timezone
        due = hours_after(start.started_at, rules.hours)
        timing = (
            f"{rules.hours} hours after becoming aware ({local(start.started_at, zone)}): "
            f"by {local(due, zone)}."
        )
        facts_why = [covered.reason, version, why]
        if facts.encryption.encrypted:
            facts_why.append(
                "The data was encrypted; encryption is no exception in Art. 34 as read "
                "(UNCONFIRMED), so the duties stand."
            )

        sensitive = exposed(facts, covered) & set(rules.sensitive_categories)
        hacking = facts.ransom_paid_at is not None
        counted = rules.regulator_threshold.met(covered.count)
        criteria = [
            f"{covered.count:,} data subjects against the threshold of "
            f"{rules.regulator_threshold.describe()}: " + ("met." if counted else "not met."),
            "Sensitive or unique identification information: "
            + (f"yes ({listed(sensitive)})." if sensitive else "no."),
            "External unauthorised access (hacking): "
            + (
                "yes, a ransom was paid (ransomware)."
                if hacking
                else "not known from the facts (only a paid ransom shows it)."
            ),
        ]
        report = counted or bool(sensitive) or hacking
        hacking_warning = (
            []
            if report
            else [
                "If the leak came through external unauthorised access (hacking), the "
                f"PIPC/KISA report is also due within {rules.hours} hours, whatever the "
                f"number: by {local(due, zone)}."
            ]
        )
        measures = (
            "The exception for measures that significantly reduce the possibility of "
            "infringement (e.g. retrieval or deletion) cannot be derived from the facts: "
            "waive with a reason if it applies."
        )
        individuals = build_obligation(
            regime=self.id,
            key="individuals",
            audience=Audience.INDIVIDUALS,
            notice=rules.individuals,
            covered=covered,
            language=file.language,
            start=start,
            due_at=due,
            reasons=[
                *facts_why,
                "Every data subject whose personal information leaked must be notified, "
                f"whatever the number (Art. 34(1)), within {timing}",
            ],
            warnings=[*unknown_count_warning(covered), *hacking_warning],
        )
        obligations = [individuals]
        if report:
            obligations.append(
                build_obligation(
                    regime=self.id,
                    key="regulator",
                    audience=Audience.REGULATOR,
                    notice=rules.regulator,
                    covered=covered,
                    language=file.language,
                    start=start,
                    due_at=due,
                    reasons=[
                        *facts_why,
                        *criteria,
                        f"A report criterion is met, so the PIPC or KISA must be told within "
                        f"{timing}",
                        measures,
                    ],
                    warnings=unknown_count_warning(covered),
                )
            )
            decision = "A report criterion is met: the PIPC or KISA must also be told."
        else:
            decision = "No report criterion is met, so no PIPC/KISA report is due."
        return RegimeResult(
            applies=True,
            reasons=[*facts_why, *criteria, decision],
            obligations=obligations,
        )
