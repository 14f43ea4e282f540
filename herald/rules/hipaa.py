"""HIPAA Breach Notification Rule (45 CFR 164.400-414): individuals, HHS, media, substitute.

The rules are data (``herald/rules/data/hipaa.yaml``, validated by `HipaaFile`); this
module interprets them.

* **Scope.** A covered entity (sector ``hipaa_covered_entity``) whose unsecured protected
  health information (PHI: a health category, with an identifier or, conservatively, with
  none recorded) of US residents was involved. A business associate
  (``hipaa_business_associate``) notifies the covered entity instead, within 60 days of its
  own discovery.
* **Exemptions.** Encrypted PHI whose key is safe is "secured": no notice. An impermissible
  use or disclosure is presumed a breach unless a documented risk assessment shows a low
  probability that the PHI was compromised, read here from a risk level of ``none``.
* **Individuals.** 60 calendar days after discovery, to the end of that day in the
  entity's time zone.
* **HHS.** 500 or more individuals in total: with the individual notice (same 60 days).
  Fewer than 500: the annual log, due 60 days after the end of the calendar year of
  discovery (the end of 1 March, or of 29 February in a leap year).
* **Media.** More than 500 residents of one state (counted per state, never in aggregate):
  one notice per such state, 60 days after discovery.
* **Substitute notice** for people who cannot be reached, from the assessed population:
  fewer than 10 by other means (telephone ...), 10 or more by website or major media with a
  toll-free number, for 90 days.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pycountry

from herald.deadlines import end_of_day_after
from herald.jurisdictions import country_of
from herald.models import (
    AffectedGroup,
    Audience,
    Channel,
    DataCategory,
    Obligation,
    RiskLevel,
    Sector,
)
from herald.rules.base import Clock, Context, RegimeResult, clock, covered_context, slug
from herald.rules.regime_data import (
    NoticeContent,
    NoticeRule,
    StatuteFile,
    Strict,
    Threshold,
    VersionBase,
    describe,
    load_regime_file,
    rule_obligation,
)


class Phi(Strict):
    """What makes data protected health information: health data of identifiable people.

    ``identifiers`` are the categories that identify someone; health data recorded without
    any of them is still treated as PHI, with a warning (see `phi_involved`).
    """

    health: list[DataCategory]
    identifiers: list[DataCategory]
    citation: str


class IndividualsRule(NoticeRule):
    """Notice to the individuals (164.404)."""

    days: int
    content: NoticeContent


class ReportRule(NoticeRule):
    """A notice to someone other than the individuals, due ``days`` after discovery.

    Used as is for a business associate's notice to the covered entity (164.410).
    """

    days: int


class HhsRule(ReportRule):
    """Notice to the Secretary (164.408): contemporaneous at the threshold, else annual."""

    threshold: Threshold
    annual_days_after_year_end: int
    annual_deadline: str
    annual_citation: str


class MediaRule(ReportRule):
    """Notice to prominent media outlets serving a state (164.406); ``{state}`` in recipient."""

    threshold_per_state: Threshold


class SubstituteRule(NoticeRule):
    """Substitute notice when contact information is insufficient (164.404(d)(2))."""

    few_fewer_than: int
    few_methods: str
    posting_days: int
    toll_free_days: int
    content: NoticeContent


class HipaaVersion(VersionBase):
    """The rule as in force from one date."""

    individuals: IndividualsRule
    hhs: HhsRule
    media: MediaRule
    substitute: SubstituteRule
    business_associate: ReportRule


class HipaaFile(StatuteFile[HipaaVersion]):
    """The whole data file."""

    phi: Phi


def hipaa_rules() -> HipaaFile:
    """The HIPAA data file, loaded and validated once per process."""
    return load_regime_file(HipaaFile, "hipaa")


def phi_involved(categories: list[DataCategory], phi: Phi) -> tuple[bool, str]:
    """Whether exposed categories are PHI (health data of identifiable people), and why.

    Health data with an identifier category is PHI. Health data with no identifier
    recorded is treated as PHI too (the conservative reading): the people it concerns are
    counted to be notified, so the records identify them; only de-identified data
    (164.514) is not PHI, a finding the responder records by waiving the notices.

    Args:
        categories: the data categories exposed for one group.
        phi: the file's definition of PHI.

    Returns:
        The answer and a phrase explaining it.
    """
    found = set(categories)
    health = ", ".join(sorted(c.value for c in found & set(phi.health)))
    identifiers = ", ".join(sorted(c.value for c in found & set(phi.identifiers)))
    if health and identifiers:
        return True, f"{health} with identifiers ({identifiers}) is PHI ({phi.citation})"
    if health:
        return True, (
            f"{health} with no identifier category recorded is treated as PHI, since the "
            f"people affected are counted to be notified ({phi.citation}; conservative reading)"
        )
    return False, "no health data was exposed"


def _unidentified(categories: list[DataCategory], phi: Phi) -> bool:
    """Health data recorded without any identifier category."""
    found = set(categories)
    return bool(found & set(phi.health)) and not found & set(phi.identifiers)


_UNIDENTIFIED = (
    "Health data is recorded without an identifier category for {where}; it is treated as "
    "PHI (individually identifiable health information) because the people affected are "
    "counted to be notified. Record the identifiers exposed ('other' for medical record or "
    "health plan numbers); if the data was de-identified (45 CFR 164.514), it is not PHI: "
    "waive the notices with that reason."
)


@dataclass(frozen=True)
class _Base:
    """What the obligations of one evaluation share."""

    start: Clock
    zone: str
    groups: list[AffectedGroup]
    count: int
    warnings: list[str]

    def due(self, days: int) -> datetime:
        """End of the day ``days`` calendar days after the clock start, entity time."""
        return end_of_day_after(self.start.started_at, days, self.zone)


class Hipaa:
    """The HIPAA Breach Notification Rule (``hipaa``)."""

    id = "hipaa"

    def __init__(self, rules: HipaaFile | None = None) -> None:
        """Build the regime from its data file (by default the one shipped with Herald)."""
        self.rules = rules if rules is not None else hipaa_rules()

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide scope, the exemptions and every notice the rule requires."""
        facts, rules = ctx.facts, self.rules
        covered = Sector.HIPAA_COVERED_ENTITY in facts.entity.sectors
        associate = Sector.HIPAA_BUSINESS_ASSOCIATE in facts.entity.sectors
        if not covered and not associate:
            return RegimeResult(
                applies=False,
                reasons=["The entity is not a HIPAA covered entity or business associate."],
            )
        version = rules.version_at(facts.aware_at)
        if version is None:
            return rules.not_in_force(facts.aware_at)
        capacity = " and ".join(
            n for n, on in (("covered entity", covered), ("business associate", associate)) if on
        )
        reasons = [f"The entity is a HIPAA {capacity}; {version.label} applies."]
        us_phi: list[AffectedGroup] = []
        foreign: list[AffectedGroup] = []
        for group in facts.affected:
            is_phi, why = phi_involved(facts.categories_for(group), rules.phi)
            reasons.append(f"{group.jurisdiction} ({group.count} people): {why}.")
            if is_phi:
                (us_phi if country_of(group.jurisdiction) == "US" else foreign).append(group)
        # With no group known yet, the incident-wide categories decide: a breach of PHI
        # must not go unnoticed merely because the population has not been counted.
        unknown = not facts.affected and phi_involved(facts.data_categories, rules.phi)[0]
        warnings = _foreign_warning(foreign)
        unidentified = [
            g.jurisdiction for g in us_phi if _unidentified(facts.categories_for(g), rules.phi)
        ]
        if unknown and _unidentified(facts.data_categories, rules.phi):
            unidentified.append("the incident")
        if unidentified:
            warnings.append(_UNIDENTIFIED.format(where=", ".join(sorted(set(unidentified)))))
        if not us_phi and not unknown:
            reasons += ["No PHI of US residents was involved.", *warnings]
            return RegimeResult(applies=False, reasons=reasons)
        if unknown:
            warnings.append("No affected group is known yet; add the affected people.")
        if facts.encryption.encrypted and not facts.encryption.key_compromised:
            reasons.append(
                "The PHI was encrypted and the key was not compromised, so it is secured PHI "
                "and no notice is required (safe harbour, 45 CFR 164.402)."
            )
            return RegimeResult(applies=True, reasons=reasons)
        if facts.encryption.encrypted:
            reasons.append("The PHI was encrypted but the key was compromised: it is unsecured.")
        # The risk to the US residents whose PHI was involved, not the incident's worst.
        ctx = covered_context(ctx, us_phi)
        if ctx.risk is RiskLevel.NONE:
            reasons.append(
                "The risk level is 'none': taken as the documented four-factor risk assessment "
                "(nature and extent of the PHI, who received it, whether it was actually "
                "acquired or viewed, mitigation) showing a low probability that the PHI has "
                "been compromised, so this is not a breach (45 CFR 164.402(2)). Keep the "
                "written assessment; set another risk level if it does not show that."
            )
            return RegimeResult(applies=True, reasons=reasons)
        reasons.append(
            f"The risk level is '{ctx.risk}', not 'none', so the disclosure is presumed a "
            "breach of unsecured PHI: no low-probability-of-compromise assessment rebuts it "
            "(45 CFR 164.402(2))."
        )
        if covered and associate:
            warnings.append(
                "The entity is both covered entity and business associate: only the notices "
                "of the capacity in which it held this PHI apply; waive the others with a reason."
            )
        start = clock(facts, "discovery")
        count = sum(g.count for g in us_phi)
        base = _Base(start, facts.entity.timezone, us_phi, count, [*start.warnings, *warnings])
        obligations: list[Obligation] = []
        if covered:
            obligations += self._covered_entity(ctx, version, base, unknown, reasons)
        if associate:
            obligations.append(self._associate(version.business_associate, base))
            reasons.append(obligations[-1].reasons[0])
        return RegimeResult(applies=True, reasons=reasons, obligations=obligations)

    def _covered_entity(
        self, ctx: Context, version: HipaaVersion, base: _Base, unknown: bool, reasons: list[str]
    ) -> list[Obligation]:
        rule, substitute = version.individuals, version.substitute
        due = base.due(rule.days)
        unreachable, why_substitute = _unreachable(ctx, base.count, substitute)
        reasons.append(why_substitute)
        few = unreachable is not None and unreachable < substitute.few_fewer_than
        individuals = self._make(
            base,
            rule,
            Audience.INDIVIDUALS,
            "individuals",
            due,
            [
                f"Unsecured PHI of {base.count} US residents ({describe(base.groups)}) was "
                "involved: each must be notified."
                if not unknown
                else "Unsecured PHI was involved; who was affected is not known yet.",
                f"{rule.days} calendar days after discovery ({base.start.started_at.isoformat()}) "
                f"end on {due.isoformat()} (end of the day in {base.zone}).",
                *([why_substitute] if unreachable is not None else []),
            ],
        )
        if few:
            # Fewer than 10 unreachable people are reached by other means, e.g. telephone.
            individuals.channels.append(Channel.VOICE)
        hhs = self._hhs(version.hhs, base, unknown)
        reasons.append(hhs.reasons[0])
        media = self._media(version.media, base)
        if unknown:
            reasons.append("Residents per state are not known yet: media notice is undecided.")
        elif not media:
            reasons.append(
                f"No state has {version.media.threshold_per_state.describe(triggers=False)} "
                f"residents affected, so no media notice is due ({version.media.citation})."
            )
        stateless = sum(g.count for g in base.groups if "-" not in g.jurisdiction)
        if stateless:
            reasons.append(
                f"{stateless} US residents have no state recorded and cannot be counted toward a "
                "state's media threshold; record their states."
            )
        public: list[Obligation] = []
        if unreachable is not None and not few:
            # The assessment does not split unreachable people by residence: say so.
            whole = (
                "The unreachable count covers the whole assessed population, not only US "
                "residents whose PHI was involved; check how many of them are."
            )
            public.append(
                self._make(
                    replace(base, count=unreachable, warnings=[*base.warnings, whole]),
                    substitute,
                    Audience.PUBLIC,
                    "public",
                    due,
                    [
                        f"{why_substitute} The posting stays up for {substitute.posting_days} "
                        f"days; the toll-free number is active for at least "
                        f"{substitute.toll_free_days} days."
                    ],
                ).model_copy(update={"posting_days": substitute.posting_days})
            )
        return [individuals, hhs, *media, *public]

    def _hhs(self, rule: HhsRule, base: _Base, unknown: bool) -> Obligation:
        boundary = f"{rule.threshold.describe(triggers=False)} individuals"
        if unknown or rule.threshold.met(base.count):
            why = (
                "The number of individuals is not known yet, so the HHS notice is computed "
                f"conservatively as for {boundary}: with the individual notice."
                if unknown
                else f"{base.count} individuals is {boundary}, so HHS is notified with the "
                f"individuals, within the same {rule.days} days."
            )
            due = base.due(rule.days)
            reasons = [why, f"Due {due.isoformat()}."]
            return self._make(base, rule, Audience.REGULATOR, "regulator", due, reasons)
        # The annual log: 60 days after 31 December of the year of discovery, on the entity's
        # calendar, i.e. the end of 1 March (or of 29 February when February has 29 days).
        year = base.start.started_at.astimezone(ZoneInfo(base.zone)).year
        year_end = datetime(year, 12, 31, 12, tzinfo=ZoneInfo(base.zone))
        due = end_of_day_after(year_end, rule.annual_days_after_year_end, base.zone)
        reasons = [
            f"{base.count} individuals is not {boundary}, so the breach goes in the annual log.",
            f"Discovered in {year}: {rule.annual_days_after_year_end} days after 31 December "
            f"{year} end on {due.isoformat()} (end of the day in {base.zone}).",
        ]
        annual = rule.model_copy(
            update={"deadline": rule.annual_deadline, "citation": rule.annual_citation}
        )
        return self._make(base, annual, Audience.REGULATOR, "regulator", due, reasons)

    def _media(self, rule: MediaRule, base: _Base) -> list[Obligation]:
        per_state: dict[str, int] = {}
        for group in base.groups:
            if "-" in group.jurisdiction:  # "US" alone names no state
                per_state[group.jurisdiction] = per_state.get(group.jurisdiction, 0) + group.count
        due = base.due(rule.days)
        return [
            self._make(
                replace(base, groups=[g for g in base.groups if g.jurisdiction == state], count=n),
                rule.model_copy(
                    update={"recipient": rule.recipient.replace("{state}", _state_name(state))}
                ),
                Audience.MEDIA,
                "media",
                due,
                [
                    f"{n} residents of {state} is "
                    f"{rule.threshold_per_state.describe(triggers=False)} (counted per state, "
                    "not in aggregate), so prominent media outlets serving the state must be "
                    f"told by {due.isoformat()}."
                ],
                key=state,
            )
            for state, n in sorted(per_state.items())
            if rule.threshold_per_state.met(n)
        ]

    def _associate(self, rule: ReportRule, base: _Base) -> Obligation:
        due = base.due(rule.days)
        reasons = [
            "As a business associate, the entity notifies the covered entity (which then "
            f"notifies individuals, HHS and media) within {rule.days} days of its own "
            f"discovery ({base.start.started_at.isoformat()}): by {due.isoformat()}."
        ]
        return self._make(base, rule, Audience.OTHER, "other", due, reasons, key="covered-entity")

    def _make(
        self,
        base: _Base,
        rule: NoticeRule,
        audience: Audience,
        kind: str,
        due: datetime,
        reasons: list[str],
        *,
        key: str = "",
    ) -> Obligation:
        return rule_obligation(
            rule,
            regime=self.id,
            audience=audience,
            key=slug(kind, key),
            start=base.start,
            due_at=due,
            groups=base.groups,
            count=base.count,
            reasons=reasons,
            warnings=base.warnings,
        )


