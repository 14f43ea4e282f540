"""What the API and the console both do, written once: starting an incident from uploaded
files, finding a draft with its history, keeping an uploaded receipt, campaign progress,
the report tracker, and what a failure means to the caller. Routes only translate HTTP to
these calls.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fastapi import HTTPException, Request, status
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Engine
from temporalio.client import (
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from herald.client import IncidentClient
from herald.evidence.store import MAX_RECEIPT_BYTES, ReceiptError, load_receipt, store_receipt
from herald.inputs import InputError, describe_validation_error, read_document
from herald.intake import new_incident
from herald.models import Channel, DeliverySummary, Draft, IncidentFacts, ReceiptCounts
from herald.models.reports import ReceiptRef, RegulatorReport
from herald.population import PopulationFileError
from herald.profiles import known_orgs, load_profile, sample_incident
from herald.settings import Settings
from herald.store.ledger import Ledger

__all__ = [
    "MAX_FACTS_BYTES",
    "MAX_POPULATION_BYTES",
    "CampaignProgress",
    "ChannelProgress",
    "Failure",
    "NotFoundError",
    "TrackedReport",
    "api_errors",
    "campaign_progress",
    "connect",
    "describe_failure",
    "find_draft",
    "find_report",
    "keep_receipt",
    "parse_facts",
    "report_tracker",
    "require_receipt",
    "save_population",
    "upload_chunks",
    "start_incident",
]

MAX_FACTS_BYTES = 1 << 20
MAX_POPULATION_BYTES = 2 << 30
_POPULATION_SUFFIXES = (".csv", ".jsonl", ".ndjson")


class NotFoundError(LookupError):
    """An incident, draft or report the caller named does not exist."""


def parse_facts(data: bytes, *, source: str = "facts") -> IncidentFacts:
    """Incident facts from uploaded JSON or YAML bytes, or an InputError naming the field.

    The same reader as `herald incident start --facts` (sizes, nesting, YAML aliases and
    repeated keys refused); JSON when the document starts with `{`, else YAML.
    """
    if len(data) > MAX_FACTS_BYTES:
        # Callers read at most one byte more than allowed: a cut-off YAML document could
        # still parse, so a file that was cut must be refused, not read in part.
        raise InputError(f"{source}: larger than {MAX_FACTS_BYTES >> 20} MiB")
    yaml_syntax = not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
    return read_document(
        data, IncidentFacts, source=source, what="the incident facts", yaml_syntax=yaml_syntax
    )


def upload_chunks(handle: BinaryIO, size: int = 1 << 20) -> Iterator[bytes]:
    """An upload's bytes in pieces (Starlette has spooled it to disk already), so a large
    population file is copied without being held in memory."""
    while piece := handle.read(size):
        yield piece


def save_population(settings: Settings, filename: str, chunks: Iterable[bytes]) -> Path:
    """Keep an uploaded population file under HERALD_HOME/uploads, readable by Herald only.

    The workflow carries only the path and digest of this file, never its rows, so it must
    stay where the workers can read it for as long as the incident runs.
    """
    suffix = Path(filename or "").suffix.lower()
    if suffix not in _POPULATION_SUFFIXES:
        raise InputError(f"population: expected a {', '.join(_POPULATION_SUFFIXES)} file")
    folder = settings.home / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"population-{secrets.token_hex(8)}{suffix}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    size = 0
    with os.fdopen(fd, "wb") as handle:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_POPULATION_BYTES:
                handle.close()
                path.unlink()
                raise InputError(f"population: larger than {MAX_POPULATION_BYTES >> 30} GiB")
            handle.write(chunk)
    return path


async def start_incident(
    incidents: IncidentClient,
    settings: Settings,
    *,
    facts: IncidentFacts,
    commander: str,
    population: Path | None = None,
    org: str | None = None,
    team: list[str] | None = None,
    incident_id: str | None = None,
) -> str:
    """Start an incident as `commander`; `org` picks a seed organisation's profile."""
    profile = None
    if org:
        if org not in known_orgs():
            raise InputError(f"org: unknown organisation (known: {', '.join(known_orgs())})")
        profile = load_profile(sample_incident(org).profile)
    try:
        inp = new_incident(
            facts=facts,
            population=population,
            profile=profile,
            commander=commander,
            team=team,
            incident_id=incident_id,
            approvals_required=settings.approvals_required,
            sms_max_segments=settings.sms_max_segments,
            reminders=settings.reminder_policy(),
            search_attributes=settings.search_attributes,
        )
    except ValidationError as err:  # the incident id or a team address
        raise InputError(describe_validation_error(err, "incident")) from None
    except PopulationFileError as err:
        raise InputError(f"population: {err}") from None
    return await incidents.start(inp)


