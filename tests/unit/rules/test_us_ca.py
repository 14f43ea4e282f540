"""California §1798.82: personal information, 30 days, the AG at 501, substitute notice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from herald.models import (
    Assessment,
    Audience,
    Channel,
    DataCategory,
    Evaluation,
    IncidentFacts,
    Obligation,
)
from herald.rules import evaluate
from herald.rules.statelaw import state_laws
from herald.rules.us_states import personal_information

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)
LOS_ANGELES = ZoneInfo("America/Los_Angeles")

CA_INDIVIDUALS_CONTENT = [
    "ca_title",
    "what_happened",
    "what_information",
    "what_we_are_doing",
    "what_you_can_do",
    "for_more_information",
    "breach_date",
    "contact_info",
]


@pytest.fixture
def ca_facts(make_facts: FactsFactory) -> FactsFactory:
    """A Californian business; discovered 3 Mar 2026 15:00 PST, aware the next morning."""

    def build(count: int = 650, **overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-03-04T09:00:00-08:00",
            "discovered_at": "2026-03-03T15:00:00-08:00",
            "entity": {
                "name": "Example Inc",
                "established_in": ["US-CA"],
                "timezone": "America/Los_Angeles",
            },
            "data_categories": ["name", "email", "account_credentials"],
            "affected": [{"jurisdiction": "US-CA", "count": count}],
        }
        return make_facts(**(base | overrides))

    return build


def california(evaluation: Evaluation) -> dict[str, Obligation]:
    return {o.id: o for o in evaluation.obligations if o.regime == "us-ca"}


def reasons(evaluation: Evaluation) -> list[str]:
    [found] = [d for d in evaluation.decisions if d.regime == "us-ca"]
    return found.reasons


def test_residents_have_30_days_from_discovery_ending_at_local_midnight(
    ca_facts: FactsFactory,
) -> None:
    individuals = california(evaluate(ca_facts()))["us-ca-individuals"]

    # 3 March + 30 days = 2 April, which ends at 23:59:59.999999 PDT (-07:00).
    assert individuals.due_at == datetime(2026, 4, 3, 6, 59, 59, 999_999, tzinfo=UTC)
    local = individuals.due_at.astimezone(LOS_ANGELES)
    assert local.time() == time(23, 59, 59, 999_999)
    assert individuals.clock == "discovery"
    assert individuals.clock_started_at == datetime(2026, 3, 3, 23, 0, tzinfo=UTC)
    assert individuals.audience is Audience.INDIVIDUALS
    assert individuals.recipient == "Affected California residents"
    assert individuals.jurisdictions == ["US-CA"]
    assert individuals.affected_count == 650
    assert individuals.language == "en"
    assert individuals.channels == [Channel.EMAIL, Channel.SMS, Channel.LETTER]
    assert individuals.required_content == CA_INDIVIDUALS_CONTENT
    assert "SB 446" in individuals.citation
    assert individuals.warnings == []


def test_the_day_count_uses_the_entity_s_time_zone(ca_facts: FactsFactory) -> None:
    facts = ca_facts(
        entity={"name": "Example GmbH", "established_in": ["DE"], "timezone": "Europe/Berlin"}
    )

    individuals = california(evaluate(facts))["us-ca-individuals"]

    # Discovery at 00:00 on 4 March in Berlin; 3 April ends at 23:59:59.999999 CEST.
    assert individuals.due_at == datetime(2026, 4, 3, 21, 59, 59, 999_999, tzinfo=UTC)


def test_missing_discovery_falls_back_to_awareness_with_a_warning(
    ca_facts: FactsFactory,
) -> None:
    facts = ca_facts(discovered_at=None)

    found = california(evaluate(facts))
    individuals = found["us-ca-individuals"]

    assert individuals.clock_started_at == datetime(2026, 3, 4, 17, 0, tzinfo=UTC)
    assert individuals.due_at == datetime(2026, 4, 4, 6, 59, 59, 999_999, tzinfo=UTC)
    assert len(individuals.warnings) == 1 and "discovered_at" in individuals.warnings[0]
    # The chained AG deadline inherits the uncertainty.
    assert found["us-ca-regulator"].warnings == individuals.warnings


@pytest.mark.parametrize(("count", "expected"), [(500, False), (501, True)])
def test_attorney_general_only_for_more_than_500_residents(
    ca_facts: FactsFactory, count: int, expected: bool
) -> None:
    evaluation = evaluate(ca_facts(count=count))

    assert ("us-ca-regulator" in california(evaluation)) is expected
    if not expected:
        assert any("not more than 500" in r for r in reasons(evaluation))


def test_attorney_general_deadline_is_chained_to_the_resident_notice(
    ca_facts: FactsFactory,
) -> None:
    found = california(evaluate(ca_facts(count=501)))
    ag = found["us-ca-regulator"]

    # Residents' deadline 2 April (PDT) + 15 days = 17 April, end of day.
    assert ag.due_at == datetime(2026, 4, 18, 6, 59, 59, 999_999, tzinfo=UTC)
    assert ag.audience is Audience.REGULATOR
    assert ag.recipient == "California Attorney General"
    assert ag.contact.startswith("https://oag.ca.gov/")
    assert ag.channels == [Channel.REPORT]
    assert ag.affected_count == 501
    assert ag.required_content == ["sample_notice", "breach_date", "affected_count"]
    assert ag.citation == "Cal. Civ. Code §1798.82(f)"
    assert ag.clock == "consumer_notice" and ag.clock_started_at is None
    assert "15 calendar days of notifying" in ag.deadline
    assert "residents' deadline" in ag.deadline
    assert any("until then computed from the residents' deadline" in r for r in ag.reasons)


def test_before_2026_there_is_no_fixed_period(ca_facts: FactsFactory) -> None:
    facts = ca_facts(
        aware_at="2025-12-31T09:00:00-08:00", discovered_at="2025-12-30T09:00:00-08:00"
    )

    found = california(evaluate(facts))

    assert found["us-ca-individuals"].due_at is None
    assert found["us-ca-individuals"].deadline.startswith("In the most expedient time")
    assert "SB 446" not in found["us-ca-individuals"].citation
    assert found["us-ca-regulator"].due_at is None
    assert found["us-ca-regulator"].deadline.startswith("No fixed period")


def test_the_effective_date_is_judged_on_california_s_calendar(ca_facts: FactsFactory) -> None:
    # 07:00 UTC on 1 January 2026 is still 31 December 2025 in California.
    facts = ca_facts(aware_at="2026-01-01T07:00:00+00:00", discovered_at=None)

    evaluation = evaluate(facts)

    assert california(evaluation)["us-ca-individuals"].due_at is None
    assert any("before SB 446" in r for r in reasons(evaluation))


def test_encrypted_data_with_a_safe_key_needs_no_notice(ca_facts: FactsFactory) -> None:
    evaluation = evaluate(ca_facts(encryption={"encrypted": True, "key_compromised": False}))

    assert california(evaluation) == {}
    assert any("key was not compromised" in r for r in reasons(evaluation))


def test_encrypted_data_with_its_key_must_be_notified(ca_facts: FactsFactory) -> None:
    facts = ca_facts(encryption={"encrypted": True, "key_compromised": True})

    assert sorted(california(evaluate(facts))) == ["us-ca-individuals", "us-ca-regulator"]


def test_name_and_email_alone_are_not_personal_information(ca_facts: FactsFactory) -> None:
    evaluation = evaluate(ca_facts(data_categories=["name", "email", "phone"]))

    assert california(evaluation) == {}
    assert any("not personal information" in r for r in reasons(evaluation))
    assert [d.applies for d in evaluation.decisions if d.regime == "us-ca"] == [True]


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        (["name", "government_id"], True),
        (["name", "payment_card"], True),
        (["name", "financial_account"], True),
        (["name", "health"], True),
        (["name", "biometric"], True),
        (["name", "genetic"], True),
        (["account_credentials"], True),
        (["government_id"], False),
        (["name", "email", "date_of_birth", "precise_location"], False),
        ([], False),
    ],
)
def test_personal_information_definition(categories: list[str], expected: bool) -> None:
    definition = state_laws()["US-CA"].personal_information

    is_pi, why = personal_information(definition, [DataCategory(c) for c in categories])

    assert is_pi is expected
    assert "§1798.82(h)" in why


def test_government_id_adds_the_credit_reporting_agencies(ca_facts: FactsFactory) -> None:
    facts = ca_facts(data_categories=["name", "government_id"])

    individuals = california(evaluate(facts))["us-ca-individuals"]

    assert individuals.required_content == [*CA_INDIVIDUALS_CONTENT, "cra_contacts"]
    assert any("12 months" in r for r in individuals.reasons)


def test_a_group_s_own_categories_decide(ca_facts: FactsFactory) -> None:
    facts = ca_facts(
        data_categories=["name", "government_id"],
        affected=[{"jurisdiction": "US-CA", "count": 700, "data_categories": ["name"]}],
    )

    assert california(evaluate(facts)) == {}


def test_credentials_only_breach_notes_the_electronic_notice_rule(
    ca_facts: FactsFactory,
) -> None:
    individuals = california(evaluate(ca_facts()))["us-ca-individuals"]

    assert any("compromised email account" in r for r in individuals.reasons)


def test_unreachable_people_need_a_substitute_notice(ca_facts: FactsFactory) -> None:
    assessment = Assessment(total=650, unreachable=20, contactable={"email": 630})

    found = california(evaluate(ca_facts(), assessment))
    public = found["us-ca-public"]

    assert public.audience is Audience.PUBLIC
    assert public.due_at == found["us-ca-individuals"].due_at
    assert public.affected_count == 20
    assert public.channels == [Channel.WEB, Channel.EMAIL]
    assert public.required_content == CA_INDIVIDUALS_CONTENT
    assert "30 days" in public.deadline
    assert any("statewide media" in r for r in public.reasons)
    assert any("UNCONFIRMED" in w for w in public.warnings)


@pytest.mark.parametrize(
    "assessment",
    [
        None,
        Assessment(total=650),  # built from the facts: contactability unknown
        Assessment(total=650, unreachable=0, contactable={"email": 650}),
    ],
)
def test_no_substitute_notice_without_unreachable_people(
    ca_facts: FactsFactory, assessment: Assessment | None
) -> None:
    evaluation = evaluate(ca_facts(), assessment)

    assert "us-ca-public" not in california(evaluation)
    assert any("cannot be derived from the facts" in r for r in reasons(evaluation))


def test_california_does_not_reach_other_residents(make_facts: FactsFactory) -> None:
    evaluation = evaluate(make_facts(data_categories=["name", "government_id"]))

    assert california(evaluation) == {}
    assert [d.applies for d in evaluation.decisions if d.regime == "us-ca"] == [False]
