"""Regulator reports over HTTP: the tracker across incidents, one incident's reports, their
status (submitted with a reference, acknowledged, the authority's questions and the answers,
closed), attached files, follow-up phases and reminder acknowledgements.

A file (a portal's receipt, an authority's letter) is kept in the evidence store by its
SHA-256 (`POST …/files`, as `herald reports set-status --receipt` keeps it) and recorded
in the incident's history when a status names it (`receipt`): the workflow records files
only with a status change, so an upload alone is stored but not yet evidence.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile, status
from pydantic import AwareDatetime, BaseModel, Field

from herald.api import operations as ops
from herald.api.auth import Reader, Steerer
from herald.api.routes.incidents import fetch_status
from herald.evidence.store import evidence_dir
from herald.models import ReportStatus
from herald.models.messages import (
    AcknowledgeReminderInput,
    AcknowledgeReminderResult,
    AddReportPhaseInput,
    RecordRegulatorStatusInput,
)
from herald.models.reports import ReceiptRef, RegulatorReport

__all__ = ["router"]

router = APIRouter(tags=["reports"])
REPORT = "/api/incidents/{incident_id}/reports/{report_id}"


class StatusInput(BaseModel):
    """A status the authority or a person reported, as `herald reports set-status` takes it."""

    status: ReportStatus
    reference: str | None = Field(default=None, max_length=200, description="authority's ref")
    note: str = Field(default="", max_length=5_000)
    at: AwareDatetime | None = Field(default=None, description="when it happened (default: now)")
    receipt: ReceiptRef | None = Field(default=None, description="a file uploaded to …/files")


class ExchangeInput(BaseModel):
    """An authority's question, or the answer given, with an optional file."""

    text: str = Field(min_length=1, max_length=5_000)
    at: AwareDatetime | None = None
    receipt: ReceiptRef | None = None


class PhaseInput(BaseModel):
    """A follow-up phase of a filed report (supplement, follow-up, close-out, amendment)."""

    phase: str = Field(pattern=r"^[a-z][a-z-]{1,30}$")
    due_at: AwareDatetime | None = None
    note: str = Field(default="", max_length=5_000)


@router.get("/api/reports", response_model=list[ops.TrackedReport])
async def report_tracker(
    request: Request,
    principal: Reader,
    include_closed: Annotated[bool, Query(description="closed incidents too (slower)")] = False,
    limit: Annotated[int, Query(ge=1, le=1000, description="incidents to look at")] = 200,
) -> list[ops.TrackedReport]:
    """Every regulator report across incidents, soonest deadline first: authority, phase,
    status, due, submitted, reference, late or overdue."""
    del principal
    with ops.api_errors():
        incidents = await ops.connect(request)
        return await ops.report_tracker(incidents, include_closed=include_closed, limit=limit)


@router.get("/api/incidents/{incident_id}/reports", response_model=list[RegulatorReport])
async def list_reports(
    incident_id: str, request: Request, principal: Reader
) -> list[RegulatorReport]:
    """One incident's regulator reports with their status history."""
    del principal
    return (await fetch_status(request, incident_id)).reports


async def _record(
    request: Request,
    incident_id: str,
    report_id: str,
    actor: str,
    body: StatusInput,
) -> RegulatorReport:
    with ops.api_errors(incident_id):
        incidents = await ops.connect(request)
        await ops.find_report(incidents, incident_id, report_id)
        if body.receipt is not None:
            ops.require_receipt(incident_id, body.receipt)
        result = await incidents.record_status(
            incident_id,
            RecordRegulatorStatusInput(
                report_id=report_id,
                status=body.status,
                actor=actor,
                reference=body.reference,
                note=body.note,
                occurred_at=body.at,
                receipt=body.receipt,
            ),
        )
    return result.report


@router.post(f"{REPORT}/status", response_model=RegulatorReport)
async def set_status(
    incident_id: str, report_id: str, body: StatusInput, request: Request, principal: Steerer
) -> RegulatorReport:
    """Record a status: submitted (with the authority's reference), acknowledged,
    questions, answered or closed; moves the workflow refuses are 409."""
    return await _record(request, incident_id, report_id, principal.actor, body)


@router.post(f"{REPORT}/questions", response_model=RegulatorReport)
async def record_question(
    incident_id: str, report_id: str, body: ExchangeInput, request: Request, principal: Steerer
) -> RegulatorReport:
    """The authority asked something: status `questions`, the question as the note."""
    asked = StatusInput(
        status=ReportStatus.QUESTIONS, note=body.text, at=body.at, receipt=body.receipt
    )
    return await _record(request, incident_id, report_id, principal.actor, asked)


@router.post(f"{REPORT}/answers", response_model=RegulatorReport)
async def record_answer(
    incident_id: str, report_id: str, body: ExchangeInput, request: Request, principal: Steerer
) -> RegulatorReport:
    """The authority's questions were answered: status `answered`, the answer as the note."""
    answered = StatusInput(
        status=ReportStatus.ANSWERED, note=body.text, at=body.at, receipt=body.receipt
    )
    return await _record(request, incident_id, report_id, principal.actor, answered)


@router.post(f"{REPORT}/files", response_model=ReceiptRef, status_code=status.HTTP_201_CREATED)
async def attach_file(
    incident_id: str,
    report_id: str,
    request: Request,
    principal: Steerer,
    file: Annotated[UploadFile, File(description="at most 20 MB")],
) -> ReceiptRef:
    """Keep a file in the incident's evidence store (by SHA-256); name the returned
    reference as `receipt` of a status to record it in the report's history."""
    del principal
    with ops.api_errors(incident_id):
        evidence_dir(incident_id)  # refuses an id that cannot name a folder (422)
        await ops.find_report(await ops.connect(request), incident_id, report_id)
        return await asyncio.to_thread(
            ops.keep_receipt, incident_id, file.filename or "", ops.upload_chunks(file.file)
        )


@router.post(f"{REPORT}/phases", response_model=RegulatorReport, status_code=201)
async def add_phase(
    incident_id: str, report_id: str, body: PhaseInput, request: Request, principal: Steerer
) -> RegulatorReport:
    """Open a follow-up phase of a filed report: a new report, drafted and approved like
    the first."""
    with ops.api_errors(incident_id):
        incidents = await ops.connect(request)
        await ops.find_report(incidents, incident_id, report_id)
        result = await incidents.add_phase(
            incident_id,
            AddReportPhaseInput(
                report_id=report_id,
                phase=body.phase,
                actor=principal.actor,
                due_at=body.due_at,
                note=body.note,
            ),
        )
    return result.report


@router.post(f"{REPORT}/reminders/ack", response_model=AcknowledgeReminderResult)
async def acknowledge_reminder(
    incident_id: str, report_id: str, request: Request, principal: Steerer
) -> AcknowledgeReminderResult:
    """Acknowledge the latest reminder of a report, so it is not escalated to the backups."""
    with ops.api_errors(incident_id):
        incidents = await ops.connect(request)
        await ops.find_report(incidents, incident_id, report_id)
        return await incidents.acknowledge(
            incident_id, AcknowledgeReminderInput(report_id=report_id, actor=principal.actor)
        )
