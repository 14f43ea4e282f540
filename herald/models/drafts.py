"""Drafts: rendered messages, versioned, approved against their content hash."""

from __future__ import annotations

import difflib
import hashlib
from datetime import datetime

from pydantic import BaseModel, Field

from herald.models.vocabulary import Audience, Channel, DraftState

# Placeholder kept in approved individual notices and filled per person at delivery, so
# that one approved text (one hash) serves every recipient.
RECIPIENT_NAME_TOKEN = "[[recipient_name]]"


def content_hash(subject: str | None, body: str, link: str | None = None) -> str:
    """SHA-256 over what the recipient sees; an approval binds to this value.

    The link (a push notification's deep link) counts only when there is one, so the hash
    of every other draft is the hash of its subject and body.
    """
    digest = hashlib.sha256()
    digest.update((subject or "").encode())
    digest.update(b"\x00")
    digest.update(body.encode())
    if link:
        digest.update(b"\x00")
        digest.update(link.encode())
    return digest.hexdigest()


class ChannelLimits(BaseModel):
    """Limits a draft must keep to; the SMS maximum is the organisation's cost setting.

    Push limits follow what Android and iOS show without truncation in a notification
    (about 65 characters of title, 240 of body); FCM's own payload limit is far larger.
    """

    sms_max_segments: int = Field(default=3, ge=1, le=10)
    push_title_max: int = 65
    push_body_max: int = 240


class Approval(BaseModel):
    """One approver's sign-off on one draft version."""

    approver: str
    at: datetime
    content_hash: str
    comment: str = ""


class DraftVersion(BaseModel):
    """The text of one earlier version of a draft, kept for diffs and the evidence pack."""

    version: int
    subject: str | None
    body: str
    link: str | None = None
    content_hash: str
    author: str
    created_at: datetime

    def lines(self) -> list[str]:
        """The version as diffable lines: header fields first, then the body."""
        head = [f"Subject: {self.subject}\n"] if self.subject is not None else []
        head += [f"Link: {self.link}\n"] if self.link else []
        body = self.body if self.body.endswith("\n") else f"{self.body}\n"
        return [*head, *(["\n"] if head else []), *body.splitlines(keepends=True)]


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
    link: str | None = None
    content_hash: str
    rendered_hash: str = Field(
        default="", description="hash of the last system render, to tell new facts from edits"
    )
    author: str
    created_at: datetime
    state: DraftState = DraftState.PENDING_APPROVAL
    approvals: list[Approval] = Field(default_factory=list)
    missing_elements: list[str] = Field(default_factory=list)
    problems: list[str] = Field(
        default_factory=list, description="what the channel forbids (length, segments, link)"
    )
    change_requests: list[str] = Field(default_factory=list)
    history: list[DraftVersion] = Field(
        default_factory=list, description="earlier versions, oldest first"
    )

    def version_text(self, version: int) -> DraftVersion:
        """One version of this draft, current or earlier.

        Raises:
            KeyError: no such version.
        """
        if version == self.version:
            return DraftVersion(
                version=self.version,
                subject=self.subject,
                body=self.body,
                link=self.link,
                content_hash=self.content_hash,
                author=self.author,
                created_at=self.created_at,
            )
        for earlier in self.history:
            if earlier.version == version:
                return earlier
        raise KeyError(version)

    def diff(self, old: int, new: int) -> str:
        """A unified diff of two versions (subject, link and body), empty when equal.

        Raises:
            KeyError: either version does not exist.
        """
        before, after = self.version_text(old), self.version_text(new)
        return "".join(
            difflib.unified_diff(
                before.lines(),
                after.lines(),
                fromfile=f"{self.id} v{old} ({before.author})",
                tofile=f"{self.id} v{new} ({after.author})",
            )
        )


class RenderedDraft(BaseModel):
    """What rendering produces for one draft before the workflow versions it."""

    id: str
    obligation_id: str
    audience: Audience
    channel: Channel
    language: str
    subject: str | None
    body: str
    link: str | None = None
    missing_elements: list[str] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)

    @property
    def content_hash(self) -> str:
        """Hash of the rendered content."""
        return content_hash(self.subject, self.body, self.link)


class SkippedTranslation(BaseModel):
    """A population language left out because its text would lack what the law requires.

    Its readers get the obligation's own language instead (delivery falls back to it).
    """

    obligation_id: str
    channel: Channel
    language: str
    missing: list[str]
    served_in: str
