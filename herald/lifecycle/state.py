"""IncidentState: facts, obligations, waivers, completion and closure (see the package doc)."""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from herald.lifecycle.drafts import DraftReview
from herald.lifecycle.errors import SYSTEM_ACTOR, LifecycleError, campaign_key
from herald.lifecycle.phases import follow_up
from herald.lifecycle.reports import ReportTracking
from herald.models import (
    FILED_STATUSES,
    Assessment,
    Audience,
    Channel,
    DeliverySummary,
    Draft,
    IncidentFacts,
    IncidentInput,
    IncidentStatus,
    Obligation,
    Phase,
    ReceiptCounts,
    RegimeDecision,
    RegulatorReport,
    ReportStatus,
    TimelineEvent,
    Waiver,
)
from herald.models.evidence import FactsVersion
from herald.models.messages import (
    AddReportPhaseInput,
    ApprovedMessage,
    CampaignSpec,
    WaiveObligationInput,
)
from herald.rendering.context import form_of
from herald.rules.locality import notices_to_draft, plan_individual_notices


class IncidentState(DraftReview, ReportTracking, BaseModel):
    """Everything the incident workflow knows; serialisable for continue-as-new."""

    inp: IncidentInput
    facts: IncidentFacts
    facts_version: int = 1
    facts_history: list[FactsVersion] = Field(
        default_factory=list, description="every version of the facts as given, oldest first"
    )
    population_assessment: Assessment | None = Field(
        default=None, description="what the population file said; fixed for the incident"
    )
    assessment: Assessment | None = Field(
        default=None, description="as judged with the current facts, with the risk level"
    )
    obligations: list[Obligation] = Field(default_factory=list)
    decisions: list[RegimeDecision] = Field(default_factory=list)
    receipts: dict[Channel, ReceiptCounts] = Field(
        default_factory=dict, description="what providers reported after sending, per channel"
    )
    notice_plan: dict[str, list[str]] = Field(
        default_factory=dict, description="individuals obligation -> jurisdictions it notifies"
    )
    drafts: dict[str, Draft] = Field(default_factory=dict)
    reports: dict[str, RegulatorReport] = Field(default_factory=dict)
    deliveries: dict[str, DeliverySummary] = Field(default_factory=dict)
    notified_at: dict[str, datetime] = Field(
        default_factory=dict,
        description="obligation -> when it was fulfilled: notices all delivered, report filed",
    )
    campaign_scope: dict[str, list[str]] = Field(
        default_factory=dict, description="campaign key -> jurisdictions its latest run covered"
    )
    published: dict[str, str] = Field(default_factory=dict, description="obligation -> location")
    waivers: dict[str, Waiver] = Field(default_factory=dict)
    added_phases: dict[str, Obligation] = Field(
        default_factory=dict, description="follow-up phases people opened, by obligation id"
    )
    phase_bases: dict[str, str] = Field(
        default_factory=dict, description="follow-up phase id -> the report it follows"
    )
    timeline: list[TimelineEvent] = Field(default_factory=list)
    closed_at: datetime | None = None

    def check_add_phase(self, inp: AddReportPhaseInput) -> Obligation:
        """The obligation a new follow-up phase would be, or LifecycleError."""
        report = self.reports.get(inp.report_id)
        if report is None:
            raise LifecycleError(f"no regulator report {inp.report_id!r} in this incident")
        phase = follow_up(self.obligation(inp.report_id), report, inp.phase, self.facts, inp.due_at)
        if phase.id in self.added_phases or phase.id in self.reports:
            raise LifecycleError(f"report {inp.report_id} already has a {inp.phase}")
        return phase

    def add_phase(self, inp: AddReportPhaseInput, now: datetime) -> RegulatorReport:
        """Open a follow-up phase: a report of its own, drafted and tracked like the first."""
        phase = self.check_add_phase(inp)
        self.added_phases[phase.id] = phase
        self.phase_bases[phase.id] = inp.report_id
        self.set_obligations(
            [item for item in self.obligations if item.id not in self.added_phases],
            self.decisions,
            now,
        )
        note = f": {inp.note}" if inp.note else ""
        self.log(now, inp.actor, "report.phase_added", f"{phase.id}{note}")
        return self.reports[phase.id]

    def sender_address(self) -> str:
        """The organisation's postal address as filings print it."""
        if self.inp.profile is not None and self.inp.profile.address:
            return self.inp.profile.address
        contact = self.facts.entity.contact
        return (contact.postal_address or "") if contact else ""

    def record_facts(self, facts: IncidentFacts, actor: str, now: datetime) -> None:
        """Keep a version of the facts as a person gave them (before any profile fills)."""
        self.facts_history.append(
            FactsVersion(version=self.facts_version, at=now, actor=actor, facts=facts)
        )

    def log(self, now: datetime, actor: str, kind: str, detail: str = "") -> None:
        """Add one event to the timeline (never personal data: counts and ids only).

        The timeline stays in time order: a child's event that arrives after later events
        (a signal delivered late) takes its place by the time it happened.
        """
        event = TimelineEvent(at=now, actor=actor, kind=kind, detail=detail)
        index = bisect.bisect_right([e.at for e in self.timeline], now)
        self.timeline.insert(index, event)

    def obligation(self, obligation_id: str) -> Obligation:
        """The current obligation with that id, or LifecycleError."""
        for item in self.obligations:
            if item.id == obligation_id:
                return item
        raise LifecycleError(f"no obligation {obligation_id!r} in this incident")

    def set_obligations(
        self, obligations: list[Obligation], decisions: list[RegimeDecision], now: datetime
    ) -> tuple[list[str], list[str]]:
        """Adopt a new evaluation; return (deadlines moved, obligations withdrawn).

        Regulator reports are created for new regulator obligations and keep their filing
        history when re-evaluated; only their deadline follows the new evaluation.
        """
        previous = {item.id: item for item in self.obligations}
        # Phases people opened stay while the report they follow still applies.
        current_ids = {item.id for item in obligations}
        kept = [
            phase
            for key, phase in self.added_phases.items()
            if self.phase_bases.get(key) in current_ids
        ]
        obligations = [*obligations, *kept]
        self.obligations, self.decisions = obligations, decisions
        self._plan()
        moved: list[str] = []
        for item in obligations:
            before = previous.get(item.id)
            if before is None:
                self.log(now, SYSTEM_ACTOR, "obligation.added", _describe(item))
            elif before.due_at != item.due_at:
                moved.append(item.id)
                self.log(now, SYSTEM_ACTOR, "deadline.moved", f"{item.id}: {_due(item)}")
            if item.audience is Audience.REGULATOR:
                report = self.reports.get(item.id)
                if report is None:
                    self.reports[item.id] = RegulatorReport(
                        id=item.id,
                        regime=item.regime,
                        authority=item.recipient,
                        contact=item.contact,
                        due_at=item.due_at,
                        clock_started_at=item.clock_started_at,
                        phase=report_phase(item),
                    )
                else:
                    report.due_at = item.due_at
                    report.clock_started_at = item.clock_started_at
                    report.overdue = bool(report.due_at and report.overdue and now > report.due_at)
                    if report.withdrawn:
                        # Back under new facts: its drafts are new, so it needs approving again.
                        report.withdrawn = False
                        if report.status is ReportStatus.APPROVED:
                            self._reopen(report, now)
        current = {item.id for item in obligations}
        withdrawn = [key for key in previous if key not in current]
        for key in withdrawn:
            self.log(now, SYSTEM_ACTOR, "obligation.withdrawn", key)
            if key in self.reports:
                self.reports[key].withdrawn = True
                self.reports[key].overdue = False
        return moved, withdrawn

    def _plan(self) -> None:
        # Waived obligations serve nobody: their people fall to the next most local regime.
        self.notice_plan = plan_individual_notices(
            [item for item in self.obligations if item.id not in self.waivers]
        )

    def obligations_to_draft(self) -> list[Obligation]:
        """Obligations that need drafts: all but individuals ones whose people are all served
        by a more local regime's notice (see herald.rules.locality). A notice is drafted for
        the people it serves (its languages, categories and count) and carries the required
        elements of the notices it stands in for; a report past its deadline must also say
        why it is late (GDPR Art. 33(1))."""
        drafted = notices_to_draft(self.obligations, self.notice_plan, ignore=self.waivers)
        late = {
            key for key, report in self.reports.items() if report.overdue and not report.withdrawn
        }
        return [
            item.model_copy(update={"required_content": [*item.required_content, "delay_reasons"]})
            if item.id in late and "delay_reasons" not in item.required_content
            else item
            for item in drafted
        ]

    def required_content(self, obligation_id: str) -> list[str]:
        """The elements a draft of this obligation must carry (merged, for a notice)."""
        for item in self.obligations_to_draft():
            if item.id == obligation_id:
                return item.required_content
        return self.obligation(obligation_id).required_content

    def campaign_spec(self, obligation_id: str, channel: Channel) -> CampaignSpec:
        """What the campaign for one individuals obligation over one channel sends, to whom."""
        item = self.obligation(obligation_id)
        drafts = self.drafts_for(obligation_id)
        # Only channels with an approved notice take part in the fallback order, so nobody is
        # assigned to a channel no campaign sends on.
        drafted = {d.channel for d in drafts}
        return CampaignSpec(
            incident_id=self.inp.incident_id,
            obligation_id=obligation_id,
            channel=channel,
            channel_order=[c for c in self.inp.channel_order if c in drafted],
            jurisdictions=self.notice_plan.get(obligation_id, []),
            messages=[ApprovedMessage.of(d) for d in drafts if d.channel is channel],
            default_language=item.language,
            sender_name=self.facts.entity.name,
        )

    def record_publication(self, item: Obligation, location: str, now: datetime) -> None:
        """Note a published notice and, where the law sets one, how long it must stay up."""
        self.published[item.id] = location
        detail = item.id
        if item.posting_days:
            until = now + timedelta(days=item.posting_days)
            detail += f": keep posted until {until:%Y-%m-%d %H:%M} UTC ({item.posting_days} days)"
        self.log(now, SYSTEM_ACTOR, "notice.published", detail)

    def assessment_for_rules(self) -> Assessment | None:
        """The population's assessment, counting people whose every contact point failed for
        good among the unreachable: the law owes them substitute notice as much as people
        with no contact point at all."""
        base = self.population_assessment
        lost = sum(summary.undeliverable for summary in self.deliveries.values())
        if base is None or not lost:
            return base
        return base.model_copy(update={"unreachable": base.unreachable + lost})

    def record_receipts(self, counts: ReceiptCounts, now: datetime) -> None:
        """Add what a provider's delivery receipts changed (counted once each, by the ledger)."""
        total = self.receipts.get(counts.channel, ReceiptCounts(channel=counts.channel))
        self.receipts[counts.channel] = total.model_copy(
            update={
                "delivered": total.delivered + counts.delivered,
                "bounced": total.bounced + counts.bounced,
                "failed": total.failed + counts.failed,
            }
        )
        self.log(
            now,
            SYSTEM_ACTOR,
            "delivery.receipts",
            f"{counts.channel.value}: {counts.delivered} delivered, {counts.bounced} bounced, "
            f"{counts.failed} failed",
        )

    def record_notifications(self, now: datetime) -> list[str]:
        """Note when individuals obligations became fulfilled; return the ids newly noted.

        Deadlines chained to the residents' notice (an attorney general's copy "within 15
        days of notifying") are re-judged from these instants.
        """
        newly = [
            item.id
            for item in self.obligations
            if item.audience is Audience.INDIVIDUALS
            and item.id not in self.notified_at
            and self.notice_plan.get(item.id)
            and self.is_met(item)
        ]
        for obligation_id in newly:
            self.notified_at[obligation_id] = now
            self.log(now, SYSTEM_ACTOR, "notice.completed", obligation_id)
        return newly

    def check_waive(self, inp: WaiveObligationInput) -> Obligation:
        """Only an open obligation can be waived."""
        item = self.obligation(inp.obligation_id)
        if item.id in self.waivers:
            raise LifecycleError(f"obligation {item.id} is already waived")
        if item.id not in self.open_obligations():
            raise LifecycleError(f"obligation {item.id} is already met")
        return item

    def waive(self, inp: WaiveObligationInput, now: datetime) -> None:
        """Waive an obligation with a reason that stays in the evidence."""
        self.check_waive(inp)
        self.waivers[inp.obligation_id] = Waiver(
            obligation_id=inp.obligation_id, actor=inp.actor, reason=inp.reason, at=now
        )
        self.log(now, inp.actor, "obligation.waived", f"{inp.obligation_id}: {inp.reason}")
        self._plan()

    def is_met(self, item: Obligation) -> bool:
        """Whether an obligation has been fulfilled (waivers are counted separately)."""
        if not item.drafted:
            return True  # a standing promise (answer requests in 15 days): tracked, not sent
        if item.audience is Audience.REGULATOR:
            report = self.reports.get(item.id)
            return report is not None and report.status in FILED_STATUSES
        if item.audience is Audience.INDIVIDUALS:
            if not self.notice_plan.get(item.id):
                return True  # every person it covers gets a more local regime's notice
            keys = {campaign_key(item.id, d.channel) for d in self.drafts_for(item.id)}
            planned = set(self.notice_plan[item.id])
            # Met only when finished campaigns covered the whole current plan: a waiver can
            # hand a campaign that already ran more people to notify.
            return bool(keys) and all(
                key in self.deliveries
                and self.deliveries[key].completed
                and planned <= set(self.campaign_scope.get(key, []))
                for key in keys
            )
        return item.id in self.published

    def open_obligations(self) -> list[str]:
        """Obligations neither met nor waived: while any remains, the incident stays open."""
        return [
            item.id
            for item in self.obligations
            if item.id not in self.waivers and not self.is_met(item)
        ]

    def check_close(self) -> None:
        """Refuse to close while an obligation is open."""
        if self.closed_at is not None:
            raise LifecycleError("the incident is already closed")
        remaining = self.open_obligations()
        if remaining:
            raise LifecycleError(
                "cannot close: obligations neither met nor waived: " + ", ".join(remaining)
            )

    def next_deadline(self) -> datetime | None:
        """The earliest fixed deadline among open obligations."""
        remaining = set(self.open_obligations())
        dues = [o.due_at for o in self.obligations if o.id in remaining and o.due_at]
        return min(dues) if dues else None

    def status(self, phase: Phase) -> IncidentStatus:
        """The snapshot the `status` query returns."""
        return IncidentStatus(
            incident_id=self.inp.incident_id,
            phase=phase,
            commander=self.inp.commander,
            profile=self.inp.profile.slug if self.inp.profile else None,
            approvals_required=self.inp.approvals_required,
            facts=self.facts,
            facts_version=self.facts_version,
            population=self.inp.population,
            assessment=self.assessment,
            obligations=self.obligations,
            decisions=self.decisions,
            # Earlier versions only through the `draft` query: status stays small.
            drafts=[
                d.model_copy(update={"history": []})
                for d in sorted(self.drafts.values(), key=lambda d: d.id)
            ],
            reports=sorted(self.reports.values(), key=lambda r: r.id),
            deliveries=sorted(self.deliveries.values(), key=lambda d: (d.obligation_id, d.channel)),
            receipts=sorted(self.receipts.values(), key=lambda r: r.channel),
            waivers=list(self.waivers.values()),
            timeline=self.timeline,
            open_obligations=self.open_obligations(),
            next_deadline=self.next_deadline(),
            closed_at=self.closed_at,
        )


# Obligation forms that are a phase of one filing to one authority; other forms name a
# different recipient (a country's authority, New York's DFS …) and are each an "initial".
REPORT_PHASES = (
    "early-warning",
    "notification",
    "final",
    "preliminary",
    "detailed",
    "supplement",
    "follow-up",
    "close-out",
    "amendment",
)


def report_phase(item: Obligation) -> str:
    """Which phase of its regime's filing a report obligation is ("initial" when single).

    The phase is the form ("final") or its last part ("de-supplement" for the supplement
    to the German authority's report).
    """
    form = form_of(item)
    return next((p for p in REPORT_PHASES if form == p or form.endswith(f"-{p}")), "initial")


def _due(item: Obligation) -> str:
    return item.due_at.isoformat() if item.due_at else item.deadline


def _describe(item: Obligation) -> str:
    return f"{item.id}: {item.audience} {item.recipient}, due {_due(item)}"
