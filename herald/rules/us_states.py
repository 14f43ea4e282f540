"""US state breach-notification laws: one generic regime per state file.

Each state's law is data (`herald/rules/data/us/*.yaml`, schema in `herald.rules.statelaw`);
`StateRegime` interprets one `StateLaw`, so adding or amending a state never touches Python.

* **Scope.** Affected groups whose jurisdiction is the state's code; the version of the law
  in force on the day of awareness, on the state's own calendar.
* **Trigger.** Unencrypted *personal information* (a name with a ``with_name`` category, or
  an ``alone`` category), or encrypted data whose key went with it where the state has an
  encryption safe harbour.
* **Risk-of-harm exception.** When the risk judged for the residents is none, the state's
  exception lifts the duties it names (every duty unless ``lifts`` says which); the others
  stay, and a written determination the state asks for instead becomes a notice to the
  regulator (``<regime>-regulator-determination``) when its threshold is met.
* **Residents** are notified by the version's individuals rule, counted from its clock.
* **Other notices** (attorney general, agencies, credit bureaus, media) follow when the
  number their threshold counts meets it (the residents notified, or, for ``all_notified``,
  every person notified under a US state law in the incident), and, where a notice is
  limited to some sectors, when the entity is in one of them. A notice due N days after the
  residents are notified is computed from the residents' deadline until `Context.notified`
  records when they were, then from that instant.
* **Substitute notice** is derived only for insufficient contact information (from the
  assessment); the cost and size branches stay the responder's call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from herald.deadlines import business_days_after, end_of_day_after
from herald.models import (
    Audience,
    Channel,
    DataCategory,
    IncidentFacts,
    Obligation,
    RiskLevel,
)
from herald.rules.base import Clock, Context, RegimeResult, clock, covered_context, in_force, slug
from herald.rules.statelaw import (
    DATA_DIR,
    INDIVIDUALS,
    Counts,
    HarmException,
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
    definitions = {law.jurisdiction: law.personal_information for law in laws}
    return tuple(StateRegime(law, definitions) for law in laws)


@dataclass(frozen=True)
class _Scope:
    """What one evaluation established before the obligations are built."""

    ctx: Context
    version: Version
    start: Clock
    residents: int  # residents whose personal information was exposed: all are notified
    exposed: frozenset[DataCategory]


@dataclass(frozen=True)
class _Count:
    """The number a notice's threshold was measured against, and how to say it."""

    number: int
    noun: str  # "residents", or "persons notified under US state laws"
    why: str | None = None  # how an all_notified count was made up


