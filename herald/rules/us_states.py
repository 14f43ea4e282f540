"""US state breach-notification laws: one generic regime per state file.

Each state's law is data (`herald/rules/data/us/*.yaml`, schema in `herald.rules.statelaw`);
`StateRegime` interprets one `StateLaw`, so adding or amending a state never touches Python.

* **Scope.** Affected groups whose jurisdiction is the state's code; the version of the law
  in force on the day of awareness, on the state's own calendar.
* **Trigger.** Unencrypted *personal information* (a name with a ``with_name`` category, or
  an ``alone`` category), or encrypted data whose key went with it where the state has an
  encryption safe harbour; a state's risk-of-harm exception lifts the duty when the risk is
  none.
* **Residents** are notified by the version's individuals rule, counted from its clock.
* **Other notices** (attorney general, agencies, credit bureaus, media) follow when the
  number of residents notified meets their threshold, and, where a notice is limited to some
  sectors, when the entity is in one of them. A notice due N days after the residents are
  notified is computed from the residents' deadline until `Context.notified` records when
  they were, then from that instant.
* **Substitute notice** is derived only for insufficient contact information (from the
  assessment); the cost and size branches stay the responder's call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from herald.deadlines import business_days_after, end_of_day_after
from herald.models import Audience, Channel, DataCategory, Obligation, RiskLevel
from herald.rules.base import Clock, Context, RegimeResult, clock, covered_context, in_force, slug
from herald.rules.statelaw import (
    DATA_DIR,
    NoticeRule,
    PersonalInformation,
    StateLaw,
    Timing,
    TimingKind,
    Version,
    state_laws,
)
from herald.rules.us_substitute import substitute_notice

# Timings that hang on the residents' notice, which the residents' rule itself cannot use.
_CHAINED = (TimingKind.WITH_INDIVIDUALS, TimingKind.DAYS_AFTER_INDIVIDUALS)


def personal_information(
    law: PersonalInformation, categories: Iterable[DataCategory]
) -> tuple[bool, str]:
    """Whether exposed categories are "personal information" under one state's definition.

    Args:
        law: the state's definition: a name together with one of ``with_name``, or any of
            ``alone`` on its own.
        categories: the data categories exposed for one group of residents.

    Returns:
        The answer and a sentence explaining it, citing the definition.
    """
    found = set(categories)
    paired = sorted(c.value for c in found & set(law.with_name))
    if DataCategory.NAME in found and paired:
        return True, (
            f"a name together with {', '.join(paired)} is personal information ({law.citation})"
        )
    alone = sorted(c.value for c in found & set(law.alone))
    if alone:
        own = "its own" if len(alone) == 1 else "their own"
        return True, f"{', '.join(alone)} on {own} is personal information ({law.citation})"
    if paired:
        return (
            False,
            f"{', '.join(paired)} without a name is not personal information ({law.citation})",
        )
    listed = ", ".join(sorted(c.value for c in found)) or "no recorded data category"
    return False, f"{listed}: not personal information under {law.citation}"


def state_regimes(directory: Path = DATA_DIR) -> tuple[StateRegime, ...]:
    """One regime per state file in ``directory``, sorted by id."""
    laws = sorted(state_laws(directory).values(), key=lambda law: law.id)
    return tuple(StateRegime(law) for law in laws)


@dataclass(frozen=True)
class _Scope:
    """What one evaluation established before the obligations are built."""

    ctx: Context
    version: Version
    start: Clock
    residents: int  # residents whose personal information was exposed: all are notified
    exposed: frozenset[DataCategory]


class StateRegime:
    """One US state's breach-notification law for businesses (``us-<state>``)."""

    def __init__(self, law: StateLaw) -> None:
        """Build the regime from the state's data.

        Raises:
            ValueError: if the data cannot be interpreted: a residents' notice timed by
                itself, or two notices of one version that would share an obligation id.
        """
        for version in law.versions:
            if version.individuals.timing.kind in _CHAINED:
                raise ValueError(
                    f"{law.id}, {version.label}: the residents' notice cannot be timed "
                    f"{version.individuals.timing.kind} (it is the notice others chain to)"
                )
            ids = [_notice_id(law, rule) for rule in version.notices]
            taken = {slug(law.id, "individuals"), slug(law.id, "public")}
            clashes = sorted({i for i in ids if ids.count(i) > 1 or i in taken})
            if clashes:
                raise ValueError(
                    f"{law.id}, {version.label}: notices share the obligation id "
                    f"{', '.join(clashes)}; give each a distinct key"
                )
        self.law = law

    @property
    def id(self) -> str:
        """The regime id, ``us-<state>``."""
        return self.law.id

    def evaluate(self, ctx: Context) -> RegimeResult:
        """Decide the residents' notice, the notices to others and any substitute notice."""
        facts, law = ctx.facts, self.law
        groups = [g for g in facts.affected if g.jurisdiction == law.jurisdiction]
        if not groups:
            return RegimeResult(
                applies=False,
                reasons=[f"No affected group resides in {law.name} ({law.jurisdiction})."],
            )
        # A state's harm exception is judged for its residents' data, not the incident's worst.
        ctx = covered_context(ctx, groups)
        aware_day = facts.aware_at.astimezone(ZoneInfo(law.timezone)).date()
        try:
            version = in_force(tuple(law.versions), facts.aware_at, law.timezone)
        except LookupError:
            return RegimeResult(
                applies=False,
                reasons=[
                    f"No version of {law.statute} was in force on {aware_day.isoformat()} "
                    f"({law.name} date), when the organisation became aware."
                ],
            )
        reasons = [
            f"{sum(g.count for g in groups)} affected people reside in {law.name}.",
            f"The organisation became aware on {aware_day.isoformat()} ({law.name} date), "
            f"so {version.label} applies.",
        ]
        encryption = facts.encryption
        if encryption.encrypted and not encryption.key_compromised:
            if law.encryption_safe_harbour:
                reasons.append(
                    "The data was encrypted and the key was not compromised, so no notice is "
                    f"required ({law.statute} covers unencrypted data, or encrypted data "
                    "with its key)."
                )
                return RegimeResult(applies=True, reasons=reasons)
            reasons.append(
                f"The data was encrypted, but {law.name} law has no encryption safe harbour."
            )

        exposed: set[DataCategory] = set()
        notified = 0
        for group in groups:
            categories = facts.categories_for(group)
            is_pi, why = personal_information(law.personal_information, categories)
            reasons.append(f"Data of {group.count} {law.name} residents: {why}.")
            if is_pi:
                notified += group.count
                exposed.update(categories)
        if not exposed:
            reasons.append(f"No personal information of {law.name} residents was exposed.")
            return RegimeResult(applies=True, reasons=reasons)
        if encryption.encrypted and encryption.key_compromised:
            reasons.append("The data was encrypted but the key was compromised with it.")

        if law.risk_of_harm_exception is not None:
            if ctx.risk is RiskLevel.NONE:
                reasons.append(
                    "The risk is none, so the risk-of-harm exception lifts the duty to notify: "
                    f'"{law.risk_of_harm_exception}"'
                )
                return RegimeResult(applies=True, reasons=reasons)
            reasons.append(
                f'The risk-of-harm exception ("{law.risk_of_harm_exception}") does not apply '
                f"because the risk is {ctx.risk}."
            )

        scope = _Scope(
            ctx, version, clock(facts, version.clock.value), notified, frozenset(exposed)
        )
        individuals = self._individuals(scope)
        obligations = [individuals]
        reasons.append(f"{notified} {law.name} residents must be notified.")
        sectors = {str(s) for s in facts.entity.sectors}
        for rule in version.notices:
            if rule.when_sector and not sectors & set(rule.when_sector):
                reasons.append(
                    f"{rule.recipient}: not required, the entity is not in the sector(s) "
                    f"{', '.join(rule.when_sector)} ({rule.citation})."
                )
            elif not rule.threshold.met(notified):
                reasons.append(
                    f"{rule.recipient}: not required, {notified} residents is not "
                    f"{rule.threshold.describe()} ({rule.citation})."
                )
            else:
                obligations.append(self._notice(scope, rule, individuals))
        if version.substitute is not None:
            substitute, why = substitute_notice(
                law, version.substitute, ctx.assessment, individuals
            )
            reasons.append(why)
            if substitute is not None:
                obligations.append(substitute)
        return RegimeResult(applies=True, reasons=reasons, obligations=obligations)

    def _individuals(self, scope: _Scope) -> Obligation:
        law, rule, start = self.law, scope.version.individuals, scope.start
        zone = scope.ctx.facts.entity.timezone
        due: datetime | None = None
        reasons = [
            f"{law.statute}: {scope.residents} {law.name} residents had personal information "
            "exposed."
        ]
        if rule.timing.kind is TimingKind.DAYS_AFTER_CLOCK:
            due = self._days_after(start.started_at, rule.timing, zone)
            reasons.append(
                f"{_count(rule.timing)} after {start.name} ({start.started_at.isoformat()}) "
                f"end on {due.isoformat()} (end of the day in {zone})."
            )
        else:
            reasons.append("The law in force sets no fixed period for the resident notice.")
        content = list(rule.content)
        if DataCategory.GOVERNMENT_ID in scope.exposed:
            content += rule.content_if_government_id
            if rule.note_if_government_id:
                reasons.append(f"A government identifier was exposed. {rule.note_if_government_id}")
            elif rule.content_if_government_id:
                reasons.append(
                    "A government identifier was exposed, so the notice must also contain: "
                    f"{', '.join(rule.content_if_government_id)}."
                )
        if rule.note_if_credentials_only and _credentials_only(law, scope.exposed):
            reasons.append(
                "Only account credentials make this personal information. "
                + rule.note_if_credentials_only
            )
        return Obligation(
            regime=law.id,
            audience=Audience.INDIVIDUALS,
            recipient=f"Affected {law.name} residents",
            due_at=due,
            deadline=rule.deadline,
            citation=rule.citation,
            required_content=content,
            id=slug(law.id, "individuals"),
            clock=start.name,
            clock_started_at=start.started_at,
            jurisdictions=[law.jurisdiction],
            affected_count=scope.residents,
            channels=list(rule.channels),
            language="en",
            contact="",
            reasons=reasons,
            warnings=list(start.warnings),
        )

    def _notice(self, scope: _Scope, rule: NoticeRule, individuals: Obligation) -> Obligation:
        law, start, timing = self.law, scope.start, rule.timing
        zone = scope.ctx.facts.entity.timezone
        reasons = [
            f"{law.statute}: notice to {rule.recipient} is required ({scope.residents} "
            f"residents: {rule.threshold.describe()})."
        ]
        if rule.when_sector:
            reasons.append(
                f"The entity is in a sector this notice covers ({', '.join(rule.when_sector)})."
            )
        due: datetime | None = None
        warnings: list[str] = []
        # A chained notice's clock is the residents' notice: the instant it was sent once the
        # workflow has recorded it, until then unknown.
        chained = timing.kind in _CHAINED
        sent = scope.ctx.notified.get(individuals.id)
        if timing.kind is TimingKind.NONE:
            reasons.append("The law in force sets no fixed period for this notice.")
        elif timing.kind is TimingKind.DAYS_AFTER_CLOCK:
            due = self._days_after(start.started_at, timing, zone)
            warnings += start.warnings
            reasons.append(
                f"{_count(timing)} after {start.name} ({start.started_at.isoformat()}) "
                f"end on {due.isoformat()} (end of the day in {zone})."
            )
        elif timing.kind is TimingKind.WITH_INDIVIDUALS:
            due = individuals.due_at
            warnings += individuals.warnings
            reasons.append(
                "Due with the residents' notice"
                + (f" ({due.isoformat()})." if due else ", which has no fixed instant.")
            )
        elif sent is not None:
            # The residents have been notified: the chain resolves from the real instant.
            due = self._days_after(sent, timing, zone)
            reasons.append(
                f"Due {_count(timing)} after the residents were notified "
                f"({sent.isoformat()}): {due.isoformat()}."
            )
        else:
            # Estimated from the residents' deadline, so it inherits that deadline's doubts
            # about the clock start.
            warnings += individuals.warnings
            if individuals.due_at is None:
                warnings.append(
                    f"Chained to the residents' notice: due {_count(timing)} after the "
                    "residents are notified, which the law gives no fixed instant; record the "
                    "notice date to know the due date."
                )
            else:
                due = self._days_after(individuals.due_at, timing, zone)
                reasons.append(
                    f"Due {_count(timing)} after the residents are notified; until then "
                    f"computed from the residents' deadline ({individuals.due_at.isoformat()}), "
                    f"giving {due.isoformat()}."
                )
        return Obligation(
            regime=law.id,
            audience=rule.audience,
            recipient=rule.recipient,
            due_at=due,
            deadline=rule.deadline,
            citation=rule.citation,
            required_content=list(rule.content),
            id=_notice_id(law, rule),
            clock="consumer_notice" if chained else start.name,
            clock_started_at=sent if chained else start.started_at,
            jurisdictions=[law.jurisdiction],
            affected_count=scope.residents,
            # What rendering produces for these audiences: a posting or a report.
            channels=[Channel.WEB if rule.audience is Audience.PUBLIC else Channel.REPORT],
            contact=rule.contact,
            language="en",
            reasons=reasons,
            warnings=warnings,
        )

    def _days_after(self, start: datetime, timing: Timing, zone: str) -> datetime:
        """The end of the day ``timing.days`` (calendar or business) days after ``start``."""
        assert timing.days is not None  # the schema requires days for these kinds
        if not timing.business_days:
            return end_of_day_after(start, timing.days, zone)
        return business_days_after(start, timing.days, tz=zone, subdivision=self.law.jurisdiction)


def _notice_id(law: StateLaw, rule: NoticeRule) -> str:
    return slug(law.id, rule.audience.value, rule.key or "")


def _count(timing: Timing) -> str:
    kind = "business" if timing.business_days else "calendar"
    return f"{timing.days} {kind} days"


def _credentials_only(law: StateLaw, exposed: frozenset[DataCategory]) -> bool:
    """Whether account credentials are the only reason the data is personal information."""
    rest = [c for c in exposed if c is not DataCategory.ACCOUNT_CREDENTIALS]
    return (
        DataCategory.ACCOUNT_CREDENTIALS in exposed
        and not personal_information(law.personal_information, rest)[0]
    )
