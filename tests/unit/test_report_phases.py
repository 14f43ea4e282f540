"""Follow-up phases people open on filed reports, and late filings with their reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest

from herald.lifecycle import IncidentState, LifecycleError
from herald.lifecycle.phases import follow_up
from herald.models import ReportStatus
from herald.models.messages import AddReportPhaseInput, RecordRegulatorStatusInput
from herald.models.reports import ReceiptRef
from tests.unit.test_lifecycle import NOW, _approve, _state

REPORT = "gdpr-regulator-ie"


def _filed(state: IncidentState, at_hours: float = 10) -> None:
    _approve(state, f"{REPORT}.report.en", "alice")
    _approve(state, f"{REPORT}.report.en", "bob")
    state.record_status(
        RecordRegulatorStatusInput(
            report_id=REPORT,
            status=ReportStatus.SUBMITTED,
            actor="casey",
            reference="DPC-1",
            occurred_at=NOW + timedelta(hours=at_hours),
            receipt=ReceiptRef(name="receipt.pdf", sha256="a" * 64, size=10),
        ),
        NOW + timedelta(hours=at_hours + 1),
    )


def _phase(phase: str, **rest: object) -> AddReportPhaseInput:
    return AddReportPhaseInput.model_validate(
        {"report_id": REPORT, "phase": phase, "actor": "casey", **rest}
    )


def test_a_submission_keeps_when_it_happened_and_its_receipt() -> None:
    state = _state()
    _filed(state, at_hours=10)
    report = state.reports[REPORT]
    assert report.submitted_at == NOW + timedelta(hours=10)  # not when it was recorded
    change = report.history[-1]
    assert change.receipt is not None and change.receipt.name == "receipt.pdf"
    assert change.occurred_at == NOW + timedelta(hours=10)
    assert not report.late


def test_a_submission_cannot_be_dated_in_the_future_or_before_the_incident() -> None:
    state = _state()
    _approve(state, f"{REPORT}.report.en", "alice")
    _approve(state, f"{REPORT}.report.en", "bob")
    for when, message in ((NOW + timedelta(hours=2), "later"), (NOW - timedelta(days=1), "before")):
        with pytest.raises(LifecycleError, match=message):
            state.check_status(
                RecordRegulatorStatusInput(
                    report_id=REPORT, status=ReportStatus.SUBMITTED, actor="c", occurred_at=when
                ),
                NOW + timedelta(hours=1),
            )


def test_a_supplement_is_a_report_of_its_own_that_survives_re_judgement() -> None:
    state = _state()
    with pytest.raises(LifecycleError, match="file it before a supplement"):
        state.check_add_phase(_phase("supplement"))
    _filed(state)
    report = state.add_phase(_phase("supplement", note="records count now known"), NOW)
    assert report.id == f"{REPORT}-supplement" and report.phase == "supplement"
    assert report.status is ReportStatus.DRAFTED and report.due_at is None
    obligation = state.obligation(report.id)
    assert obligation.deadline.startswith("GDPR Art. 33(4)")
    assert obligation.clock_started_at == NOW + timedelta(hours=10)
    assert report.id in state.open_obligations()
    # Judging the facts again (same rule obligations) keeps the phase people opened.
    rules = [item for item in state.obligations if item.id != report.id]
    state.set_obligations(rules, [], NOW + timedelta(hours=12))
    assert report.id in {item.id for item in state.obligations}
    with pytest.raises(LifecycleError, match="already has a supplement"):
        state.check_add_phase(_phase("supplement"))


def test_phases_are_those_the_regime_knows() -> None:
    state = _state()
    _filed(state)
    with pytest.raises(LifecycleError, match="no 'amendment' phase; use one of supplement"):
        state.check_add_phase(_phase("amendment"))


def test_an_overdue_report_must_give_the_reasons_for_the_delay() -> None:
    state = _state()
    state.reports[REPORT].overdue = True
    [report] = [o for o in state.obligations_to_draft() if o.id == REPORT]
    assert report.required_content[-1] == "delay_reasons"


def test_a_cac_close_out_is_due_30_days_after_the_incident_was_handled() -> None:
    state = _state()
    _filed(state)
    base = state.obligation(REPORT).model_copy(update={"regime": "cn-cac-incident"})
    report = state.reports[REPORT]
    without_end = state.facts
    with pytest.raises(LifecycleError, match="record details.ended_at"):
        follow_up(base, report, "close-out", without_end, None)
    ended = NOW + timedelta(days=2)
    handled = without_end.model_copy(
        update={"details": without_end.details.model_copy(update={"ended_at": ended})}
    )
    close_out = follow_up(base, report, "close-out", handled, None)
    assert close_out.id == f"{REPORT}-close-out"
    assert close_out.due_at == ended + timedelta(days=30)
    follow = follow_up(base, report, "follow-up", handled, None)
    assert follow.due_at is None and "No fixed deadline" in follow.deadline


def test_a_withdrawn_overdue_report_neither_crashes_nor_asks_for_reasons() -> None:
    state = _state()
    state.reports[REPORT].overdue = True
    individuals = [item for item in state.obligations if item.id != REPORT]
    state.set_obligations(individuals, [], NOW + timedelta(hours=80))
    report = state.reports[REPORT]
    assert report.withdrawn and not report.overdue
    assert REPORT not in {item.id for item in state.obligations_to_draft()}
