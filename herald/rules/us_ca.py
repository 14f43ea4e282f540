"""California, Cal. Civ. Code §1798.82 (businesses): residents, Attorney General, substitute notice.

* **Trigger.** Acquisition of a California resident's *personal information* (§1798.82(h)):
  a name together with a government identifier, a financial account or card number, medical
  or health-insurance, biometric or genetic data; or, on their own, online account
  credentials (user name or email with a password or security answer). Only unencrypted
  data counts, or encrypted data whose key went with it. There is no risk-of-harm exception.
* **Residents.** Since SB 446 (in force 1 Jan 2026): within 30 calendar days of discovery.
  Before: "in the most expedient time possible and without unreasonable delay".
* **Attorney General.** When more than 500 residents are notified for one breach (501
  triggers, 500 does not): one sample copy of the notice, electronically. Since SB 446
  within 15 calendar days of notifying the residents, a deadline chained to the resident
  notice; until that notice is sent it is computed from the resident deadline.
* **Substitute notice** (website posting for 30 days, email, statewide media) when notice
  would cost more than $250,000, reach more than 500,000 people, or contact information is
  insufficient. Only the last branch is derivable here, from ``Assessment.unreachable``.

The law in force is chosen by the date of awareness on California's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from herald.deadlines import end_of_day_after
from herald.models import Audience, Channel, DataCategory, Obligation
from herald.rules.authorities import CA_ATTORNEY_GENERAL, Authority
from herald.rules.base import Context, RegimeResult, clock, in_force, slug

# Categories that make a name "personal information" under §1798.82(h)(1).
_WITH_NAME: frozenset[DataCategory] = frozenset(
    {
        DataCategory.GOVERNMENT_ID,
        DataCategory.FINANCIAL_ACCOUNT,
        DataCategory.PAYMENT_CARD,
        DataCategory.HEALTH,
        DataCategory.BIOMETRIC,
        DataCategory.GENETIC,
    }
)


@dataclass(frozen=True)
class CaVersion:
    """The deadlines of §1798.82 as in force from one date."""

    effective_from: date
    label: str
    individuals_days: int | None
    individuals_deadline: str
    individuals_citation: str
    ag_days_after_notice: int | None
    ag_deadline: str


@dataclass(frozen=True)
class CaRules:
    """California's notification rules as data."""

    jurisdiction: str
    zone: str
    versions: tuple[CaVersion, ...]
    ag_more_than: int
    ag_citation: str
    substitute_citation: str
    individuals_content: tuple[str, ...]
    government_id_content: tuple[str, ...]
    ag_content: tuple[str, ...]
    individuals_channels: tuple[Channel, ...]
    substitute_channels: tuple[Channel, ...]


_LAW_ENFORCEMENT = (
    " Delay is allowed while a law-enforcement agency determines that notice would impede a "
    "criminal investigation, or as needed to determine the scope of the breach and restore "
    "the integrity of the system."
)

CA_RULES = CaRules(
    jurisdiction="US-CA",
    # Effective dates are California dates: 1 Jan 2026 begins at midnight Pacific time.
    zone="America/Los_Angeles",
    versions=(
        CaVersion(
            # The rule before SB 446; its own history (AG copy since 2012, headings since
            # 2016) is not modelled, so it stands for everything before 2026.
            effective_from=date.min,
            label="§1798.82 before SB 446",
            individuals_days=None,
            individuals_deadline=(
                "In the most expedient time possible and without unreasonable delay."
                + _LAW_ENFORCEMENT
            ),
            individuals_citation="Cal. Civ. Code §1798.82(a), (c), (d)",
            ag_days_after_notice=None,
            ag_deadline=(
                "No fixed period: submit the sample copy electronically when notifying residents."
            ),
        ),
        CaVersion(
            effective_from=date(2026, 1, 1),
            label="§1798.82 as amended by SB 446 (in force 1 Jan 2026)",
            individuals_days=30,
            individuals_deadline=(
                "Within 30 calendar days of discovery or notification of the breach."
                + _LAW_ENFORCEMENT
            ),
            individuals_citation="Cal. Civ. Code §1798.82(a), (c), (d) (SB 446)",
            ag_days_after_notice=15,
            ag_deadline=(
                "Within 15 calendar days of notifying the affected residents. Until that "
                "notice is sent, the due date is computed conservatively as 15 days after "
                "the residents' deadline; it moves earlier once the notice date is known."
            ),
        ),
    ),
    ag_more_than=500,
    ag_citation="Cal. Civ. Code §1798.82(f)",
    substitute_citation="Cal. Civ. Code §1798.82(j)(3)",
    individuals_content=(
        "ca_title",
        "what_happened",
        "what_information",
        "what_we_are_doing",
        "what_you_can_do",
        "for_more_information",
        "breach_date",
        "contact_info",
    ),
    government_id_content=("cra_contacts",),
    ag_content=("sample_notice", "breach_date", "affected_count"),
    # Written notice, or electronic notice consistent with E-SIGN (§1798.82(j)(1)-(2)).
    individuals_channels=(Channel.EMAIL, Channel.SMS, Channel.LETTER),
    # Website posting and email; the statewide-media part is stated in the reasons.
    substitute_channels=(Channel.WEB, Channel.EMAIL),
)


