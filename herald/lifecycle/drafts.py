"""Draft review: versions, four eyes, approvals bound to content, revisions by people."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from herald.content import check_required_content
from herald.lifecycle.errors import SYSTEM_ACTOR, LifecycleError, same_person
from herald.models import (
    Approval,
    Draft,
    DraftState,
    IncidentInput,
    RegulatorReport,
    RenderedDraft,
    ReportStatus,
    Waiver,
    content_hash,
)
from herald.models.drafts import SkippedTranslation
from herald.models.messages import (
    ApproveDraftInput,
    DraftDecisionResult,
    RequestChangesInput,
    ReviseDraftInput,
)
from herald.models.reports import ReceiptRef


class DraftReview:
    """The draft half of IncidentState (a mixin: the fields live on the model)."""

    if TYPE_CHECKING:
        # Fields of IncidentState, which this mixin is part of.
        inp: IncidentInput
        facts_version: int
        drafts: dict[str, Draft]
        reports: dict[str, RegulatorReport]
        waivers: dict[str, Waiver]
        notified_at: dict[str, datetime]
        closed_at: datetime | None

        def log(self, now: datetime, actor: str, kind: str, detail: str = "") -> None: ...

        def required_content(self, obligation_id: str) -> list[str]: ...

        def _reopen(self, report: RegulatorReport, now: datetime) -> None: ...

        def _set_report_status(
            self,
            report: RegulatorReport,
            status: ReportStatus,
            now: datetime,
            actor: str,
            reference: str | None = None,
            note: str = "",
            *,
            occurred_at: datetime | None = None,
            receipt: ReceiptRef | None = None,
        ) -> None: ...

    def decision(self, draft_id: str) -> DraftDecisionResult:
        """Where a draft's review stands, as update results report it."""
        draft = self.draft(draft_id)
        return DraftDecisionResult(
            draft_id=draft.id,
            version=draft.version,
            state=draft.state,
            approvals=len(draft.approvals),
            approvals_required=self.inp.approvals_required,
        )

    def merge_drafts(self, rendered: list[RenderedDraft], now: datetime) -> list[str]:
        """Adopt freshly rendered drafts; unchanged content keeps its version and approvals."""
        changed: list[str] = []
        fresh = {item.id: item for item in rendered}
        for draft_id in [key for key in self.drafts if key not in fresh]:
            del self.drafts[draft_id]
            self.log(now, SYSTEM_ACTOR, "draft.withdrawn", draft_id)
        for item in rendered:
            current = self.drafts.get(item.id)
            if current is not None and current.rendered_hash == item.content_hash:
                if current.author == SYSTEM_ACTOR:
                    current.missing_elements = item.missing_elements
                    current.problems = item.problems
                continue
            if current is not None and current.author != SYSTEM_ACTOR:
                self._review_revision(current, item.content_hash, now)
                changed.append(item.id)
                continue
            version = current.version + 1 if current else 1
            history = [*current.history, current.version_text(current.version)] if current else []
            self.drafts[item.id] = Draft(
                id=item.id,
                obligation_id=item.obligation_id,
                audience=item.audience,
                channel=item.channel,
                language=item.language,
                version=version,
                subject=item.subject,
                body=item.body,
                link=item.link,
                content_hash=item.content_hash,
                rendered_hash=item.content_hash,
                author=SYSTEM_ACTOR,
                created_at=now,
                missing_elements=item.missing_elements,
                problems=item.problems,
                history=history,
            )
            changed.append(item.id)
            self.log(now, SYSTEM_ACTOR, "draft.rendered", f"{item.id} v{version}")
            self._reopen_report_of(self.drafts[item.id], now)
        return changed

    def note_skipped_translation(self, skipped: SkippedTranslation, now: datetime) -> None:
        """Record on the timeline that some readers get another language, and why."""
        self.log(
            now,
            SYSTEM_ACTOR,
            "draft.translation_skipped",
            f"{skipped.obligation_id} {skipped.channel} {skipped.language}: lacks "
            f"{', '.join(skipped.missing)}; served in {skipped.served_in}",
        )

    def _review_revision(self, draft: Draft, rendered_hash: str, now: datetime) -> None:
        """New facts changed the text Herald would render under a person's revision.

        A person's words are never overwritten silently: the revision stays, its approvals
        lapse, and the reviewers are told to check it against the new facts.
        """
        draft.rendered_hash = rendered_hash
        draft.approvals = []
        # What the law asks of the text may have changed too (a report gone late must now
        # give the reasons for the delay): the person's words are checked again.
        draft.missing_elements = check_required_content(
            draft.body,
            draft.subject,
            self.required_content(draft.obligation_id),
            draft.language,
            draft.channel,
        )
        if draft.state is not DraftState.CHANGES_REQUESTED:
            # A change request stands until someone revises the text.
            draft.state = DraftState.PENDING_APPROVAL
        draft.change_requests.append(
            f"{SYSTEM_ACTOR}: the facts changed (version {self.facts_version}); check that "
            "this revision still holds, or revise it again"
        )
        self.log(now, SYSTEM_ACTOR, "draft.needs_review", f"{draft.id} v{draft.version}")
        self._reopen_report_of(draft, now)

    def _reopen_report_of(self, draft: Draft, now: datetime) -> None:
        report = self.reports.get(draft.obligation_id)
        if report is not None and report.status is ReportStatus.APPROVED:
            self._reopen(report, now)

    def draft(self, draft_id: str) -> Draft:
        """The draft with that id, or LifecycleError."""
        found = self.drafts.get(draft_id)
        if found is None:
            raise LifecycleError(f"no draft {draft_id!r} in this incident")
        return found

    def drafts_for(self, obligation_id: str) -> list[Draft]:
        """Drafts of one obligation, in id order."""
        return sorted(
            (d for d in self.drafts.values() if d.obligation_id == obligation_id),
            key=lambda d: d.id,
        )

    def all_drafts_approved(self) -> bool:
        """Whether every current draft has all its approvals."""
        return all(
            d.state is DraftState.APPROVED
            for d in self.drafts.values()
            if d.obligation_id not in self.waivers
        )

    def check_approve(self, inp: ApproveDraftInput) -> Draft:
        """Refuse an approval that breaks the four-eyes rule or binds to stale content."""
        draft = self.draft(inp.draft_id)
        if self.closed_at is not None:
            raise LifecycleError("the incident is closed")
        if inp.content_hash != draft.content_hash:
            raise LifecycleError(
                f"draft {draft.id} changed since you read it (now version {draft.version}, "
                f"hash {draft.content_hash[:12]}); read it again before approving"
            )
        if draft.state is DraftState.APPROVED:
            raise LifecycleError(f"draft {draft.id} v{draft.version} is already approved")
        if draft.state is DraftState.CHANGES_REQUESTED:
            raise LifecycleError(
                f"changes were requested on draft {draft.id} v{draft.version}; revise it first"
            )
        if draft.missing_elements:
            raise LifecycleError(
                f"draft {draft.id} lacks required content: {', '.join(draft.missing_elements)}"
            )
        if draft.problems:
            raise LifecycleError(f"draft {draft.id} cannot be sent: {'; '.join(draft.problems)}")
        who = same_person(inp.approver)
        if who == same_person(draft.author):
            raise LifecycleError(f"{inp.approver} wrote draft {draft.id} and cannot approve it")
        # Four eyes cover every version: whoever wrote an earlier one shaped this text too, and
        # a colleague's trivial edit on top must not make their own words approvable by them.
        if any(same_person(v.author) == who for v in draft.history if v.author != SYSTEM_ACTOR):
            raise LifecycleError(
                f"{inp.approver} wrote an earlier version of draft {draft.id} and cannot approve it"
            )
        if any(same_person(a.approver) == who for a in draft.approvals):
            raise LifecycleError(f"{inp.approver} already approved draft {draft.id}")
        return draft

    def approve(self, inp: ApproveDraftInput, now: datetime) -> Draft:
        """Record one approval; the draft is approved once enough distinct people agree."""
        draft = self.check_approve(inp)
        draft.approvals.append(
            Approval(
                approver=inp.approver, at=now, content_hash=inp.content_hash, comment=inp.comment
            )
        )
        if len(draft.approvals) >= self.inp.approvals_required:
            draft.state = DraftState.APPROVED
        self.log(
            now,
            inp.approver,
            "draft.approved" if draft.state is DraftState.APPROVED else "draft.approval",
            f"{draft.id} v{draft.version} ({len(draft.approvals)}/{self.inp.approvals_required})",
        )
        if draft.state is DraftState.APPROVED and draft.obligation_id in self.reports:
            report = self.reports[draft.obligation_id]
            if report.status is ReportStatus.DRAFTED:
                self._set_report_status(report, ReportStatus.APPROVED, now, SYSTEM_ACTOR)
        return draft

    def check_request_changes(self, inp: RequestChangesInput) -> Draft:
        """Changes can be asked for on any draft that is not yet approved."""
        draft = self.draft(inp.draft_id)
        if draft.state is DraftState.APPROVED:
            raise LifecycleError(f"draft {draft.id} v{draft.version} is already approved")
        return draft

    def request_changes(self, inp: RequestChangesInput, now: datetime) -> Draft:
        """Send a draft back to its author; earlier approvals of this version lapse."""
        draft = self.check_request_changes(inp)
        draft.state = DraftState.CHANGES_REQUESTED
        draft.approvals = []
        draft.change_requests.append(f"{inp.reviewer}: {inp.comment}")
        self.log(now, inp.reviewer, "draft.changes_requested", f"{draft.id} v{draft.version}")
        return draft

    def check_revise(self, inp: ReviseDraftInput) -> Draft:
        """A revision must change the content of a draft that is not yet approved."""
        draft = self.draft(inp.draft_id)
        if draft.state is DraftState.APPROVED:
            raise LifecycleError(f"draft {draft.id} is approved; it can no longer be edited")
        if content_hash(inp.subject, inp.body, draft.link) == draft.content_hash:
            raise LifecycleError("the revision is identical to the current version")
        return draft

    def revise(
        self, inp: ReviseDraftInput, missing: list[str], problems: list[str], now: datetime
    ) -> Draft:
        """Make a new version written by a person, who then cannot approve it.

        Args:
            inp: the revision.
            missing: required elements the new text lacks.
            problems: what the channel forbids in the new text.
            now: the workflow's time.
        """
        draft = self.check_revise(inp)
        revised = draft.model_copy(
            update={
                "version": draft.version + 1,
                "history": [*draft.history, draft.version_text(draft.version)],
                "subject": inp.subject,
                "body": inp.body,
                "content_hash": content_hash(inp.subject, inp.body, draft.link),
                "author": inp.author,
                "created_at": now,
                "state": DraftState.PENDING_APPROVAL,
                "approvals": [],
                "missing_elements": missing,
                "problems": problems,
            }
        )
        self.drafts[draft.id] = revised
        self.log(now, inp.author, "draft.revised", f"{draft.id} v{revised.version}")
        return revised