def _unreachable(ctx: Context, count: int, rule: SubstituteRule) -> tuple[int | None, str]:
    """How many people need substitute notice (None when unknown or nobody), and why."""
    assessment = ctx.assessment
    # An assessment built from the facts alone knows no contact points: contactability is
    # then unknown, not "everyone reachable".
    if assessment is None or (not assessment.contactable and assessment.unreachable == 0):
        return None, (
            "Substitute notice needs the assessed population's contact points, which are not "
            f"known yet ({rule.citation})."
        )
    if assessment.unreachable == 0:
        return None, "Every assessed person can be reached, so no substitute notice is needed."
    # The assessment does not split unreachable people by residence: an upper bound.
    unreachable = min(assessment.unreachable, count) if count else assessment.unreachable
    if unreachable < rule.few_fewer_than:
        return unreachable, (
            f"{unreachable} people cannot be reached, fewer than {rule.few_fewer_than}: "
            f"substitute notice by {rule.few_methods} ({rule.citation})."
        )
    return unreachable, (
        f"{unreachable} people cannot be reached, {rule.few_fewer_than} or more: substitute "
        f"notice by website or major media with a toll-free number ({rule.citation})."
    )


def _foreign_warning(groups: list[AffectedGroup]) -> list[str]:
    if not groups:
        return []
    return [
        f"PHI of people outside the US was involved too ({describe(groups)}). HIPAA protects "
        "PHI held by a covered entity whatever the patient's residence: they may be owed "
        "notice and may count toward the 500 threshold (UNCONFIRMED, not counted here)."
    ]


def _state_name(code: str) -> str:
    found = pycountry.subdivisions.get(code=code)
    return str(found.name) if found is not None else code
