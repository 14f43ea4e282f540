"""IncidentState rules: withdrawn and returning reports, four eyes, re-renders, re-planning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herald.lifecycle import SYSTEM_ACTOR, IncidentState, LifecycleError, campaign_key
from herald.models import (
    Audience,
    Channel,
    DeliverySummary,
    DraftState,
    Entity,
    IncidentFacts,
    IncidentInput,
    Obligation,
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
LATER = NOW + timedelta(hours=1)

REPORT = "gdpr-regulator-ie"
REPORT_DRAFT = f"{REPORT}.report.en"
NOTICE = "gdpr-individuals"
NOTICE_DRAFT = f"{NOTICE}.email.en"
US_CA = "us-ca-individuals"
REASON = "A more local notice is not needed: see the legal memo of 2 March."

# ---- builders -------------------------------------------------------------------------------


def _regulator(obligation_id: str = REPORT) -> Obligation:
    return Obligation(
        id=obligation_id,
        regime="gdpr",
        audience=Audience.REGULATOR,
        recipient="Data Protection Commission",
        due_at=NOW + timedelta(hours=72),
        deadline="72 hours after awareness",
        citation="GDPR Art. 33",
    )


def _individuals(obligation_id: str, regime: str, jurisdictions: list[str]) -> Obligation:
    return Obligation(
        id=obligation_id,
        regime=regime,
        audience=Audience.INDIVIDUALS,
        recipient="affected data subjects",
        due_at=None,
        deadline="without undue delay",
        citation=f"{regime} individual notice",
        jurisdictions=jurisdictions,
    )


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


def _render(state: IncidentState, report: str = "report v1", notice: str = "notice v1") -> None:
    """Adopt a system render of both drafts of `_state()` with these bodies."""
    state.merge_drafts(
        [
            _rendered(REPORT, Audience.REGULATOR, Channel.REPORT, report),
            _rendered(NOTICE, Audience.INDIVIDUALS, Channel.EMAIL, notice),
        ],
        LATER,
    )


def _state() -> IncidentState:
    """A regulator report and an individuals notice, each with one system-rendered draft."""
    facts = IncidentFacts(aware_at=NOW, entity=Entity(name="Example Ltd"))
    inp = IncidentInput(incident_id="INC-1", facts=facts, commander="casey")
    state = IncidentState(inp=inp, facts=facts)
    state.set_obligations([_regulator(), _individuals(NOTICE, "gdpr", ["FR"])], [], NOW)
    state.merge_drafts(
        [
            _rendered(REPORT, Audience.REGULATOR, Channel.REPORT, "report v1"),
            _rendered(NOTICE, Audience.INDIVIDUALS, Channel.EMAIL, "notice v1"),
        ],
        NOW,
    )
    return state


def _overlapping_state(gdpr_jurisdictions: list[str]) -> IncidentState:
    """GDPR and California individual notices over overlapping jurisdictions, plus a report."""
    facts = IncidentFacts(aware_at=NOW, entity=Entity(name="Example Ltd"))
    inp = IncidentInput(incident_id="INC-2", facts=facts, commander="casey")
    state = IncidentState(inp=inp, facts=facts)
    state.set_obligations(
        [
            _regulator(),
            _individuals(NOTICE, "gdpr", gdpr_jurisdictions),
            _individuals(US_CA, "us-ca", ["US-CA"]),
        ],
        [],
        NOW,
    )
    return state


def _approve(state: IncidentState, draft_id: str, who: str) -> None:
    draft = state.draft(draft_id)
    state.approve(
        ApproveDraftInput(draft_id=draft_id, approver=who, content_hash=draft.content_hash), NOW
    )


def _check_approve(state: IncidentState, draft_id: str, who: str) -> None:
    draft = state.draft(draft_id)
    state.check_approve(
        ApproveDraftInput(draft_id=draft_id, approver=who, content_hash=draft.content_hash)
    )


def _revise(state: IncidentState, draft_id: str, author: str, body: str) -> None:
    state.revise(
        ReviseDraftInput(draft_id=draft_id, author=author, subject="Subject", body=body),
        [],
        [],
        NOW,
    )


def _status(report_id: str, status: ReportStatus) -> RecordRegulatorStatusInput:
    return RecordRegulatorStatusInput(report_id=report_id, status=status, actor="casey")


def _kinds(state: IncidentState) -> list[str]:
    return [event.kind for event in state.timeline]


def _delivered(state: IncidentState, obligation_id: str) -> None:
    # As the workflow does when it starts the campaign: it covers the plan of that moment.
    state.campaign_scope[campaign_key(obligation_id, Channel.EMAIL)] = list(
        state.notice_plan[obligation_id]
    )
    state.deliveries[campaign_key(obligation_id, Channel.EMAIL)] = DeliverySummary(
        obligation_id=obligation_id, channel=Channel.EMAIL, completed=True
    )


# ---- withdrawn obligations ------------------------------------------------------------------


def test_withdrawn_obligation_withdraws_its_report_and_stops_its_clock() -> None:
    state = _state()
    assert [r.id for r in state.reports_needing_clock()] == [REPORT]

    moved, withdrawn = state.set_obligations([_individuals(NOTICE, "gdpr", ["FR"])], [], LATER)

    assert (moved, withdrawn) == ([], [REPORT])
    assert state.reports[REPORT].withdrawn is True
    assert state.reports_needing_clock() == []
    assert state.timeline[-1].kind == "obligation.withdrawn"
    for status in (ReportStatus.SUBMITTED, ReportStatus.CLOSED, ReportStatus.APPROVED):
        with pytest.raises(LifecycleError, match="no longer required"):
            state.check_status(_status(REPORT, status), NOW)
    with pytest.raises(LifecycleError, match="no longer required"):
        state.record_status(_status(REPORT, ReportStatus.SUBMITTED), LATER)
    assert state.reports[REPORT].status is ReportStatus.DRAFTED


def test_returning_obligation_reopens_its_approved_report() -> None:
    state = _state()
    _approve(state, REPORT_DRAFT, "alice")
    _approve(state, REPORT_DRAFT, "bob")
    assert state.reports[REPORT].status is ReportStatus.APPROVED
    state.set_obligations([_individuals(NOTICE, "gdpr", ["FR"])], [], LATER)
    assert state.reports[REPORT].withdrawn is True

    _, withdrawn = state.set_obligations(
        [_regulator(), _individuals(NOTICE, "gdpr", ["FR"])], [], LATER
    )

    report = state.reports[REPORT]
    assert withdrawn == []
    assert report.withdrawn is False
    assert report.status is ReportStatus.DRAFTED
    assert report.history[-1].status is ReportStatus.DRAFTED
    assert report.history[-1].actor == SYSTEM_ACTOR
    reopened = [e for e in state.timeline if e.kind == "report.reopened"]
    assert len(reopened) == 1 and reopened[0].detail.startswith(REPORT)
    assert [r.id for r in state.reports_needing_clock()] == [REPORT]
    with pytest.raises(LifecycleError, match="draft must be approved first"):
        state.check_status(_status(REPORT, ReportStatus.SUBMITTED), NOW)


def test_returning_obligation_leaves_a_drafted_report_drafted() -> None:
    state = _state()
    state.set_obligations([_individuals(NOTICE, "gdpr", ["FR"])], [], LATER)
    state.set_obligations([_regulator(), _individuals(NOTICE, "gdpr", ["FR"])], [], LATER)

    report = state.reports[REPORT]
    assert report.withdrawn is False and report.status is ReportStatus.DRAFTED
    assert "report.reopened" not in _kinds(state)


# ---- regulator reports follow their draft ----------------------------------------------------


@pytest.mark.parametrize("approved_first", [False, True])
def test_status_approved_is_refused_approval_is_by_the_draft(approved_first: bool) -> None:
    state = _state()
    if approved_first:
        _approve(state, REPORT_DRAFT, "alice")
        _approve(state, REPORT_DRAFT, "bob")
    before = state.reports[REPORT].model_copy(deep=True)

    with pytest.raises(LifecycleError, match="approved by approving its draft"):
        state.record_status(_status(REPORT, ReportStatus.APPROVED), LATER)

    assert state.reports[REPORT] == before


def test_report_approved_after_both_approvals_and_reopened_by_a_changed_render() -> None:
    state = _state()
    _approve(state, REPORT_DRAFT, "alice")
    assert state.reports[REPORT].status is ReportStatus.DRAFTED
    _approve(state, REPORT_DRAFT, "bob")
    report = state.reports[REPORT]
    assert report.status is ReportStatus.APPROVED
    assert report.history[-1].status is ReportStatus.APPROVED

    _render(state)  # identical content: nothing changes
    assert state.reports[REPORT].status is ReportStatus.APPROVED
    assert "report.reopened" not in _kinds(state)

    _render(state, report="report v2")
    draft = state.draft(REPORT_DRAFT)
    assert (draft.version, draft.state, draft.approvals) == (2, DraftState.PENDING_APPROVAL, [])
    assert state.reports[REPORT].status is ReportStatus.DRAFTED
    assert state.timeline[-1].kind == "report.reopened"
    with pytest.raises(LifecycleError, match="draft must be approved first"):
        state.check_status(_status(REPORT, ReportStatus.SUBMITTED), NOW)


# ---- a person's revision and re-renders ------------------------------------------------------


def test_revision_survives_a_rerender_with_changed_system_text() -> None:
    state = _state()
    _revise(state, NOTICE_DRAFT, "alice", "notice written by alice")
    _approve(state, NOTICE_DRAFT, "bob")
    _approve(state, NOTICE_DRAFT, "carol")
    assert state.draft(NOTICE_DRAFT).state is DraftState.APPROVED
    state.facts_version = 2

    _render(state, notice="notice v2")

    draft = state.draft(NOTICE_DRAFT)
    assert draft.body == "notice written by alice"
    assert draft.author == "alice"
    assert draft.version == 2
    assert draft.approvals == []
    assert draft.state is DraftState.PENDING_APPROVAL
    assert "facts changed" in draft.change_requests[-1]
    assert state.timeline[-1].kind == "draft.needs_review"
    assert state.timeline[-1].detail == f"{NOTICE_DRAFT} v2"
    # Reviewers can approve the kept revision again (its author still cannot).
    with pytest.raises(LifecycleError, match="cannot approve"):
        _check_approve(state, NOTICE_DRAFT, "alice")
    _approve(state, NOTICE_DRAFT, "bob")
    _approve(state, NOTICE_DRAFT, "carol")
    assert state.draft(NOTICE_DRAFT).state is DraftState.APPROVED


def test_revised_report_draft_reopens_its_report_when_the_facts_change() -> None:
    state = _state()
    _revise(state, REPORT_DRAFT, "alice", "report written by alice")
    _approve(state, REPORT_DRAFT, "bob")
    _approve(state, REPORT_DRAFT, "carol")
    assert state.reports[REPORT].status is ReportStatus.APPROVED

    _render(state, report="report v2")

    assert state.draft(REPORT_DRAFT).body == "report written by alice"
    assert state.reports[REPORT].status is ReportStatus.DRAFTED
    assert {"draft.needs_review", "report.reopened"} <= set(_kinds(state))


def test_rerender_identical_to_the_last_system_render_leaves_the_revision_alone() -> None:
    state = _state()
    _revise(state, NOTICE_DRAFT, "alice", "notice written by alice")
    _approve(state, NOTICE_DRAFT, "bob")
    before = state.draft(NOTICE_DRAFT).model_copy(deep=True)
    events = len(state.timeline)

    changed = state.merge_drafts(
        [
            _rendered(REPORT, Audience.REGULATOR, Channel.REPORT, "report v1"),
            _rendered(NOTICE, Audience.INDIVIDUALS, Channel.EMAIL, "notice v1"),
        ],
        LATER,
    )

    assert changed == []
    assert state.draft(NOTICE_DRAFT) == before
    assert [a.approver for a in state.draft(NOTICE_DRAFT).approvals] == ["bob"]
    assert len(state.timeline) == events


def test_rerender_after_review_compares_with_the_new_system_text() -> None:
    state = _state()
    _revise(state, NOTICE_DRAFT, "alice", "notice written by alice")
    _render(state, notice="notice v2")
    _approve(state, NOTICE_DRAFT, "bob")
    reviews = _kinds(state).count("draft.needs_review")

    _render(state, notice="notice v2")  # the same facts again

    draft = state.draft(NOTICE_DRAFT)
    assert [a.approver for a in draft.approvals] == ["bob"]
    assert draft.body == "notice written by alice"
    assert _kinds(state).count("draft.needs_review") == reviews


# ---- four eyes --------------------------------------------------------------------------------


def test_changes_requested_blocks_approval_until_revised() -> None:
    state = _state()
    _approve(state, NOTICE_DRAFT, "alice")
    state.request_changes(
        RequestChangesInput(draft_id=NOTICE_DRAFT, reviewer="bob", comment="tone"), NOW
    )

    for who in ("carol", "bob", "alice"):
        with pytest.raises(LifecycleError, match="revise it first"):
            _check_approve(state, NOTICE_DRAFT, who)
    _render(state)  # an identical system render does not lift the request
    assert state.draft(NOTICE_DRAFT).state is DraftState.CHANGES_REQUESTED

    _revise(state, NOTICE_DRAFT, "dave", "notice v1, gentler")
    assert state.draft(NOTICE_DRAFT).state is DraftState.PENDING_APPROVAL
    _approve(state, NOTICE_DRAFT, "bob")
    _approve(state, NOTICE_DRAFT, "carol")
    assert state.draft(NOTICE_DRAFT).state is DraftState.APPROVED


def test_changed_facts_do_not_lift_a_change_request_on_a_revision() -> None:
    state = _state()
    _revise(state, NOTICE_DRAFT, "alice", "notice written by alice")
    state.request_changes(
        RequestChangesInput(draft_id=NOTICE_DRAFT, reviewer="bob", comment="wrong date"), NOW
    )

    _render(state, notice="notice v2")

    assert state.draft(NOTICE_DRAFT).body == "notice written by alice"
    with pytest.raises(LifecycleError, match="revise it first"):
        _check_approve(state, NOTICE_DRAFT, "carol")


def test_approver_names_compare_case_insensitively() -> None:
    state = _state()
    _approve(state, NOTICE_DRAFT, "Alice")
    with pytest.raises(LifecycleError, match="already approved"):
        _check_approve(state, NOTICE_DRAFT, "alice")
    with pytest.raises(LifecycleError, match="already approved"):
        _check_approve(state, NOTICE_DRAFT, "ALICE")
    assert len(state.draft(NOTICE_DRAFT).approvals) == 1

    _revise(state, REPORT_DRAFT, "Casey", "report written by Casey")
    for who in ("casey", "CASEY", "Casey"):
        with pytest.raises(LifecycleError, match="cannot approve"):
            _check_approve(state, REPORT_DRAFT, who)
    assert state.draft(REPORT_DRAFT).approvals == []


def test_approver_names_ignore_surrounding_whitespace() -> None:
    state = _state()
    _approve(state, NOTICE_DRAFT, "alice")
    with pytest.raises(LifecycleError, match="already approved"):
        _check_approve(state, NOTICE_DRAFT, "alice ")
    _revise(state, REPORT_DRAFT, "Casey", "report written by Casey")
    with pytest.raises(LifecycleError, match="cannot approve"):
        _check_approve(state, REPORT_DRAFT, " casey")


# ---- waivers re-plan individual notices ------------------------------------------------------


def test_waiving_an_individuals_obligation_hands_its_people_to_the_next_regime() -> None:
    state = _overlapping_state(["US-CA", "FR"])
    assert state.notice_plan == {NOTICE: ["FR"], US_CA: ["US-CA"]}

    state.waive(WaiveObligationInput(obligation_id=US_CA, actor="casey", reason=REASON), LATER)

    assert "US-CA" in state.notice_plan[NOTICE]
    assert sorted(state.notice_plan[NOTICE]) == ["FR", "US-CA"]
    assert US_CA not in state.notice_plan
    assert [o.id for o in state.obligations_to_draft()] == [REPORT, NOTICE]
    assert state.timeline[-1].kind == "obligation.waived"
    assert US_CA not in state.open_obligations()
    with pytest.raises(LifecycleError, match="already waived"):
        state.check_waive(WaiveObligationInput(obligation_id=US_CA, actor="casey", reason=REASON))


def test_waiver_reopens_a_notice_whose_campaign_ran_under_the_old_plan() -> None:
    state = _overlapping_state(["US-CA", "FR"])
    state.merge_drafts(
        [
            _rendered(NOTICE, Audience.INDIVIDUALS, Channel.EMAIL, "gdpr notice"),
            _rendered(US_CA, Audience.INDIVIDUALS, Channel.EMAIL, "us notice"),
        ],
        NOW,
    )
    _delivered(state, NOTICE)  # the GDPR campaign reached FR only
    assert NOTICE not in state.open_obligations()

    state.waive(WaiveObligationInput(obligation_id=US_CA, actor="casey", reason=REASON), LATER)

    assert "US-CA" in state.notice_plan[NOTICE]
    assert NOTICE in state.open_obligations()


def test_individuals_obligation_with_an_empty_plan_is_met() -> None:
    state = _overlapping_state(["US-CA"])
    gdpr = state.obligation(NOTICE)
    assert state.notice_plan[NOTICE] == []

    assert state.is_met(gdpr) is True
    assert state.open_obligations() == [REPORT, US_CA]
    assert [o.id for o in state.obligations_to_draft()] == [REPORT, US_CA]
    with pytest.raises(LifecycleError, match="already met"):
        state.check_waive(WaiveObligationInput(obligation_id=NOTICE, actor="casey", reason=REASON))
    with pytest.raises(LifecycleError, match=f"{REPORT}, {US_CA}$"):
        state.check_close()

    state.waive(WaiveObligationInput(obligation_id=REPORT, actor="casey", reason=REASON), LATER)
    _delivered(state, US_CA)
    state.merge_drafts([_rendered(US_CA, Audience.INDIVIDUALS, Channel.EMAIL, "us notice")], LATER)
    assert state.is_met(state.obligation(US_CA)) is True
    assert state.open_obligations() == []
    state.check_close()


def test_individuals_obligation_with_a_plan_needs_its_campaigns() -> None:
    state = _overlapping_state(["US-CA"])
    us_ca = state.obligation(US_CA)
    assert state.is_met(us_ca) is False  # no drafts yet, so no campaign either
    state.merge_drafts([_rendered(US_CA, Audience.INDIVIDUALS, Channel.EMAIL, "us notice")], NOW)
    assert state.is_met(us_ca) is False
    state.deliveries[campaign_key(US_CA, Channel.EMAIL)] = DeliverySummary(
        obligation_id=US_CA, channel=Channel.EMAIL, completed=False
    )
    assert state.is_met(us_ca) is False
    _delivered(state, US_CA)
    assert state.is_met(us_ca) is True