class StateRegime:
    """One US state's breach-notification law for businesses (``us-<state>``)."""

    def __init__(
        self, law: StateLaw, definitions: Mapping[str, PersonalInformation] | None = None
    ) -> None:
        """Build the regime from the state's data.

        Args:
            law: the state's law.
            definitions: every state's definition of personal information, by jurisdiction,
                for thresholds that count people notified in other states (``all_notified``);
                by default the shipped files'.

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
            exception = law.risk_of_harm_exception
            if exception is not None and exception.determination is not None:
                ids.append(_notice_id(law, exception.determination.as_notice()))
            taken = {slug(law.id, "individuals"), slug(law.id, "public")}
            clashes = sorted({i for i in ids if ids.count(i) > 1 or i in taken})
            if clashes:
                raise ValueError(
                    f"{law.id}, {version.label}: notices share the obligation id "
                    f"{', '.join(clashes)}; give each a distinct key"
                )
        self.law = law
        self._definitions = definitions

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

        excepted: HarmException | None = None
        exception = law.risk_of_harm_exception
        if exception is not None:
            if ctx.risk is RiskLevel.NONE:
                excepted = exception
                reasons.append(_exception_applies(exception))
                if exception.lifts is None and exception.determination is None:
                    return RegimeResult(applies=True, reasons=reasons)
            else:
                reasons.append(
                    f'The risk-of-harm exception ("{exception.text}") does not apply because '
                    f"the risk is {ctx.risk}."
                )

        scope = _Scope(
            ctx, version, clock(facts, version.clock.value), notified, frozenset(exposed)
        )
        individuals = self._individuals(scope)
        waived = excepted is not None and excepted.lifts_individuals
        obligations = [] if waived else [individuals]
        reasons.append(
            f"{notified} {law.name} residents had personal information exposed; the exception "
            "lifts their notice."
            if waived
            else f"{notified} {law.name} residents must be notified."
        )
        sectors = {str(s) for s in facts.entity.sectors}
        everyone: _Count | None = None  # all_notified, counted once when a rule asks for it
        for rule in version.notices:
            if excepted is not None and excepted.lifts_notice(rule):
                reasons.append(
                    f"{rule.recipient}: not required, the risk-of-harm exception lifts this "
                    f"notice ({rule.citation})."
                )
                continue
            if rule.when_sector and not sectors & set(rule.when_sector):
                reasons.append(
                    f"{rule.recipient}: not required, the entity is not in the sector(s) "
                    f"{', '.join(rule.when_sector)} ({rule.citation})."
                )
                continue
            count = _Count(notified, "residents")
            if rule.counts is Counts.ALL_NOTIFIED:
                everyone = everyone or self._everyone(facts, 0 if waived else notified)
                count = everyone
            if not rule.threshold.met(count.number):
                reasons.append(
                    f"{rule.recipient}: not required, {count.number} {count.noun} is not "
                    f"{rule.threshold.describe()} ({rule.citation})."
                    + (f" {count.why}" if count.why else "")
                )
            else:
                obligations.append(self._notice(scope, rule, individuals, count))
        if excepted is not None and excepted.determination is not None:
            rule = excepted.determination.as_notice()
            if rule.threshold.met(notified):
                obligations.append(self._determination(scope, rule, individuals, excepted.text))
            else:
                reasons.append(
                    f"{rule.recipient}: the written determination is not required, "
                    f"{notified} residents is not {rule.threshold.describe()} "
                    f"({rule.citation})."
                )
        if waived:
            if version.substitute is not None:
                reasons.append(
                    "No substitute notice: it stands in for the residents' notice, which the "
                    "risk-of-harm exception lifts."
                )
        elif version.substitute is not None:
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

    def _everyone(self, facts: IncidentFacts, residents: int) -> _Count:
        """Every person notified under a US state law in the incident (``all_notified``).

        Args:
            facts: the incident facts.
            residents: the state's own residents who are notified (none when the harm
                exception lifts their notice).

        Returns:
            The count, with a sentence saying how it is made up. A group of another state
            counts when its data is personal information under its own state's definition or
            under this state's (a statute that counts "persons" may itself require notice to
            residents of other states); other states' exceptions are not re-judged.
        """
        law = self.law
        definitions = self._definitions
        if definitions is None:
            definitions = {j: s.personal_information for j, s in state_laws().items()}
        others: dict[str, int] = {}
        for group in facts.affected:
            code = group.jurisdiction
            if not code.startswith("US-") or code == law.jurisdiction:
                continue
            categories = facts.categories_for(group)
            own = definitions.get(code)
            if personal_information(law.personal_information, categories)[0] or (
                own is not None and personal_information(own, categories)[0]
            ):
                others[code] = others.get(code, 0) + group.count
        elsewhere = sum(others.values())
        listed = ", ".join(f"{code}: {n}" for code, n in sorted(others.items()))
        why = (
            f"{residents + elsewhere} persons are notified under US state laws in this "
            f"incident: {residents} {law.name} residents and {elsewhere} residents of other "
            f"states{f' ({listed})' if listed else ''}; this threshold counts every person "
            f"notified, not only {law.name} residents."
        )
        return _Count(residents + elsewhere, "persons notified under US state laws", why)

    def _determination(
        self, scope: _Scope, rule: NoticeRule, individuals: Obligation, text: str
    ) -> Obligation:
        """The written no-harm determination, as a notice to the regulator."""
        found = self._notice(scope, rule, individuals, _Count(scope.residents, "residents"))
        start = scope.start
        reasons = [
            f'The risk-of-harm exception is used ("{text}"); {self.law.statute} asks for the '
            f"written determination to be given to {rule.recipient} ({scope.residents} "
            f"residents: {rule.threshold.describe()}).",
            *found.reasons[1:],
        ]
        if rule.timing.kind is TimingKind.DAYS_AFTER_CLOCK:
            reasons.append(
                "The law counts from the day the no-harm determination is made; it is counted "
                f"here from {start.name} ({start.started_at.isoformat()}), the earliest it can "
                "be made, so the date is never later than the law's."
            )
        return found.model_copy(update={"reasons": reasons})

    def _notice(
        self, scope: _Scope, rule: NoticeRule, individuals: Obligation, count: _Count
    ) -> Obligation:
        law, start, timing = self.law, scope.start, rule.timing
        zone = scope.ctx.facts.entity.timezone
        reasons = [
            f"{law.statute}: notice to {rule.recipient} is required ({count.number} "
            f"{count.noun}: {rule.threshold.describe()})."
        ]
        if count.why:
            reasons.append(count.why)
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
            affected_count=count.number,
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


def _exception_applies(exception: HarmException) -> str:
    """The reason saying what the risk-of-harm exception lifts, when the risk is none."""
    if exception.lifts is None:
        lifted = "the duty to notify"
    else:
        names = [_lifted_name(name) for name in exception.lifts]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        lifted = f"only {listed}; the other notices stay"
    said = f'The risk is none, so the risk-of-harm exception lifts {lifted}: "{exception.text}"'
    if exception.determination is not None:
        said += (
            f" The written determination goes to {exception.determination.recipient} "
            f"({exception.determination.citation})."
        )
    return said


def _lifted_name(name: str) -> str:
    """One entry of an exception's ``lifts``, in words."""
    if name == INDIVIDUALS:
        return "the residents' notice (and any substitute notice)"
    if name in {a.value for a in Audience}:
        return f"the notices to {name.replace('_', ' ')}"
    return f"the {name} notice"


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
