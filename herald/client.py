"""One way to talk to incidents: used by the CLI, the demo and (later) the HTTP API.

Updates are retried when the server answers that the workflow task carrying them failed for
reasons outside the update: that happens when a signal (a child's report event, a finished
campaign) lands in the same instant, and the server asks the caller to try again.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from herald.models import IncidentInput, IncidentStatus
from herald.models.messages import (
    ApproveDraftInput,
    CloseIncidentInput,
    CloseIncidentResult,
    DraftDecisionResult,
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

    async def _update(self, incident_id: str, update: Any, arg: Any) -> Any:
        handle = self.handle(incident_id)
        for attempt in range(_ATTEMPTS):
            try:
                return await handle.execute_update(update, arg)
            except RPCError as err:
                if not _transient(err) or attempt == _ATTEMPTS - 1:
                    raise
                await asyncio.sleep(min(0.05 * 2**attempt, 1.0))
        raise AssertionError("unreachable")

    async def update_facts(self, incident_id: str, inp: UpdateFactsInput) -> UpdateFactsResult:
        """Replace the facts; obligations and drafts are re-derived."""
        result: UpdateFactsResult = await self._update(
            incident_id, IncidentWorkflow.update_facts, inp
        )
        return result

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
