"""The board, the incident page with its live progress fragment, and the forms that act on
an incident as a whole: start, update the facts, release deliveries of unknown outcome,
waive an obligation, close. The regulator reports' forms are in `report_pages`."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import Engine

from herald.api.auth import Approver, Reader, Steerer
from herald.api.operations import (
    MAX_FACTS_BYTES,
    parse_facts,
    save_population,
    start_incident,
    upload_chunks,
)
from herald.console import summary, views
from herald.console.listing import list_incidents
from herald.console.web import ConsoleError, ConsoleRoute, incidents, redirect, render
from herald.console.web import workflow_call as call
from herald.models import Channel, IncidentStatus
from herald.models.delivery import RELEASED_SIGNAL, DeliveriesReleased
from herald.models.messages import (
    CloseIncidentInput,
    UpdateFactsInput,
    UpdateFactsResult,
    WaiveObligationInput,
)
from herald.models.vocabulary import DeliveryState
from herald.profiles import known_orgs
from herald.settings import Settings
from herald.store.ledger import Ledger

__all__ = ["act", "incident_status", "instant", "router"]

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


@router.get("/incidents", response_class=HTMLResponse)
async def board(request: Request, principal: Reader) -> HTMLResponse:
    """Every incident: phase, severity, open obligations and the next deadline."""
    del principal  # required: read access
    found = await list_incidents(await incidents(request))
    rows = [(item, views.severity(item.status) if item.status else None) for item in found]
    return render(request, "board.html", rows=rows, orgs=known_orgs())


@router.post("/incidents", response_class=HTMLResponse)
async def start(
    request: Request,
    principal: Steerer,
    facts: Annotated[UploadFile, File(description="incident facts, JSON or YAML")],
    population: Annotated[UploadFile | None, File()] = None,
    org: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Start an incident from uploaded facts and (optionally) a population file."""
    settings: Settings = request.app.state.settings
    client = await incidents(request)

    async def begin() -> str:
        # At most one byte over the limit is read: enough to refuse an oversized file.
        parsed = parse_facts(await facts.read(MAX_FACTS_BYTES + 1), source="facts")
        path = None
        if population is not None and population.filename:
            path = await asyncio.to_thread(
                save_population, settings, population.filename, upload_chunks(population.file)
            )
        return await start_incident(
            client,
            settings,
            facts=parsed,
            commander=principal.actor,
            population=path,
            org=org or None,
        )

    incident_id = await call(begin())
    return redirect(f"/incidents/{incident_id}", done="started")


async def incident_status(request: Request, incident_id: str) -> IncidentStatus:
    """The incident's live status, or the ConsoleError of its failure (404 …)."""
    client = await incidents(request)
    return await call(client.status(incident_id))


def _unknown(engine: Engine, incident_id: str, channels: list[str]) -> dict[str, int]:
    """Ledger rows held as `unknown` per channel (what `herald deliveries show` counts)."""
    ledger = Ledger(engine)
    held = {ch: ledger.counts(incident_id, Channel(ch))[DeliveryState.UNKNOWN] for ch in channels}
    return {ch: count for ch, count in held.items() if count}