def personal_information(categories: list[DataCategory]) -> tuple[bool, str]:
    """Whether exposed categories are "personal information" under §1798.82(h).

    Args:
        categories: the data categories exposed for one group of residents.

    Returns:
        The answer and a sentence explaining it.
    """
    found = set(categories)
    paired = sorted(c.value for c in found & _WITH_NAME)
    if DataCategory.NAME in found and paired:
        return True, (
            f"a name together with {', '.join(paired)} is personal information (§1798.82(h)(1))"
        )
    if DataCategory.ACCOUNT_CREDENTIALS in found:
        return True, (
            "online account credentials (a user name or email with a password or security "
            "answer) are personal information on their own (§1798.82(h)(2))"
        )
    if paired:
        return False, (
            f"{', '.join(paired)} without a name is not personal information under §1798.82(h)(1)"
        )
    listed = ", ".join(sorted(c.value for c in found)) or "no recorded data category"
    return False, f"{listed}: not personal information under §1798.82(h)"


class California:
    """California's breach-notification law for businesses (``us-ca``)."""

    id = "us-ca"

    def __init__(
        self, rules: CaRules = CA_RULES, attorney_general: Authority = CA_ATTORNEY_GENERAL
    ) -> None:
        """Build the regime from its data (the defaults are the law as it stands)."""
        self.rules = rules
        self.ag = attorney_general

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide the resident notice, the AG sample copy and any substitute notice."""
        facts, rules = ctx.facts, self.rules
        groups = [g for g in facts.affected if g.jurisdiction == rules.jurisdiction]
        if not groups:
            return RegimeResult(
                applies=False,
                reasons=[f"No affected group resides in California ({rules.jurisdiction})."],
            )
        version = in_force(rules.versions, facts.aware_at, rules.zone)
        aware_day = facts.aware_at.astimezone(ZoneInfo(rules.zone)).date()
        reasons = [
            f"{sum(g.count for g in groups)} affected people reside in California.",
            f"The organisation became aware on {aware_day.isoformat()} (California date), "
            f"so {version.label} applies.",
        ]
        if facts.encryption.encrypted and not facts.encryption.key_compromised:
            reasons.append(
                "The data was encrypted and the key was not compromised, so no notice is "
                "required (§1798.82(a) covers unencrypted data, or encrypted data with its key)."
            )
            return RegimeResult(applies=True, reasons=reasons)

        exposed: set[DataCategory] = set()
        notified = 0
        for group in groups:
            categories = facts.categories_for(group)
            is_pi, why = personal_information(categories)
            reasons.append(f"Data of {group.count} California residents: {why}.")
            if is_pi:
                notified += group.count
                exposed.update(categories)
        if not exposed:
            reasons.append("No personal information of California residents was exposed.")
            return RegimeResult(applies=True, reasons=reasons)

        if facts.encryption.encrypted:
            reasons.append("The data was encrypted but the key was compromised with it.")
        individuals = self._individuals(ctx, version, notified, frozenset(exposed))
        obligations = [individuals]
        reasons.append(f"{notified} California residents must be notified.")

        if notified > rules.ag_more_than:
            obligations.append(self._attorney_general(ctx, version, individuals, notified))
        else:
            reasons.append(
                f"{notified} residents is not more than {rules.ag_more_than}, so no sample "
                f"copy goes to the Attorney General ({rules.ag_citation})."
            )
        substitute, why_not = self._substitute(ctx, individuals, notified)
        reasons.append(why_not)
        if substitute is not None:
            obligations.append(substitute)
        return RegimeResult(applies=True, reasons=reasons, obligations=obligations)

    def _individuals(
        self,
        ctx: Context,
        version: CaVersion,
        notified: int,
        exposed: frozenset[DataCategory],
    ) -> Obligation:
        rules, facts = self.rules, ctx.facts
        start = clock(facts, "discovery")
        zone = facts.entity.timezone
        due: datetime | None = None
        reasons = [f"{notified} California residents had personal information exposed."]
        if version.individuals_days is not None:
            due = end_of_day_after(start.started_at, version.individuals_days, zone)
            reasons.append(
                f"{version.individuals_days} calendar days after discovery "
                f"({start.started_at.isoformat()}) end on {due.isoformat()} "
                f"(end of the day in {zone})."
            )
        else:
            reasons.append("The law in force sets no fixed period for the resident notice.")
        content = list(rules.individuals_content)
        if DataCategory.GOVERNMENT_ID in exposed:
            content += rules.government_id_content
            reasons.append(
                "A government identifier was exposed: the notice must give the credit "
                "reporting agencies' toll-free numbers and addresses and, if the business was "
                "the source of the breach, offer identity theft prevention and mitigation "
                "services at no cost for at least 12 months."
            )
        if (
            DataCategory.ACCOUNT_CREDENTIALS in exposed
            and not personal_information(
                [c for c in exposed if c is not DataCategory.ACCOUNT_CREDENTIALS]
            )[0]
        ):
            # §1798.82(d)(4): a credentials-only breach may be notified electronically.
            reasons.append(
                "Only account credentials make this personal information: an electronic "
                "notice may direct people to change their password or security answers, and "
                "must not be sent to a compromised email account."
            )
        return Obligation(
            regime=self.id,
            audience=Audience.INDIVIDUALS,
            recipient="Affected California residents",
            due_at=due,
            deadline=version.individuals_deadline,
            citation=version.individuals_citation,
            required_content=content,
            id=slug(self.id, "individuals"),
            clock=start.name,
            clock_started_at=start.started_at,
            jurisdictions=[rules.jurisdiction],
            affected_count=notified,
            channels=list(rules.individuals_channels),
            language="en",
            reasons=reasons,
            warnings=list(start.warnings),
        )

    def _attorney_general(
        self, ctx: Context, version: CaVersion, individuals: Obligation, notified: int
    ) -> Obligation:
        rules = self.rules
        due: datetime | None = None
        reasons = [
            f"{notified} California residents are notified, more than {rules.ag_more_than}, "
            "so a sample copy of the notice goes to the Attorney General."
        ]
        if version.ag_days_after_notice is not None and individuals.due_at is not None:
            due = end_of_day_after(
                individuals.due_at, version.ag_days_after_notice, ctx.facts.entity.timezone
            )
            reasons.append(
                f"Due {version.ag_days_after_notice} days after the residents are notified; "
                f"until then computed from the residents' deadline "
                f"({individuals.due_at.isoformat()}), giving {due.isoformat()}."
            )
        return Obligation(
            regime=self.id,
            audience=Audience.REGULATOR,
            recipient=self.ag.name,
            due_at=due,
            deadline=version.ag_deadline,
            citation=rules.ag_citation,
            required_content=list(rules.ag_content),
            id=slug(self.id, "regulator"),
            # The clock the law names is the resident notice, which has not happened yet.
            clock="consumer_notice",
            clock_started_at=None,
            jurisdictions=[rules.jurisdiction],
            affected_count=notified,
            channels=[Channel.REPORT],
            contact=self.ag.contact,
            language=self.ag.language,
            reasons=reasons,
            warnings=list(individuals.warnings),
        )

    def _substitute(
        self, ctx: Context, individuals: Obligation, notified: int
    ) -> tuple[Obligation | None, str]:
        not_derivable = (
            "The cost (> $250,000) and size (> 500,000 people) branches of substitute notice "
            "cannot be derived from the facts; they remain the responder's call."
        )
        assessment = ctx.assessment
        # An assessment built from the facts alone knows no contact points: contactability
        # is then unknown, not "everyone reachable".
        if assessment is None or (not assessment.contactable and assessment.unreachable == 0):
            return None, (
                "Substitute notice for insufficient contact information needs the assessed "
                f"population's contact points, which are not known yet. {not_derivable}"
            )
        if assessment.unreachable == 0:
            return None, (
                "Every assessed person has a usable contact point, so no substitute notice is "
                f"needed for insufficient contact information. {not_derivable}"
            )
        obligation = Obligation(
            regime=self.id,
            audience=Audience.PUBLIC,
            recipient="The public (substitute notice)",
            due_at=individuals.due_at,
            deadline=(
                f"As for the resident notice: {individuals.deadline} The notice must stay "
                "conspicuously posted on the website for at least 30 days."
            ),
            citation=self.rules.substitute_citation,
            required_content=list(individuals.required_content),
            id=slug(self.id, "public"),
            clock=individuals.clock,
            clock_started_at=individuals.clock_started_at,
            jurisdictions=[self.rules.jurisdiction],
            # The assessment does not split unreachable people by jurisdiction: an upper bound.
            affected_count=min(assessment.unreachable, notified),
            channels=list(self.rules.substitute_channels),
            language="en",
            reasons=[
                f"{assessment.unreachable} assessed people have no usable contact point, so "
                "the business lacks sufficient contact information to notify them directly.",
                "Substitute notice: email where an address is known, a conspicuous posting "
                "on the website's home page for at least 30 days, and notification to major "
                "statewide media.",
                not_derivable,
            ],
            warnings=[
                *individuals.warnings,
                "The unreachable count covers the whole population, not only California "
                "residents; check how many of them live in California.",
                "The substitute-notice thresholds are UNCONFIRMED in the reference "
                "(jurisdictions.md section 7(5)); verify before relying on them.",
            ],
        )
        return obligation, (
            f"{assessment.unreachable} assessed people cannot be reached, so substitute notice "
            "applies for insufficient contact information."
        )