async def find_draft(incidents: IncidentClient, incident_id: str, draft_id: str) -> Draft:
    """One draft with its version history, or NotFoundError."""
    status = await incidents.status(incident_id)
    if all(draft.id != draft_id for draft in status.drafts):
        raise NotFoundError(f"no draft {draft_id!r} in {incident_id}")
    return await incidents.draft(incident_id, draft_id)


# ---- what a failure means to the caller ------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """An HTTP status and a message safe to show (no personal data: workflows never put
    any in refusals, and Herald's own errors name fields, not values)."""

    status: int
    message: str


def describe_failure(err: BaseException, *, incident_id: str | None = None) -> Failure | None:
    """What `err`, raised by an operation or by `IncidentClient`, means to the caller.

    Bad input is 422, an unknown incident/draft/report 404, a workflow's refusal (four
    eyes, a stale hash, the wrong phase) 409 with the workflow's own words, and Temporal
    out of reach 503. None: an error this does not know, which stays a server error.
    """
    about = f"no incident {incident_id!r}" if incident_id else "no such incident"
    if isinstance(err, InputError | ReceiptError):
        return Failure(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err))
    if isinstance(err, NotFoundError):
        return Failure(status.HTTP_404_NOT_FOUND, str(err))
    if isinstance(err, WorkflowUpdateFailedError):
        cause = err.cause
        return Failure(status.HTTP_409_CONFLICT, getattr(cause, "message", None) or str(cause))
    if isinstance(err, WorkflowAlreadyStartedError):
        return Failure(status.HTTP_409_CONFLICT, f"incident {err.workflow_id!r} already exists")
    if isinstance(err, WorkflowQueryRejectedError | WorkflowQueryFailedError):
        return Failure(status.HTTP_409_CONFLICT, f"the incident cannot answer now ({err})")
    if isinstance(err, RPCError):
        if err.status is RPCStatusCode.NOT_FOUND:
            return Failure(status.HTTP_404_NOT_FOUND, about)
        if err.status is RPCStatusCode.INVALID_ARGUMENT:
            return Failure(status.HTTP_422_UNPROCESSABLE_CONTENT, err.message)
        if err.status in (
            RPCStatusCode.UNAVAILABLE,
            RPCStatusCode.DEADLINE_EXCEEDED,
            RPCStatusCode.CANCELLED,
            RPCStatusCode.RESOURCE_EXHAUSTED,
        ):
            return Failure(status.HTTP_503_SERVICE_UNAVAILABLE, f"Temporal: {err.message}")
    return None


@contextmanager
def api_errors(incident_id: str | None = None) -> Iterator[None]:
    """Turn the failures `describe_failure` knows into HTTPException, for JSON routes."""
    try:
        yield
    except HTTPException:
        raise
    except Exception as err:
        failure = describe_failure(err, incident_id=incident_id)
        if failure is None:
            raise
        raise HTTPException(failure.status, detail=failure.message) from None


async def connect(request: Request) -> IncidentClient:
    """The app's incident client, or 503 when Temporal cannot be reached."""
    try:
        client: IncidentClient = await request.app.state.incidents()
    except (RuntimeError, OSError, RPCError) as err:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail=f"Temporal is not reachable ({err})"
        ) from None
    return client


# ---- reports and their receipts --------------------------------------------------------


