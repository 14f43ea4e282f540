"""The incidents the board and the report tracker show, each with its live status.

`IncidentClient.listed` does the work (this task queue only; statuses asked concurrently,
each within a few seconds); this keeps the shape the templates read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from temporalio.client import WorkflowExecutionStatus

from herald.client import IncidentClient
from herald.models import IncidentStatus

__all__ = ["Listed", "list_incidents"]

LIMIT = 200


@dataclass(frozen=True)
class Listed:
    """One incident: what the listing knows, and its status when it answered."""

    incident_id: str
    started_at: datetime
    state: str
    status: IncidentStatus | None


async def list_incidents(client: IncidentClient, *, limit: int = LIMIT) -> list[Listed]:
    """This deployment's incidents, newest first, closed ones included, with their status."""
    return [
        Listed(
            incident_id=execution.id,
            started_at=execution.start_time,
            state=(execution.status or WorkflowExecutionStatus.RUNNING).name.lower(),
            status=status,
        )
        for execution, status in await client.listed(limit=limit, include_closed=True)
    ]
