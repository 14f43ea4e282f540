"""China CAC Incident Reporting Measures (in force 1 Nov 2025): the 1-hour and 4-hour reports.

Data: ``herald/rules/data/cn-cac-incident.yaml`` (schema `CacRules`); reference:
jurisdictions.md section 16.3.

* **Scope.** Network operators building or operating networks, or providing services via
  networks, in the PRC: the entity is established in China, or people in China are
  affected. Personal data is not needed: ``affected`` may be empty (an outage is an
  incident too).
* **Grade.** Only incidents graded **relatively major or above** are reported. The grade is
  read from the number of people whose personal information leaked (1 million or more is
  relatively major, 10 million major, 100 million particularly major; inclusive). The other
  criteria (losses, outages, population affected) are not in the facts: the decision names
  them for the responder to check. A **high risk** (judged for the covered people) presumes
  relatively major (with a warning) only where it describes the incident itself: at a CII
  operator, or when no personal data leaked; for a personal-data leak below the threshold
  the incident is general. At a **CII operator**, an incident without personal data whose
  facts give no risk level is presumed relatively major too (a CII outage of more than 10
  minutes already is), with a warning.
* **Deadline.** From discovery: **1 hour** for a CII operator (sector ``cii_operator``) to the
  CII protection work department and the public security organ; **4 hours** for any other
  operator to the provincial-level CAC. Exact instants (`hours_after`).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from herald.deadlines import hours_after
from herald.jurisdictions import country_of
from herald.models import Audience, RiskLevel, Sector
from herald.rules.apac import (
    RegimeFile,
    RegulatorNotice,
    Scope,
    build_obligation,
    covered_risk,
    local,
    out_of_scope,
    personal_data,
    rules_in_force,
    scope,
)
from herald.rules.base import Context, RegimeResult, clock
from herald.rules.regime_data import Strict, Threshold, load_regime_file


class Level(Strict):
    """One reportable grade of the Grading Guide, by leaked personal information."""

    key: str = Field(pattern=r"^[a-z_]+$")
    label: str = Field(min_length=1)
    personal_information: Threshold


class Report(Strict):
    """An hour-clock report to one set of authorities."""

    hours: int = Field(ge=1)
    notice: RegulatorNotice


class CacRules(Strict):
    """The Measures as data."""

    levels: list[Level] = Field(min_length=1, description="reportable grades, highest first")
    presumed_level_when_high_risk: str | None = None
    other_criteria: str = Field(min_length=1)
    cii_operator: Report
    other_operators: Report
    state_organs_hours: int = Field(ge=1)

    @model_validator(mode="after")
    def _known_presumption(self) -> CacRules:
        known = {level.key for level in self.levels}
        if self.presumed_level_when_high_risk not in (known | {None}):
            raise ValueError("presumed_level_when_high_risk must be the key of a level")
        return self


class CnCacIncident:
    """China's graded cybersecurity incident report (``cn-cac-incident``)."""

    id = "cn-cac-incident"

    def __init__(self, file: RegimeFile[CacRules] | None = None) -> None:
        """Build the regime from its data file (the default is the law as it stands)."""
        self.file = file or load_regime_file(RegimeFile[CacRules], self.id)

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide scope and grade, then the 1-hour or 4-hour report."""
        facts, file = ctx.facts, self.file
        covered = scope(facts, file)
        if covered is None:
            return RegimeResult(
                applies=False,
                reasons=[
                    out_of_scope(file, facts)
                    + " The Measures cover network operators in the PRC only."
                ],
            )
        rules, version = rules_in_force(file, facts.aware_at)
        if rules is None:
            return RegimeResult(
                applies=False,
                reasons=[
                    covered.reason,
                    version,
                    "The PIPL and DSL duties (cn-pipl) still apply to personal information.",
                ],
            )

        cii = Sector.CII_OPERATOR in facts.entity.sectors
        report = rules.cii_operator if cii else rules.other_operators
        # The Measures run from discovering the incident; discovered_at is never later than
        # aware_at, so it is also the conservative reading (see the file's notes).
        start = clock(facts, "discovery")
        due = hours_after(start.started_at, report.hours)
        zone = facts.entity.timezone
        level, grade_why, grade_warnings = self._grade(ctx, rules, covered)
        facts_why = [covered.reason, version, grade_why]
        if level is None:
            return RegimeResult(
                applies=True,
                reasons=[
                    *facts_why,
                    "A general-level incident is not subject to the hour-clock reporting "
                    "procedure; PIPL Art. 57 and DSL Art. 29 duties still apply (cn-pipl).",
                    f"Check the other grading criteria ({rules.other_criteria}): if any is "
                    f"met, the incident is relatively major and must be reported within "
                    f"{_hours(report.hours)} of discovery, i.e. by {local(due, zone)}.",
                ],
            )

        who = (
            "The entity is a CII operator, so it reports to the CII protection work "
            "department and the public security organ"
            if cii
            else "The entity is not a CII operator, so it reports to the provincial-level "
            "cyberspace administration where it is located"
        )
        notice, where_warnings = self._recipient(report.notice, covered, cii)
        reasons = [
            *facts_why,
            f"{who} within {_hours(report.hours)} of "
            f"discovery ({local(start.started_at, zone)}): by {local(due, zone)} (Art. 4).",
            f"Central and state organs instead report to their department's cyberspace "
            f"body within {_hours(rules.state_organs_hours)}; no entity sector marks them, so "
            "check whether the entity is one.",
            "Major and particularly major incidents are escalated onward by the authority; "
            "that is not the operator's duty.",
        ]
        if not covered.groups and not facts.data_categories:
            reasons.append(
                "No personal data is recorded: the report is due for the incident itself."
            )
        obligation = build_obligation(
            regime=self.id,
            key="regulator",
            audience=Audience.REGULATOR,
            notice=notice,
            covered=covered,
            language=file.language,
            start=start,
            due_at=due,
            reasons=reasons,
            warnings=[*grade_warnings, *where_warnings],
        )
        return RegimeResult(applies=True, reasons=reasons, obligations=[obligation])

    def _grade(
        self, ctx: Context, rules: CacRules, covered: Scope
    ) -> tuple[Level | None, str, list[str]]:
        """The reportable level, why, and warnings; None for a general-level incident."""
        count = covered.count
        for level in rules.levels:
            if level.personal_information.met(count):
                return (
                    level,
                    f"Personal information of {count:,} people leaked, which meets the "
                    f"{level.label} threshold of {level.personal_information.describe()} "
                    "(Grading Guide; '以上' read as inclusive): at or above relatively "
                    "major, so the incident is reportable.",
                    [],
                )
        lowest = rules.levels[-1]
        involved, _ = personal_data(ctx.facts, covered)
        if count:
            leaked = f"Personal information of {count:,} people leaked, below the"
        elif involved:
            leaked = (
                "Personal information leaked, but the number of people is not known yet, so "
                "it is not shown to reach the"
            )
        else:
            leaked = "No personal information is recorded as leaked, so it does not reach the"
        below = f"{leaked} {lowest.label} threshold of {lowest.personal_information.describe()}."
        presumed = next(
            (lv for lv in rules.levels if lv.key == rules.presumed_level_when_high_risk), None
        )
        # A high risk level can stand for the grading criteria Herald cannot see (losses,
        # outages) only where it describes the incident itself: at a CII operator, or when no
        # personal data leaked. For a personal-data leak below the threshold it describes the
        # risk to individuals, which the Guide does not grade by.
        cii = Sector.CII_OPERATOR in ctx.facts.entity.sectors
        risk, _ = covered_risk(ctx, covered)
        if presumed is not None and risk is RiskLevel.HIGH and (cii or count == 0):
            return (
                presumed,
                f"{below} The risk is high, so the incident is presumed {presumed.label}: the "
                f"other grading criteria ({rules.other_criteria}) cannot be read from the "
                "facts, and presuming the reportable grade is the conservative reading.",
                [
                    f"The grade {presumed.label} is presumed from the high risk level; confirm "
                    "it under the Cybersecurity Incident Grading Guide. If the incident is "
                    "general, the hour-clock report is not required: waive with a reason."
                ],
            )
        # At a CII operator an incident without personal data is about the systems; the risk
        # Herald computes for it ("none": nobody's data) says nothing about its grade, and a
        # CII outage of the whole system for more than 10 minutes is already relatively
        # major. Unless the responder judged the risk, the reportable grade is presumed.
        if presumed is not None and cii and not involved and ctx.facts.risk is None:
            return (
                presumed,
                f"{below} The entity is a CII operator and the incident involves no personal "
                f"information, so its grade rests on the other criteria ({rules.other_criteria}), "
                "which cannot be read from the facts; no risk level was given, and at a CII "
                "operator (where an outage of more than 10 minutes is already relatively major) "
                f"presuming {presumed.label} is the conservative reading.",
                [
                    f"The grade {presumed.label} is presumed for a CII operator's incident "
                    "without personal data; confirm it under the Cybersecurity Incident "
                    "Grading Guide. If the incident is general, the hour-clock report is not "
                    "required: waive with a reason, or give the facts a risk level other than "
                    "high."
                ],
            )
        return (
            None,
            f"{below} On the facts given the incident is general (一般), which the hour-clock "
            f"procedure does not cover; it becomes relatively major or above if any other "
            f"grading criterion is met ({rules.other_criteria}): then report within the hour "
            "limit (the obligation is not derived automatically for that case).",
            [],
        )

    def _recipient(
        self, notice: RegulatorNotice, covered: Scope, cii: bool
    ) -> tuple[RegulatorNotice, list[str]]:
        """Name the province for a non-CII operator when its establishment gives one."""
        if cii:
            return notice, []
        provinces = sorted(c for c in covered.established if c != "CN" and country_of(c) == "CN")
        if provinces:
            return (
                notice.model_copy(
                    update={"recipient": f"{notice.recipient} ({', '.join(provinces)})"}
                ),
                [],
            )
        return notice, [
            "The province where the operator is located cannot be derived from "
            "entity.established_in; report to the provincial-level CAC where it is located "
            "(or through the 12387 channels)."
        ]


def _hours(hours: int) -> str:
    """``1 hour``, ``4 hours``."""
    return f"{hours} hour{'s' if hours != 1 else ''}"
