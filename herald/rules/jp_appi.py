"""Japan APPI Art. 26: the PPC's preliminary and final reports, and the persons concerned.

Data: ``herald/rules/data/jp-appi.yaml`` (schema `AppiRules`); reference: jurisdictions.md
section 22.

* **Trigger** (any of four, for an actual or suspected leak, loss or damage): (i) special
  care-required data, any number; (ii) data whose misuse could cause financial damage, any
  number; (iii) a leak possibly caused with an unlawful purpose, any number, read from the
  facts only as ransomware (``ransom_paid_at``); (iv) **more than 1,000** persons (1,001
  triggers, 1,000 does not). Data under high-level encryption is exempt.
* **PPC.** Clock: the day of awareness. Preliminary report "promptly", kept at the
  conservative **3 days**; final report within **30 days**, **60 days** for category (iii).
  The day of awareness counts as day 1, so N days end at the end of the (N-1)th local day
  after it (entity time zone); see the file's notes.
* **Persons concerned.** Promptly, according to the circumstances (no fixed instant).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from herald.deadlines import end_of_day_after
from herald.models import Audience, DataCategory, Obligation
from herald.rules.apac import (
    IndividualsNotice,
    RegimeFile,
    RegulatorNotice,
    Scope,
    build_obligation,
    exposed,
    listed,
    local,
    out_of_scope,
    personal_data,
    rules_in_force,
    scope,
    unknown_count_warning,
)
from herald.rules.base import Clock, Context, RegimeResult, clock
from herald.rules.regime_data import Strict, Threshold, load_regime_file


class Report(Strict):
    """A report to the PPC due a number of days after awareness."""

    days: int = Field(ge=1)
    notice: RegulatorNotice


class FinalReport(Report):
    """The final report, with its longer period for unlawful-purpose cases."""

    days_unlawful_purpose: int = Field(ge=1)


class AppiRules(Strict):
    """Art. 26 and the Enforcement Rules as data."""

    sensitive_categories: list[DataCategory] = Field(min_length=1)
    financial_categories: list[DataCategory] = Field(min_length=1)
    scale: Threshold
    awareness_day_is_day_one: bool
    preliminary: Report
    final: FinalReport
    individuals: IndividualsNotice


class JpAppi:
    """Japan's personal data breach reporting duty (``jp-appi``)."""

    id = "jp-appi"

    def __init__(self, file: RegimeFile[AppiRules] | None = None) -> None:
        """Build the regime from its data file (the default is the law as it stands)."""
        self.file = file or load_regime_file(RegimeFile[AppiRules], self.id)

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide the four categories, then the two PPC reports and the persons' notice."""
        facts, file = ctx.facts, self.file
        covered = scope(facts, file)
        if covered is None:
            return RegimeResult(applies=False, reasons=[out_of_scope(file)])
        rules, version = rules_in_force(file, facts.aware_at)
        if rules is None:
            return RegimeResult(applies=False, reasons=[covered.reason, version])
        involved, why = personal_data(facts, covered)
        facts_why = [covered.reason, version, why]
        if not involved:
            return RegimeResult(
                applies=False, reasons=[*facts_why, "Art. 26 concerns personal data."]
            )
        encryption = facts.encryption
        if encryption.encrypted and not encryption.key_compromised:
            return RegimeResult(
                applies=True,
                reasons=[
                    *facts_why,
                    "The data was encrypted and the key was not compromised: data protected "
                    "by high-level encryption is exempt, so nothing is reported (Enforcement "
                    "Rules Art. 7). Check that the encryption is high-level; if not, the "
                    "report and the notice are due.",
                ],
            )

        met, unlawful, checked = self._categories(ctx, rules, covered)
        facts_why.extend(checked)
        if not met:
            return RegimeResult(
                applies=True,
                reasons=[*facts_why, "None of the four categories applies, so nothing is due."],
            )

        start = clock(facts, "awareness")
        why_due = f"Reportable under category {', '.join(met)} (Art. 26(1), Rules Art. 7)."
        final_days = rules.final.days_unlawful_purpose if unlawful else rules.final.days
        final_why = (
            [f"The leak may have been caused with an unlawful purpose: {final_days} days."]
            if unlawful
            else [
                f"No unlawful purpose is known, so {final_days} days apply; if the leak was "
                "caused with one, the final report is due in "
                f"{rules.final.days_unlawful_purpose} days instead."
            ]
        )
        preliminary = self._report(
            ctx,
            rules,
            covered,
            "regulator-preliminary",
            rules.preliminary.notice,
            rules.preliminary.days,
            start,
            [*facts_why, why_due],
        )
        final = self._report(
            ctx,
            rules,
            covered,
            "regulator-final",
            rules.final.notice,
            final_days,
            start,
            [*facts_why, why_due, *final_why],
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
                why_due,
                "The persons concerned must be notified promptly, according to the "
                "circumstances (Art. 26(2)); where that is difficult, an alternative measure "
                "such as a public announcement with a contact point is taken.",
            ],
            warnings=unknown_count_warning(covered),
        )
        return RegimeResult(
            applies=True,
            reasons=[*facts_why, why_due],
            obligations=[preliminary, final, individuals],
        )

    def _categories(
        self, ctx: Context, rules: AppiRules, covered: Scope
    ) -> tuple[list[str], bool, list[str]]:
        """The categories met (roman numerals), whether (iii) is met, and a reason for each."""
        found = exposed(ctx.facts, covered)
        sensitive = found & set(rules.sensitive_categories)
        financial = found & set(rules.financial_categories)
        unlawful = ctx.facts.ransom_paid_at is not None
        scale = rules.scale.met(covered.count)
        met = [
            label
            for label, hit in (
                ("(i)", bool(sensitive)),
                ("(ii)", bool(financial)),
                ("(iii)", unlawful),
                ("(iv)", scale),
            )
            if hit
        ]
        checked = [
            "(i) special care-required data: "
            + (f"yes ({listed(sensitive)})." if sensitive else "no."),
            "(ii) data whose misuse could cause financial damage: "
            + (f"yes ({listed(financial)})." if financial else "no."),
            "(iii) unlawful purpose: "
            + (
                "yes, a ransom was paid (ransomware)."
                if unlawful
                else "not known from the facts. If the leak was caused by unauthorised "
                "access, insider theft or ransomware, it is reportable whatever the number, "
                "and the final report is due in 60 days."
            ),
            f"(iv) {covered.count:,} persons against the threshold of "
            f"{rules.scale.describe()}: " + ("met." if scale else "not met."),
        ]
        return met, unlawful, checked

    def _report(
        self,
        ctx: Context,
        rules: AppiRules,
        covered: Scope,
        key: str,
        notice: RegulatorNotice,
        days: int,
        start: Clock,
        reasons: list[str],
    ) -> Obligation:
        due, how = self._due(ctx, rules, start.started_at, days)
        return build_obligation(
            regime=self.id,
            key=key,
            audience=Audience.REGULATOR,
            notice=notice,
            covered=covered,
            language=self.file.language,
            start=start,
            due_at=due,
            reasons=[*reasons, how],
            warnings=unknown_count_warning(covered),
        )

    @staticmethod
    def _due(ctx: Context, rules: AppiRules, start: datetime, days: int) -> tuple[datetime, str]:
        """The end of the Nth day, the day of awareness counting as day 1 if the file says so."""
        zone = ctx.facts.entity.timezone
        offset = days - 1 if rules.awareness_day_is_day_one else days
        due = end_of_day_after(start, offset, zone)
        counting = (
            "the day of awareness counting as day 1"
            if rules.awareness_day_is_day_one
            else "counting from the day after awareness"
        )
        return due, (
            f"{days} days from awareness ({local(start, zone)}), {counting}, end at "
            f"{local(due, zone)}."
        )
