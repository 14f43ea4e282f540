"""The incident's state and every decision about it, free of Temporal.

`IncidentWorkflow` keeps one `IncidentState` and calls these methods from its run loop and
its update handlers. Everything here is deterministic (the caller passes `now`), so the same
code runs inside the workflow sandbox and in plain unit tests. `check_*` methods raise
`LifecycleError` with a message for the person; update validators call them, so a refused
update never reaches the workflow history.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from herald.models import (
    FILED_STATUSES,
    STATUS_TRANSITIONS,
    Approval,
    Assessment,
    Audience,
    DeliverySummary,
    Draft,
    DraftState,
    IncidentFacts,
    IncidentInput,
    IncidentStatus,
    Obligation,
    Phase,
    RegimeDecision,
    RegulatorReport,
    RenderedDraft,
    ReportStatus,
    StatusChange,
    TimelineEvent,
    Waiver,
    content_hash,
)
from herald.models.messages import (
    ApproveDraftInput,
    RecordRegulatorStatusInput,
    RequestChangesInput,
    ReviseDraftInput,
    WaiveObligationInput,
)
from herald.rules.locality import plan_individual_notices

SYSTEM_ACTOR = "herald"


class LifecycleError(ValueError):
    """A request the incident's rules refuse; the message is shown to the person."""


def campaign_key(obligation_id: str, channel: str) -> str:
    """Key of one campaign (obligation x channel) in the state and in child workflow ids."""
    return f"{obligation_id}.{channel}"


