"""Singapore PDPA Part 6A: significant harm or 500+, 3 days after the assessment day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from herald.models import Audience, Channel, IncidentFacts, Obligation, RegimeDecision
from herald.rules import evaluate
from herald.rules.sg_pdpa import SgPdpa

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)
SINGAPORE = ZoneInfo("Asia/Singapore")


@pytest.fixture
def sg_facts(make_facts: FactsFactory) -> FactsFactory:
    """A Singapore company; aware 2 Mar 2026, assessed notifiable 4 Mar 18:00 SGT."""

    def build(count: int = 20, **overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-03-02T09:15:00+08:00",
            "discovered_at": "2026-03-01T22:00:00+08:00",
            "determined_at": "2026-03-04T18:00:00+08:00",
            "entity": {"name": "Example Pte Ltd", "established_in": ["SG"],
                       "timezone": "Asia/Singapore"},
            "data_categories": ["name", "email"],
            "affected": [{"jurisdiction": "SG", "count": count}],
            "risk": "risk",
        }  # fmt: skip
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> tuple[dict[str, Obligation], RegimeDecision]:
    evaluation = evaluate(facts, regimes=[SgPdpa()])
    [decision] = evaluation.decisions
    return {o.id: o for o in evaluation.obligations}, decision


def test_pdpc_is_due_at_the_end_of_the_third_day_after_the_assessment_day(
    sg_facts: FactsFactory,
) -> None:
    obligations, decision = run(sg_facts(count=500))

    notice = obligations["sg-pdpa-regulator"]
    # Assessed on 4 March (SGT): counting starts on 5 March, the third day is 7 March.
    assert notice.due_at == datetime(2026, 3, 7, 15, 59, 59, 999_999, tzinfo=UTC)
    assert notice.due_at.astimezone(SINGAPORE).time() == time(23, 59, 59, 999_999)
    assert notice.clock == "assessment"
    assert notice.clock_started_at == datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    assert notice.audience is Audience.REGULATOR
    assert notice.recipient == "Personal Data Protection Commission (PDPC)"
    assert "pdpc.gov.sg" in notice.contact
    assert notice.citation.startswith("PDPA s 26D(1)")
    assert "3 calendar days after the day" in notice.deadline
    assert notice.channels == [Channel.REPORT]
    assert notice.language == "en"
    assert notice.jurisdictions == ["SG"]
    assert notice.affected_count == 500
    assert notice.warnings == []
    assert decision.applies


def test_the_assessment_day_is_the_local_day_not_the_utc_day(sg_facts: FactsFactory) -> None:
    # 01:00 SGT on 5 March is still 4 March in UTC; the Singapore calendar counts.
    facts = sg_facts(count=500, determined_at="2026-03-05T01:00:00+08:00")

    notice = run(facts)[0]["sg-pdpa-regulator"]

    assert notice.due_at == datetime(2026, 3, 8, 15, 59, 59, 999_999, tzinfo=UTC)


def test_without_determined_at_the_earliest_instant_starts_the_clock_with_a_warning(
    sg_facts: FactsFactory,
) -> None:
    notice = run(sg_facts(count=500, determined_at=None))[0]["sg-pdpa-regulator"]

    # Discovered 1 March 22:00 SGT: 4 March ends the three days.
    assert notice.due_at == datetime(2026, 3, 4, 15, 59, 59, 999_999, tzinfo=UTC)
    assert any("determined_at is not given" in w for w in notice.warnings)


def test_499_people_without_significant_harm_is_not_notifiable(sg_facts: FactsFactory) -> None:
    obligations, decision = run(sg_facts(count=499))

    assert obligations == {}
    assert decision.applies
    assert any("500 or more (500 triggers): not met" in r for r in decision.reasons)
    assert any("not notifiable" in r for r in decision.reasons)


def test_500_people_is_notifiable_for_scale_but_individuals_are_not_told(
    sg_facts: FactsFactory,
) -> None:
    obligations, decision = run(sg_facts(count=500))

    assert sorted(obligations) == ["sg-pdpa-regulator"]
    assert any("500 or more (500 triggers): met" in r for r in decision.reasons)
    assert any("scale alone" in r for r in decision.reasons)


def test_significant_harm_notifies_pdpc_and_individuals_whatever_the_number(
    sg_facts: FactsFactory,
) -> None:
    obligations, _ = run(sg_facts(count=3, risk="high"))

    assert sorted(obligations) == ["sg-pdpa-individuals", "sg-pdpa-regulator"]
    individuals = obligations["sg-pdpa-individuals"]
    assert individuals.due_at is None
    assert individuals.audience is Audience.INDIVIDUALS
    assert individuals.affected_count == 3
    assert individuals.required_content == [
        "nature_of_breach",
        "likely_consequences",
        "measures_taken",
        "contact_info",
    ]
    assert any("law-enforcement" in w for w in individuals.warnings)


def test_encryption_with_a_safe_key_spares_the_individuals_only(sg_facts: FactsFactory) -> None:
    facts = sg_facts(count=3, risk="high", encryption={"encrypted": True})

    obligations, decision = run(facts)

    assert sorted(obligations) == ["sg-pdpa-regulator"]
    assert any("technological measure" in r for r in decision.reasons)


def test_a_foreign_entity_counts_only_the_people_in_singapore(sg_facts: FactsFactory) -> None:
    facts = sg_facts(
        entity={"name": "Example Inc", "established_in": ["US-CA"]},
        affected=[{"jurisdiction": "SG", "count": 300}, {"jurisdiction": "US-CA", "count": 400}],
    )

    obligations, decision = run(facts)

    assert obligations == {}
    assert any("300 affected people reside there" in r for r in decision.reasons)


def test_not_applicable_without_singapore_establishment_or_people(
    make_facts: FactsFactory,
) -> None:
    obligations, decision = run(make_facts())

    assert obligations == {}
    assert not decision.applies
    assert "not established in Singapore" in decision.reasons[0]


def test_not_applicable_before_part_6a_commenced(sg_facts: FactsFactory) -> None:
    facts = sg_facts(
        count=5000,
        aware_at="2021-01-31T12:00:00+08:00",
        discovered_at=None,
        determined_at=None,
    )

    obligations, decision = run(facts)

    assert obligations == {}
    assert not decision.applies
    assert any("before the PDPA (Part 6A) took effect on 2021-02-01" in r for r in decision.reasons)