async def find_report(
    incidents: IncidentClient, incident_id: str, report_id: str
) -> RegulatorReport:
    """One regulator report of an incident, or NotFoundError."""
    for report in (await incidents.status(incident_id)).reports:
        if report.id == report_id:
            return report
    raise NotFoundError(f"no regulator report {report_id!r} in {incident_id}")


def keep_receipt(incident_id: str, filename: str, chunks: Iterable[bytes]) -> ReceiptRef:
    """Keep an uploaded file in the incident's evidence store, as `herald reports set-status
    --receipt` does (`herald.evidence.store`), and return its reference.

    The upload is written to a private temporary file first, because the store copies from
    a path; at most `MAX_RECEIPT_BYTES` are read, so an oversized upload stops early.
    """
    handle, temporary = tempfile.mkstemp(prefix="herald-upload-")
    path = Path(temporary)
    try:
        size = 0
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > MAX_RECEIPT_BYTES:
                    raise InputError(
                        f"file: receipts may be at most {MAX_RECEIPT_BYTES >> 20} MB "
                        "(attach the portal's confirmation, not the whole filing)"
                    )
                out.write(chunk)
        name = Path(filename or "").name or "receipt"
        return store_receipt(path, incident_id, name=name)
    finally:
        path.unlink(missing_ok=True)


def require_receipt(incident_id: str, ref: ReceiptRef) -> None:
    """Refuse a receipt reference whose file is not in the store: the evidence pack would
    list it as missing, so it must be uploaded (`…/files`) before a status names it."""
    if load_receipt(incident_id, ref) is None:
        raise InputError(
            f"receipt: no stored file with sha256 {ref.sha256[:12]}… and size {ref.size} "
            "in this incident; upload it first (POST …/reports/{report_id}/files)"
        )


class TrackedReport(RegulatorReport):
    """A regulator report with the incident it belongs to (the tracker's row)."""

    incident_id: str
    incident_title: str


async def report_tracker(
    incidents: IncidentClient, *, include_closed: bool = False, limit: int = 200
) -> list[TrackedReport]:
    """Every report of this deployment's incidents (running ones unless `include_closed`,
    whose status needs a worker to replay the whole history), soonest deadline first."""
    found: list[TrackedReport] = []
    for _, current in await incidents.listed(limit=limit, include_closed=include_closed):
        if current is None:  # its worker did not answer in time
            continue
        found += [
            TrackedReport(
                **report.model_dump(),
                incident_id=current.incident_id,
                incident_title=current.facts.title,
            )
            for report in current.reports
        ]
    far = "9999"
    return sorted(
        found, key=lambda r: (r.due_at.isoformat() if r.due_at else far, r.incident_id, r.id)
    )


# ---- campaign progress -----------------------------------------------------------------


class ChannelProgress(BaseModel):
    """One channel of an incident's campaigns: the ledger's rows per state (sent, delivered,
    failed, bounced, unknown …), provider receipts counted so far, and each campaign."""

    channel: Channel
    ledger: dict[str, int] = Field(description="ledger rows per delivery state")
    receipts: ReceiptCounts | None = None
    campaigns: list[DeliverySummary] = Field(default_factory=list)


class CampaignProgress(BaseModel):
    """Delivery progress of one incident, per channel (counts only, never recipients)."""

    incident_id: str
    channels: list[ChannelProgress]


async def campaign_progress(
    incidents: IncidentClient, engine: Engine, incident_id: str
) -> CampaignProgress:
    """What the campaigns of an incident did so far, from its status and the ledger."""
    current = await incidents.status(incident_id)
    ledger = Ledger(engine)
    channels: list[ChannelProgress] = []
    for channel in Channel:
        counts = ledger.counts(incident_id, channel)
        campaigns = [d for d in current.deliveries if d.channel is channel]
        receipts = next((r for r in current.receipts if r.channel is channel), None)
        if any(counts.values()) or campaigns or receipts:
            channels.append(
                ChannelProgress(
                    channel=channel, ledger=counts, receipts=receipts, campaigns=campaigns
                )
            )
    return CampaignProgress(incident_id=incident_id, channels=channels)
