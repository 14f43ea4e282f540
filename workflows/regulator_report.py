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
        ReportApprovedSignal,
        ReportEventSignal,
        ReportFiledSignal,
        SendReminderInput,
    )

REPORT_EVENT_SIGNAL = "report_event"
_ACTIVITY_TIMEOUT = timedelta(minutes=2)


@workflow.defn
class RegulatorReportWorkflow:
    """Keeps one report's clock: reminders before the deadline, overdue after it.

    It runs from the moment the obligation is known (the clock does not wait for drafts to be
    approved), packages the approved report for submission, and ends once the report is filed.
    Reminder instants are derived from the current deadline, so a deadline moved by new facts
    re-arms them; each (deadline, offset) pair fires at most once.
    """

    @workflow.init
    def __init__(self, inp: RegulatorReportInput) -> None:
        self._report: RegulatorReport = inp.report
        self._approved: ApprovedMessage | None = None
        self._packaged = False
        self._filed: ReportFiledSignal | None = None
        self._fired: set[str] = set()
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
            at, kind, key = alarm
            try:
                await workflow.wait_condition(
                    lambda: self._changed, timeout=max(at - workflow.now(), timedelta(0))
                )
            except TimeoutError:
                await self._fire(inp, kind, key)
        due = self._report.due_at
        return RegulatorReportResult(
            report_id=self._report.id,
            late=bool(due and self._filed.at > due),
            reminders_sent=self._report.reminders_sent,
        )

    def _next_alarm(
        self, inp: RegulatorReportInput, started: datetime
    ) -> tuple[datetime, str, str] | None:
        due = self._report.due_at
        if due is None:
            return None
        alarms = [
            (due - timedelta(seconds=offset), "reminder", f"{due.isoformat()}-{offset}")
            for offset in sorted(inp.reminder_offsets_s, reverse=True)
            # A reminder whose moment had passed before the clock was known would only be
            # noise: the first one due after start is the useful one.
            if due - timedelta(seconds=offset) > started
        ]
        alarms.append((due, "overdue", f"{due.isoformat()}-overdue"))
        pending = [alarm for alarm in alarms if alarm[2] not in self._fired]
        return min(pending) if pending else None

    async def _fire(self, inp: RegulatorReportInput, kind: str, key: str) -> None:
        self._fired.add(key)
        now = workflow.now()
        if kind == "overdue":
            self._report.overdue = True
        else:
            self._report.reminders_sent.append(now)
        await workflow.execute_activity_method(
            RegulatorActivities.send_reminder,
            SendReminderInput(
                incident_id=inp.incident_id,
                report=self._report,
                recipients=inp.team_contacts,
                kind=kind,
                at=now,
            ),
            start_to_close_timeout=_ACTIVITY_TIMEOUT,
        )
        await self._tell_incident(ReportEventSignal(report_id=self._report.id, kind=kind, at=now))

    async def _package(self, inp: RegulatorReportInput) -> None:
        assert self._approved is not None
        result = await workflow.execute_activity_method(
            RegulatorActivities.file_regulator_report,
            FileRegulatorReportInput(
                incident_id=inp.incident_id, report=self._report, message=self._approved
            ),
            start_to_close_timeout=_ACTIVITY_TIMEOUT,
        )
        self._packaged = True
        await self._tell_incident(
            ReportEventSignal(report_id=self._report.id, kind="packaged", at=workflow.now())
        )
        workflow.logger.info("report %s packaged at %s", self._report.id, result.location)

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
    def deadline_moved(self, signal: DeadlineMovedSignal) -> None:
        """New facts moved the deadline (or removed it): re-arm the reminders."""
        self._report.due_at = signal.due_at
        self._report.overdue = bool(signal.due_at and workflow.now() > signal.due_at)
        self._changed = True

    @workflow.query
    def report(self) -> RegulatorReport:
        """The report as this workflow sees it (reminders, overdue)."""
        return self._report
