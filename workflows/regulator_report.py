"""RegulatorReportWorkflow: one filing to one authority, its deadline and its reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.regulators import RegulatorActivities
    from herald.models import RegulatorReport
    from herald.models.messages import (
        ApprovedMessage,
        DeadlineMovedSignal,
        FileRegulatorReportInput,
        RegulatorReportInput,
        RegulatorReportResult,
        ReminderAcknowledgedSignal,
        ReportApprovedSignal,
        ReportEventSignal,
        ReportFiledSignal,
        SendReminderInput,
    )
    from herald.reminders import reminder_moments

REPORT_EVENT_SIGNAL = "report_event"
_ACTIVITY_TIMEOUT = timedelta(minutes=2)

# (instant, kind, label, key): kind is reminder, overdue or escalation; the key makes each
# alarm fire once, and names the deadline it belongs to, so a moved deadline re-arms.
Alarm = tuple[datetime, str, str, str]


@workflow.defn
class RegulatorReportWorkflow:
    """Keeps one report's clock: reminders, escalation, overdue; files what was approved.

    It runs from the moment the obligation is known (the clock does not wait for drafts to
    be approved). Reminders follow the incident's `ReminderPolicy` (shares of the time and
    leads before the deadline); a reminder or overdue notice nobody acknowledges within
    `escalate_after_s` goes to the backups. Once the report is approved it is packaged: sent
    by email with a PDF when the authority takes email (the filing is then recorded), or
    prepared for the person who files it on the authority's portal. The workflow ends once
    the report is filed. Alarms derive from the current deadline, so a deadline moved by
    new facts re-arms them.
    """

    @workflow.init
    def __init__(self, inp: RegulatorReportInput) -> None:
        self._report: RegulatorReport = inp.report
        self._approved: ApprovedMessage | None = None
        self._packaged = False
        self._filed: ReportFiledSignal | None = None
        self._fired: set[str] = set()
        self._unacknowledged: tuple[str, datetime] | None = None
        self._armed_at: datetime | None = None
        self._moves = 0
        self._changed = False

    @workflow.run
    async def run(self, inp: RegulatorReportInput) -> RegulatorReportResult:
        started = workflow.now()
        while self._filed is None:
            if self._approved is not None and not self._packaged:
                await self._package(inp)
                continue
            alarm = self._next_alarm(inp, started)
            self._changed = False
            if alarm is None:
                await workflow.wait_condition(lambda: self._changed)
                continue
            at, kind, label, key = alarm
            try:
                await workflow.wait_condition(
                    lambda: self._changed, timeout=max(at - workflow.now(), timedelta(0))
                )
            except TimeoutError:
                await self._fire(inp, kind, label, key)
        if self._approved is not None and not self._packaged:
            # Filed by a person before the package was written: keep the approved filing
            # (with its PDF) as the record of what was submitted, but send nothing.
            await self._package(inp, may_email=False)
        return self._result()

    def _result(self) -> RegulatorReportResult:
        assert self._filed is not None
        due = self._report.due_at
        return RegulatorReportResult(
            report_id=self._report.id,
            late=bool(due and self._filed.at > due),
            reminders_sent=self._report.reminders_sent,
        )

    def _next_alarm(self, inp: RegulatorReportInput, started: datetime) -> Alarm | None:
        alarms: list[Alarm] = []
        if self._unacknowledged is not None and inp.reminders.backups:
            key, at = self._unacknowledged
            alarms.append((at, "escalation", "not acknowledged", f"{key}-escalation"))
        due = self._report.due_at
        if due is not None:
            start = self._report.clock_started_at or started
            # A reminder whose moment had passed before the clock was known would only be
            # noise: the first one due after start is the useful one.
            armed = max(started, self._armed_at or started)
            key = f"{self._moves}-{due.isoformat()}"
            for at, label in reminder_moments(
                inp.reminders, start=start, due=due, not_before=armed
            ):
                alarms.append((at, "reminder", label, f"{key}-{label}"))
            alarms.append((due, "overdue", "deadline passed", f"{key}-overdue"))
        pending = [alarm for alarm in alarms if alarm[3] not in self._fired]
        return min(pending) if pending else None

    async def _fire(self, inp: RegulatorReportInput, kind: str, label: str, key: str) -> None:
        self._fired.add(key)
        now = workflow.now()
        recipients = inp.team_contacts
        if kind == "overdue":
            self._report.overdue = True
        elif kind == "escalation":
            self._report.escalations.append(now)
            self._unacknowledged = None
            recipients = inp.reminders.backups
        else:
            self._report.reminders_sent.append(now)
        if kind != "escalation":
            # Every reminder and the overdue notice wait for someone to say they saw it.
            self._unacknowledged = (key, now + timedelta(seconds=inp.reminders.escalate_after_s))
        await workflow.execute_activity_method(
            RegulatorActivities.send_reminder,
            SendReminderInput(
                incident_id=inp.incident_id,
                report=self._report,
                recipients=recipients,
                kind=kind,
                at=now,
                label=label,
            ),
            start_to_close_timeout=_ACTIVITY_TIMEOUT,
        )
        await self._tell_incident(
            ReportEventSignal(
                report_id=self._report.id,
                kind=kind,
                at=now,
                detail=label,
                due_at=self._report.due_at,
            )
        )

    async def _package(self, inp: RegulatorReportInput, *, may_email: bool = True) -> None:
        approved = self._approved
        assert approved is not None
        result = await workflow.execute_activity_method(
            RegulatorActivities.file_regulator_report,
            FileRegulatorReportInput(
                incident_id=inp.incident_id,
                report=self._report,
                message=approved,
                sender_name=inp.sender_name,
                sender_address=inp.sender_address,
                may_email=may_email,
            ),
            start_to_close_timeout=_ACTIVITY_TIMEOUT,
        )
        # A new version approved while this one was written must be packaged too.
        self._packaged = self._approved is approved
        now = workflow.now()
        if not may_email or (self._filed is not None and not result.emailed):
            return  # filed by a person meanwhile: the incident recorded that already
        if result.emailed:
            # Herald itself filed it: the submission is recorded and the clock stops.
            self._filed = ReportFiledSignal(at=now, reference=result.reference)
            event = ReportEventSignal(
                report_id=self._report.id,
                kind="emailed",
                at=now,
                detail=result.location,
                reference=result.reference,
            )
        else:
            event = ReportEventSignal(
                report_id=self._report.id, kind="packaged", at=now, detail=result.location
            )
        await self._tell_incident(event)

    async def _tell_incident(self, event: ReportEventSignal) -> None:
        parent = workflow.info().parent
        if parent is not None:
            handle = workflow.get_external_workflow_handle(parent.workflow_id)
            await handle.signal(REPORT_EVENT_SIGNAL, event)

    @workflow.signal
    def report_approved(self, signal: ReportApprovedSignal) -> None:
        """The report's draft was approved: package it (again, if its content changed)."""
        if self._approved is None or self._approved.content_hash != signal.message.content_hash:
            self._packaged = False
        self._approved = signal.message
        self._changed = True

    @workflow.signal
    def report_filed(self, signal: ReportFiledSignal) -> None:
        """A person recorded the submission: the clock stops."""
        self._filed = signal
        self._changed = True

    @workflow.signal
    def reminder_acknowledged(self, signal: ReminderAcknowledgedSignal) -> None:
        """Someone saw the last reminder: no escalation for it."""
        self._unacknowledged = None
        self._changed = True

    @workflow.signal
    def deadline_moved(self, signal: DeadlineMovedSignal) -> None:
        """New facts moved the deadline (or removed it): re-arm the reminders."""
        self._report.due_at = signal.due_at
        self._report.clock_started_at = signal.clock_started_at or self._report.clock_started_at
        # Moments of the new deadline already past now are not fired in a burst; the move
        # count makes a deadline moved back to an earlier value arm afresh.
        self._armed_at = workflow.now()
        self._moves += 1
        self._report.overdue = bool(signal.due_at and workflow.now() > signal.due_at)
        self._changed = True

    @workflow.query
    def report(self) -> RegulatorReport:
        """The report as this workflow sees it (reminders, escalations, overdue)."""
        return self._report