async def _page(
    request: Request,
    current: IncidentStatus,
    *,
    error: str | None = None,
    status_code: int = 200,
    facts_change: summary.FactsChange | None = None,
    facts_draft: str | None = None,
) -> HTMLResponse:
    assessment = current.assessment
    progress = views.progress(current)
    engine: Engine = request.app.state.engine
    unknown = await asyncio.to_thread(
        _unknown, engine, current.incident_id, [row.channel for row in progress]
    )
    query = request.query_params if request.method == "GET" else {}
    return render(
        request,
        "incident.html",
        status_code=status_code,
        error=error,
        current=current,
        severity=views.severity(current),
        charts=[views.by_jurisdiction(assessment), views.by_category(assessment)]
        if assessment
        else [],
        progress=progress,
        share=summary.delivery_share(progress),
        unknown=unknown,
        delivering=views.delivering(current),
        reports=views.report_rows(current),
        waived={w.obligation_id: w for w in current.waivers},
        timeline=summary.timeline(
            current, kind=query.get("kind", ""), show_all=query.get("timeline") == "all"
        ),
        facts_text=facts_draft if facts_draft is not None else summary.facts_text(current.facts),
        facts_change=facts_change,
        facts_open=facts_draft is not None,
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
async def incident_page(
    request: Request,
    incident_id: str,
    principal: Reader,
    kind: Annotated[str, Query(max_length=64, description="timeline rows of this kind")] = "",
    timeline: Annotated[str, Query(max_length=8, description="all: every row")] = "",
) -> HTMLResponse:
    """One incident: summary strip, facts, assessment charts, obligations, drafts,
    progress, reports, the newest timeline rows (`timeline=all` for all, `kind` to filter)."""
    del principal, kind, timeline  # read from the query by the page itself
    return await _page(request, await incident_status(request, incident_id))


@router.get("/incidents/{incident_id}/progress", response_class=HTMLResponse)
async def progress_fragment(request: Request, incident_id: str, principal: Reader) -> HTMLResponse:
    """The campaign progress table alone, polled by htmx while delivery runs."""
    del principal
    current = await incident_status(request, incident_id)
    return render(
        request,
        "progress.html",
        current=current,
        progress=views.progress(current),
        delivering=views.delivering(current),
    )


# Refusals a form's page shows beside the form (the workflow's or the input's words); any
# other failure (404, 403, 503) gets a page of its own.
_SHOWN_ON_PAGE = (status.HTTP_409_CONFLICT, status.HTTP_422_UNPROCESSABLE_CONTENT)


async def act(
    request: Request,
    incident_id: str,
    action: Coroutine[Any, Any, Any],
    done: str,
    *,
    anchor: str = "",
) -> Response:
    """Run an update; a refusal re-renders the incident page with the workflow's words."""
    try:
        await call(action)
    except ConsoleError as err:
        if err.status_code not in _SHOWN_ON_PAGE:
            raise
        current = await incident_status(request, incident_id)
        return await _page(request, current, error=err.message, status_code=err.status_code)
    return redirect(f"/incidents/{incident_id}{anchor}", done=done)


@router.post("/incidents/{incident_id}/facts", response_class=HTMLResponse)
async def update_facts(
    request: Request,
    incident_id: str,
    principal: Steerer,
    facts: Annotated[str, Form(max_length=MAX_FACTS_BYTES)] = "",
    facts_file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """Replace the facts (as `herald incident update-facts`): the edited text, or an
    uploaded JSON/YAML file when one is chosen. The answer shows what moved."""
    client = await incidents(request)
    before = await incident_status(request, incident_id)
    uploaded = facts_file is not None and bool(facts_file.filename)
    # Browsers send CRLF from a textarea; YAML and JSON read LF alike, but keep the text as
    # typed for the form to show again after a refusal.
    text = facts.replace("\r\n", "\n")

    async def replace() -> UpdateFactsResult:
        data = await facts_file.read(MAX_FACTS_BYTES + 1) if facts_file and uploaded else b""
        parsed = parse_facts(data if uploaded else text.encode(), source="facts")
        inp = UpdateFactsInput(facts=parsed, actor=principal.actor)
        return await client.update_facts(incident_id, inp)

    try:
        result = await call(replace())
    except ConsoleError as err:
        if err.status_code not in _SHOWN_ON_PAGE:
            raise
        # The person's text stays in the form, to correct rather than type again.
        return await _page(
            request,
            before,
            error=err.message,
            status_code=err.status_code,
            facts_draft=None if uploaded else text,
        )
    after = await incident_status(request, incident_id)
    change = summary.facts_change(before, after, result)
    return await _page(request, after, facts_change=change)


@router.post("/incidents/{incident_id}/deliveries/resend")
async def resend_unknown(
    request: Request,
    incident_id: str,
    principal: Steerer,
    confirm: Annotated[str, Form(pattern="^yes$")],
    channel: Annotated[Channel | None, Form()] = None,
) -> Response:
    """Release deliveries held as `unknown` (as `herald deliveries resend`): they become
    pending and the incident runs its campaigns again. Some people may get the notice
    twice; the form asks the person to confirm they accept that."""
    del confirm  # required: the person ticked that they accept duplicates
    client = await incidents(request)
    await incident_status(request, incident_id)  # 404 before touching the ledger
    ledger = Ledger(request.app.state.engine)
    released = await asyncio.to_thread(ledger.resend_unknown, incident_id, channel)
    if released:
        told = DeliveriesReleased(channel=channel, count=released, actor=principal.actor)
        await call(client.handle(incident_id).signal(RELEASED_SIGNAL, told))
    return redirect(f"/incidents/{incident_id}#progress-heading", done="released")


@router.post("/incidents/{incident_id}/close", response_class=HTMLResponse)
async def close(
    request: Request,
    incident_id: str,
    principal: Steerer,
    note: Annotated[str, Form(max_length=5_000)] = "",
) -> Response:
    """Close the incident (the workflow refuses while an obligation is open)."""
    client = await incidents(request)
    inp = CloseIncidentInput(actor=principal.actor, note=note)
    return await act(request, incident_id, client.close(incident_id, inp), "closed")


@router.post("/incidents/{incident_id}/obligations/{obligation_id}/waive")
async def waive(
    request: Request,
    incident_id: str,
    obligation_id: str,
    principal: Approver,
    reason: Annotated[str, Form(min_length=10, max_length=5_000)],
) -> Response:
    """Waive an obligation with a reason (legal/privacy decides)."""
    client = await incidents(request)
    inp = WaiveObligationInput(obligation_id=obligation_id, actor=principal.actor, reason=reason)
    action = client.waive(incident_id, inp)
    return await act(request, incident_id, action, "waived", anchor="#obligations-heading")


def instant(text: str, field: str = "at") -> datetime | None:
    """A `datetime-local` value (read as UTC) or an ISO 8601 instant with offset."""
    if not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConsoleError(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"{field}: expected a date and time such as 2026-03-04T10:30",
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
