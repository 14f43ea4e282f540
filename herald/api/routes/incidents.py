"""Incidents over HTTP (`/api/incidents`): start, list, read, new facts, waive, close.

Every route is a thin translation of one `IncidentClient` call or one shared operation
(`herald.api.operations`); the actor is always the signed-in principal, never the body.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from pydantic import BaseModel, Field

from herald.api import operations as ops
from herald.api.auth import Approver, Reader, Steerer
from herald.client import IncidentSummary
from herald.models import Assessment, IncidentFacts, IncidentStatus, TimelineEvent
from herald.models.messages import (
    CloseIncidentInput,
    CloseIncidentResult,
    UpdateFactsInput,
    UpdateFactsResult,
    WaiveObligationInput,
    WaiveObligationResult,
)
from herald.models.obligations import Obligation, RegimeDecision

__all__ = ["router"]

router = APIRouter(prefix="/api/incidents", tags=["incidents"])


class StartedIncident(BaseModel):
    """The id of the incident just started (equals its workflow id)."""

    incident_id: str


class StartIncidentInput(BaseModel):
    """An incident from facts alone (no population file): JSON automation's way in."""

    facts: IncidentFacts
    org: str | None = Field(default=None, description="a seed organisation's profile slug")
    incident_id: str | None = Field(default=None, description="default: INC-<date>-<time>")
    team: list[str] = Field(default_factory=list, max_length=50, description="reminder emails")


class FactsInput(BaseModel):
    """The new facts of an incident (they replace the old ones)."""

    facts: IncidentFacts


class CloseInput(BaseModel):
    """Why the incident is closed (kept on the timeline)."""

    note: str = Field(default="", max_length=5_000)


class WaiveInput(BaseModel):
    """Why an obligation does not apply: kept as evidence."""

    reason: str = Field(min_length=10, max_length=5_000)


class ObligationsView(BaseModel):
    """Obligations with the decisions that explain them (why each regime applies or not)."""

    obligations: list[Obligation]
    decisions: list[RegimeDecision]
    open_obligations: list[str]
    waived: list[str]
    next_deadline: str | None = Field(description="ISO 8601 instant of the nearest deadline")


@router.post("", response_model=StartedIncident, status_code=status.HTTP_201_CREATED)
async def start_incident(
    request: Request,
    principal: Steerer,
    facts: Annotated[UploadFile, File(description="incident facts, JSON or YAML")],
    population: Annotated[
        UploadFile | None, File(description="affected people, CSV or JSONL")
    ] = None,
    org: Annotated[str | None, Form(description="a seed organisation's profile")] = None,
    incident_id: Annotated[str | None, Form(description="default: INC-<date>-<time>")] = None,
    team: Annotated[list[str] | None, Form(description="email for reminders (repeat)")] = None,
) -> StartedIncident:
    """Start an incident from a facts file and an optional population file; the caller
    is its commander. The population is streamed to Herald's home, never into Temporal."""
    settings = request.app.state.settings
    with ops.api_errors():
        parsed = ops.parse_facts(await facts.read(ops.MAX_FACTS_BYTES + 1))
        saved = None
        if population is not None and population.filename:
            saved = await asyncio.to_thread(
                ops.save_population,
                settings,
                population.filename,
                ops.upload_chunks(population.file),
            )
        incidents = await ops.connect(request)
        started = await ops.start_incident(
            incidents,
            settings,
            facts=parsed,
            commander=principal.actor,
            population=saved,
            org=org or None,
            team=[member for member in team or [] if member],
            incident_id=incident_id or None,
        )
    return StartedIncident(incident_id=started)


@router.post("/from-facts", response_model=StartedIncident, status_code=status.HTTP_201_CREATED)
async def start_incident_from_facts(
    body: StartIncidentInput, request: Request, principal: Steerer
) -> StartedIncident:
    """Start an incident from facts sent as JSON (no population); the caller commands it."""
    with ops.api_errors():
        incidents = await ops.connect(request)
        started = await ops.start_incident(
            incidents,
            request.app.state.settings,
            facts=body.facts,
            commander=principal.actor,
            org=body.org,
            team=body.team,
            incident_id=body.incident_id,
        )
    return StartedIncident(incident_id=started)


