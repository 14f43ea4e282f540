"""Brazil, LGPD Art. 48 and Resolução CD/ANPD nº 15/2024: communicating security incidents.

The rules are data in ``data/br-lgpd.yaml``, validated by `LgpdLaw` and versioned by effective
date (jurisdictions.md section 21): Resolution 15/2024 from 26 Apr 2024, the ANPD's earlier
guidance before it.

* **Scope.** People in Brazil are affected (``BR`` or ``BR-xx``), or the controller is
  established in Brazil, in which case everyone affected is covered.
* **Trigger: relevant risk or damage**, two cumulative criteria. (1) The incident may
  significantly affect the data subjects' interests or fundamental rights: Herald's risk is
  not ``none``. (2) It involves at least one of the listed kinds of data (sensitive data;
  data of children, adolescents or the elderly; financial data; authentication data; data
  under secrecy; large-scale data). The categories map to the first four; data of the
  elderly, secrecy and large scale cannot be derived from the facts, and unknown categories
  are taken to meet the criterion (the conservative reading). Both criteria are judged for
  the people covered: their own data categories (``affected[].data_categories``) and a risk
  computed from them (`herald.rules.base.covered_context`). An incident with no personal
  data at all is not a personal data security incident.
* **Deadlines**, from the controller's knowledge that the incident affected personal data
  (awareness), in business days (*dias úteis*: no Saturdays, Sundays or Brazilian national
  holidays): the ANPD within 3 (6 for a small processing agent, ``entity.small_agent``);
  supplementary information within 20 of the communication (chained: computed from the
  first deadline until the communication is recorded as filed); the data subjects within 3.
  Each ends at the last instant of its final day in the entity's time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from herald.jurisdictions import country_of
from herald.models import AffectedGroup, Audience, Channel, DataCategory, Obligation, RiskLevel
from herald.rules.base import (
    NO_PERSONAL_DATA,
    Clock,
    Context,
    RegimeResult,
    clock,
    covered_context,
    personal_data_involved,
    slug,
)
from herald.rules.regime_data import (
    DATA_DIR,
    NoticeContent,
    ReportContent,
    Strict,
    VersionBase,
    VersionedFile,
    codes,
    load_regime_file,
)

DATA_FILE = DATA_DIR / "br-lgpd.yaml"
BRAZIL = "BR"
REGULATOR_ID = "br-lgpd-regulator"  # the communication the supplement chains to


class Authority(Strict):
    """The Autoridade Nacional de Proteção de Dados."""

    name: str = Field(min_length=1)
    contact: str = Field(min_length=1)
    language: str = Field(default="pt-BR", min_length=2)


class Period(Strict):
    """A number of days, business days (*dias úteis*) unless ``business`` is false."""

    days: int = Field(ge=1)
    business: bool = True

    def describe(self) -> str:
        """The period in words, e.g. ``3 business days``."""
        return f"{self.days} {'business' if self.business else 'calendar'} days"


class RegulatorRule(Strict):
    """The communication to the ANPD."""

    period: Period
    small_agent_period: Period
    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: ReportContent = Field(min_length=1)


class SupplementRule(Strict):
    """Supplementary information, counted from the communication."""

    period: Period
    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: ReportContent = Field(min_length=1)


class IndividualsRule(Strict):
    """The communication to the data subjects; ``period`` None = no fixed period."""

    period: Period | None
    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: NoticeContent = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)


class Version(VersionBase):
    """The rules as in force from one (Brasília) date."""

    regulator: RegulatorRule
    supplement: SupplementRule
    individuals: IndividualsRule


class LgpdLaw(VersionedFile[Version]):
    """The whole data file: the frame, the ANPD and the data criteria."""

    id: Literal["br-lgpd"]
    name: str = Field(min_length=1)
    authority: Authority
    criteria: dict[str, list[DataCategory]] = Field(
        min_length=1, description="data-kind criterion, in words -> the categories meeting it"
    )
    not_derivable: str = Field(min_length=1, description="criteria the facts cannot show")
    incident_register: str = Field(min_length=1)


def load_rules() -> LgpdLaw:
    """The data file, read and validated once per process; errors name the file."""
    return load_regime_file(LgpdLaw, "br-lgpd")


def brazil_days_after(start: datetime, period: Period, tz: str) -> datetime:
    """The end of the last day of ``period`` after ``start``, in UTC.

    Business days skip Saturdays, Sundays and Brazilian national holidays; state and
    municipal holidays are ignored, which can only make the deadline earlier.

    Args:
        start: an aware instant that starts the clock.
        period: the days to count, business or calendar.
        tz: IANA time zone whose calendar counts (the entity's).

    Returns:
        23:59:59.999999 local time on the final day, as an aware UTC datetime.
    """
    # Imported here, not at the top, so that this module still loads with a
    # herald.deadlines that predates business days (it was added alongside this regime).
    from herald.deadlines import business_days_after, end_of_day_after

    if period.business:
        return business_days_after(start, period.days, tz=tz, country=BRAZIL, subdivision=None)
    return end_of_day_after(start, period.days, tz)


class BrLgpd:
    """Brazil's LGPD security-incident communication (``br-lgpd``)."""

    id = "br-lgpd"

    def __init__(self, law: LgpdLaw | None = None) -> None:
        """Build the regime from its data (the bundled data file by default)."""
        self.law = law if law is not None else load_rules()

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide relevant risk or damage, and the ANPD, supplement and data-subject notices."""
        facts, law = ctx.facts, self.law
        brazil = [g for g in facts.affected if country_of(g.jurisdiction) == BRAZIL]
        established = [c for c in facts.entity.established_in if country_of(c) == BRAZIL]
        if not brazil and not established:
            return RegimeResult(
                applies=False,
                reasons=[
                    "No affected group resides in Brazil and the controller is not established "
                    "there, so the LGPD does not reach this incident."
                ],
            )
        version = law.version_at(facts.aware_at)
        if version is None:
            return RegimeResult(
                applies=False,
                reasons=[
                    "The LGPD's incident rules were not in force when the controller became "
                    f"aware ({facts.aware_at.isoformat()}); they start on "
                    f"{law.versions[0].effective_from}."
                ],
            )
        # An establishment in Brazil brings every data subject in, wherever they live.
        covered = list(facts.affected) if established else brazil
        where = "the controller is established in Brazil" if established else "people in Brazil"
        scope = (
            f"The LGPD covers this incident ({where}: {sum(g.count for g in covered)} data "
            f"subjects). The law in force is {version.label}."
        )
        if not personal_data_involved(facts):
            return RegimeResult(
                applies=True, reasons=[scope, NO_PERSONAL_DATA.format(law="LGPD Art. 48")]
            )
        ctx = covered_context(ctx, covered)
        reasons = [scope, *ctx.risk_reasons, law.incident_register]
        if ctx.risk is RiskLevel.NONE:
            reasons.append(
                "The risk is none, so the incident is not taken to affect the data subjects' "
                "interests or fundamental rights significantly: no relevant risk or damage, "
                "nothing to communicate (LGPD Art. 48)."
            )
            return RegimeResult(applies=True, reasons=reasons)
        met, why, warnings = self._data_criterion(ctx, covered)
        reasons.append(why)
        if not met:
            return RegimeResult(applies=True, reasons=reasons)
        relevant = (
            f"The risk is {ctx.risk}, not none, and the data criterion is met, so the incident "
            "may cause relevant risk or damage (both criteria are cumulative)."
        )
        reasons.append(relevant)
        start = clock(facts, "awareness")
        basis = [scope, *ctx.risk_reasons, why, relevant]
        warnings = [*start.warnings, *warnings]
        if not covered:
            warnings.append("No affected group is known yet; add the affected people to the facts.")
        regulator = self._regulator(ctx, version, covered, start, basis, warnings)
        obligations = [
            regulator,
            self._supplement(ctx, version, covered, regulator, basis),
            self._individuals(ctx, version, covered, start, basis, warnings),
        ]
        return RegimeResult(applies=True, reasons=reasons, obligations=obligations)

    def _data_criterion(
        self, ctx: Context, covered: list[AffectedGroup]
    ) -> tuple[bool, str, list[str]]:
        """Whether the exposed data meets the second criterion, why, and any warnings."""
        facts = ctx.facts
        # The data exposed for the people covered: each group's own list, or the
        # incident-wide one it falls back to (that list alone while no group is known).
        exposed = (
            {c for group in covered for c in facts.categories_for(group)}
            if covered
            else set(facts.data_categories)
        )
        found = {
            kind: sorted(c.value for c in exposed & set(categories))
            for kind, categories in self.law.criteria.items()
        }
        matched = [f"{kind} ({', '.join(cats)})" for kind, cats in found.items() if cats]
        if matched:
            return True, f"The incident involves {'; '.join(matched)}.", []
        if not exposed:
            # Nothing known about the data yet: assume the worst until it is.
            return (
                True,
                "No data category is recorded, so the data criterion is assumed to be met.",
                [
                    "The exposed data categories are unknown: the data criterion is assumed met; "
                    "record the categories to re-assess."
                ],
            )
        listed = ", ".join(sorted(c.value for c in exposed))
        return (
            False,
            f"The exposed data ({listed}) meets none of the data criteria, so there is no "
            f"relevant risk or damage to communicate. {self.law.not_derivable}",
            [],
        )

    def _regulator(
        self,
        ctx: Context,
        version: Version,
        covered: list[AffectedGroup],
        start: Clock,
        basis: list[str],
        warnings: list[str],
    ) -> Obligation:
        rule, zone = version.regulator, ctx.facts.entity.timezone
        small = ctx.facts.entity.small_agent
        period = rule.small_agent_period if small else rule.period
        due = brazil_days_after(start.started_at, period, zone)
        who = (
            "entity.small_agent is true, so the small processing agents' period applies"
            if small
            else "the controller is not marked as a small processing agent (entity.small_agent)"
        )
        return self._obligation(
            "regulator",
            rule,
            due,
            covered,
            start,
            [
                *basis,
                f"{who}: {period.describe()} after knowledge ({start.started_at.isoformat()}) "
                f"end on {due.isoformat()} (end of the day in {zone}; national holidays only).",
            ],
            warnings,
        )

    def _supplement(
        self,
        ctx: Context,
        version: Version,
        covered: list[AffectedGroup],
        regulator: Obligation,
        basis: list[str],
    ) -> Obligation:
        rule, zone = version.supplement, ctx.facts.entity.timezone
        sent = ctx.notified.get(REGULATOR_ID)
        warnings: list[str] = []
        if sent is not None:
            due = brazil_days_after(sent, rule.period, zone)
            why = f"The communication was filed at {sent.isoformat()}"
        else:
            assert regulator.due_at is not None  # the communication always has a deadline
            due = brazil_days_after(regulator.due_at, rule.period, zone)
            why = (
                "Until the communication is recorded as filed, this is computed from its "
                f"deadline ({regulator.due_at.isoformat()})"
            )
            warnings += regulator.warnings
            warnings.append(
                "Chained to the ANPD communication: this due date assumes it is filed on its "
                "last day and moves earlier if it is filed sooner; record when it was filed."
            )
        start = Clock("anpd_communication", sent, []) if sent else None
        why += f"; {rule.period.describe()} later is {due.isoformat()}."
        return self._obligation(
            "regulator-supplement", rule, due, covered, start, [*basis, why], warnings
        )

    def _individuals(
        self,
        ctx: Context,
        version: Version,
        covered: list[AffectedGroup],
        start: Clock,
        basis: list[str],
        warnings: list[str],
    ) -> Obligation:
        rule, zone = version.individuals, ctx.facts.entity.timezone
        due = brazil_days_after(start.started_at, rule.period, zone) if rule.period else None
        timing = (
            f"{rule.period.describe()} after knowledge end on {due.isoformat()}."
            if rule.period and due
            else "The rule in force sets no fixed period."
        )
        return self._obligation(
            "individuals",
            rule,
            due,
            covered,
            start,
            [
                *basis,
                timing,
                "Individual notice where possible, in clear and simple language; where it is "
                "not possible for everyone, a public notice kept for at least 90 days on the "
                "website, apps, social media or customer service channels.",
            ],
            warnings,
        )

    def _obligation(
        self,
        key: str,
        rule: RegulatorRule | SupplementRule | IndividualsRule,
        due: datetime | None,
        covered: list[AffectedGroup],
        start: Clock | None,
        reasons: list[str],
        warnings: list[str],
    ) -> Obligation:
        authority = self.law.authority
        to_anpd = not isinstance(rule, IndividualsRule)
        return Obligation(
            regime=self.id,
            audience=Audience.REGULATOR if to_anpd else Audience.INDIVIDUALS,
            recipient=authority.name if to_anpd else "Affected data subjects (titulares)",
            due_at=due,
            deadline=rule.deadline,
            citation=rule.citation,
            required_content=list(rule.content),
            id=slug(self.id, key),
            # A chained deadline has no clock start until the communication is filed.
            clock=start.name if start else "anpd_communication",
            clock_started_at=start.started_at if start else None,
            jurisdictions=codes(covered),
            affected_count=sum(g.count for g in covered),
            channels=list(rule.channels) if isinstance(rule, IndividualsRule) else [Channel.REPORT],
            contact=authority.contact if to_anpd else "",
            language=authority.language,
            reasons=reasons,
            warnings=list(warnings),
        )