class IncidentState(BaseModel):
    """Everything the incident workflow knows; serialisable for continue-as-new."""

    inp: IncidentInput
    facts: IncidentFacts
    facts_version: int = 1
    population_assessment: Assessment | None = Field(
        default=None, description="what the population file said; fixed for the incident"
    )
    assessment: Assessment | None = Field(
        default=None, description="as judged with the current facts, with the risk level"
    )
    obligations: list[Obligation] = Field(default_factory=list)
    decisions: list[RegimeDecision] = Field(default_factory=list)
    notice_plan: dict[str, list[str]] = Field(
        default_factory=dict, description="individuals obligation -> jurisdictions it notifies"
    )
    drafts: dict[str, Draft] = Field(default_factory=dict)
    reports: dict[str, RegulatorReport] = Field(default_factory=dict)
    deliveries: dict[str, DeliverySummary] = Field(default_factory=dict)
    published: dict[str, str] = Field(default_factory=dict, description="obligation -> location")
    waivers: dict[str, Waiver] = Field(default_factory=dict)
    timeline: list[TimelineEvent] = Field(default_factory=list)
    closed_at: datetime | None = None

    # ---- timeline ---------------------------------------------------------------------

    def log(self, now: datetime, actor: str, kind: str, detail: str = "") -> None:
        """Append one event to the timeline (never personal data: counts and ids only)."""
        self.timeline.append(TimelineEvent(at=now, actor=actor, kind=kind, detail=detail))

    # ---- obligations and drafts -----------------------------------------------------------

    def obligation(self, obligation_id: str) -> Obligation:
        """The current obligation with that id, or LifecycleError."""
        for item in self.obligations:
            if item.id == obligation_id:
                return item
        raise LifecycleError(f"no obligation {obligation_id!r} in this incident")

    def set_obligations(
        self, obligations: list[Obligation], decisions: list[RegimeDecision], now: datetime
    ) -> tuple[list[str], list[str]]:
        """Adopt a new evaluation; return (deadlines moved, obligations withdrawn).

        Regulator reports are created for new regulator obligations and keep their filing
        history when re-evaluated; only their deadline follows the new evaluation.
        """
        previous = {item.id: item for item in self.obligations}
        self.obligations, self.decisions = obligations, decisions
        self._plan()
        moved: list[str] = []
        for item in obligations:
            before = previous.get(item.id)
            if before is None:
                self.log(now, SYSTEM_ACTOR, "obligation.added", _describe(item))
            elif before.due_at != item.due_at:
                moved.append(item.id)
                self.log(now, SYSTEM_ACTOR, "deadline.moved", f"{item.id}: {_due(item)}")
            if item.audience is Audience.REGULATOR:
                report = self.reports.get(item.id)
                if report is None:
                    self.reports[item.id] = RegulatorReport(
                        id=item.id,
                        regime=item.regime,
                        authority=item.recipient,
                        contact=item.contact,
                        due_at=item.due_at,
                    )
                else:
                    report.due_at = item.due_at
                    report.overdue = bool(report.due_at and report.overdue and now > report.due_at)
                    if report.withdrawn:
                        # Back under new facts: its drafts are new, so it needs approving again.
                        report.withdrawn = False
                        if report.status is ReportStatus.APPROVED:
                            self._reopen(report, now)
        current = {item.id for item in obligations}
        withdrawn = [key for key in previous if key not in current]
        for key in withdrawn:
            self.log(now, SYSTEM_ACTOR, "obligation.withdrawn", key)
            if key in self.reports:
                self.reports[key].withdrawn = True
        return moved, withdrawn

    def _plan(self) -> None:
        # Waived obligations serve nobody: their people fall to the next most local regime.
        self.notice_plan = plan_individual_notices(
            [item for item in self.obligations if item.id not in self.waivers]
        )

    def _reopen(self, report: RegulatorReport, now: datetime) -> None:
        report.status = ReportStatus.DRAFTED
        report.history.append(
            StatusChange(status=ReportStatus.DRAFTED, at=now, actor=SYSTEM_ACTOR, note="reopened")
        )
        self.log(now, SYSTEM_ACTOR, "report.reopened", f"{report.id}: its draft changed")

    def reports_needing_clock(self) -> list[RegulatorReport]:
        """Reports whose deadline still has to be kept (not filed, waived or withdrawn)."""
        return [
            report
            for report in self.reports.values()
            if report.status not in FILED_STATUSES
            and not report.withdrawn
            and report.id not in self.waivers
        ]

    def obligations_to_draft(self) -> list[Obligation]:
        """Obligations that need drafts: all but individuals ones whose people are all served
        by a more local regime's notice (see herald.rules.locality)."""
        return [
            item
            for item in self.obligations
            if item.audience is not Audience.INDIVIDUALS or self.notice_plan.get(item.id)
        ]

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
                continue
            if current is not None and current.author != SYSTEM_ACTOR:
                self._review_revision(current, item.content_hash, now)
                changed.append(item.id)
                continue
            version = current.version + 1 if current else 1
            self.drafts[item.id] = Draft(
                id=item.id,
                obligation_id=item.obligation_id,
                audience=item.audience,
                channel=item.channel,
                language=item.language,
                version=version,
                subject=item.subject,
                body=item.body,
                content_hash=item.content_hash,
                rendered_hash=item.content_hash,
                author=SYSTEM_ACTOR,
                created_at=now,
                missing_elements=item.missing_elements,
            )
            changed.append(item.id)
            self.log(now, SYSTEM_ACTOR, "draft.rendered", f"{item.id} v{version}")
            self._reopen_report_of(self.drafts[item.id], now)
        return changed

    def _review_revision(self, draft: Draft, rendered_hash: str, now: datetime) -> None:
        """New facts changed the text Herald would render under a person's revision.

        A person's words are never overwritten silently: the revision stays, its approvals
        lapse, and the reviewers are told to check it against the new facts.
        """
        draft.rendered_hash = rendered_hash
        draft.approvals = []
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

    # ---- four eyes --------------------------------------------------------------------------

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
        who = inp.approver.casefold()
        if who == draft.author.casefold():
            raise LifecycleError(f"{inp.approver} wrote draft {draft.id} and cannot approve it")
        if any(a.approver.casefold() == who for a in draft.approvals):
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
        if content_hash(inp.subject, inp.body) == draft.content_hash:
            raise LifecycleError("the revision is identical to the current version")
        return draft

    def revise(self, inp: ReviseDraftInput, missing: list[str], now: datetime) -> Draft:
        """Make a new version written by a person, who then cannot approve it."""
        draft = self.check_revise(inp)
        revised = draft.model_copy(
            update={
                "version": draft.version + 1,
                "subject": inp.subject,
                "body": inp.body,
                "content_hash": content_hash(inp.subject, inp.body),
                "author": inp.author,
                "created_at": now,
                "state": DraftState.PENDING_APPROVAL,
                "approvals": [],
                "missing_elements": missing,
            }
        )
        self.drafts[draft.id] = revised
        self.log(now, inp.author, "draft.revised", f"{draft.id} v{revised.version}")
        return revised

    # ---- regulator reports ------------------------------------------------------------------

    def check_status(self, inp: RecordRegulatorStatusInput) -> RegulatorReport:
        """Refuse a status that does not follow the report's allowed transitions."""
        report = self.reports.get(inp.report_id)
        if report is None:
            raise LifecycleError(f"no regulator report {inp.report_id!r} in this incident")
        if report.withdrawn or report.id in self.waivers:
            raise LifecycleError(f"report {report.id} is no longer required (withdrawn or waived)")
        if inp.status is ReportStatus.APPROVED:
            raise LifecycleError(
                f"a report is approved by approving its draft ({report.id}), not by a status"
            )
        if inp.status not in STATUS_TRANSITIONS[report.status]:
            allowed = ", ".join(sorted(STATUS_TRANSITIONS[report.status])) or "none"
            hint = (
                " (its draft must be approved first)"
                if report.status is ReportStatus.DRAFTED
                else ""
            )
            raise LifecycleError(
                f"report {report.id} is {report.status}; it can move to: {allowed}{hint}"
            )
        return report

    def record_status(self, inp: RecordRegulatorStatusInput, now: datetime) -> RegulatorReport:
        """Record a status reported by a person or the authority."""
        report = self.check_status(inp)
        self._set_report_status(report, inp.status, now, inp.actor, inp.reference, inp.note)
        return report

    def _set_report_status(
        self,
        report: RegulatorReport,
        status: ReportStatus,
        now: datetime,
        actor: str,
        reference: str | None = None,
        note: str = "",
    ) -> None:
        report.status = status
        if reference:
            report.reference = reference
        if status is ReportStatus.SUBMITTED:
            report.submitted_at = now
            report.late = bool(report.due_at and now > report.due_at)
        report.history.append(
            StatusChange(status=status, at=now, actor=actor, reference=reference, note=note)
        )
        late = " (late)" if status is ReportStatus.SUBMITTED and report.late else ""
        self.log(now, actor, f"report.{status}", f"{report.id}{late}")

    # ---- waivers, completion and closure -------------------------------------------------

    def check_waive(self, inp: WaiveObligationInput) -> Obligation:
        """Only an open obligation can be waived."""
        item = self.obligation(inp.obligation_id)
        if item.id in self.waivers:
            raise LifecycleError(f"obligation {item.id} is already waived")
        if item.id not in self.open_obligations():
            raise LifecycleError(f"obligation {item.id} is already met")
        return item

    def waive(self, inp: WaiveObligationInput, now: datetime) -> None:
        """Waive an obligation with a reason that stays in the evidence."""
        self.check_waive(inp)
        self.waivers[inp.obligation_id] = Waiver(
            obligation_id=inp.obligation_id, actor=inp.actor, reason=inp.reason, at=now
        )
        self.log(now, inp.actor, "obligation.waived", f"{inp.obligation_id}: {inp.reason}")
        self._plan()

    def is_met(self, item: Obligation) -> bool:
        """Whether an obligation has been fulfilled (waivers are counted separately)."""
        if item.audience is Audience.REGULATOR:
            report = self.reports.get(item.id)
            return report is not None and report.status in FILED_STATUSES
        if item.audience is Audience.INDIVIDUALS:
            if not self.notice_plan.get(item.id):
                return True  # every person it covers gets a more local regime's notice
            keys = {campaign_key(item.id, d.channel) for d in self.drafts_for(item.id)}
            return bool(keys) and all(
                key in self.deliveries and self.deliveries[key].completed for key in keys
            )
        return item.id in self.published

    def open_obligations(self) -> list[str]:
        """Obligations neither met nor waived: while any remains, the incident stays open."""
        return [
            item.id
            for item in self.obligations
            if item.id not in self.waivers and not self.is_met(item)
        ]

    def check_close(self) -> None:
        """Refuse to close while an obligation is open."""
        if self.closed_at is not None:
            raise LifecycleError("the incident is already closed")
        remaining = self.open_obligations()
        if remaining:
            raise LifecycleError(
                "cannot close: obligations neither met nor waived: " + ", ".join(remaining)
            )

    def next_deadline(self) -> datetime | None:
        """The earliest fixed deadline among open obligations."""
        remaining = set(self.open_obligations())
        dues = [o.due_at for o in self.obligations if o.id in remaining and o.due_at]
        return min(dues) if dues else None

    def status(self, phase: Phase) -> IncidentStatus:
        """The snapshot the `status` query returns."""
        return IncidentStatus(
            incident_id=self.inp.incident_id,
            phase=phase,
            commander=self.inp.commander,
            approvals_required=self.inp.approvals_required,
            facts=self.facts,
            facts_version=self.facts_version,
            population=self.inp.population,
            assessment=self.assessment,
            obligations=self.obligations,
            decisions=self.decisions,
            drafts=sorted(self.drafts.values(), key=lambda d: d.id),
            reports=sorted(self.reports.values(), key=lambda r: r.id),
            deliveries=sorted(self.deliveries.values(), key=lambda d: (d.obligation_id, d.channel)),
            waivers=list(self.waivers.values()),
            timeline=self.timeline,
            open_obligations=self.open_obligations(),
            next_deadline=self.next_deadline(),
            closed_at=self.closed_at,
        )


def _due(item: Obligation) -> str:
    return item.due_at.isoformat() if item.due_at else item.deadline


def _describe(item: Obligation) -> str:
    return f"{item.id}: {item.audience} {item.recipient}, due {_due(item)}"
