"""Draft review: the text beside its required-content check and version diff, a preview of
an email, letter or web page as its reader sees it, and the forms that approve it, send it
back or write a new version.

Four eyes are the workflow's rule: the page leaves out the Approve button, and says why,
when the person wrote this version, already approved it, or it is approved; and when the
workflow still refuses (the text changed since it was read) the person sees the workflow's
own reason on the same page.

The preview is the draft's own HTML, which the console does not trust as markup of its
pages: it is served by a route of its own with a policy that allows no script, no request
and no form, framed only by the console (`SAMEORIGIN`) in an `<iframe sandbox>`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from herald.api.auth import Approver, Principal, Reader, Steerer
from herald.api.operations import find_draft
from herald.api.previews import PREVIEW_HEADERS, preview_html
from herald.console import summary, views
from herald.console.web import ConsoleError, ConsoleRoute, incidents, redirect, render
from herald.console.web import workflow_call as call
from herald.models import Draft
from herald.models.messages import ApproveDraftInput, RequestChangesInput, ReviseDraftInput
from herald.models.vocabulary import Channel
from herald.settings import Settings

__all__ = ["router"]

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
MAX_BODY = 200_000
# What the preview frame calls each kind of document (its accessible name).
PREVIEW_TITLES = {
    Channel.EMAIL: "The email's HTML part, as the recipient sees it",
    Channel.LETTER: "The letter as printed, for a sample recipient",
    Channel.WEB: "The web notice as published",
}


async def _page(
    request: Request,
    incident_id: str,
    draft_id: str,
    *,
    old: int | None = None,
    new: int | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    client = await incidents(request)
    current = await call(client.status(incident_id))
    draft: Draft = await call(find_draft(client, incident_id, draft_id))
    new = new if new is not None else draft.version
    old = old if old is not None else new - 1
    versions = [v.version for v in draft.history] + [draft.version]
    diff: list[views.DiffLine] = []
    diff_note = ""
    if old in versions and new in versions and old != new:
        text = draft.diff(old, new)
        diff = views.diff_lines(text)
        diff_note = "" if text else f"v{old} and v{new} are identical"
    elif len(versions) > 1:
        diff_note = f"choose two of the versions {', '.join(f'v{v}' for v in versions)}"
    else:
        diff_note = "only one version so far"
    obligation = next((o for o in current.obligations if o.id == draft.obligation_id), None)
    principal: Principal = request.state.principal
    return render(
        request,
        "draft.html",
        approve_block=summary.approve_block(draft, principal.actor),
        preview_title=PREVIEW_TITLES.get(draft.channel),
        status_code=status_code,
        error=error,
        current=current,
        draft=draft,
        obligation=obligation,
        required=views.required_content(current, draft),
        versions=versions,
        old=old,
        new=new,
        diff=diff,
        diff_note=diff_note,
    )


@router.get("/incidents/{incident_id}/drafts/{draft_id}", response_class=HTMLResponse)
async def draft_page(
    request: Request,
    incident_id: str,
    draft_id: str,
    principal: Reader,
    old: Annotated[int | None, Query(alias="from", ge=1)] = None,
    new: Annotated[int | None, Query(alias="to", ge=1)] = None,
) -> HTMLResponse:
    """One draft: text, required content, approvals, change requests and the diff."""
    del principal
    return await _page(request, incident_id, draft_id, old=old, new=new)


@router.get("/incidents/{incident_id}/drafts/{draft_id}/preview", response_class=HTMLResponse)
async def preview(
    request: Request, incident_id: str, draft_id: str, principal: Reader
) -> HTMLResponse:
    """The draft's current version as its reader sees it (framed by the draft page)."""
    del principal
    client = await incidents(request)
    current = await call(client.status(incident_id))
    draft = next((d for d in current.drafts if d.id == draft_id), None)
    if draft is None:
        raise ConsoleError(status.HTTP_404_NOT_FOUND, f"no draft {draft_id!r} in {incident_id}")
    settings: Settings = request.app.state.settings
    document = await asyncio.to_thread(preview_html, current, draft, settings)
    if document is None:
        raise ConsoleError(
            status.HTTP_404_NOT_FOUND, f"a {draft.channel} draft has no HTML form to preview"
        )
    return HTMLResponse(document, headers=PREVIEW_HEADERS)


async def _decide(
    request: Request, incident_id: str, draft_id: str, action: Coroutine[Any, Any, Any], done: str
) -> Response:
    try:
        await call(action)
    except ConsoleError as err:
        if err.status_code not in (status.HTTP_409_CONFLICT, 422):
            raise
        return await _page(
            request, incident_id, draft_id, error=err.message, status_code=err.status_code
        )
    return redirect(f"/incidents/{incident_id}/drafts/{draft_id}", done=done)


@router.post("/incidents/{incident_id}/drafts/{draft_id}/approve", response_class=HTMLResponse)
async def approve(
    request: Request,
    incident_id: str,
    draft_id: str,
    principal: Approver,
    content_hash: Annotated[str, Form(min_length=64, max_length=64)],
    comment: Annotated[str, Form(max_length=5_000)] = "",
) -> Response:
    """Approve the version whose hash the approver was shown."""
    client = await incidents(request)
    inp = ApproveDraftInput(
        draft_id=draft_id, approver=principal.actor, content_hash=content_hash, comment=comment
    )
    return await _decide(
        request, incident_id, draft_id, client.approve(incident_id, inp), "approved"
    )


@router.post(
    "/incidents/{incident_id}/drafts/{draft_id}/request-changes", response_class=HTMLResponse
)
async def request_changes(
    request: Request,
    incident_id: str,
    draft_id: str,
    principal: Approver,
    comment: Annotated[str, Form(min_length=1, max_length=5_000)],
) -> Response:
    """Send the draft back with a comment."""
    client = await incidents(request)
    inp = RequestChangesInput(draft_id=draft_id, reviewer=principal.actor, comment=comment)
    action = client.request_changes(incident_id, inp)
    return await _decide(request, incident_id, draft_id, action, "changes")


@router.post("/incidents/{incident_id}/drafts/{draft_id}/revise", response_class=HTMLResponse)
async def revise(
    request: Request,
    incident_id: str,
    draft_id: str,
    principal: Steerer,
    body: Annotated[str, Form(min_length=1, max_length=MAX_BODY)],
    subject: Annotated[str | None, Form(max_length=1_000)] = None,
) -> Response:
    """Write a new version; the author can no longer approve it."""
    client = await incidents(request)
    # Browsers send CRLF from a textarea; drafts are kept with LF like every other source.
    text = body.replace("\r\n", "\n")
    if subject is None:  # left out (as the API does): the current subject stays
        subject = (await find_draft(client, incident_id, draft_id)).subject
    inp = ReviseDraftInput(draft_id=draft_id, author=principal.actor, subject=subject, body=text)
    return await _decide(request, incident_id, draft_id, client.revise(incident_id, inp), "revised")
