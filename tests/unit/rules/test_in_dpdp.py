"""India DPDP Rule 7: nothing before commencement; then the Board twice and each person."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from herald.models import Audience, Channel, IncidentFacts, Obligation, RegimeDecision
from herald.rules import evaluate
from herald.rules.in_dpdp import InDpdp

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)


@pytest.fixture
def in_facts(make_facts: FactsFactory) -> FactsFactory:
    """An Indian company aware on 1 Jun 2027 10:00 IST; 4 people in Maharashtra."""

    def build(**overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2027-06-01T10:00:00+05:30",
            "discovered_at": None,
            "entity": {"name": "Example Pvt Ltd", "established_in": ["IN"],
                       "timezone": "Asia/Kolkata"},
            "data_categories": ["name", "email"],
            "affected": [{"jurisdiction": "IN-MH", "count": 4}],
            "risk": "none",
        }  # fmt: skip
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> tuple[dict[str, Obligation], RegimeDecision]:
    evaluation = evaluate(facts, regimes=[InDpdp()])
    [decision] = evaluation.decisions
    return {o.id: o for o in evaluation.obligations}, decision


def test_after_commencement_any_breach_goes_to_the_board_twice_and_to_each_person(
    in_facts: FactsFactory,
) -> None:
    obligations, decision = run(in_facts())

    assert sorted(obligations) == [
        "in-dpdp-individuals",
        "in-dpdp-regulator",
        "in-dpdp-regulator-detailed",
    ]
    first = obligations["in-dpdp-regulator"]
    assert first.due_at is None
    assert first.deadline.startswith("Without delay")
    assert first.recipient == "Data Protection Board of India"
    assert first.citation.endswith("Rule 7(2)(a)")
    detailed = obligations["in-dpdp-regulator-detailed"]
    assert detailed.due_at == datetime(2027, 6, 4, 4, 30, tzinfo=UTC)  # exactly 72 h
    assert detailed.clock_started_at == datetime(2027, 6, 1, 4, 30, tzinfo=UTC)
    assert detailed.audience is Audience.REGULATOR
    individuals = obligations["in-dpdp-individuals"]
    assert individuals.due_at is None
    assert individuals.channels == [Channel.EMAIL, Channel.SMS, Channel.PUSH]
    assert individuals.required_content == [
        "nature_of_breach",
        "likely_consequences",
        "measures_taken",
        "dpo_contact",
    ]
    for obligation in obligations.values():
        assert obligation.language == "en"
        assert obligation.affected_count == 4
        assert obligation.jurisdictions == ["IN-MH"]
    assert any("no harm or size threshold" in r for r in decision.reasons)


def test_before_commencement_the_regime_imposes_nothing_and_says_why(
    in_facts: FactsFactory,
) -> None:
    obligations, decision = run(in_facts(aware_at="2026-03-02T09:15:00+05:30"))

    assert obligations == {}
    assert not decision.applies
    assert any("13 May 2027" in r and "imposes nothing" in r for r in decision.reasons)


def test_commencement_is_judged_on_the_indian_calendar(in_facts: FactsFactory) -> None:
    # 00:10 IST on 13 May 2027 is still 12 May in UTC.
    after, _ = run(in_facts(aware_at="2027-05-13T00:10:00+05:30"))
    before, decision = run(in_facts(aware_at="2027-05-12T23:50:00+05:30"))

    assert after["in-dpdp-regulator-detailed"].due_at == datetime(2027, 5, 15, 18, 40, tzinfo=UTC)
    assert before == {}
    assert not decision.applies


def test_not_applicable_outside_india(make_facts: FactsFactory) -> None:
    obligations, decision = run(make_facts(aware_at="2027-06-01T10:00:00+02:00"))

    assert obligations == {}
    assert not decision.applies
    assert "not established in India" in decision.reasons[0]
