"""SEC Form 8-K Item 1.05: disclosure of a material cybersecurity incident.

The rules are data (``herald/rules/data/sec-8k.yaml``, validated by `Sec8kFile`); this
module interprets them.

* **Scope.** Every SEC registrant (sector ``sec_registrant``), whether or not personal data
  was involved: the duty follows the incident, not the people affected.
* **Trigger.** The registrant's determination that the incident is material. Materiality is
  a judgement Herald cannot make, so the filing is listed for every registrant's incident
  and its reasons say it is due only if the incident is determined material;
  ``facts.determined_at`` is taken as that determination.
* **Deadline.** Four business days after the determination, counting days the Commission is
  open (`herald.deadlines.sec_business_days_after`). A determination on a weekend or holiday
  starts the count on the next business day, which that function's counting already yields.
  The final day is counted from the determination's date on the Commission's (Eastern)
  calendar and on the entity's, and the earlier result is kept (the two differ only for a
  determination near midnight); as every day-count deadline of the contract (design.md),
  it is printed as the last instant of that day in the entity's time zone. When that is
  later than the end of the Commission's own day, a warning gives the Eastern instant.
* **Delays** (Attorney General, FCC CPNI rule) and the Form 8-K/A are stated in the reasons.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from herald.models import Audience, Obligation, Sector
from herald.models.types import TimeZone
from herald.rules.base import Clock, Context, RegimeResult, clock
from herald.rules.regime_data import (
    NoticeRule,
    StatuteFile,
    VersionBase,
    load_regime_file,
    rule_obligation,
)


class FilingRule(NoticeRule):
    """The Form 8-K filing: four business days after the materiality determination."""

    business_days: int
    # The Commission's own zone: its calendar dates the determination, and its day's end is
    # given in a warning when the entity's day ends later.
    commission_timezone: TimeZone
    conditions: list[str]


class Sec8kVersion(VersionBase):
    """Item 1.05 as in force from one date."""

    smaller_reporting_companies_from: date
    filing: FilingRule


class Sec8kFile(StatuteFile[Sec8kVersion]):
    """The whole data file."""


def sec_8k_rules() -> Sec8kFile:
    """The Item 1.05 data file, loaded and validated once per process."""
    return load_regime_file(Sec8kFile, "sec-8k")


def filing_due(start: datetime, rule: FilingRule, zone: str) -> datetime:
    """The end of the last business day of the filing period, in UTC.

    Args:
        start: the materiality determination.
        rule: the filing rule (number of business days and the Commission's time zone).
        zone: the entity's IANA time zone, in which the final day ends (design.md).

    Returns:
        The last instant, in ``zone``, of the ``rule.business_days``-th day the Commission
        is open after the determination's date. That date is read on the Commission's
        calendar and on the entity's; the earlier final day is kept, so a determination
        near midnight never moves the deadline later.
    """
    # Imported here rather than at module level: the SEC calendar was added to
    # herald.deadlines alongside this regime, and a lazy import keeps this module importable
    # (and the other regimes usable) should that function move.
    from herald.deadlines import end_of_day_after, sec_business_days_after

    final = min(
        sec_business_days_after(start, rule.business_days, tz=tz).astimezone(ZoneInfo(tz)).date()
        for tz in (rule.commission_timezone, zone)
    )
    noon = datetime.combine(final, time(12), tzinfo=ZoneInfo(zone))
    return end_of_day_after(noon, 0, zone)


class Sec8k:
    """SEC Form 8-K Item 1.05 (``sec-8k``)."""

    id = "sec-8k"

    def __init__(self, rules: Sec8kFile | None = None) -> None:
        """Build the regime from its data file (by default the one shipped with Herald)."""
        self.rules = rules if rules is not None else sec_8k_rules()

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide whether the registrant must file, and by when if the incident is material."""
        facts, rules = ctx.facts, self.rules
        if Sector.SEC_REGISTRANT not in facts.entity.sectors:
            return RegimeResult(
                applies=False,
                reasons=["The entity is not an SEC registrant (sector sec_registrant)."],
            )
        version = rules.version_at(facts.aware_at)
        if version is None:
            return rules.not_in_force(facts.aware_at)
        start = clock(facts, "determination")
        obligation = self._filing(ctx, version, start)
        return RegimeResult(
            applies=True,
            reasons=[
                f"The entity is an SEC registrant; {version.label} applies, whether or not "
                "personal data was involved.",
                *obligation.reasons[1:3],
            ],
            obligations=[obligation],
        )

    def _filing(self, ctx: Context, version: Sec8kVersion, start: Clock) -> Obligation:
        facts, rule = ctx.facts, version.filing
        zone = facts.entity.timezone
        due = filing_due(start.started_at, rule, zone)
        commission = ZoneInfo(rule.commission_timezone)
        determined = start.started_at.astimezone(commission)
        final = due.astimezone(ZoneInfo(zone)).date()
        warnings = [*start.warnings]
        if start.warnings:
            warnings.append(
                "Set determined_at to the moment the registrant determined the incident to "
                "be material; materiality must be determined without unreasonable delay after "
                "discovery."
            )
        commission_end = datetime.combine(final, time.max, tzinfo=commission)
        if commission_end < due:
            warnings.append(
                f"The deadline is printed as the end of {final.isoformat()} in {zone} (the "
                "entity's time zone); the Commission's own day ends earlier, at "
                f"{commission_end.isoformat()} Eastern time: file on EDGAR by then."
            )
        aware_day = facts.aware_at.astimezone(ZoneInfo(self.rules.timezone)).date()
        if aware_day < version.smaller_reporting_companies_from:
            warnings.append(
                "A smaller reporting company became subject to Item 1.05 only on "
                f"{version.smaller_reporting_companies_from.isoformat()}; if the registrant "
                "is one, waive this obligation with that reason."
            )
        return rule_obligation(
            rule,
            regime=self.id,
            audience=Audience.REGULATOR,
            key="regulator",
            start=start,
            due_at=due,
            # The filing concerns the incident as a whole, so it covers every affected group.
            groups=facts.affected,
            count=facts.total_affected(),
            reasons=[
                "The entity is an SEC registrant (sector sec_registrant).",
                "The filing is due only if the incident is determined to be material; "
                "determined_at is taken as the materiality determination "
                f"({start.started_at.isoformat()}).",
                f"{rule.business_days} business days (days the Commission is open) after the "
                f"determination on {determined.date().isoformat()} (Eastern) end on "
                f"{final.isoformat()}; the deadline is the end of that day in {zone}, "
                f"{due.isoformat()}.",
                *rule.conditions,
            ],
            warnings=warnings,
        )
