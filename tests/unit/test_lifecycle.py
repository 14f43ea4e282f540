"""IncidentState: four eyes, approvals bound to content, report transitions, closure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herald.lifecycle import IncidentState, LifecycleError, campaign_key
from herald.models import (
    Audience,
    Channel,
    DeliverySummary,
    DraftState,
    Entity,
    IncidentFacts,
    IncidentInput,
    Obligation,
    Phase,
    RenderedDraft,
    ReportStatus,
)
from herald.models.messages import (
    ApproveDraftInput,
    RecordRegulatorStatusInput,
    RequestChangesInput,
    ReviseDraftInput,
    WaiveObligationInput,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _state() -> IncidentState:
    facts = IncidentFacts(aware_at=NOW, entity=Entity(name="Example Ltd"))
    inp = IncidentInput(incident_id="INC-1", facts=facts, commander="casey")
    state = IncidentState(inp=inp, facts=facts)
    obligations = [
        Obligation(
            id="gdpr-regulator-ie",
            regime="gdpr",
            audience=Audience.REGULATOR,
            recipient="Data Protection Commission",
            due_at=NOW + timedelta(hours=72),
            deadline="72 hours after awareness",
            citation="GDPR Art. 33",
        ),
        Obligation(
            id="gdpr-individuals",
            regime="gdpr",
            audience=Audience.INDIVIDUALS,
            recipient="affected data subjects",
            due_at=None,
            deadline="without undue delay",
            citation="GDPR Art. 34",
            jurisdictions=["FR"],
        ),
    ]
    state.set_obligations(obligations, [], NOW)
    state.merge_drafts(
        [
            _rendered("gdpr-regulator-ie", Audience.REGULATOR, Channel.REPORT, "report v1"),
            _rendered("gdpr-individuals", Audience.INDIVIDUALS, Channel.EMAIL, "notice v1"),
        ],
        NOW,
    )
    return state


def _rendered(obligation_id: str, audience: Audience, channel: Channel, body: str) -> RenderedDraft:
    return RenderedDraft(
        id=f"{obligation_id}.{channel}.en",
        obligation_id=obligation_id,
        audience=audience,
        channel=channel,
        language="en",
        subject="Subject",
        body=body,
    )


def _approve(state: IncidentState, draft_id: str, who: str) -> None:
    draft = state.draft(draft_id)
    state.approve(
        ApproveDraftInput(draft_id=draft_id, approver=who, content_hash=draft.content_hash), NOW
    )


def test_regulator_obligation_creates_report() -> None:
    state = _state()
    report = state.reports["gdpr-regulator-ie"]
    assert report.status is ReportStatus.DRAFTED
    assert report.due_at == NOW + timedelta(hours=72)


def test_two_distinct_approvers_needed() -> None:
    state = _state()
    draft_id = "gdpr-individuals.email.en"
    _approve(state, draft_id, "alice")
    assert state.draft(draft_id).state is DraftState.PENDING_APPROVAL
    with pytest.raises(LifecycleError, match="already approved"):
        _approve(state, draft_id, "alice")
    _approve(state, draft_id, "bob")
    assert state.draft(draft_id).state is DraftState.APPROVED


def test_author_cannot_approve_own_revision() -> None:
    state = _state()
    draft_id = "gdpr-individuals.email.en"
    state.revise(
        ReviseDraftInput(draft_id=draft_id, author="alice", subject="S", body="notice v2"),
        [],
        [],
        NOW,
    )
    assert state.draft(draft_id).version == 2
    with pytest.raises(LifecycleError, match="cannot approve"):
        _approve(state, draft_id, "alice")


def test_an_author_of_any_earlier_version_cannot_approve() -> None:
    state = _state()
    draft_id = "gdpr-individuals.email.en"
    for author, body in (("alice", "notice v2"), ("bob", "notice v3, one word changed")):
        state.revise(
            ReviseDraftInput(draft_id=draft_id, author=author, subject="S", body=body), [], [], NOW
        )
    assert state.draft(draft_id).version == 3
    with pytest.raises(LifecycleError, match="wrote an earlier version"):
        _approve(state, draft_id, " Alice")
    _approve(state, draft_id, "carol")  # the system's first version binds nobody
    assert state.draft(draft_id).approvals[0].approver == "carol"


def test_approval_binds_to_content_hash() -> None:
    state = _state()
    draft_id = "gdpr-individuals.email.en"
    stale = state.draft(draft_id).content_hash
    state.merge_drafts(
        [
            _rendered("gdpr-regulator-ie", Audience.REGULATOR, Channel.REPORT, "report v1"),
            _rendered("gdpr-individuals", Audience.INDIVIDUALS, Channel.EMAIL, "notice v2"),
        ],
        NOW,
    )
    assert state.draft(draft_id).version == 2
    assert state.draft("gdpr-regulator-ie.report.en").version == 1  # unchanged content
    with pytest.raises(LifecycleError, match="changed since you read it"):
        state.check_approve(
            ApproveDraftInput(draft_id=draft_id, approver="bob", content_hash=stale)
        )


def test_rerender_resets_approvals_only_of_changed_drafts() -> None:
    state = _state()
    _approve(state, "gdpr-regulator-ie.report.en", "alice")
    _approve(state, "gdpr-individuals.email.en", "alice")
    state.merge_drafts(
        [
            _rendered("gdpr-regulator-ie", Audience.REGULATOR, Channel.REPORT, "report v1"),
            _rendered("gdpr-individuals", Audience.INDIVIDUALS, Channel.EMAIL, "notice v2"),
        ],
        NOW,
    )
    assert len(state.draft("gdpr-regulator-ie.report.en").approvals) == 1
    assert state.draft("gdpr-individuals.email.en").approvals == []


def test_missing_content_blocks_approval() -> None:
    state = _state()
    draft_id = "gdpr-individuals.email.en"
    state.revise(
        ReviseDraftInput(draft_id=draft_id, author="alice", subject="S", body="short"),
        ["dpo_contact"],
        [],
        NOW,
    )
    with pytest.raises(LifecycleError, match="lacks required content: dpo_contact"):
        _approve(state, draft_id, "bob")


def test_channel_problems_block_approval() -> None:
    state = _state()
    draft_id = "gdpr-individuals.email.en"
    state.revise(
        ReviseDraftInput(draft_id=draft_id, author="alice", subject="S", body="long"),
        [],
        ["the SMS needs 4 GSM-7 segments; the maximum is 3: shorten it"],
        NOW,
    )
    with pytest.raises(LifecycleError, match="cannot be sent: the SMS needs 4"):
        _approve(state, draft_id, "bob")


def test_every_version_is_kept_for_diffs() -> None:
    state = _state()
    draft_id = "gdpr-individuals.email.en"
    first = state.draft(draft_id)
    state.revise(
        ReviseDraftInput(draft_id=draft_id, author="alice", subject="S", body="v2 text"),
        [],
        [],
        NOW,
    )
    revised = state.draft(draft_id)
    assert [v.version for v in revised.history] == [1]
    assert revised.version_text(1).body == first.body
    assert revised.version_text(1).content_hash == first.content_hash
    assert revised.version_text(2).body == "v2 text"
    with pytest.raises(KeyError):
        revised.version_text(3)
    # The status query leaves the history out (the `draft` query carries it).
    listed = next(d for d in state.status(Phase.DRAFTING).drafts if d.id == draft_id)
    assert listed.history == [] and listed.version == 2


def test_request_changes_clears_approvals() -> None:
    state = _state()
    draft_id = "gdpr-individuals.email.en"
    _approve(state, draft_id, "alice")
    state.request_changes(
        RequestChangesInput(draft_id=draft_id, reviewer="bob", comment="tone"), NOW
    )
    draft = state.draft(draft_id)
    assert draft.state is DraftState.CHANGES_REQUESTED and draft.approvals == []


def test_report_needs_approval_before_submission_and_tracks_lateness() -> None:
    state = _state()
    submit = RecordRegulatorStatusInput(
        report_id="gdpr-regulator-ie", status=ReportStatus.SUBMITTED, actor="casey", reference="R1"
    )
    with pytest.raises(LifecycleError, match="draft must be approved first"):
        state.check_status(submit, NOW)
    _approve(state, "gdpr-regulator-ie.report.en", "alice")
    _approve(state, "gdpr-regulator-ie.report.en", "bob")
    assert state.reports["gdpr-regulator-ie"].status is ReportStatus.APPROVED
    report = state.record_status(submit, NOW + timedelta(hours=80))
    assert report.late and report.reference == "R1"
    with pytest.raises(LifecycleError, match="can move to"):
        state.check_status(submit, NOW)


def test_close_refused_until_everything_met_or_waived() -> None:
    state = _state()
    with pytest.raises(LifecycleError, match="gdpr-regulator-ie, gdpr-individuals"):
        state.check_close()
    for draft_id in ("gdpr-regulator-ie.report.en", "gdpr-individuals.email.en"):
        _approve(state, draft_id, "alice")
        _approve(state, draft_id, "bob")
    state.record_status(
        RecordRegulatorStatusInput(
            report_id="gdpr-regulator-ie", status=ReportStatus.SUBMITTED, actor="casey"
        ),
        NOW,
    )
    assert state.open_obligations() == ["gdpr-individuals"]
    key = campaign_key("gdpr-individuals", Channel.EMAIL)
    state.campaign_scope[key] = ["FR"]
    state.deliveries[key] = DeliverySummary(
        obligation_id="gdpr-individuals", channel=Channel.EMAIL, completed=True
    )
    state.check_close()


def test_waiver_needs_reason_and_counts_as_done() -> None:
    state = _state()
    with pytest.raises(ValueError):
        WaiveObligationInput(obligation_id="gdpr-individuals", actor="casey", reason="no")
    state.waive(
        WaiveObligationInput(
            obligation_id="gdpr-individuals",
            actor="casey",
            reason="Data was encrypted; key not compromised (Art. 34(3)(a)).",
        ),
        NOW,
    )
    assert state.open_obligations() == ["gdpr-regulator-ie"]
    assert state.timeline[-1].kind == "obligation.waived"


def test_moved_deadline_reported_and_filing_history_kept() -> None:
    state = _state()
    moved_obligations = [o.model_copy() for o in state.obligations]
    moved_obligations[0] = moved_obligations[0].model_copy(
        update={"due_at": NOW + timedelta(hours=96)}
    )
    moved, withdrawn = state.set_obligations(moved_obligations, [], NOW)
    assert moved == ["gdpr-regulator-ie"] and withdrawn == []
    assert state.reports["gdpr-regulator-ie"].due_at == NOW + timedelta(hours=96)
    assert state.next_deadline() == NOW + timedelta(hours=96)


def test_notifications_are_recorded_once_when_the_plan_is_fully_delivered() -> None:
    state = _state()
    key = campaign_key("gdpr-individuals", Channel.EMAIL)
    assert state.record_notifications(NOW) == []  # nothing delivered yet
    state.campaign_scope[key] = ["FR"]
    state.deliveries[key] = DeliverySummary(
        obligation_id="gdpr-individuals", channel=Channel.EMAIL, completed=True
    )
    later = NOW + timedelta(days=2)
    assert state.record_notifications(later) == ["gdpr-individuals"]
    assert state.notified_at == {"gdpr-individuals": later}
    assert state.record_notifications(later + timedelta(days=1)) == []
    assert state.timeline[-1].kind == "notice.completed"


def test_a_filing_records_when_the_report_obligation_was_fulfilled() -> None:
    state = _state()
    _approve(state, "gdpr-regulator-ie.report.en", "alice")
    _approve(state, "gdpr-regulator-ie.report.en", "bob")
    filed = NOW + timedelta(hours=30)
    state.record_status(
        RecordRegulatorStatusInput(
            report_id="gdpr-regulator-ie", status=ReportStatus.SUBMITTED, actor="casey"
        ),
        filed,
    )
    # Deadlines chained to this filing (e.g. NIS2's final report) are judged from here.
    assert state.notified_at["gdpr-regulator-ie"] == filed


def test_a_published_substitute_notice_says_how_long_it_stays_up() -> None:
    state = _state()
    public = Obligation(
        regime="us-ca",
        audience=Audience.PUBLIC,
        recipient="The public (substitute notice)",
        due_at=None,
        deadline="as for the residents' notice",
        citation="Cal. Civ. Code 1798.82(j)(3)",
        id="us-ca-public",
        posting_days=30,
    )
    state.record_publication(public, "/srv/notices", NOW)
    assert state.published["us-ca-public"] == "/srv/notices"
    event = state.timeline[-1]
    assert event.kind == "notice.published"
    assert event.detail == (
        f"us-ca-public: keep posted until {NOW + timedelta(days=30):%Y-%m-%d %H:%M} UTC (30 days)"
    )
