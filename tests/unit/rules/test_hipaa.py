"""HIPAA: PHI of US residents, 60 days, HHS at 500 or the annual log, media at 501 per state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any, get_args
from zoneinfo import ZoneInfo

import pytest
import yaml
from pydantic import ValidationError

from herald.models import Assessment, Audience, Channel, Evaluation, IncidentFacts, Obligation
from herald.models.obligations import RegimeDecision
from herald.rules import evaluate
from herald.rules.hipaa import Hipaa, HipaaFile, hipaa_rules
from herald.rules.regime_data import DATA_DIR, NoticeElement, ReportElement

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)
NEW_YORK = ZoneInfo("America/New_York")
# Discovered Tuesday 3 March 2026, 15:00 EST; 60 days later is Saturday 2 May (EDT).
DISCOVERED = "2026-03-03T15:00:00-05:00"
DAY_60_END = datetime(2026, 5, 3, 3, 59, 59, 999_999, tzinfo=UTC)


@pytest.fixture
def phi_facts(make_facts: FactsFactory) -> Callable[..., IncidentFacts]:
    """A New York covered entity whose patients' names and health data were exposed."""

    def build(affected: list[dict[str, Any]] | None = None, **overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-03-04T09:00:00-05:00",
            "discovered_at": DISCOVERED,
            "entity": {
                "name": "Example Clinic",
                "established_in": ["US-NY"],
                "sectors": ["hipaa_covered_entity"],
                "timezone": "America/New_York",
            },
            "data_categories": ["name", "health"],
            "affected": affected
            if affected is not None
            else [{"jurisdiction": "US-NY", "count": 40}],
        }
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts, assessment: Assessment | None = None) -> Evaluation:
    return evaluate(facts, assessment, regimes=[Hipaa()])


def by_id(evaluation: Evaluation) -> dict[str, Obligation]:
    return {o.id: o for o in evaluation.obligations}


def decision(evaluation: Evaluation) -> RegimeDecision:
    [found] = evaluation.decisions
    return found


# --- individuals -----------------------------------------------------------------------


def test_individuals_have_60_calendar_days_from_discovery(phi_facts: FactsFactory) -> None:
    individuals = by_id(run(phi_facts()))["hipaa-individuals"]

    assert individuals.due_at == DAY_60_END
    local = individuals.due_at.astimezone(NEW_YORK)
    assert (local.date().isoformat(), local.time()) == ("2026-05-02", time(23, 59, 59, 999_999))
    assert individuals.audience is Audience.INDIVIDUALS
    assert individuals.clock == "discovery"
    assert individuals.clock_started_at == datetime(2026, 3, 3, 20, 0, tzinfo=UTC)
    assert individuals.jurisdictions == ["US-NY"]
    assert individuals.affected_count == 40
    assert individuals.citation == "45 CFR 164.404(a)-(d)"
    assert individuals.channels == [Channel.LETTER, Channel.EMAIL]
    assert individuals.contact.startswith("Written notice by first-class mail")
    assert any("UNCONFIRMED" in w for w in individuals.warnings)


def test_only_us_residents_are_covered_and_others_are_flagged(phi_facts: FactsFactory) -> None:
    facts = phi_facts(
        [
            {"jurisdiction": "US-NY", "count": 40},
            {"jurisdiction": "US-NJ", "count": 5},
            {"jurisdiction": "FR", "count": 3},
        ]
    )

    individuals = by_id(run(facts))["hipaa-individuals"]

    assert individuals.jurisdictions == ["US-NJ", "US-NY"]
    assert individuals.affected_count == 45
    assert any("outside the US" in w and "FR: 3" in w for w in individuals.warnings)


def test_discovery_falls_back_to_the_earliest_instant_with_a_warning(
    phi_facts: FactsFactory,
) -> None:
    individuals = by_id(run(phi_facts(discovered_at=None)))["hipaa-individuals"]

    assert individuals.clock_started_at == datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    assert individuals.due_at == datetime(2026, 5, 4, 3, 59, 59, 999_999, tzinfo=UTC)
    assert any("discovered_at is not given" in w for w in individuals.warnings)


# --- HHS -------------------------------------------------------------------------------


