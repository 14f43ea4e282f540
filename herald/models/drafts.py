"""Drafts: rendered messages, versioned, approved against their content hash."""

from __future__ import annotations

import hashlib
from datetime import datetime

from pydantic import BaseModel, Field

from herald.models.vocabulary import Audience, Channel, DraftState

# Placeholder kept in approved individual notices and filled per person at delivery, so
# that one approved text (one hash) serves every recipient.
RECIPIENT_NAME_TOKEN = "[[recipient_name]]"


def content_hash(subject: str | None, body: str) -> str:
    """SHA-256 over what the recipient sees; an approval binds to this value."""
    digest = hashlib.sha256()
    digest.update((subject or "").encode())
    digest.update(b"\x00")
    digest.update(body.encode())
    return digest.hexdigest()


class Approval(BaseModel):
    """One approver's sign-off on one draft version."""

    approver: str
    at: datetime
    content_hash: str
    comment: str = ""


class Draft(BaseModel):
    """One rendered message for obligation x channel x language, at one version."""

    id: str = Field(description="stable: obligation id, channel and language")
    obligation_id: str
    audience: Audience
    channel: Channel
    language: str
    version: int = 1
    subject: str | None = None
    body: str
    content_hash: str
    rendered_hash: str = Field(
        default="", description="hash of the last system render, to tell new facts from edits"
    )
    author: str
    created_at: datetime
    state: DraftState = DraftState.PENDING_APPROVAL
    approvals: list[Approval] = Field(default_factory=list)
    missing_elements: list[str] = Field(default_factory=list)
    change_requests: list[str] = Field(default_factory=list)


class RenderedDraft(BaseModel):
    """What rendering produces for one draft before the workflow versions it."""

    id: str
    obligation_id: str
    audience: Audience
    channel: Channel
    language: str
    subject: str | None
    body: str
    missing_elements: list[str] = Field(default_factory=list)

    @property
    def content_hash(self) -> str:
        """Hash of the rendered content."""
        return content_hash(self.subject, self.body)
