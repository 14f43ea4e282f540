"""Regulator reports in the console: the tracker across incidents, and the forms of one
report — its status (submitted with the authority's reference and the portal's receipt, the
authority's questions and the answers given), a follow-up phase, and acknowledging a
reminder so that it is not escalated to the backups.

A receipt is kept in the incident's evidence store by its SHA-256 with the API's
`keep_receipt` (what `herald reports set-status --receipt` stores), then named in the
status the workflow records: the evidence pack lists it with the status it came with.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from herald.api.auth import Reader, Steerer
from herald.api.operations import find_report, keep_receipt, upload_chunks
from herald.console import views
from herald.console.incident_pages import act, instant
from herald.console.listing import list_incidents
from herald.console.web import ConsoleRoute, incidents, redirect, render
from herald.models.messages import (
    AcknowledgeReminderInput,
    AddReportPhaseInput,
    RecordRegulatorStatusInput,
)
from herald.models.reports import ReceiptRef
from herald.models.vocabulary import ReportStatus

__all__ = ["router"]

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
REPORT = "/incidents/{incident_id}/reports/{report_id}"


async def _keep(
    request: Request, incident_id: str, report_id: str, upload: UploadFile
) -> ReceiptRef:
    """Store the uploaded file under the report's incident (after checking the report
    exists), streamed from the upload's spool file; too large or unreadable is a 422."""
    client = await incidents(request)
    await find_report(client, incident_id, report_id)
    pieces = upload_chunks(upload.file)
    return await asyncio.to_thread(keep_receipt, incident_id, upload.filename or "", pieces)


@router.post(f"{REPORT}/status", response_class=HTMLResponse)
async def report_status(
    request: Request,
    incident_id: str,
    report_id: str,
    principal: Steerer,
    new_status: Annotated[ReportStatus, Form(alias="status")],
    reference: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=5_000)] = "",
    at: Annotated[str, Form(max_length=40)] = "",
    receipt: Annotated[UploadFile | None, File()] = None,
    back: Annotated[str, Form()] = "",
) -> Response:
    """Record a report's status: submitted with the authority's reference, acknowledged,
    the authority's questions (the note) and the answers, closed; a file chosen with it is
    kept as evidence of that status."""
    client = await incidents(request)

    # One coroutine for `act`: a bad time, an oversized file or the workflow's refusal is
    # shown on the incident page beside the form.
    async def record() -> object:
        kept = None
        if receipt is not None and receipt.filename:
            kept = await _keep(request, incident_id, report_id, receipt)
        inp = RecordRegulatorStatusInput(
            report_id=report_id,
            status=new_status,
            actor=principal.actor,
            reference=reference.strip() or None,
            note=note.replace("\r\n", "\n").strip(),
            occurred_at=instant(at),
            receipt=kept,
        )
        return await client.record_status(incident_id, inp)

    answer = await act(request, incident_id, record(), "status", anchor=f"#report-{report_id}")
    return _back(answer, back, "status")


def _back(answer: Response, back: str, done: str) -> Response:
    """A form of the report tracker returns to the tracker once it succeeded."""
    if back == "reports" and isinstance(answer, RedirectResponse):
        return redirect("/reports", done=done)
    return answer


@router.post(f"{REPORT}/phases", response_class=HTMLResponse)
async def add_phase(
    request: Request,
    incident_id: str,
    report_id: str,
    principal: Steerer,
    phase: Annotated[str, Form(pattern=r"^[a-z][a-z-]{1,30}$")],
    due: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=5_000)] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """Open a follow-up phase of a filed report (as `herald reports add-phase`): a report
    of its own, drafted and approved like the first."""
    client = await incidents(request)

    async def open_phase() -> object:
        inp = AddReportPhaseInput(
            report_id=report_id,
            phase=phase,
            actor=principal.actor,
            due_at=instant(due, "due"),
            note=note.replace("\r\n", "\n").strip(),
        )
        return await client.add_phase(incident_id, inp)

    answer = await act(request, incident_id, open_phase(), "phase", anchor="#reports-heading")
    return _back(answer, back, "phase")


@router.post(f"{REPORT}/reminders/ack", response_class=HTMLResponse)
async def acknowledge(
    request: Request,
    incident_id: str,
    report_id: str,
    principal: Steerer,
    back: Annotated[str, Form()] = "",
) -> Response:
    """Acknowledge the report's latest reminder (as `herald reports ack`), so that it is
    not escalated to the backups."""
    client = await incidents(request)
    inp = AcknowledgeReminderInput(report_id=report_id, actor=principal.actor)
    action = client.acknowledge(incident_id, inp)
    answer = await act(request, incident_id, action, "acknowledged", anchor=f"#report-{report_id}")
    return _back(answer, back, "acknowledged")


@router.get("/reports", response_class=HTMLResponse)
async def report_tracker(
    request: Request, principal: Reader, sort: str = "due", order: str = "asc"
) -> HTMLResponse:
    """Every regulator report of every incident, sortable by due date, incident or status."""
    del principal
    found = await list_incidents(await incidents(request))
    rows = [row for item in found if item.status for row in views.report_rows(item.status)]
    never = datetime.max.replace(tzinfo=UTC)
    keys = {
        "due": lambda r: (r.report.due_at or never, r.incident_id),
        "incident": lambda r: (r.incident_id, r.report.due_at or never),
        "status": lambda r: (list(ReportStatus).index(r.report.status), r.report.due_at or never),
    }
    sort = sort if sort in keys else "due"
    rows.sort(key=keys[sort], reverse=order == "desc")
    return render(request, "reports.html", rows=rows, sort=sort, order=order)