def test_500_individuals_go_to_hhs_with_the_individual_notice(phi_facts: FactsFactory) -> None:
    hhs = by_id(run(phi_facts([{"jurisdiction": "US-NY", "count": 500}])))["hipaa-regulator"]

    assert hhs.due_at == DAY_60_END
    assert hhs.citation == "45 CFR 164.408(a)-(b)"
    assert hhs.recipient.startswith("U.S. Department of Health and Human Services")
    assert hhs.contact == "https://ocrportal.hhs.gov/ocr/breach/"
    assert hhs.audience is Audience.REGULATOR
    assert "500 individuals is 500 or more individuals" in hhs.reasons[0]


def test_499_individuals_go_in_the_annual_log_due_1_march(phi_facts: FactsFactory) -> None:
    # 400 + 99 in two states: the HHS threshold counts the breach in aggregate.
    facts = phi_facts(
        [{"jurisdiction": "US-NY", "count": 400}, {"jurisdiction": "US-NJ", "count": 99}]
    )

    hhs = by_id(run(facts))["hipaa-regulator"]

    # 60 days after 31 Dec 2026: the end of 1 March 2027, EST.
    assert hhs.due_at == datetime(2027, 3, 2, 4, 59, 59, 999_999, tzinfo=UTC)
    assert hhs.citation == "45 CFR 164.408(c)"
    assert hhs.deadline.startswith("Breaches affecting fewer than 500")
    assert hhs.affected_count == 499
    assert "499 individuals is not 500 or more" in hhs.reasons[0]


def test_annual_log_ends_on_29_february_before_a_leap_year(phi_facts: FactsFactory) -> None:
    # Discovered 31 Dec 2027 at 23:30 New York time (already 1 Jan 2028 in UTC): the year of
    # discovery is the entity's 2027, and 60 days after 31 Dec 2027 is 29 Feb 2028.
    facts = phi_facts(
        discovered_at="2027-12-31T23:30:00-05:00", aware_at="2028-01-02T09:00:00-05:00"
    )

    hhs = by_id(run(facts))["hipaa-regulator"]

    assert hhs.due_at == datetime(2028, 3, 1, 4, 59, 59, 999_999, tzinfo=UTC)
    assert hhs.due_at.astimezone(NEW_YORK).date().isoformat() == "2028-02-29"


def test_annual_log_uses_the_entitys_calendar_year(phi_facts: FactsFactory) -> None:
    # 1 Jan 2027 01:00 in Tokyo is still 2026 in UTC; the entity's year is 2027 → 29 Feb 2028.
    facts = phi_facts(
        discovered_at="2027-01-01T01:00:00+09:00",
        aware_at="2027-01-02T09:00:00+09:00",
        entity={"name": "Clinic KK", "sectors": ["hipaa_covered_entity"], "timezone": "Asia/Tokyo"},
    )

    hhs = by_id(run(facts))["hipaa-regulator"]

    assert hhs.due_at == datetime(2028, 2, 29, 14, 59, 59, 999_999, tzinfo=UTC)


def test_unknown_population_gets_the_earlier_hhs_deadline(phi_facts: FactsFactory) -> None:
    evaluation = run(phi_facts([]))

    hhs = by_id(evaluation)["hipaa-regulator"]
    assert hhs.due_at == DAY_60_END
    assert "not known yet" in hhs.reasons[0]
    assert any("No affected group is known yet" in w for w in hhs.warnings)


# --- media -----------------------------------------------------------------------------


def test_media_needs_more_than_500_residents_of_one_state(phi_facts: FactsFactory) -> None:
    facts = phi_facts(
        [
            {"jurisdiction": "US-CA", "count": 300},
            {"jurisdiction": "US-CA", "count": 201},  # two groups of one state add up: 501
            {"jurisdiction": "US-TX", "count": 500},  # exactly 500: not more than 500
            {"jurisdiction": "US-NY", "count": 800},
        ]
    )

    obligations = by_id(run(facts))

    media = sorted(i for i in obligations if i.startswith("hipaa-media"))
    assert media == ["hipaa-media-us-ca", "hipaa-media-us-ny"]
    california = obligations["hipaa-media-us-ca"]
    assert california.audience is Audience.MEDIA
    assert california.recipient == "Prominent media outlets serving California"
    assert california.jurisdictions == ["US-CA"]
    assert california.affected_count == 501
    assert california.due_at == DAY_60_END
    assert california.citation == "45 CFR 164.406"
    assert "501 residents of US-CA is more than 500" in california.reasons[0]


