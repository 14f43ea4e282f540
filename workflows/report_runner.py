"""The regulator-report children of one incident: one RegulatorReportWorkflow per report.

Runs inside `IncidentWorkflow` (deterministic: child workflows and signals only), like
`CampaignRunner` for notices.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ChildWorkflowError, FailureError

with workflow.unsafe.imports_passed_through():
    from herald.lifecycle import IncidentState
    from herald.models import FILED_STATUSES, Draft
    from herald.models.messages import (
        ApprovedMessage,
        RegulatorReportInput,
        ReportApprovedSignal,
        ReportFiledSignal,
    )
    from workflows.regulator_report import RegulatorReportWorkflow

Handle = workflow.ChildWorkflowHandle[RegulatorReportWorkflow, object]


class ReportRunner:
    """Starts, signals, stops and finally awaits the report children of one incident."""

    def __init__(self, state: IncidentState) -> None:
        """Read reports and settings from `state`."""
        self._state = state
        self._running: dict[str, Handle] = {}
        self._starts: dict[str, int] = {}
        self._announced: dict[str, str] = {}  # report id -> content hash last sent to it
        self._filing: list[Handle] = []

    async def start_clocks(self) -> None:
        """A child for every report whose deadline must be kept and has none yet."""
        state = self._state
        for report in state.reports_needing_clock():
            if report.id in self._running:
                continue
            # A report withdrawn and later re-added gets a new child: the old one may still
            # be finishing its cancellation under the previous id.
            start = self._starts.get(report.id, 0) + 1
            self._starts[report.id] = start
            self._running[report.id] = await workflow.start_child_workflow(
                RegulatorReportWorkflow.run,
                RegulatorReportInput(
                    incident_id=state.inp.incident_id,
                    report=report,
                    team_contacts=state.inp.team_contacts,
                    reminders=state.inp.reminders,
                    sender_name=state.facts.entity.name,
                    sender_address=state.sender_address(),
                ),
                id=f"{state.inp.incident_id}.report.{report.id}.{start}",
            )

    async def announce(self, report_id: str, draft: Draft) -> None:
        """Hand an approved version of the report to its child (once per content)."""
        if self._announced.get(report_id) == draft.content_hash:
            return
        self._announced[report_id] = draft.content_hash
        await self.signal(
            report_id,
            RegulatorReportWorkflow.report_approved,
            ReportApprovedSignal(message=ApprovedMessage.of(draft)),
        )

    async def signal(self, report_id: str, signal: Any, arg: Any) -> None:
        """Signal a report's child if it still runs; a finished child needs nothing more."""
        handle = self._running.get(report_id)
        report = self._state.reports.get(report_id)
        if handle is None or report is None or report.status in FILED_STATUSES:
            return
        try:
            await handle.signal(signal, arg)
        except FailureError as err:
            workflow.logger.warning("report %s did not take a signal: %s", report_id, err)

    def stop(self, report_id: str) -> None:
        """The report is no longer required (withdrawn or waived): cancel its clock."""
        handle = self._running.pop(report_id, None)
        self._announced.pop(report_id, None)  # a child started later must be told again
        if handle is not None:
            handle.cancel()

    async def filed(self, report_id: str, at: datetime, reference: str | None) -> None:
        """A person recorded the filing: the child stops its clock and writes the record."""
        handle = self._running.pop(report_id, None)
        self._announced.pop(report_id, None)
        if handle is None:
            return
        self._filing.append(handle)
        try:
            await handle.signal(
                RegulatorReportWorkflow.report_filed, ReportFiledSignal(at=at, reference=reference)
            )
        except FailureError as err:
            workflow.logger.warning("report %s did not take the filing: %s", report_id, err)

    def emailed(self, report_id: str) -> None:
        """The child filed the report by email itself and is ending."""
        handle = self._running.pop(report_id, None)
        self._announced.pop(report_id, None)
        self._filing += [handle] if handle is not None else []

    async def settle(self) -> None:
        """Wait for filed reports' children to finish writing what was submitted."""
        for handle in self._filing:
            try:
                await handle
            except ChildWorkflowError as err:
                workflow.logger.warning("report child %s failed: %s", handle.id, err)
