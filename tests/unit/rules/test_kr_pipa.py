"""South Korea PIPA Art. 34: data subjects within 72 h; PIPC/KISA at 1,000+, sensitive, hacking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from herald.models import Audience, IncidentFacts, Obligation, RegimeDecision
from herald.rules import evaluate
from herald.rules.kr_pipa import KrPipa

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)
DUE = datetime(2026, 3, 5, 0, 15, tzinfo=UTC)  # 72 h after 2 Mar 2026 09:15 KST


@pytest.fixture
def kr_facts(make_facts: FactsFactory) -> FactsFactory:
    """A Seoul company; names and emails of ``count`` people in Seoul."""

    def build(count: int = 1000, **overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-03-02T09:15:00+09:00",
            "discovered_at": None,
            "entity": {"name": "주식회사 예시", "established_in": ["KR"],
                       "timezone": "Asia/Seoul"},
            "data_categories": ["name", "email"],
            "affected": [{"jurisdiction": "KR-11", "count": count}],
        }  # fmt: skip
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> tuple[dict[str, Obligation], RegimeDecision]:
    evaluation = evaluate(facts, regimes=[KrPipa()])
    [decision] = evaluation.decisions
    return {o.id: o for o in evaluation.obligations}, decision


def test_1000_people_are_notified_and_reported_72_hours_after_awareness(
    kr_facts: FactsFactory,
) -> None:
    obligations, decision = run(kr_facts())

    assert sorted(obligations) == ["kr-pipa-individuals", "kr-pipa-regulator"]
    for obligation in obligations.values():
        assert obligation.due_at == DUE
        assert obligation.clock == "awareness"
        assert obligation.clock_started_at == datetime(2026, 3, 2, 0, 15, tzinfo=UTC)
        assert obligation.language == "ko"
        assert obligation.affected_count == 1000
        assert obligation.jurisdictions == ["KR-11"]
    regulator = obligations["kr-pipa-regulator"]
    assert regulator.audience is Audience.REGULATOR
    assert "PIPC" in regulator.recipient and "KISA" in regulator.recipient
    assert "118" in regulator.contact
    assert regulator.citation.startswith("PIPA Art. 34(3)")
    assert any("1,000 or more (1,000 triggers): met" in r for r in decision.reasons)


def test_999_people_with_ordinary_data_are_notified_but_not_reported(
    kr_facts: FactsFactory,
) -> None:
    obligations, decision = run(kr_facts(count=999))

    assert sorted(obligations) == ["kr-pipa-individuals"]
    individuals = obligations["kr-pipa-individuals"]
    assert individuals.due_at == DUE
    assert any("hacking" in w for w in individuals.warnings)
    assert any("1,000 or more (1,000 triggers): not met" in r for r in decision.reasons)
    assert any("No report criterion is met" in r for r in decision.reasons)


def test_a_unique_identifier_is_reported_for_a_single_person(kr_facts: FactsFactory) -> None:
    obligations, _ = run(kr_facts(count=1, data_categories=["name", "government_id"]))

    assert obligations["kr-pipa-regulator"].due_at == DUE


def test_hacking_shown_by_a_paid_ransom_is_reported_for_any_number(
    kr_facts: FactsFactory,
) -> None:
    obligations, _ = run(kr_facts(count=3, ransom_paid_at="2026-03-03T10:00:00+09:00"))

    assert sorted(obligations) == ["kr-pipa-individuals", "kr-pipa-regulator"]


def test_the_72_hours_are_exact_whatever_the_entity_time_zone(kr_facts: FactsFactory) -> None:
    facts = kr_facts(
        entity={"name": "Example Inc", "established_in": ["US-NY"],
                "timezone": "America/New_York"},
        aware_at="2026-03-06T20:30:00-05:00",  # New York springs forward on 8 March
    )  # fmt: skip

    obligations, _ = run(facts)

    assert obligations["kr-pipa-individuals"].due_at == datetime(2026, 3, 10, 1, 30, tzinfo=UTC)


def test_not_applicable_outside_korea(make_facts: FactsFactory) -> None:
    obligations, decision = run(make_facts())

    assert obligations == {}
    assert not decision.applies
    assert "not established in South Korea" in decision.reasons[0]


def test_not_applicable_before_the_modelled_amendment(kr_facts: FactsFactory) -> None:
    obligations, decision = run(kr_facts(aware_at="2023-09-14T12:00:00+09:00"))

    assert obligations == {}
    assert not decision.applies
    assert any("took effect on 2023-09-15" in r for r in decision.reasons)