def test_no_media_when_many_people_are_spread_over_states(phi_facts: FactsFactory) -> None:
    facts = phi_facts(
        [{"jurisdiction": "US-CA", "count": 500}, {"jurisdiction": "US-NY", "count": 500}]
    )

    evaluation = run(facts)

    assert not [o for o in evaluation.obligations if o.audience is Audience.MEDIA]
    assert by_id(evaluation)["hipaa-regulator"].due_at == DAY_60_END  # 1,000 in aggregate
    assert any("no media notice is due" in r for r in decision(evaluation).reasons)


def test_residents_without_a_state_are_not_counted_for_media(phi_facts: FactsFactory) -> None:
    facts = phi_facts(
        [{"jurisdiction": "US", "count": 900}, {"jurisdiction": "US-CA", "count": 10}]
    )

    evaluation = run(facts)

    assert not [o for o in evaluation.obligations if o.audience is Audience.MEDIA]
    assert by_id(evaluation)["hipaa-individuals"].jurisdictions == ["US", "US-CA"]
    assert any("900 US residents have no state recorded" in r for r in decision(evaluation).reasons)


# --- substitute notice -------------------------------------------------------------------


def test_ten_unreachable_people_need_substitute_notice(phi_facts: FactsFactory) -> None:
    assessment = Assessment(total=40, unreachable=10, contactable={"email": 30})

    public = by_id(run(phi_facts(), assessment))["hipaa-public"]

    assert public.audience is Audience.PUBLIC
    assert public.affected_count == 10
    assert public.due_at == DAY_60_END
    assert public.channels == [Channel.WEB]
    assert public.citation == "45 CFR 164.404(d)(2)"
    assert "90 days" in public.deadline and "toll-free" in public.deadline
    assert any("whole assessed population" in w for w in public.warnings)


def test_fewer_than_ten_unreachable_people_are_reached_by_other_means(
    phi_facts: FactsFactory,
) -> None:
    assessment = Assessment(total=40, unreachable=9, contactable={"email": 31})

    obligations = by_id(run(phi_facts(), assessment))

    assert "hipaa-public" not in obligations
    individuals = obligations["hipaa-individuals"]
    assert Channel.VOICE in individuals.channels
    assert any("fewer than 10" in r and "telephone" in r for r in individuals.reasons)


def test_no_substitute_notice_without_contact_points(phi_facts: FactsFactory) -> None:
    evaluation = run(phi_facts())

    assert "hipaa-public" not in by_id(evaluation)
    assert any("contact points" in r for r in decision(evaluation).reasons)


# --- exemptions and scope --------------------------------------------------------------


def test_encrypted_phi_with_a_safe_key_is_secured(phi_facts: FactsFactory) -> None:
    evaluation = run(phi_facts(encryption={"encrypted": True, "key_compromised": False}))

    found = decision(evaluation)
    assert found.applies
    assert evaluation.obligations == []
    assert any("secured PHI" in r and "safe harbour" in r for r in found.reasons)


def test_encrypted_phi_with_a_compromised_key_is_unsecured(phi_facts: FactsFactory) -> None:
    evaluation = run(phi_facts(encryption={"encrypted": True, "key_compromised": True}))

    assert "hipaa-individuals" in by_id(evaluation)
    assert any("key was compromised" in r for r in decision(evaluation).reasons)


def test_low_probability_of_compromise_rebuts_the_presumption(phi_facts: FactsFactory) -> None:
    evaluation = run(phi_facts(risk="none"))

    found = decision(evaluation)
    assert found.applies
    assert evaluation.obligations == []
    assert any("low probability" in r for r in found.reasons)


def test_any_other_risk_level_keeps_the_presumed_breach(phi_facts: FactsFactory) -> None:
    found = decision(run(phi_facts(risk="risk")))

    assert any("presumed a breach" in r for r in found.reasons)


def test_not_a_covered_entity(phi_facts: FactsFactory) -> None:
    facts = phi_facts(entity={"name": "Shop", "sectors": ["sec_registrant"]})

    found = decision(run(facts))

    assert not found.applies
    assert found.reasons == ["The entity is not a HIPAA covered entity or business associate."]


def test_health_data_without_an_identifier_is_treated_as_phi(phi_facts: FactsFactory) -> None:
    # Conservative reading: patients counted to be notified are identifiable, so their
    # health records are PHI even when no identifier category is recorded.
    evaluation = run(phi_facts(data_categories=["health"]))
    found = decision(evaluation)

    assert found.applies
    assert any("no identifier category recorded is treated as PHI" in r for r in found.reasons)
    notices = by_id(evaluation)
    assert set(notices) == {"hipaa-individuals", "hipaa-regulator"}
    assert notices["hipaa-individuals"].due_at == DAY_60_END
    assert all(
        any("without an identifier category for US-NY" in w for w in o.warnings)
        for o in notices.values()
    )


