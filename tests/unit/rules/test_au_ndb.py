"""Australia NDB: serious harm, a 30-day assessment, then OAIC and individuals promptly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from herald.models import Audience, IncidentFacts, Obligation, RegimeDecision
from herald.rules import evaluate
from herald.rules.au_ndb import AuNdb

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)


@pytest.fixture
def au_facts(make_facts: FactsFactory) -> FactsFactory:
    """A Sydney company, 80 people in New South Wales, aware 2 Mar 2026 09:15 AEDT."""

    def build(**overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-03-02T09:15:00+11:00",
            "entity": {"name": "Example Pty Ltd", "established_in": ["AU-NSW"],
                       "timezone": "Australia/Sydney"},
            "data_categories": ["name", "government_id"],
            "affected": [{"jurisdiction": "AU-NSW", "count": 80}],
            "discovered_at": None,
        }  # fmt: skip
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> tuple[dict[str, Obligation], RegimeDecision]:
    evaluation = evaluate(facts, regimes=[AuNdb()])
    [decision] = evaluation.decisions
    return {o.id: o for o in evaluation.obligations}, decision


def test_likely_serious_harm_notifies_oaic_and_individuals_with_no_fixed_instant(
    au_facts: FactsFactory,
) -> None:
    obligations, decision = run(au_facts())  # government_id: risk high

    assert sorted(obligations) == ["au-ndb-individuals", "au-ndb-regulator"]
    regulator = obligations["au-ndb-regulator"]
    assert regulator.due_at is None
    assert regulator.audience is Audience.REGULATOR
    assert regulator.recipient == "Office of the Australian Information Commissioner (OAIC)"
    assert "UNCONFIRMED" in regulator.contact
    assert regulator.citation == "Privacy Act 1988 (Cth) ss 26WH, 26WK"
    assert "as soon as practicable" in regulator.deadline.lower()
    assert regulator.jurisdictions == ["AU-NSW"]
    assert regulator.affected_count == 80
    assert regulator.language == "en"
    assert any("APP entities" in w for w in regulator.warnings)
    individuals = obligations["au-ndb-individuals"]
    assert individuals.due_at is None
    assert "publish the statement on the entity's website" in individuals.deadline
    # 30 days after 2 March end on 1 April 2026, 23:59 in Sydney (AEDT).
    assert any("by 2026-04-01 23:59 Australia/Sydney" in r for r in decision.reasons)


def test_without_serious_harm_only_the_assessment_deadline_is_stated(
    au_facts: FactsFactory,
) -> None:
    obligations, decision = run(au_facts(data_categories=["name", "email"]))

    assert obligations == {}
    assert decision.applies
    assert any("not taken to be an eligible data breach" in r for r in decision.reasons)
    assert any("within 30 days" in r and "2026-04-01 23:59" in r for r in decision.reasons)


def test_not_applicable_outside_australia(make_facts: FactsFactory) -> None:
    obligations, decision = run(make_facts(risk="high"))

    assert obligations == {}
    assert not decision.applies
    assert "not established in Australia" in decision.reasons[0]


def test_not_applicable_before_the_scheme_commenced(au_facts: FactsFactory) -> None:
    obligations, decision = run(au_facts(aware_at="2018-02-21T12:00:00+11:00"))

    assert obligations == {}
    assert not decision.applies
    assert any("took effect on 2018-02-22" in r for r in decision.reasons)
