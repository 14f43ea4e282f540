"""EU NIS2 Directive (EU) 2022/2555 Article 23: reporting significant incidents.

The rules are data in ``data/eu-nis2.yaml``, validated by `Nis2Law` and versioned by
effective date (jurisdictions.md section 25).

* **Scope.** The entity is designated essential or important (``entity.sectors`` contains
  ``nis2_essential`` or ``nis2_important``), with or without personal data.
* **Trigger.** A *significant incident* (severe operational disruption or financial loss to
  the entity, or considerable damage to others). Herald's risk level measures risk to people,
  which can show significance (considerable damage to others) but never rule it out, since
  disruption and financial loss are not in the facts. So: a ``high`` risk makes the incident
  significant; a risk level the responder gave in the facts is their judgement and decides
  either way; a *computed* level below ``high`` (which is always ``none`` for an incident
  without personal data) cannot rule significance out, so the reports are listed with a
  warning to waive them if the incident is not significant (the conservative reading).
* **Recipient.** The CSIRT or competent authority of the member state where the entity is
  established: ``entity.lead_authority`` if it is an EU member state, else the first member
  state in ``entity.established_in``.
* **Deadlines** from awareness: early warning within 24 elapsed hours; incident notification
  within 72; final report one calendar month after the notification, chained: computed from
  the 72-hour deadline until ``Context.notified`` records the filing, ending at the end of
  that day in the entity's time zone.
* **Service recipients** are informed where appropriate (``other`` audience, no instant).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import pycountry
from pydantic import Field, model_validator

from herald.deadlines import end_of_day_after, hours_after
from herald.jurisdictions import EU_MEMBER_STATES, country_of
from herald.models import Audience, Channel, Entity, Obligation, RiskLevel, Sector
from herald.rules.base import Clock, Context, RegimeResult, clock, slug
from herald.rules.regime_data import (
    DATA_DIR,
    ReportContent,
    Strict,
    VersionBase,
    VersionedFile,
    codes,
    load_regime_file,
)

DATA_FILE = DATA_DIR / "eu-nis2.yaml"
NIS2_SECTORS = frozenset({Sector.NIS2_ESSENTIAL, Sector.NIS2_IMPORTANT})
NOTIFICATION_ID = "eu-nis2-regulator-notification"  # the obligation the final report chains to


class Authority(Strict):
    """A member state's CSIRT or competent authority."""

    name: str = Field(min_length=1)
    contact: str = Field(default="", description="portal or website")
    language: str = Field(default="en", min_length=2)


class HourRule(Strict):
    """A report due a number of elapsed hours after awareness."""

    hours: int = Field(ge=1)
    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: ReportContent = Field(min_length=1)


class FinalRule(Strict):
    """The final report, due calendar months after the incident notification."""

    months: int = Field(ge=1)
    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: ReportContent = Field(min_length=1)


class RecipientsRule(Strict):
    """Informing the recipients of the entity's services (no fixed period)."""

    recipient: str = Field(min_length=1)
    deadline: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    content: ReportContent = Field(default_factory=list)
    channels: list[Channel] = Field(min_length=1)


class Version(VersionBase):
    """Article 23 as in force from one date."""

    early_warning: HourRule
    notification: HourRule
    final: FinalRule
    service_recipients: RecipientsRule | None = None


class Nis2Law(VersionedFile[Version]):
    """The whole data file: the frame, the known CSIRTs and languages."""

    id: Literal["eu-nis2"]
    name: str = Field(min_length=1)
    authorities: dict[str, Authority] = Field(description="known CSIRTs, by member state")
    languages: dict[str, str] = Field(description="a member state's language, where obvious")

    @model_validator(mode="after")
    def _member_states(self) -> Nis2Law:
        unknown = sorted((set(self.authorities) | set(self.languages)) - EU_MEMBER_STATES)
        if unknown:
            raise ValueError(f"not EU member states: {', '.join(unknown)}")
        return self


def load_rules() -> Nis2Law:
    """The data file, read and validated once per process; errors name the file."""
    return load_regime_file(Nis2Law, "eu-nis2")


def end_of_day_months_after(start: datetime, months: int, tz: str) -> datetime:
    """Return the last instant of the same local day ``months`` calendar months later.

    The day number is kept and clamped to the end of a shorter month (31 January plus one
    month is 28 or 29 February); the day ends at 23:59:59.999999 in ``tz``, as a day clock
    does in `herald.deadlines`, and is returned in UTC.

    Args:
        start: an aware instant that starts the clock.
        months: calendar months to add.
        tz: IANA time zone whose calendar counts (the entity's).

    Returns:
        An aware datetime in UTC.
    """
    local = start.astimezone(ZoneInfo(tz)).date()
    years, month_index = divmod(local.month - 1 + months, 12)
    year, month = local.year + years, month_index + 1
    target = date(year, month, min(local.day, calendar.monthrange(year, month)[1]))
    # Reuse the day clock so the end of the final day is computed in exactly one place.
    return end_of_day_after(start, (target - local).days, tz)


