"""One way to talk to incidents: used by the CLI, the demo and (later) the HTTP API.

Updates are retried when the server answers that the workflow task carrying them failed for
reasons outside the update: that happens when a signal (a child's report event, a finished
campaign) lands in the same instant, and the server asks the caller to try again.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, Field
from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.service import RPCError, RPCStatusCode

from herald.lifecycle.errors import REASSESSING
from herald.models import Draft, IncidentInput, IncidentStatus, Phase
from herald.models.evidence import EvidenceRecord
from herald.models.messages import (
    AcknowledgeReminderInput,
    AcknowledgeReminderResult,
    AddReportPhaseInput,
    AddReportPhaseResult,
    ApproveDraftInput,
    CloseIncidentInput,
    CloseIncidentResult,
    DraftDecisionResult,
    DraftQuery,
    RecordRegulatorStatusInput,
    RecordRegulatorStatusResult,
    RequestChangesInput,
    ReviseDraftInput,
    UpdateFactsInput,
    UpdateFactsResult,
    WaiveObligationInput,
    WaiveObligationResult,
)
from workflows.incident import IncidentWorkflow

R = TypeVar("R")

# How long a listing waits for one incident's status before showing it without.
LISTING_QUERY_TIMEOUT_S = 5.0


class IncidentSummary(BaseModel):
    """One line of `herald incident list`."""

    incident_id: str
    started_at: datetime
    closed_at: datetime | None
    state: str = Field(description="the workflow's state: running, completed, terminated …")
    phase: Phase | None
    next_deadline: datetime | None
    open_obligations: int


_ATTEMPTS = 20


def _transient(err: RPCError) -> bool:
    return err.status is RPCStatusCode.FAILED_PRECONDITION and "workflow task" in err.message


class IncidentClient:
    """Start incidents and act on them; every method maps to one workflow operation."""

    def __init__(self, client: Client, *, task_queue: str) -> None:
        """Wrap a connected client; new incidents go to `task_queue`."""
        self.client = client
        self.task_queue = task_queue

    async def start(self, inp: IncidentInput) -> str:
        """Start an IncidentWorkflow whose workflow id is the incident id."""
        await self.client.start_workflow(
            IncidentWorkflow.run, inp, id=inp.incident_id, task_queue=self.task_queue
        )
        return inp.incident_id

    def handle(self, incident_id: str) -> WorkflowHandle[IncidentWorkflow, Any]:
        """The workflow handle of one incident."""
        return self.client.get_workflow_handle_for(IncidentWorkflow.run, incident_id)

    async def status(self, incident_id: str) -> IncidentStatus:
        """The live status (query)."""
        return await self.handle(incident_id).query(IncidentWorkflow.status)

    def _listing_query(self) -> str:
        # Only this deployment's task queue: an incident on another queue (a finished demo's,
        # a test's) has no worker here to answer its queries.
        queue = self.task_queue.replace("'", "")
        return f"WorkflowType = 'IncidentWorkflow' AND TaskQueue = '{queue}'"

    async def _status_or_none(self, incident_id: str) -> IncidentStatus | None:
        try:
            return await asyncio.wait_for(self.status(incident_id), LISTING_QUERY_TIMEOUT_S)
        except Exception:  # noqa: BLE001 - one silent incident must not hide the others
            return None

    async def listed(
        self, *, limit: int = 50, include_closed: bool = False
    ) -> list[tuple[WorkflowExecution, IncidentStatus | None]]:
        """This task queue's incidents, newest first, each with its live status.

        Statuses are asked for concurrently, each within `LISTING_QUERY_TIMEOUT_S`; one that
        does not answer (its worker away) is None instead of holding up the others. Closed
        incidents are asked only with `include_closed`: answering means replaying their
        whole history.
        """
        executions = [
            e async for e in self.client.list_workflows(self._listing_query(), limit=limit)
        ]
        wanted = [include_closed or e.status == WorkflowExecutionStatus.RUNNING for e in executions]
        statuses = await asyncio.gather(
            *(self._status_or_none(e.id) for e, ask in zip(executions, wanted, strict=True) if ask)
        )
        answers = iter(statuses)
        found = [
            (e, next(answers) if ask else None) for e, ask in zip(executions, wanted, strict=True)
        ]
        return sorted(found, key=lambda pair: pair[0].start_time, reverse=True)

    async def list(self, *, limit: int = 50) -> list[IncidentSummary]:
        """Incidents, newest first, with the live phase of those still running."""
        return [
            IncidentSummary(
                incident_id=execution.id,
                started_at=execution.start_time,
                closed_at=execution.close_time,
                state=execution.status.name.lower() if execution.status else "unknown",
                phase=status.phase if status else None,
                next_deadline=status.next_deadline if status else None,
                open_obligations=len(status.open_obligations) if status else 0,
            )
            for execution, status in await self.listed(limit=limit)
        ]

    async def _update(self, incident_id: str, update: Any, arg: Any) -> Any:
        handle = self.handle(incident_id)
        for attempt in range(_ATTEMPTS):
            try:
                return await handle.execute_update(update, arg)
            except RPCError as err:
                if not _transient(err) or attempt == _ATTEMPTS - 1:
                    raise
                await asyncio.sleep(min(0.05 * 2**attempt, 1.0))
            except WorkflowUpdateFailedError as err:
                # Refused only because new facts are being judged: that passes in moments.
                if REASSESSING not in str(err.cause) or attempt == _ATTEMPTS - 1:
                    raise
                await asyncio.sleep(min(0.05 * 2**attempt, 1.0))
        raise AssertionError("unreachable")

    async def update_facts(self, incident_id: str, inp: UpdateFactsInput) -> UpdateFactsResult:
        """Replace the facts; obligations and drafts are re-derived."""
        result: UpdateFactsResult = await self._update(
            incident_id, IncidentWorkflow.update_facts, inp
        )
        return result

    async def evidence(self, incident_id: str) -> EvidenceRecord:
        """Everything the evidence pack holds (query; works on closed incidents too)."""
        return await self.handle(incident_id).query(IncidentWorkflow.evidence)

    async def draft(self, incident_id: str, draft_id: str) -> Draft:
        """One draft with its earlier versions (query)."""
        return await self.handle(incident_id).query(
            IncidentWorkflow.draft, DraftQuery(draft_id=draft_id)
        )

    async def approve(self, incident_id: str, inp: ApproveDraftInput) -> DraftDecisionResult:
        """Approve one draft version."""
        result: DraftDecisionResult = await self._update(
            incident_id, IncidentWorkflow.approve_draft, inp
        )
        return result

    async def request_changes(
        self, incident_id: str, inp: RequestChangesInput
    ) -> DraftDecisionResult:
        """Send a draft back with a comment."""
        result: DraftDecisionResult = await self._update(
            incident_id, IncidentWorkflow.request_changes, inp
        )
        return result

    async def revise(self, incident_id: str, inp: ReviseDraftInput) -> DraftDecisionResult:
        """Write a new version of a draft."""
        result: DraftDecisionResult = await self._update(
            incident_id, IncidentWorkflow.revise_draft, inp
        )
        return result

    async def add_phase(self, incident_id: str, inp: AddReportPhaseInput) -> AddReportPhaseResult:
        """Open a follow-up phase of a filed report."""
        result: AddReportPhaseResult = await self._update(
            incident_id, IncidentWorkflow.add_report_phase, inp
        )
        return result

    async def acknowledge(
        self, incident_id: str, inp: AcknowledgeReminderInput
    ) -> AcknowledgeReminderResult:
        """Acknowledge a report's latest reminder (no escalation to the backups)."""
        result: AcknowledgeReminderResult = await self._update(
            incident_id, IncidentWorkflow.acknowledge_reminder, inp
        )
        return result

    async def record_status(
        self, incident_id: str, inp: RecordRegulatorStatusInput
    ) -> RecordRegulatorStatusResult:
        """Record a regulator report's status."""
        result: RecordRegulatorStatusResult = await self._update(
            incident_id, IncidentWorkflow.record_regulator_status, inp
        )
        return result

    async def waive(self, incident_id: str, inp: WaiveObligationInput) -> WaiveObligationResult:
        """Waive an obligation with a reason."""
        result: WaiveObligationResult = await self._update(
            incident_id, IncidentWorkflow.waive_obligation, inp
        )
        return result

    async def close(self, incident_id: str, inp: CloseIncidentInput) -> CloseIncidentResult:
        """Close the incident."""
        result: CloseIncidentResult = await self._update(incident_id, IncidentWorkflow.close, inp)
        return result
