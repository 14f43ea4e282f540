"""IncidentWorkflow: one incident from detection to closure."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.notices import NoticeActivities
    from activities.obligations import ObligationActivities
    from activities.population import PopulationActivities
    from activities.register import RegisterActivities
    from herald.lifecycle import SYSTEM_ACTOR, IncidentState, LifecycleError
    from herald.lifecycle.errors import REASSESSING
    from herald.lifecycle.records import evidence_record, register_entry
    from herald.models import (
        FILED_STATUSES,
        Audience,
        Draft,
        DraftState,
        IncidentFacts,
        IncidentInput,
        IncidentResult,
        IncidentStatus,
        Phase,
        ReportStatus,
        search,
    )
    from herald.models.delivery import (
        RECEIPTS_SIGNAL,
        RELEASED_SIGNAL,
        DeliveriesReleased,
        ReceiptCounts,
    )
    from herald.models.evidence import EvidenceRecord
    from herald.models.messages import (
        AcknowledgeReminderInput,
        AcknowledgeReminderResult,
        AddReportPhaseInput,
        AddReportPhaseResult,
        ApprovedMessage,
        ApproveDraftInput,
        AssessPopulationInput,
        CloseIncidentInput,
        CloseIncidentResult,
        DeadlineMovedSignal,
        DraftDecisionResult,
        DraftQuery,
        EvaluateObligationsInput,
        PublishNoticeInput,
        RecordRegisterEntryInput,
        RecordRegulatorStatusInput,
        RecordRegulatorStatusResult,
        ReminderAcknowledgedSignal,
        RenderDraftsInput,
        ReportEventSignal,
        RequestChangesInput,
        ReviseDraftInput,
        UpdateFactsInput,
        UpdateFactsResult,
        WaiveObligationInput,
        WaiveObligationResult,
    )
    from herald.rendering.checks import check_draft
    from workflows.campaign_runner import CampaignRunner
    from workflows.regulator_report import REPORT_EVENT_SIGNAL, RegulatorReportWorkflow
    from workflows.report_runner import ReportRunner

_SHORT = timedelta(minutes=2)
_LONG = timedelta(minutes=30)


@workflow.defn
class IncidentWorkflow:
    """Carries an incident through assessment, obligations, drafts, approval, delivery,
    regulator reports and monitoring, until a person closes it with nothing left open."""

    @workflow.init
    def __init__(self, inp: IncidentInput) -> None:
        self._state = IncidentState(inp=inp, facts=inp.facts)
        self._phase = Phase.DETECTED
        self._lock = asyncio.Lock()
        self._wake = 0
        self._closing = False
        self._campaigns = CampaignRunner(self._state, self._campaign_changed)
        self._reports = ReportRunner(self._state)
        self._render_needed = False
        self._rejudge_needed = False
        self._publishing: set[str] = set()
        self._undeliverable: set[str] = set()
        self._published: tuple[object, ...] | None = None

    @workflow.run
    async def run(self, inp: IncidentInput) -> IncidentResult:
        state = self._state
        state.log(workflow.now(), inp.commander, "incident.started", state.facts.title)
        state.record_facts(inp.facts, inp.commander, workflow.now())
        async with self._lock:
            await self._derive(inp.facts)
        while not self._closing:
            # Read the counter before advancing: a handler that runs while `_advance` awaits
            # bumps it, and the loop goes round again instead of sleeping on that change.
            seen = self._wake
            async with self._lock:
                if self._rejudge_needed:
                    # Notices went out: deadlines chained to them resolve to real dates.
                    self._rejudge_needed = False
                    await self._derive(self._state.facts)
                if self._render_needed:
                    self._render_needed = False
                    await self._render()
                await self._advance()
            self._publish()
            await workflow.wait_condition(self._changed_since(seen))
        await workflow.wait_condition(workflow.all_handlers_finished)
        # A filed report's child still writes the approved filing (the evidence of what was
        # submitted); closing must not cut it off.
        await self._reports.settle()
        await self._record_register()
        self._publish()
        assert state.closed_at is not None
        return IncidentResult(
            incident_id=inp.incident_id,
            phase=Phase.CLOSED,
            closed_at=state.closed_at,
            obligations=len(state.obligations),
            waived=len(state.waivers),
            deliveries=list(state.deliveries.values()),
            reports=list(state.reports.values()),
        )

    # ---- the steps -------------------------------------------------------------------

    async def _derive(self, facts: IncidentFacts) -> tuple[list[str], list[str]]:
        """Assess, evaluate obligations and render drafts; return (drafts changed, moved)."""
        state = self._state
        self._phase = Phase.ASSESSING
        if state.inp.profile is not None:
            # New facts describe the incident; the organisation's details still apply.
            facts = state.inp.profile.fill(facts)
        if state.inp.population is not None and state.population_assessment is None:
            assessed = await workflow.execute_activity_method(
                PopulationActivities.assess_population,
                AssessPopulationInput(
                    incident_id=state.inp.incident_id,
                    source=state.inp.population,
                    channel_order=state.inp.channel_order,
                ),
                start_to_close_timeout=_LONG,
            )
            state.population_assessment = assessed.assessment
            state.log(
                workflow.now(),
                SYSTEM_ACTOR,
                "population.assessed",
                f"{assessed.assessment.total} people, {assessed.assessment.rejected} rows rejected",
            )
        evaluated = await workflow.execute_activity_method(
            ObligationActivities.evaluate_obligations,
            EvaluateObligationsInput(
                facts=facts,
                assessment=state.assessment_for_rules(),
                notified=state.notified_at,
            ),
            start_to_close_timeout=_SHORT,
        )
        state.facts, state.assessment = evaluated.facts, evaluated.assessment
        moved, withdrawn = state.set_obligations(
            evaluated.evaluation.obligations, evaluated.evaluation.decisions, workflow.now()
        )
        changed = await self._render()
        for report_id in moved:
            if report_id in state.reports:
                await self._reports.signal(
                    report_id,
                    RegulatorReportWorkflow.deadline_moved,
                    DeadlineMovedSignal(
                        due_at=state.reports[report_id].due_at,
                        clock_started_at=state.reports[report_id].clock_started_at,
                    ),
                )
        for report_id in withdrawn:
            self._reports.stop(report_id)
        await self._record_register()
        self._wake += 1
        return changed, moved

    async def _record_register(self) -> None:
        """Keep the incident's breach-register entry current (also when nothing applies)."""
        phase = Phase.CLOSED if self._state.closed_at else self._phase
        await workflow.execute_activity_method(
            RegisterActivities.record_register_entry,
            RecordRegisterEntryInput(entry=register_entry(self._state, phase, workflow.now())),
            start_to_close_timeout=_SHORT,
        )

    async def _render(self) -> list[str]:
        """Render the drafts the current obligations need; return the ids that changed."""
        state = self._state
        self._phase = Phase.DRAFTING
        rendered = await workflow.execute_activity_method(
            ObligationActivities.render_drafts,
            RenderDraftsInput(
                incident_id=state.inp.incident_id,
                facts=state.facts,
                obligations=state.obligations_to_draft(),
                assessment=state.assessment,
                channel_order=state.inp.channel_order,
                limits=state.inp.limits,
            ),
            start_to_close_timeout=_SHORT,
        )
        for skipped in rendered.skipped:
            state.note_skipped_translation(skipped, workflow.now())
        return state.merge_drafts(rendered.drafts, workflow.now())

    async def _advance(self) -> None:
        """Start whatever has become possible, then set the phase."""
        state = self._state
        await self._reports.start_clocks()
        for report in state.reports_needing_clock():
            drafts = state.drafts_for(report.id)
            if report.status is ReportStatus.APPROVED and len(drafts) == 1:
                if drafts[0].state is DraftState.APPROVED:
                    await self._reports.announce(report.id, drafts[0])
        for item in state.obligations:
            drafts = state.drafts_for(item.id)
            if item.id in state.waivers or not drafts:
                continue
            if any(d.state is not DraftState.APPROVED for d in drafts):
                continue
            if item.audience is Audience.INDIVIDUALS:
                if state.inp.population is None:
                    if item.id not in self._undeliverable:
                        self._undeliverable.add(item.id)
                        state.log(
                            workflow.now(),
                            SYSTEM_ACTOR,
                            "notice.undeliverable",
                            f"{item.id}: approved, but the incident has no population file",
                        )
                    continue
                for channel in sorted({d.channel for d in drafts}):
                    self._campaigns.start(item.id, channel)
            elif item.audience is not Audience.REGULATOR and item.id not in self._publishing:
                self._publishing.add(item.id)
                published = await workflow.execute_activity_method(
                    NoticeActivities.publish_notice,
                    PublishNoticeInput(
                        incident_id=state.inp.incident_id,
                        obligation=item,
                        messages=[ApprovedMessage.of(d) for d in drafts],
                    ),
                    start_to_close_timeout=_SHORT,
                )
                state.record_publication(item, published.location, workflow.now())
        self._phase = self._current_phase()

    def _publish(self) -> None:
        """Set the typed search attributes when they changed (incidents that asked for them;
        histories from before them replay without)."""
        state = self._state
        if not state.inp.search_attributes or not workflow.patched("search-attributes"):
            return
        assessment = state.assessment
        risk = assessment.risk if assessment is not None else state.facts.risk
        deadline = state.next_deadline()
        values = (self._phase, risk, deadline, len(state.open_obligations()))
        if values == self._published:
            return
        self._published = values
        workflow.upsert_search_attributes(
            [
                search.PHASE.value_set(self._phase.value),
                search.SEVERITY.value_set(risk.value) if risk else search.SEVERITY.value_unset(),
                search.NEXT_DEADLINE.value_set(deadline)
                if deadline
                else search.NEXT_DEADLINE.value_unset(),
                search.OPEN_OBLIGATIONS.value_set(values[3]),
            ]
        )

    def _changed_since(self, seen: int) -> Callable[[], bool]:
        """A wait condition: something happened since the wake counter read `seen`."""
        return lambda: self._wake != seen or self._closing

    def _current_phase(self) -> Phase:
        state = self._state
        if state.closed_at is not None:
            return Phase.CLOSED
        if not state.all_drafts_approved():
            return Phase.AWAITING_APPROVAL
        if self._campaigns.running():
            return Phase.NOTIFYING
        if state.reports_needing_clock():
            return Phase.REPORTING
        return Phase.MONITORING

    def _campaign_changed(self, rejudge: bool) -> None:
        # Notices went out: deadlines chained to them resolve to real dates.
        self._rejudge_needed = self._rejudge_needed or rejudge
        self._wake += 1

    # ---- queries, signals, updates ------------------------------------------------------

    @workflow.query
    def status(self) -> IncidentStatus:
        """The whole live state: phase, obligations, drafts, reports, deliveries, timeline."""
        return self._state.status(self._phase)

    @workflow.query
    def draft(self, inp: DraftQuery) -> Draft:
        """One draft with all its earlier versions (for diffs and the evidence pack)."""
        return self._state.draft(inp.draft_id)

    @workflow.query
    def evidence(self) -> EvidenceRecord:
        """Everything the evidence pack holds (status, every draft version, facts history)."""
        return evidence_record(self._state, self._phase, workflow.now())

    @workflow.signal(name=RECEIPTS_SIGNAL)
    def record_receipts(self, counts: ReceiptCounts) -> None:
        """Provider receipts changed the ledger (the webhook counted each change once)."""
        self._state.record_receipts(counts, workflow.now())
        self._campaigns.receipts(counts)
        self._wake += 1

    @workflow.signal(name=RELEASED_SIGNAL)
    def deliveries_released(self, released: DeliveriesReleased) -> None:
        """A person chose to send again deliveries whose outcome a crash made unknown."""
        which = released.channel.value if released.channel else "all channels"
        self._state.log(
            workflow.now(), released.actor, "delivery.released", f"{released.count} on {which}"
        )
        self._campaigns.rerun(released.channel)
        self._wake += 1

    @workflow.signal(name=REPORT_EVENT_SIGNAL)
    def report_event(self, event: ReportEventSignal) -> None:
        """A report child sent a reminder, went overdue, or packaged its filing."""
        state = self._state
        report = state.reports.get(event.report_id)
        if report is None:
            return
        detail = f"{event.report_id}: {event.detail}" if event.detail else event.report_id
        state.log(event.at, SYSTEM_ACTOR, f"report.{event.kind}", detail)
        # Events from children started before they named their deadline carry none: those
        # are taken as they come (recorded histories must replay unchanged).
        moved = event.due_at is not None and event.due_at != report.due_at
        stale = report.status in FILED_STATUSES or (event.kind in ("reminder", "overdue") and moved)
        if stale:
            # Sent for a deadline that has since moved, or after the filing: history only.
            self._wake += 1
            return
        if event.kind == "reminder":
            report.reminders_sent.append(event.at)
        elif event.kind == "escalation":
            report.escalations.append(event.at)
        elif event.kind == "overdue":
            report.overdue = True
            self._render_needed = True  # the report must now give the reasons for the delay
        elif event.kind == "emailed":
            self._reports.emailed(report.id)  # the child filed it and ends
            if state.record_emailed(report.id, event.reference, event.detail, event.at):
                self._rejudge_needed = True  # deadlines chained to this filing can resolve
        self._wake += 1

    @workflow.update
    async def update_facts(self, inp: UpdateFactsInput) -> UpdateFactsResult:
        """New facts: re-assess, re-derive obligations and drafts; timers follow moved deadlines."""
        async with self._lock:
            if self._closing:
                # Accepted, then queued behind a step that ran while the incident closed.
                raise ApplicationError("the incident was closed; its facts can no longer change")
            self._state.facts_version += 1
            self._state.log(
                workflow.now(), inp.actor, "facts.updated", f"version {self._state.facts_version}"
            )
            self._state.record_facts(inp.facts, inp.actor, workflow.now())
            changed, moved = await self._derive(inp.facts)
            return UpdateFactsResult(
                facts_version=self._state.facts_version,
                obligations=len(self._state.obligations),
                drafts_changed=changed,
                deadlines_moved=moved,
            )

    @update_facts.validator
    def _validate_update_facts(self, inp: UpdateFactsInput) -> None:
        if self._state.closed_at is not None or self._closing:
            raise LifecycleError("the incident is closed")

    @workflow.update
    def approve_draft(self, inp: ApproveDraftInput) -> DraftDecisionResult:
        """Approve one draft version (bound to its content hash); four eyes apply."""
        draft = self._state.approve(inp, workflow.now())
        self._wake += 1
        return self._state.decision(draft.id)

    @approve_draft.validator
    def _validate_approve(self, inp: ApproveDraftInput) -> None:
        self._state.check_approve(inp)

    @workflow.update
    def request_changes(self, inp: RequestChangesInput) -> DraftDecisionResult:
        """Send a draft back with a comment; its approvals lapse."""
        self._state.request_changes(inp, workflow.now())
        self._wake += 1
        return self._state.decision(inp.draft_id)

    @request_changes.validator
    def _validate_request_changes(self, inp: RequestChangesInput) -> None:
        self._state.check_request_changes(inp)

    @workflow.update
    def revise_draft(self, inp: ReviseDraftInput) -> DraftDecisionResult:
        """A person rewrites a draft: a new version they cannot approve themselves."""
        draft = self._state.draft(inp.draft_id)
        missing, problems = check_draft(
            channel=draft.channel,
            subject=inp.subject,
            body=inp.body,
            link=draft.link,
            required=self._state.required_content(draft.obligation_id),
            language=draft.language,
            limits=self._state.inp.limits,
        )
        self._state.revise(inp, missing, problems, workflow.now())
        self._wake += 1
        return self._state.decision(inp.draft_id)

    @revise_draft.validator
    def _validate_revise(self, inp: ReviseDraftInput) -> None:
        self._refuse_while_deriving()
        draft = self._state.check_revise(inp)
        self._state.obligation(draft.obligation_id)

    @workflow.update
    async def record_regulator_status(
        self, inp: RecordRegulatorStatusInput
    ) -> RecordRegulatorStatusResult:
        """Record a filing, acknowledgement, question, answer or closure of a report."""
        report = self._state.record_status(inp, workflow.now())
        if inp.status is ReportStatus.SUBMITTED:
            self._rejudge_needed = True  # deadlines chained to this filing can now resolve
        if inp.status is ReportStatus.SUBMITTED:
            await self._reports.filed(report.id, workflow.now(), inp.reference)
        self._wake += 1
        return RecordRegulatorStatusResult(report=report)

    @record_regulator_status.validator
    def _validate_status(self, inp: RecordRegulatorStatusInput) -> None:
        self._state.check_status(inp, workflow.now())

    @workflow.update
    def add_report_phase(self, inp: AddReportPhaseInput) -> AddReportPhaseResult:
        """Open a follow-up phase of a filed report; it is drafted and tracked like the first."""
        report = self._state.add_phase(inp, workflow.now())
        self._render_needed = True
        self._wake += 1
        return AddReportPhaseResult(report=report)

    @add_report_phase.validator
    def _validate_add_phase(self, inp: AddReportPhaseInput) -> None:
        self._refuse_while_deriving()
        self._state.check_add_phase(inp)

    @workflow.update
    async def acknowledge_reminder(
        self, inp: AcknowledgeReminderInput
    ) -> AcknowledgeReminderResult:
        """Someone saw the latest reminder of a report: it is not escalated to the backups."""
        now = workflow.now()
        self._state.log(now, inp.actor, "report.reminder_acknowledged", inp.report_id)
        await self._reports.signal(
            inp.report_id,
            RegulatorReportWorkflow.reminder_acknowledged,
            ReminderAcknowledgedSignal(actor=inp.actor, at=now),
        )
        return AcknowledgeReminderResult(report_id=inp.report_id, acknowledged_at=now)

    @acknowledge_reminder.validator
    def _validate_acknowledge(self, inp: AcknowledgeReminderInput) -> None:
        self._state.check_acknowledge(inp.report_id)

    @workflow.update
    def waive_obligation(self, inp: WaiveObligationInput) -> WaiveObligationResult:
        """Waive an obligation with a reason (kept as evidence); stops its report clock."""
        self._state.waive(inp, workflow.now())
        self._reports.stop(inp.obligation_id)
        # The waiver may hand people to another regime's notice, which may need drafts.
        self._render_needed = True
        self._wake += 1
        return WaiveObligationResult(
            obligation_id=inp.obligation_id, open_obligations=self._state.open_obligations()
        )

    @waive_obligation.validator
    def _validate_waive(self, inp: WaiveObligationInput) -> None:
        self._state.check_waive(inp)

    @workflow.update
    def close(self, inp: CloseIncidentInput) -> CloseIncidentResult:
        """Close the incident; refused while an obligation is neither met nor waived."""
        now = workflow.now()
        self._state.closed_at = now
        self._state.log(now, inp.actor, "incident.closed", inp.note)
        self._phase = Phase.CLOSED
        self._closing = True
        return CloseIncidentResult(
            incident_id=self._state.inp.incident_id, phase=Phase.CLOSED, closed_at=now
        )

    @close.validator
    def _validate_close(self, inp: CloseIncidentInput) -> None:
        self._refuse_while_deriving()
        self._state.check_close()

    def _refuse_while_deriving(self) -> None:
        # While new facts are being judged, drafts and obligations are half replaced.
        if self._phase in (Phase.ASSESSING, Phase.DRAFTING):
            raise LifecycleError(REASSESSING)
