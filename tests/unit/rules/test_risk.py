"""Risk computation: the documented method, level by level, with its reasons."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from herald.models import Assessment, DataCategory, IncidentFacts, JurisdictionCount, RiskLevel
from herald.rules.risk import SENSITIVE_CATEGORIES, assess_risk

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)


def test_risk_given_in_facts_wins(make_facts: FactsFactory) -> None:
    facts = make_facts(risk="none", data_categories=["health"])

    level, reasons = assess_risk(facts)

    assert level is RiskLevel.NONE
    assert len(reasons) == 1 and "given in facts" in reasons[0]


def test_no_data_and_nobody_affected_is_no_risk(make_facts: FactsFactory) -> None:
    level, reasons = assess_risk(make_facts(data_categories=[], affected=[]))

    assert level is RiskLevel.NONE
    assert "nobody is affected" in reasons[0]


def test_people_affected_with_unknown_categories_is_a_risk(make_facts: FactsFactory) -> None:
    level, reasons = assess_risk(make_facts(data_categories=[]))

    assert level is RiskLevel.RISK
    assert "12 people" in reasons[0]


def test_encrypted_with_safe_key_is_no_risk(make_facts: FactsFactory) -> None:
    facts = make_facts(
        data_categories=["name", "health"],
        encryption={"encrypted": True, "key_compromised": False},
    )

    level, reasons = assess_risk(facts)

    assert level is RiskLevel.NONE
    assert "key was not compromised" in reasons[0]


def test_encrypted_with_compromised_key_is_judged_on_the_data(make_facts: FactsFactory) -> None:
    facts = make_facts(
        data_categories=["name", "health"],
        encryption={"encrypted": True, "key_compromised": True},
    )

    level, reasons = assess_risk(facts)

    assert level is RiskLevel.HIGH
    assert any("key was compromised" in r for r in reasons)
    assert "health" in reasons[-1]


@pytest.mark.parametrize("category", sorted(SENSITIVE_CATEGORIES))
def test_each_sensitive_category_is_high(make_facts: FactsFactory, category: str) -> None:
    level, reasons = assess_risk(make_facts(data_categories=["name", category]))

    assert level is RiskLevel.HIGH
    assert category in reasons[0]


def test_sensitive_categories_are_the_documented_ones() -> None:
    assert {c.value for c in SENSITIVE_CATEGORIES} == {
        "health",
        "biometric",
        "genetic",
        "government_id",
        "financial_account",
        "payment_card",
        "account_credentials",
        "children",
        "precise_location",
    }


def test_other_personal_data_is_a_risk(make_facts: FactsFactory) -> None:
    level, reasons = assess_risk(make_facts(data_categories=["name", "email", "phone"]))

    assert level is RiskLevel.RISK
    assert "email, name, phone" in reasons[0]


def test_a_group_s_own_categories_count(make_facts: FactsFactory) -> None:
    facts = make_facts(
        data_categories=["email"],
        affected=[{"jurisdiction": "FR", "count": 3, "data_categories": ["payment_card"]}],
    )

    assert assess_risk(facts)[0] is RiskLevel.HIGH


def test_assessed_population_can_raise_the_level(make_facts: FactsFactory) -> None:
    assessment = Assessment(
        total=12,
        jurisdictions=[
            JurisdictionCount(
                jurisdiction="FR",
                count=12,
                data_categories={"email": 12, "biometric": 1, "genetic": 0, "shoe_size": 4},
            )
        ],
    )

    level, reasons = assess_risk(make_facts(data_categories=["email"]), assessment)

    assert level is RiskLevel.HIGH
    assert "biometric" in reasons[0]
    # A category counted for nobody, or unknown to the vocabulary, does not count.
    assert "genetic" not in reasons[0] and "shoe_size" not in reasons[0]


def test_assessed_people_count_as_affected(make_facts: FactsFactory) -> None:
    facts = make_facts(data_categories=[], affected=[])

    level, _ = assess_risk(facts, Assessment(total=5))

    assert level is RiskLevel.RISK


def test_every_category_is_classified(make_facts: FactsFactory) -> None:
    for category in DataCategory:
        level, reasons = assess_risk(make_facts(data_categories=[category]))
        assert level in (RiskLevel.RISK, RiskLevel.HIGH)
        assert reasons and all(r.endswith(".") for r in reasons)


def test_incident_wide_categories_do_not_count_when_every_group_has_its_own() -> None:
    facts = IncidentFacts.model_validate(
        {
            "aware_at": "2026-03-02T09:15:00+00:00",
            "entity": {"name": "X"},
            "data_categories": ["health"],
            "affected": [
                {"jurisdiction": "FR", "count": 5, "data_categories": ["name"]},
                {"jurisdiction": "DE", "count": 5, "data_categories": ["name", "email"]},
            ],
        }
    )
    level, _ = assess_risk(facts)
    assert level is not RiskLevel.HIGH  # nobody's health data was exposed
