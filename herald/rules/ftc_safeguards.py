"""FTC Safeguards Rule (16 CFR 314.4(j)): notifying the FTC of a notification event.

The rules are data (``herald/rules/data/ftc-safeguards.yaml``, validated by
`FtcSafeguardsFile`); this module interprets them.

* **Scope.** Non-bank financial institutions under the FTC's GLBA jurisdiction (sector
  ``glba_financial_institution``), from 13 May 2024.
* **Notification event.** Unauthorized acquisition of unencrypted customer information;
  encrypted data counts as unencrypted when the key was acquired too. Acquisition is
  presumed from access, so every exposure counts.
* **Threshold.** 500 or more consumers (exactly 500 triggers).
* **Deadline.** 30 calendar days after discovery, to the end of that day in the entity's
  time zone. There is no duty to notify the individuals under this rule.
"""

from __future__ import annotations

from herald.deadlines import end_of_day_after
from herald.models import Audience, Sector
from herald.rules.base import Context, RegimeResult, clock
from herald.rules.regime_data import (
    NoticeRule,
    StatuteFile,
    Threshold,
    VersionBase,
    describe,
    load_regime_file,
    rule_obligation,
)


class RegulatorRule(NoticeRule):
    """The notice to the FTC, due ``days`` calendar days after discovery."""

    days: int


class FtcVersion(VersionBase):
    """The notification requirement as in force from one date."""

    threshold: Threshold
    regulator: RegulatorRule


class FtcSafeguardsFile(StatuteFile[FtcVersion]):
    """The whole data file."""


def ftc_safeguards_rules() -> FtcSafeguardsFile:
    """The Safeguards Rule data file, loaded and validated once per process."""
    return load_regime_file(FtcSafeguardsFile, "ftc-safeguards")


class FtcSafeguards:
    """The FTC Safeguards Rule notification requirement (``ftc-safeguards``)."""

    id = "ftc-safeguards"

    def __init__(self, rules: FtcSafeguardsFile | None = None) -> None:
        """Build the regime from its data file (by default the one shipped with Herald)."""
        self.rules = rules if rules is not None else ftc_safeguards_rules()

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide whether a notification event of 500 or more consumers must go to the FTC."""
        facts, rules = ctx.facts, self.rules
        if Sector.GLBA_FINANCIAL_INSTITUTION not in facts.entity.sectors:
            return RegimeResult(
                applies=False,
                reasons=[
                    "The entity is not a financial institution under the FTC's GLBA "
                    "jurisdiction (sector glba_financial_institution)."
                ],
            )
        version = rules.version_at(facts.aware_at)
        if version is None:
            return rules.not_in_force(facts.aware_at)
        reasons = [
            f"The entity is a financial institution under the FTC's jurisdiction; "
            f"{version.label} applies.",
            "The rule requires no notice to individuals (state breach laws apply separately).",
        ]
        if facts.encryption.encrypted and not facts.encryption.key_compromised:
            reasons.append(
                "The customer information was encrypted and the key was not acquired, so "
                "there is no notification event (only unencrypted information counts)."
            )
            return RegimeResult(applies=True, reasons=reasons)
        if facts.encryption.encrypted:
            reasons.append(
                "The data was encrypted but the key was compromised, so it counts as "
                "unencrypted customer information."
            )
        # A group's own empty category list means nothing of theirs was exposed; with no
        # category recorded anywhere the data is unknown, and everyone counts until it is known.
        known = bool(facts.data_categories) or any(g.data_categories for g in facts.affected)
        groups = [g for g in facts.affected if facts.categories_for(g)] if known else facts.affected
        consumers = sum(g.count for g in groups)
        boundary = version.threshold.describe(triggers=False)
        if not version.threshold.met(consumers):
            reasons.append(
                f"{consumers} consumers is not {boundary}, so the event need not be reported "
                f"to the FTC ({version.regulator.citation})."
            )
            return RegimeResult(applies=True, reasons=reasons)

        rule = version.regulator
        start = clock(facts, "discovery")
        zone = facts.entity.timezone
        due = end_of_day_after(start.started_at, rule.days, zone)
        # Herald cannot tell acquisition from mere access, nor customers from other people:
        # the rule presumes acquisition from access, and counting everyone errs on the safe side.
        why = [
            f"Unencrypted information of {consumers} consumers ({describe(groups)}) "
            f"was exposed; {consumers} is {boundary} consumers, so this notification event "
            "must be reported to the FTC. Unauthorized access is presumed to be acquisition "
            "unless reliable evidence shows otherwise.",
            f"{rule.days} calendar days after discovery ({start.started_at.isoformat()}) end "
            f"on {due.isoformat()} (end of the day in {zone}).",
        ]
        warnings = [*start.warnings]
        if not known:
            warnings.append(
                "No data category is recorded yet: every affected person is counted as a "
                "consumer whose customer information was acquired until the data is known."
            )
        obligation = rule_obligation(
            rule,
            regime=self.id,
            audience=Audience.REGULATOR,
            key="regulator",
            start=start,
            due_at=due,
            groups=groups,
            count=consumers,
            reasons=why,
            warnings=warnings,
        )
        return RegimeResult(applies=True, reasons=[*reasons, *why], obligations=[obligation])
