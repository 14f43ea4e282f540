"""China PIPL Art. 57: authorities and individuals, immediately, no threshold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from herald.models import Audience, Channel, IncidentFacts, Obligation, RegimeDecision
from herald.rules import evaluate
from herald.rules.cn_pipl import CnPipl

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)


@pytest.fixture
def cn_facts(make_facts: FactsFactory) -> FactsFactory:
    """A Shanghai company with 20 people affected in Shanghai (retired numeric code)."""

    def build(**overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-03-02T09:15:00+08:00",
            "discovered_at": "2026-03-01T22:00:00+08:00",
            "entity": {"name": "示例有限公司", "established_in": ["CN-SH"],
                       "timezone": "Asia/Shanghai"},
            "data_categories": ["name", "phone"],
            "affected": [{"jurisdiction": "CN-31", "count": 20}],
        }  # fmt: skip
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> tuple[dict[str, Obligation], RegimeDecision]:
    evaluation = evaluate(facts, regimes=[CnPipl()])
    [decision] = evaluation.decisions
    return {o.id: o for o in evaluation.obligations}, decision


def test_authorities_and_individuals_are_told_immediately_with_no_fixed_instant(
    cn_facts: FactsFactory,
) -> None:
    obligations, decision = run(cn_facts())

    assert sorted(obligations) == ["cn-pipl-individuals", "cn-pipl-regulator"]
    regulator = obligations["cn-pipl-regulator"]
    assert regulator.audience is Audience.REGULATOR
    assert regulator.due_at is None
    assert regulator.deadline.startswith("Immediately")
    assert regulator.citation == "PIPL Art. 57; DSL Art. 29"
    assert "Cyberspace Administration of China" in regulator.recipient
    assert "UNCONFIRMED" in regulator.contact
    assert regulator.language == "zh-CN"
    assert regulator.jurisdictions == ["CN-SH"]
    assert regulator.affected_count == 20
    assert regulator.channels == [Channel.REPORT]
    assert regulator.clock == "awareness"
    assert regulator.clock_started_at == datetime(2026, 3, 2, 1, 15, tzinfo=UTC)
    individuals = obligations["cn-pipl-individuals"]
    assert individuals.due_at is None
    assert individuals.language == "zh-CN"
    assert individuals.required_content == [
        "nature_of_breach",
        "likely_consequences",
        "measures_taken",
        "contact_info",
    ]
    assert any("no numeric or risk threshold" in r for r in decision.reasons)


def test_even_one_person_and_no_risk_is_notified(cn_facts: FactsFactory) -> None:
    facts = cn_facts(affected=[{"jurisdiction": "CN", "count": 1}], risk="none")

    assert sorted(run(facts)[0]) == ["cn-pipl-individuals", "cn-pipl-regulator"]


def test_encryption_is_no_exception_and_the_individuals_exemption_is_left_to_a_waiver(
    cn_facts: FactsFactory,
) -> None:
    obligations, _ = run(cn_facts(encryption={"encrypted": True}))

    assert sorted(obligations) == ["cn-pipl-individuals", "cn-pipl-regulator"]
    reasons = obligations["cn-pipl-individuals"].reasons
    assert any("encryption is no exception" in r for r in reasons)
    assert any("may qualify; UNCONFIRMED" in r and "waive" in r for r in reasons)


def test_a_foreign_processor_covers_only_the_people_in_china(cn_facts: FactsFactory) -> None:
    facts = cn_facts(
        entity={"name": "Example GmbH", "established_in": ["DE"]},
        affected=[{"jurisdiction": "CN-BJ", "count": 7}, {"jurisdiction": "FR", "count": 90}],
    )

    obligations, decision = run(facts)

    assert obligations["cn-pipl-regulator"].affected_count == 7
    assert obligations["cn-pipl-regulator"].jurisdictions == ["CN-BJ"]
    assert "not established in China" in decision.reasons[0]


def test_no_personal_information_means_no_pipl_duty(cn_facts: FactsFactory) -> None:
    obligations, decision = run(cn_facts(affected=[], data_categories=[]))

    assert obligations == {}
    assert not decision.applies
    assert any("cn-cac-incident" in r for r in decision.reasons)


def test_not_applicable_outside_china(make_facts: FactsFactory) -> None:
    obligations, decision = run(make_facts())

    assert obligations == {}
    assert not decision.applies
    assert "not established in China" in decision.reasons[0]


def test_not_applicable_before_the_pipl_took_effect(cn_facts: FactsFactory) -> None:
    facts = cn_facts(aware_at="2021-10-31T23:30:00+08:00", discovered_at=None)

    obligations, decision = run(facts)

    assert obligations == {}
    assert not decision.applies
    assert any("took effect on 2021-11-01" in r for r in decision.reasons)
