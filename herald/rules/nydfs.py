"""NYDFS Cybersecurity Regulation, 23 NYCRR 500.17: notices to the Superintendent.

The rules are data (``herald/rules/data/nydfs-500.yaml``, validated by `NydfsFile`); this
module interprets them.

* **Scope.** Covered entities licensed or regulated under New York's Banking, Insurance or
  Financial Services Law (sector ``nydfs_covered_entity``), whether or not personal data
  was involved and with no numeric threshold.
* **Incident notice.** 72 elapsed hours after determining that a cybersecurity incident
  occurred (``facts.determined_at``); whether the event qualifies is a judgement, stated in
  the reasons.
* **Extortion payment** (since the 2023 amendment): notice within 24 elapsed hours of the
  payment (``facts.ransom_paid_at``) and a written description within 30 days of it, to
  the end of that day in the entity's time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import Field

from herald.deadlines import end_of_day_after, hours_after
from herald.models import Audience, Obligation, Sector
from herald.rules.base import Clock, Context, RegimeResult, clock, slug
from herald.rules.regime_data import (
    NoticeRule,
    StatuteFile,
    Strict,
    VersionBase,
    load_regime_file,
    rule_obligation,
)


class HourNotice(NoticeRule):
    """A notice due a number of elapsed hours after its clock starts."""

    hours: int


class IncidentNotice(HourNotice):
    """The cybersecurity incident notice, with the conditions that make it due."""

    conditions: list[str]


class DayNotice(NoticeRule):
    """A notice due a number of calendar days after its clock starts."""

    days: int


class RansomNotice(Strict):
    """Mixin: the stable id suffix of an extortion-payment notice."""

    key: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")


class RansomHourNotice(HourNotice, RansomNotice):
    """The notice of the payment itself."""


class RansomDayNotice(DayNotice, RansomNotice):
    """The written description of the payment."""


class RansomRules(Strict):
    """The two notices an extortion payment requires (500.17(c))."""

    notice: RansomHourNotice
    description: RansomDayNotice


class NydfsVersion(VersionBase):
    """500.17 as in force from one date; ``ransom`` is None before extortion notices existed."""

    incident: IncidentNotice
    ransom: RansomRules | None = None


class NydfsFile(StatuteFile[NydfsVersion]):
    """The whole data file."""


def nydfs_rules() -> NydfsFile:
    """The 500.17 data file, loaded and validated once per process."""
    return load_regime_file(NydfsFile, "nydfs-500")


class Nydfs:
    """NYDFS 23 NYCRR 500.17 (``nydfs-500``)."""

    id = "nydfs-500"

    def __init__(self, rules: NydfsFile | None = None) -> None:
        """Build the regime from its data file (by default the one shipped with Herald)."""
        self.rules = rules if rules is not None else nydfs_rules()

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide the 72-hour incident notice and, after a ransom payment, its two notices."""
        facts, rules = ctx.facts, self.rules
        if Sector.NYDFS_COVERED_ENTITY not in facts.entity.sectors:
            return RegimeResult(
                applies=False,
                reasons=[
                    "The entity is not an NYDFS covered entity (sector nydfs_covered_entity)."
                ],
            )
        version = rules.version_at(facts.aware_at)
        if version is None:
            return rules.not_in_force(facts.aware_at)
        reasons = [
            f"The entity is an NYDFS covered entity; {version.label} applies, whether or not "
            "personal data was involved."
        ]
        rule = version.incident
        start = clock(facts, "determination")
        due = hours_after(start.started_at, rule.hours)
        why = (
            f"{rule.hours} hours after the determination ({start.started_at.isoformat()}, "
            "taken from determined_at as the determination that a cybersecurity incident "
            f"occurred) end at {due.isoformat()}."
        )
        incident = self._make(ctx, rule, "", due, start, [why, *rule.conditions])
        obligations = [incident]
        reasons.append(why)
        ransom, why_ransom = self._ransom(ctx)
        obligations += ransom
        reasons += why_ransom
        return RegimeResult(applies=True, reasons=reasons, obligations=obligations)

    def _ransom(self, ctx: Context) -> tuple[list[Obligation], list[str]]:
        paid = ctx.facts.ransom_paid_at
        if paid is None:
            return [], [
                "No extortion payment is recorded (ransom_paid_at); if one is made, DFS must "
                "be notified within 24 hours and sent a written description within 30 days."
            ]
        # The payment triggers these notices, so the law in force on its day decides.
        version = self.rules.version_at(paid)
        if version is None or version.ransom is None:
            return [], [
                f"The extortion payment ({paid.isoformat()}) predates the extortion-payment "
                "notices of 500.17(c), so none is due."
            ]
        notice, description = version.ransom.notice, version.ransom.description
        paid_utc = paid.astimezone(UTC)
        due_24h = hours_after(paid, notice.hours)
        zone = ctx.facts.entity.timezone
        due_30d = end_of_day_after(paid, description.days, zone)
        why_24h = (
            f"An extortion payment was made at {paid_utc.isoformat()}: {notice.hours} hours "
            f"later is {due_24h.isoformat()}."
        )
        why_30d = (
            f"{description.days} days after the payment ({paid_utc.isoformat()}) end on "
            f"{due_30d.isoformat()} (end of the day in {zone})."
        )
        payment = Clock("ransom_payment", paid_utc, [])
        obligations = [
            self._make(ctx, notice, notice.key, due_24h, payment, [why_24h]),
            self._make(ctx, description, description.key, due_30d, payment, [why_30d]),
        ]
        return obligations, [why_24h, why_30d]

    def _make(
        self,
        ctx: Context,
        rule: HourNotice | DayNotice,
        key: str,
        due: datetime,
        start: Clock,
        reasons: list[str],
    ) -> Obligation:
        facts = ctx.facts
        return rule_obligation(
            rule,
            regime=self.id,
            audience=Audience.REGULATOR,
            key=slug("regulator", key),
            start=start,
            due_at=due,
            # The notice concerns the incident as a whole, so it covers every affected group.
            groups=facts.affected,
            count=facts.total_affected(),
            reasons=reasons,
            warnings=start.warnings,
        )