class EuNis2:
    """The NIS2 incident-reporting regime (``eu-nis2``)."""

    id = "eu-nis2"

    def __init__(self, law: Nis2Law | None = None) -> None:
        """Build the regime from its data (the bundled data file by default)."""
        self.law = law if law is not None else load_rules()

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide whether the incident is reportable, and the three reports."""
        facts, law = ctx.facts, self.law
        sectors = sorted(s.value for s in set(facts.entity.sectors) & NIS2_SECTORS)
        if not sectors:
            return RegimeResult(
                applies=False,
                reasons=[
                    "The entity is not designated an essential or important entity "
                    "(entity.sectors has neither nis2_essential nor nis2_important), so NIS2 "
                    "Art. 23 does not apply."
                ],
            )
        version = law.version_at(facts.aware_at)
        if version is None:
            return RegimeResult(
                applies=False,
                reasons=[
                    f"NIS2 reporting applies from {law.versions[0].effective_from}; the "
                    f"organisation became aware earlier ({facts.aware_at.isoformat()}). The "
                    "previous NIS Directive is not modelled."
                ],
            )
        basis = [
            f"The entity is a NIS2 {' and '.join(sectors)} entity, so {version.label} "
            "applies, whether or not personal data is involved.",
            *ctx.risk_reasons,
        ]
        significance_warnings: list[str] = []
        if ctx.risk is RiskLevel.HIGH:
            significance = (
                "The risk is high, so the incident is treated as significant (severe "
                "operational disruption or financial loss, or considerable damage to others, "
                "Art. 23(3))."
            )
        elif facts.risk is not None:
            return RegimeResult(
                applies=True,
                reasons=[
                    *basis,
                    f"The responder judged the risk {ctx.risk}, not high, so the incident is "
                    "not treated as significant and nothing is reported. A significant "
                    "incident is one that has caused or can cause severe operational "
                    "disruption or financial loss to the entity, or considerable damage to "
                    "others (Art. 23(3)); if so, set risk to high in the facts.",
                ],
            )
        else:
            significance = (
                f"The computed risk is {ctx.risk}, not high, but it only reflects the personal "
                "data exposed: whether the incident caused or can cause severe operational "
                "disruption or financial loss to the entity (Art. 23(3)) is not in the facts, "
                "so significance cannot be ruled out and the reports are listed (the "
                "conservative reading)."
            )
            significance_warnings.append(
                "Significance is not established by the facts: if the incident caused no "
                "severe operational disruption or financial loss and no considerable damage "
                "to others, waive these reports with that reason, or set risk in the facts."
            )
        state, why, state_warnings = _member_state(facts.entity)
        state_warnings = [*significance_warnings, *state_warnings]
        basis += [significance, why]
        authority = self._authority(state)
        if not authority.contact:
            state_warnings.append(
                f"No contact is known for {authority.name}: look it up under the member "
                "state's transposition of NIS2."
            )
        start = clock(facts, "awareness")
        early = self._hour_report(ctx, "early-warning", version.early_warning, start, authority)
        notification = self._hour_report(
            ctx, "notification", version.notification, start, authority
        )
        final = self._final(ctx, version.final, notification, authority)
        obligations = [early, notification, final]
        # Every report rests on the same facts: the designation, significance, the state.
        for obligation in obligations:
            obligation.reasons = [*basis, *obligation.reasons]
            obligation.warnings = [*state_warnings, *obligation.warnings]
        if version.service_recipients is not None:
            recipients = self._recipients(ctx, version.service_recipients, state, basis)
            recipients.warnings = [*significance_warnings, *recipients.warnings]
            obligations.append(recipients)
        reasons = [
            *basis,
            "Personal data breaches are reported separately to the data protection "
            "supervisory authority (GDPR Art. 33), with their own clock and content.",
        ]
        return RegimeResult(applies=True, reasons=reasons, obligations=obligations)

    def _authority(self, state: str | None) -> Authority:
        if state is None:
            return Authority(
                name="CSIRT or competent authority of the EU member state where the entity "
                "is established (unknown)"
            )
        known = self.law.authorities.get(state)
        if known is not None:
            return known
        country = pycountry.countries.get(alpha_2=state)
        where = f"{country.name} ({state})" if country is not None else state
        return Authority(
            name=f"National CSIRT or NIS2 competent authority of {where}",
            language=self.law.languages.get(state, "en"),
        )

    def _hour_report(
        self, ctx: Context, key: str, rule: HourRule, start: Clock, authority: Authority
    ) -> Obligation:
        # Elapsed hours on the UTC time line: a DST change in between does not shift them.
        due = hours_after(start.started_at, rule.hours)
        why = (
            f"{rule.hours} hours after awareness of the significant incident "
            f"({start.started_at.isoformat()}) is {due.isoformat()}."
        )
        return self._report(ctx, key, rule, authority, due, start, [why], list(start.warnings))

    def _final(
        self, ctx: Context, rule: FinalRule, notification: Obligation, authority: Authority
    ) -> Obligation:
        zone = ctx.facts.entity.timezone
        sent = ctx.notified.get(NOTIFICATION_ID)
        warnings: list[str] = []
        if sent is not None:
            due = end_of_day_months_after(sent, rule.months, zone)
            why = f"The incident notification was filed at {sent.isoformat()}"
        else:
            assert notification.due_at is not None  # an hour report always has an instant
            due = end_of_day_months_after(notification.due_at, rule.months, zone)
            why = (
                "Until the incident notification is recorded as filed, the final report is "
                f"computed from its deadline ({notification.due_at.isoformat()})"
            )
            warnings += notification.warnings
            warnings.append(
                "Chained to the incident notification: this due date assumes it is filed at "
                "its 72-hour deadline and moves earlier if it is filed sooner; record when it "
                "was filed."
            )
        why += (
            f"; {rule.months} calendar month(s) later, to the end of that day in {zone}, is "
            f"{due.isoformat()}. If the incident is still ongoing then, a progress report is "
            "due instead and the final report within one month of handling the incident. An "
            "intermediate report is due if the CSIRT or authority asks for one."
        )
        start = Clock("incident_notification", sent, []) if sent else None
        return self._report(ctx, "final", rule, authority, due, start, [why], warnings)

    def _report(
        self,
        ctx: Context,
        key: str,
        rule: HourRule | FinalRule,
        authority: Authority,
        due: datetime,
        start: Clock | None,
        reasons: list[str],
        warnings: list[str],
    ) -> Obligation:
        facts = ctx.facts
        return Obligation(
            regime=self.id,
            audience=Audience.REGULATOR,
            recipient=authority.name,
            due_at=due,
            deadline=rule.deadline,
            citation=rule.citation,
            required_content=list(rule.content),
            id=slug(self.id, "regulator", key),
            clock=start.name if start else "incident_notification",
            clock_started_at=start.started_at if start else None,
            jurisdictions=codes(facts.affected),
            affected_count=facts.total_affected(),
            channels=[Channel.REPORT],
            contact=authority.contact,
            language=authority.language,
            reasons=reasons,
            warnings=warnings,
        )

    def _recipients(
        self, ctx: Context, rule: RecipientsRule, state: str | None, basis: list[str]
    ) -> Obligation:
        facts = ctx.facts
        start = clock(facts, "awareness")
        return Obligation(
            regime=self.id,
            audience=Audience.OTHER,
            recipient=rule.recipient,
            due_at=None,
            deadline=rule.deadline,
            citation=rule.citation,
            required_content=list(rule.content),
            id=slug(self.id, "other", "service-recipients"),
            clock=start.name,
            clock_started_at=start.started_at,
            jurisdictions=codes(facts.affected),
            affected_count=facts.total_affected(),
            channels=list(rule.channels),
            language=self.law.languages.get(state, "en") if state else "en",
            reasons=[
                *basis,
                "Recipients of the services are informed where appropriate when the "
                "significant incident is likely to adversely affect the provision of those "
                "services, together with any measures they can take (Art. 23(1)-(2)).",
            ],
            warnings=[
                *start.warnings,
                "'Where appropriate' is a judgement the facts cannot settle: waive with a "
                "reason if the incident is not likely to affect the service's recipients.",
            ],
        )


def _member_state(entity: Entity) -> tuple[str | None, str, list[str]]:
    """The member state whose CSIRT or authority receives the reports, why, and warnings."""
    established = list(
        dict.fromkeys(
            country_of(c) for c in entity.established_in if country_of(c) in EU_MEMBER_STATES
        )
    )
    warnings: list[str] = []
    lead = country_of(entity.lead_authority) if entity.lead_authority else None
    if lead is not None and lead not in EU_MEMBER_STATES:
        warnings.append(
            f"entity.lead_authority {lead} is not an EU member state and was ignored for NIS2."
        )
        lead = None
    if lead is not None:
        if established and lead not in established:
            warnings.append(
                f"entity.lead_authority {lead} is not among the EU member states in "
                "entity.established_in; check where the entity is established."
            )
        return (
            lead,
            f"Reports go to the CSIRT or competent authority of {lead}, the member state in "
            "entity.lead_authority.",
            warnings,
        )
    if not established:
        warnings.append(
            "The entity names no EU member state (entity.established_in, "
            "entity.lead_authority), so the CSIRT to report to is unknown: set "
            "entity.lead_authority to the member state where it is established or has its "
            "representative."
        )
        return None, "The member state whose CSIRT receives the reports is unknown.", warnings
    first = established[0]
    if len(established) > 1:
        warnings.append(
            f"The entity is established in several member states ({', '.join(established)}); "
            f"only {first} is computed. Each may have jurisdiction over the establishment on "
            "its territory (UNCONFIRMED: NIS2 Art. 26 not in the reference): check, or set "
            "entity.lead_authority."
        )
    return (
        first,
        f"Reports go to the CSIRT or competent authority of {first}, the first member state "
        "in entity.established_in.",
        warnings,
    )
