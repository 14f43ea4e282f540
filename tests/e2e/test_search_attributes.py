"""Incidents publish typed search attributes (phase, severity, next deadline, open
obligations) that visibility queries and the Temporal Web UI filter by; histories from
before them still replay (tests/replay)."""

from __future__ import annotations

import asyncio
import uuid

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from herald.client import IncidentClient
from herald.inputs import load_facts
from herald.intake import new_incident
from herald.models import Phase
from herald.models.search import NEXT_DEADLINE, OPEN_OBLIGATIONS, PHASE, SEVERITY, server_flags
from herald.settings import Settings
from tests.conftest import EXAMPLES, herald_client
from worker import build_worker


async def _listed(client: Client, query: str) -> list[str]:
    """Ids a visibility query finds, polled: visibility follows the history shortly after."""
    for _ in range(50):
        found = [execution.id async for execution in client.list_workflows(query)]
        if found:
            return found
        await asyncio.sleep(0.2)
    return []


async def test_an_incident_is_found_by_phase_and_carries_its_deadline_and_risk(
    local_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> None:
    client = herald_client(local_env, settings)
    incidents = IncidentClient(client, task_queue=task_queue)
    incident_id = f"INC-SA-{uuid.uuid4().hex[:8]}"
    inp = new_incident(
        incident_id=incident_id,
        facts=load_facts(EXAMPLES / "facts.json"),
        population=EXAMPLES / "population.csv",
        commander="casey",
        search_attributes=True,
    )
    async with build_worker(client, settings, task_queue=task_queue):
        await incidents.start(inp)
        for _ in range(100):
            if (await incidents.status(incident_id)).phase is Phase.AWAITING_APPROVAL:
                break
            await asyncio.sleep(0.2)
        status = await incidents.status(incident_id)
        query = f"HeraldPhase = 'awaiting_approval' AND WorkflowId = '{incident_id}'"
        assert await _listed(client, query) == [incident_id]
        typed = (await incidents.handle(incident_id).describe()).typed_search_attributes
        assert typed.get(PHASE) == "awaiting_approval"
        assert status.assessment is not None
        assert typed.get(SEVERITY) == status.assessment.risk.value
        assert typed.get(OPEN_OBLIGATIONS) == len(status.open_obligations) > 0
        assert typed.get(NEXT_DEADLINE) == status.next_deadline
        await incidents.handle(incident_id).terminate("test done")


async def test_incidents_that_did_not_ask_publish_nothing(
    local_env: WorkflowEnvironment, settings: Settings, task_queue: str
) -> None:
    client = herald_client(local_env, settings)
    incidents = IncidentClient(client, task_queue=task_queue)
    incident_id = f"INC-SA-{uuid.uuid4().hex[:8]}"
    facts = load_facts(EXAMPLES / "facts.json")
    async with build_worker(client, settings, task_queue=task_queue):
        await incidents.start(new_incident(incident_id=incident_id, facts=facts, commander="c"))
        for _ in range(100):
            if (await incidents.status(incident_id)).phase is not Phase.DETECTED:
                break
            await asyncio.sleep(0.2)
        typed = (await incidents.handle(incident_id).describe()).typed_search_attributes
        assert typed.get(PHASE) is None
        await incidents.handle(incident_id).terminate("test done")


def test_the_embedded_server_registers_every_attribute_with_its_type() -> None:
    assert server_flags() == [
        "--search-attribute",
        "HeraldPhase=Keyword",
        "--search-attribute",
        "HeraldSeverity=Keyword",
        "--search-attribute",
        "HeraldNextDeadline=Datetime",
        "--search-attribute",
        "HeraldOpenObligations=Int",
    ]
