"""China CAC Incident Reporting Measures: grade, then 1 hour (CII) or 4 hours from discovery."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from herald.models import Audience, IncidentFacts, Obligation, RegimeDecision
from herald.rules import evaluate
from herald.rules.cn_cac import CnCacIncident

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)
DISCOVERED = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)  # 22:00 Beijing time


@pytest.fixture
def cac_facts(make_facts: FactsFactory) -> FactsFactory:
    """A Shanghai network operator; 1.2 million people's data leaked; risk 'risk'."""

    def build(
        count: int = 1_200_000, sectors: list[str] | None = None, **overrides: Any
    ) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-03-02T09:15:00+08:00",
            "discovered_at": "2026-03-01T22:00:00+08:00",
            "entity": {"name": "示例网络有限公司", "established_in": ["CN-SH"],
                       "timezone": "Asia/Shanghai", "sectors": sectors or []},
            "data_categories": ["name", "phone"],
            "affected": [{"jurisdiction": "CN-SH", "count": count}],
            "risk": "risk",
        }  # fmt: skip
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> tuple[dict[str, Obligation], RegimeDecision]:
    evaluation = evaluate(facts, regimes=[CnCacIncident()])
    [decision] = evaluation.decisions
    return {o.id: o for o in evaluation.obligations}, decision


def test_a_cii_operator_reports_within_one_hour_of_discovery(cac_facts: FactsFactory) -> None:
    obligations, decision = run(cac_facts(sectors=["cii_operator"]))

    report = obligations["cn-cac-incident-regulator"]
    assert report.due_at == datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
    assert report.clock == "discovery"
    assert report.clock_started_at == DISCOVERED
    assert "CII protection work department" in report.recipient
    assert "public security organ" in report.recipient
    assert report.citation.endswith("(CII operators)")
    assert "1 hour" in report.deadline
    assert report.audience is Audience.REGULATOR
    assert report.language == "zh-CN"
    assert report.affected_count == 1_200_000
    assert report.warnings == []
    assert any("relatively major (较大) threshold" in r for r in decision.reasons)


def test_any_other_operator_reports_to_its_provincial_cac_within_four_hours(
    cac_facts: FactsFactory,
) -> None:
    report = run(cac_facts())[0]["cn-cac-incident-regulator"]

    assert report.due_at == datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    assert report.recipient.endswith("where the operator is located (CN-SH)")
    assert "12387" in report.contact
    assert report.citation.endswith("(other network operators)")


def test_one_million_is_relatively_major_and_one_fewer_is_general(
    cac_facts: FactsFactory,
) -> None:
    reportable, _ = run(cac_facts(count=1_000_000))
    general, decision = run(cac_facts(count=999_999))

    assert sorted(reportable) == ["cn-cac-incident-regulator"]
    assert general == {}
    assert decision.applies
    assert any("general (一般)" in r for r in decision.reasons)
    # The reasons still say what to check and by when the report would be due.
    assert any("economic loss" in r and "2026-03-02 02:00" in r for r in decision.reasons)


def test_ten_million_is_graded_major(cac_facts: FactsFactory) -> None:
    report = run(cac_facts(count=10_000_000))[0]["cn-cac-incident-regulator"]

    assert any("major (重大) threshold of 10,000,000 or more" in r for r in report.reasons)


def test_a_small_personal_data_leak_is_general_even_at_high_risk(
    cac_facts: FactsFactory,
) -> None:
    # 40 people's data is far below the relatively-major threshold (1,000,000); the risk to
    # those individuals is not a grading criterion of the Guide.
    obligations, decision = run(cac_facts(count=40, risk="high"))
    assert "cn-cac-incident-regulator" not in obligations
    reasons = " ".join(decision.reasons)
    assert "general (一般)" in reasons and "grading criterion" in reasons


def test_a_cii_operator_at_high_risk_is_presumed_relatively_major(
    cac_facts: FactsFactory,
) -> None:
    facts = cac_facts(count=40, risk="high", sectors=["cii_operator"])
    report = run(facts)[0]["cn-cac-incident-regulator"]

    assert any("presumed relatively major" in r for r in report.reasons)
    assert any("confirm it under the Cybersecurity Incident Grading Guide" in w
               for w in report.warnings)  # fmt: skip


def test_an_incident_without_personal_data_still_obliges_a_cii_operator(
    cac_facts: FactsFactory,
) -> None:
    facts = cac_facts(sectors=["cii_operator"], affected=[], data_categories=[], risk="high")

    report = run(facts)[0]["cn-cac-incident-regulator"]

    assert report.due_at == datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
    assert report.affected_count == 0
    assert report.jurisdictions == ["CN-SH"]
    assert any("No personal data is recorded" in r for r in report.reasons)


def test_without_discovered_at_the_awareness_instant_is_used_with_a_warning(
    cac_facts: FactsFactory,
) -> None:
    report = run(cac_facts(discovered_at=None))[0]["cn-cac-incident-regulator"]

    assert report.due_at == datetime(2026, 3, 2, 5, 15, tzinfo=UTC)
    assert any("discovered_at is not given" in w for w in report.warnings)


def test_a_foreign_operator_serving_china_cannot_name_its_province(
    cac_facts: FactsFactory,
) -> None:
    facts = cac_facts(entity={"name": "Example Inc", "established_in": ["US-CA"]})

    report = run(facts)[0]["cn-cac-incident-regulator"]

    assert report.recipient.endswith("where the operator is located")
    assert any("cannot be derived" in w for w in report.warnings)


def test_not_applicable_outside_china(make_facts: FactsFactory) -> None:
    obligations, decision = run(make_facts(risk="high"))

    assert obligations == {}
    assert not decision.applies
    assert "network operators in the PRC" in decision.reasons[0]


def test_not_applicable_before_the_measures_took_effect(cac_facts: FactsFactory) -> None:
    facts = cac_facts(
        sectors=["cii_operator"],
        aware_at="2025-10-31T20:00:00+08:00",
        discovered_at="2025-10-31T19:00:00+08:00",
    )

    obligations, decision = run(facts)

    assert obligations == {}
    assert not decision.applies
    assert any("took effect on 2025-11-01" in r for r in decision.reasons)
