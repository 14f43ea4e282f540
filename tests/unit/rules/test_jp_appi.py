"""Japan APPI Art. 26: four categories, more than 1,000, 3-day and 30/60-day reports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from herald.models import Audience, IncidentFacts, Obligation, RegimeDecision
from herald.rules import evaluate
from herald.rules.jp_appi import JpAppi

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def jp_facts(make_facts: FactsFactory) -> FactsFactory:
    """A Tokyo company aware on 1 Apr 2026 10:00 JST; names and emails of 1,001 people."""

    def build(count: int = 1001, **overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-04-01T10:00:00+09:00",
            "discovered_at": None,
            "entity": {"name": "株式会社サンプル", "established_in": ["JP-13"],
                       "timezone": "Asia/Tokyo"},
            "data_categories": ["name", "email"],
            "affected": [{"jurisdiction": "JP-13", "count": count}],
        }  # fmt: skip
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> tuple[dict[str, Obligation], RegimeDecision]:
    evaluation = evaluate(facts, regimes=[JpAppi()])
    [decision] = evaluation.decisions
    return {o.id: o for o in evaluation.obligations}, decision


def end_of_tokyo_day(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 23, 59, 59, 999_999, tzinfo=TOKYO).astimezone(UTC)


def test_more_than_1000_people_gets_preliminary_final_and_individual_notices(
    jp_facts: FactsFactory,
) -> None:
    obligations, decision = run(jp_facts())

    assert sorted(obligations) == [
        "jp-appi-individuals",
        "jp-appi-regulator-final",
        "jp-appi-regulator-preliminary",
    ]
    preliminary = obligations["jp-appi-regulator-preliminary"]
    # The day of awareness (1 April) is day 1: three days end on 3 April, 30 on 30 April.
    assert preliminary.due_at == end_of_tokyo_day(2026, 4, 3)
    assert preliminary.due_at == datetime(2026, 4, 3, 14, 59, 59, 999_999, tzinfo=UTC)
    final = obligations["jp-appi-regulator-final"]
    assert final.due_at == end_of_tokyo_day(2026, 4, 30)
    assert final.due_at.astimezone(TOKYO).time() == time(23, 59, 59, 999_999)
    for report in (preliminary, final):
        assert report.audience is Audience.REGULATOR
        assert report.language == "ja"
        assert report.clock == "awareness"
        assert "ppc.go.jp" in report.contact
        assert report.affected_count == 1001
        assert report.jurisdictions == ["JP-13"]
    individuals = obligations["jp-appi-individuals"]
    assert individuals.due_at is None
    assert individuals.language == "ja"
    assert any("1,001 triggers): met" in r for r in decision.reasons)


def test_exactly_1000_people_with_ordinary_data_is_not_reportable(
    jp_facts: FactsFactory,
) -> None:
    obligations, decision = run(jp_facts(count=1000))

    assert obligations == {}
    assert decision.applies
    assert any("more than 1,000 (1,001 triggers): not met" in r for r in decision.reasons)
    assert any("(iii) unlawful purpose: not known" in r for r in decision.reasons)


def test_a_paid_ransom_is_an_unlawful_purpose_with_a_60_day_final_report(
    jp_facts: FactsFactory,
) -> None:
    facts = jp_facts(count=5, ransom_paid_at="2026-04-02T12:00:00+09:00")

    obligations, _ = run(facts)

    # 1 April is day 1, so day 60 is 30 May.
    assert obligations["jp-appi-regulator-final"].due_at == end_of_tokyo_day(2026, 5, 30)
    assert obligations["jp-appi-regulator-preliminary"].due_at == end_of_tokyo_day(2026, 4, 3)


@pytest.mark.parametrize("category", ["health", "payment_card", "account_credentials"])
def test_sensitive_or_financial_data_is_reportable_for_a_single_person(
    jp_facts: FactsFactory, category: str
) -> None:
    obligations, _ = run(jp_facts(count=1, data_categories=["name", category]))

    assert obligations["jp-appi-regulator-final"].due_at == end_of_tokyo_day(2026, 4, 30)


def test_encryption_with_a_safe_key_is_exempt(jp_facts: FactsFactory) -> None:
    obligations, decision = run(jp_facts(count=50_000, encryption={"encrypted": True}))

    assert obligations == {}
    assert decision.applies
    assert any("high-level encryption is exempt" in r for r in decision.reasons)


def test_not_applicable_outside_japan(make_facts: FactsFactory) -> None:
    obligations, decision = run(make_facts())

    assert obligations == {}
    assert not decision.applies
    assert "not established in Japan" in decision.reasons[0]


def test_not_applicable_before_mandatory_reporting(jp_facts: FactsFactory) -> None:
    obligations, decision = run(jp_facts(aware_at="2022-03-31T23:00:00+09:00"))

    assert obligations == {}
    assert not decision.applies
    assert any("took effect on 2022-04-01" in r for r in decision.reasons)