def test_health_data_with_an_identifier_carries_no_identifier_warning(
    phi_facts: FactsFactory,
) -> None:
    notices = by_id(run(phi_facts()))

    assert not any("identifier category" in w for o in notices.values() for w in o.warnings)


def test_no_health_data_means_no_phi(phi_facts: FactsFactory) -> None:
    found = decision(run(phi_facts(data_categories=["name", "email"])))

    assert not found.applies
    assert any("no health data" in r for r in found.reasons)
    assert found.reasons[-1] == "No PHI of US residents was involved."


def test_phi_of_non_us_residents_only_does_not_apply_but_is_flagged(
    phi_facts: FactsFactory,
) -> None:
    found = decision(run(phi_facts([{"jurisdiction": "FR", "count": 12}])))

    assert not found.applies
    assert any("outside the US" in r for r in found.reasons)


def test_incident_before_the_rule_took_effect(phi_facts: FactsFactory) -> None:
    facts = phi_facts(aware_at="2009-09-22T12:00:00-04:00", discovered_at=None)

    found = decision(run(facts))

    assert not found.applies
    assert "2009-09-23" in found.reasons[0]


# --- business associates -----------------------------------------------------------------


def test_business_associate_notifies_the_covered_entity_within_60_days(
    phi_facts: FactsFactory,
) -> None:
    facts = phi_facts(
        entity={
            "name": "Billing Co",
            "sectors": ["hipaa_business_associate"],
            "timezone": "America/New_York",
        },
        affected=[{"jurisdiction": "US-CA", "count": 900}],
    )

    obligations = by_id(run(facts))

    assert sorted(obligations) == ["hipaa-other-covered-entity"]
    notice = obligations["hipaa-other-covered-entity"]
    assert notice.audience is Audience.OTHER
    assert notice.due_at == DAY_60_END
    assert notice.citation == "45 CFR 164.410"
    assert notice.affected_count == 900


def test_both_capacities_get_both_sets_with_a_warning(phi_facts: FactsFactory) -> None:
    facts = phi_facts(
        entity={
            "name": "Health Plan",
            "sectors": ["hipaa_covered_entity", "hipaa_business_associate"],
        }
    )

    obligations = by_id(run(facts))

    assert {"hipaa-individuals", "hipaa-regulator", "hipaa-other-covered-entity"} <= set(
        obligations
    )
    assert all(any("both covered entity" in w for w in o.warnings) for o in obligations.values())


# --- data file ---------------------------------------------------------------------------


def test_required_content_uses_only_checkable_elements(phi_facts: FactsFactory) -> None:
    facts = phi_facts([{"jurisdiction": "US-CA", "count": 700}])
    entity = facts.entity.model_copy(
        update={"sectors": ["hipaa_covered_entity", "hipaa_business_associate"]}
    )
    assessment = Assessment(total=700, unreachable=50, contactable={"email": 650})

    evaluation = run(facts.model_copy(update={"entity": entity}), assessment)

    people = {Audience.INDIVIDUALS, Audience.PUBLIC}
    assert {o.audience for o in evaluation.obligations} == {
        Audience.INDIVIDUALS,
        Audience.REGULATOR,
        Audience.MEDIA,
        Audience.PUBLIC,
        Audience.OTHER,
    }
    for obligation in evaluation.obligations:
        allowed = get_args(NoticeElement if obligation.audience in people else ReportElement)
        assert obligation.required_content, obligation.id
        assert set(obligation.required_content) <= set(allowed), obligation.id
        assert obligation.citation and obligation.deadline and obligation.contact


def test_data_file_rejects_unknown_keys() -> None:
    data = yaml.safe_load((DATA_DIR / "hipaa.yaml").read_text(encoding="utf-8"))
    data["versions"][0]["individuals"]["dayz"] = 30

    with pytest.raises(ValidationError, match="dayz"):
        HipaaFile.model_validate(data)


def test_data_file_names_sources_and_notes() -> None:
    rules = hipaa_rules()

    assert rules.id == Hipaa.id == "hipaa"
    assert rules.sources
    assert any("UNCONFIRMED" in n for n in rules.notes)
    assert any(n.startswith("Content not yet checked") for n in rules.notes)
