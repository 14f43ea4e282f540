"""Drafts over HTTP (`/api/incidents/{id}/drafts`): read, preview, diff, edit, approve.

Four eyes are the workflow's: whoever wrote a version (the principal who edited it here)
cannot approve it, and an approval binds to the content hash the approver read, so a
version that changed in between is refused (409) instead of approved unseen.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, Field

from herald.api import operations as ops
from herald.api.auth import Approver, Reader, Steerer
from herald.api.previews import PREVIEW_HEADERS, SAMPLE_RECIPIENT, preview_html
from herald.api.routes.incidents import fetch_status
from herald.models import Draft, IncidentStatus
from herald.models.drafts import RECIPIENT_NAME_TOKEN
from herald.models.messages import (
    ApproveDraftInput,
    DraftDecisionResult,
    RequestChangesInput,
    ReviseDraftInput,
)
from herald.models.vocabulary import Channel
from herald.rendering import layout, voice

__all__ = ["router"]

router = APIRouter(prefix="/api/incidents/{incident_id}/drafts", tags=["drafts"])


class ReviseInput(BaseModel):
    """A new version of a draft; its required content is checked again."""

    body: str = Field(min_length=1, max_length=100_000)
    subject: str | None = Field(
        default=None, max_length=1_000, description="left out: the current subject stays"
    )


class ApproveInput(BaseModel):
    """The hash of the version the approver read: a different current version is refused."""

    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    comment: str = Field(default="", max_length=5_000)


class RequestChangesBody(BaseModel):
    """What has to change."""

    comment: str = Field(min_length=1, max_length=5_000)


class DraftDiff(BaseModel):
    """A unified diff between two versions (empty when they are identical)."""

    draft_id: str
    old: int
    new: int
    diff: str


@router.get("", response_model=list[Draft])
async def list_drafts(incident_id: str, request: Request, principal: Reader) -> list[Draft]:
    """Every current draft: version, state, approvals, missing content and problems."""
    del principal
    return (await fetch_status(request, incident_id)).drafts


@router.get("/{draft_id}", response_model=Draft)
async def get_draft(incident_id: str, draft_id: str, request: Request, principal: Reader) -> Draft:
    """One draft with its earlier versions (`history`, oldest first)."""
    del principal
    with ops.api_errors(incident_id):
        return await ops.find_draft(await ops.connect(request), incident_id, draft_id)


def _sibling(
    current: IncidentStatus, draft_id: str, language: str | None, channel: Channel | None
) -> Draft:
    base = next((d for d in current.drafts if d.id == draft_id), None)
    if base is None:
        raise ops.NotFoundError(f"no draft {draft_id!r} in {current.incident_id}")
    want_language, want_channel = language or base.language, channel or base.channel
    for draft in current.drafts:
        if (draft.obligation_id, draft.language, draft.channel) == (
            base.obligation_id,
            want_language,
            want_channel,
        ):
            return draft
    raise ops.NotFoundError(
        f"obligation {base.obligation_id} has no {want_channel} draft in {want_language!r}"
    )


def _document(current: IncidentStatus, draft: Draft, request: Request) -> tuple[bytes, str]:
    """The draft as it is sent, for a sample recipient: an email's HTML part, a letter's
    PDF, a call's TwiML, a push message's JSON; any other channel as plain text."""
    sample = draft.body.replace(RECIPIENT_NAME_TOKEN, SAMPLE_RECIPIENT)
    html = preview_html(current, draft, request.app.state.settings)
    if draft.channel is Channel.EMAIL and html is not None:
        return html.encode(), "text/html"
    if draft.channel is Channel.LETTER and html is not None:
        return layout.letter_pdf(html), "application/pdf"
    if draft.channel is Channel.VOICE:
        return voice.twiml(sample, draft.language).encode(), "application/xml"
    if draft.channel is Channel.PUSH:
        message = {"notification": {"title": draft.subject, "body": sample}, "link": draft.link}
        return json.dumps(message, ensure_ascii=False, indent=2).encode(), "application/json"
    head = f"Subject: {draft.subject}\n\n" if draft.subject else ""
    return (head + sample).encode(), "text/plain; charset=utf-8"


@router.get(
    "/{draft_id}/preview",
    response_class=Response,
    responses={
        200: {
            "description": "the draft as sent, for a sample recipient",
            "content": {
                media: {}
                for media in ("text/html", "application/pdf", "application/xml", "text/plain")
            },
        }
    },
)
async def preview_draft(
    incident_id: str,
    draft_id: str,
    request: Request,
    principal: Reader,
    language: Annotated[
        str | None, Query(max_length=35, description="the same notice in another language")
    ] = None,
    channel: Annotated[
        Channel | None, Query(description="the same notice on another channel")
    ] = None,
) -> Response:
    """The draft (or its sibling for the same obligation in `language` / on `channel`) in
    the form it is sent: email HTML, letter PDF, call TwiML, push JSON, or text."""
    del principal
    current = await fetch_status(request, incident_id)
    with ops.api_errors(incident_id):
        draft = _sibling(current, draft_id, language, channel)
    data, media = await asyncio.to_thread(_document, current, draft, request)
    headers = {"X-Herald-Draft": draft.id}
    if media != "application/pdf":  # a browser's PDF viewer does not open in a sandbox
        # A web notice is the responder's own HTML, and XML may carry script: sandboxed.
        headers |= PREVIEW_HEADERS
    return Response(data, media_type=media, headers=headers)


@router.get("/{draft_id}/diff", response_model=DraftDiff)
async def diff_draft(
    incident_id: str,
    draft_id: str,
    request: Request,
    principal: Reader,
    old: Annotated[int | None, Query(alias="from", ge=1, description="default: previous")] = None,
    new: Annotated[int | None, Query(alias="to", ge=1, description="default: current")] = None,
) -> DraftDiff:
    """What changed between two versions of a draft (unified diff)."""
    del principal
    with ops.api_errors(incident_id):
        draft = await ops.find_draft(await ops.connect(request), incident_id, draft_id)
    to = new or draft.version
    since = old or max(to - 1, 1)
    try:
        text = draft.diff(since, to)
    except KeyError as missing:
        known = ", ".join(f"v{v.version}" for v in draft.history) or "none"
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"from/to: draft {draft_id} has no version {missing.args[0]} "
            f"(current v{draft.version}; earlier: {known})",
        ) from None
    return DraftDiff(draft_id=draft_id, old=since, new=to, diff=text)


@router.put("/{draft_id}", response_model=DraftDecisionResult)
async def revise_draft(
    incident_id: str, draft_id: str, body: ReviseInput, request: Request, principal: Steerer
) -> DraftDecisionResult:
    """Write a new version; the caller becomes its author and cannot approve it."""
    with ops.api_errors(incident_id):
        incidents = await ops.connect(request)
        current = await ops.find_draft(incidents, incident_id, draft_id)
        subject = body.subject if body.subject is not None else current.subject
        return await incidents.revise(
            incident_id,
            ReviseDraftInput(
                draft_id=draft_id, author=principal.actor, subject=subject, body=body.body
            ),
        )


@router.post("/{draft_id}/approve", response_model=DraftDecisionResult)
async def approve_draft(
    incident_id: str, draft_id: str, body: ApproveInput, request: Request, principal: Approver
) -> DraftDecisionResult:
    """Approve the version whose hash the caller read (refused if it changed, or if the
    caller wrote it, or approved it already)."""
    with ops.api_errors(incident_id):
        incidents = await ops.connect(request)
        await ops.find_draft(incidents, incident_id, draft_id)
        return await incidents.approve(
            incident_id,
            ApproveDraftInput(
                draft_id=draft_id,
                approver=principal.actor,
                content_hash=body.content_hash,
                comment=body.comment,
            ),
        )


@router.post("/{draft_id}/request-changes", response_model=DraftDecisionResult)
async def request_changes(
    incident_id: str,
    draft_id: str,
    body: RequestChangesBody,
    request: Request,
    principal: Approver,
) -> DraftDecisionResult:
    """Send a draft back with a comment; its approvals lapse."""
    with ops.api_errors(incident_id):
        incidents = await ops.connect(request)
        await ops.find_draft(incidents, incident_id, draft_id)
        return await incidents.request_changes(
            incident_id,
            RequestChangesInput(draft_id=draft_id, reviewer=principal.actor, comment=body.comment),
        )