@router.get("", response_model=list[IncidentSummary])
async def list_incidents(
    request: Request,
    principal: Reader,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[IncidentSummary]:
    """Incidents, newest first, with the live phase and next deadline of running ones."""
    del principal
    with ops.api_errors():
        return await (await ops.connect(request)).list(limit=limit)


async def fetch_status(request: Request, incident_id: str) -> IncidentStatus:
    """The live status of one incident, or 404 / 503."""
    with ops.api_errors(incident_id):
        return await (await ops.connect(request)).status(incident_id)


@router.get("/{incident_id}", response_model=IncidentStatus)
async def get_incident(incident_id: str, request: Request, principal: Reader) -> IncidentStatus:
    """Everything about one incident: phase, facts, assessment, obligations, drafts,
    reports, deliveries, receipts, waivers and the timeline."""
    del principal
    return await fetch_status(request, incident_id)


@router.put("/{incident_id}/facts", response_model=UpdateFactsResult)
async def update_facts(
    incident_id: str, body: FactsInput, request: Request, principal: Steerer
) -> UpdateFactsResult:
    """Replace the facts: the incident is assessed again, obligations and drafts follow."""
    with ops.api_errors(incident_id):
        incidents = await ops.connect(request)
        return await incidents.update_facts(
            incident_id, UpdateFactsInput(facts=body.facts, actor=principal.actor)
        )


@router.get("/{incident_id}/assessment", response_model=Assessment | None)
async def get_assessment(
    incident_id: str, request: Request, principal: Reader
) -> Assessment | None:
    """Counts by jurisdiction and data category, contactability and risk (null until the
    population has been assessed)."""
    del principal
    return (await fetch_status(request, incident_id)).assessment


@router.get("/{incident_id}/obligations", response_model=ObligationsView)
async def get_obligations(incident_id: str, request: Request, principal: Reader) -> ObligationsView:
    """Obligations with deadlines and reasons, and each regime's decision with its reasons."""
    del principal
    current = await fetch_status(request, incident_id)
    return ObligationsView(
        obligations=current.obligations,
        decisions=current.decisions,
        open_obligations=current.open_obligations,
        waived=[waiver.obligation_id for waiver in current.waivers],
        next_deadline=current.next_deadline.isoformat() if current.next_deadline else None,
    )


@router.get("/{incident_id}/timeline", response_model=list[TimelineEvent])
async def get_timeline(
    incident_id: str, request: Request, principal: Reader
) -> list[TimelineEvent]:
    """Every action with who and when, oldest first."""
    del principal
    return (await fetch_status(request, incident_id)).timeline


@router.get("/{incident_id}/deliveries", response_model=ops.CampaignProgress)
async def get_deliveries(
    incident_id: str, request: Request, principal: Reader
) -> ops.CampaignProgress:
    """Campaign progress per channel: ledger rows per state (sent, delivered, failed,
    bounced, unknown …), provider receipts, and each campaign's totals."""
    del principal
    with ops.api_errors(incident_id):
        incidents = await ops.connect(request)
        return await ops.campaign_progress(incidents, request.app.state.engine, incident_id)


@router.post(
    "/{incident_id}/obligations/{obligation_id}/waive", response_model=WaiveObligationResult
)
async def waive_obligation(
    incident_id: str, obligation_id: str, body: WaiveInput, request: Request, principal: Approver
) -> WaiveObligationResult:
    """Waive an obligation with a reason (kept as evidence); its report clock stops."""
    with ops.api_errors(incident_id):
        incidents = await ops.connect(request)
        return await incidents.waive(
            incident_id,
            WaiveObligationInput(
                obligation_id=obligation_id, actor=principal.actor, reason=body.reason
            ),
        )


@router.post("/{incident_id}/close", response_model=CloseIncidentResult)
async def close_incident(
    incident_id: str, body: CloseInput, request: Request, principal: Steerer
) -> CloseIncidentResult:
    """Close the incident (refused while an obligation is neither met nor waived)."""
    with ops.api_errors(incident_id):
        incidents = await ops.connect(request)
        return await incidents.close(
            incident_id, CloseIncidentInput(actor=principal.actor, note=body.note)
        )
