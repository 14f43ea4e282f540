"""GDPR Arts. 33/34: scope, the lead or per-state authority, 72 hours, individuals."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from herald.jurisdictions import EEA_STATES
from herald.models import Assessment, Audience, Channel, Evaluation, IncidentFacts, Obligation
from herald.rules import ELEMENTS, evaluate
from herald.rules.authorities import EEA_SUPERVISORY_AUTHORITIES

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "facts.json"


def gdpr(evaluation: Evaluation) -> dict[str, Obligation]:
    return {o.id: o for o in evaluation.obligations if o.regime == "gdpr"}


def decision(evaluation: Evaluation, regime: str = "gdpr") -> list[str]:
    [found] = [d for d in evaluation.decisions if d.regime == regime]
    return found.reasons if found.applies else ["NOT APPLIED", *found.reasons]


def test_eu_established_controller_notifies_its_lead_authority_only(
    make_facts: FactsFactory,
) -> None:
    facts = make_facts(
        affected=[
            {"jurisdiction": "FR", "count": 12},
            {"jurisdiction": "DE", "count": 40},
            {"jurisdiction": "IE", "count": 3},
        ]
    )

    obligations = gdpr(evaluate(facts))

    assert sorted(obligations) == ["gdpr-regulator-de"]  # risk, not high: no individuals
    notice = obligations["gdpr-regulator-de"]
    assert notice.audience is Audience.REGULATOR
    assert notice.recipient == EEA_SUPERVISORY_AUTHORITIES["DE"].name
    assert notice.contact == "https://www.bfdi.bund.de"
    assert notice.language == "de"
    assert notice.jurisdictions == ["DE", "FR", "IE"]
    assert notice.affected_count == 55
    assert notice.channels == [Channel.REPORT]
    assert notice.clock == "awareness"
    assert notice.clock_started_at == datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
    assert notice.due_at == datetime(2026, 3, 5, 8, 15, tzinfo=UTC)
    assert notice.citation.startswith("GDPR Art. 33(1), 33(3)")
    assert notice.required_content == [
        "nature_of_breach",
        "categories_and_numbers",
        "dpo_contact",
        "likely_consequences",
        "measures_taken",
    ]
    assert notice.warnings == []


def test_72_hours_run_across_the_spring_dst_change(make_facts: FactsFactory) -> None:
    facts = make_facts(aware_at="2026-03-28T10:00:00+01:00", discovered_at=None)

    [notice] = gdpr(evaluate(facts)).values()

    assert notice.due_at == datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    assert notice.due_at - facts.aware_at == timedelta(hours=72)


def test_lead_authority_given_in_the_facts_is_used(make_facts: FactsFactory) -> None:
    facts = make_facts(
        entity={"name": "Example Ltd", "established_in": ["DE", "IE"], "lead_authority": "ie"}
    )

    notice = gdpr(evaluate(facts))["gdpr-regulator-ie"]

    assert notice.recipient == "Data Protection Commission (DPC)"
    assert notice.contact.startswith("https://forms.dataprotection.ie/")
    assert notice.language == "en"
    assert notice.warnings == []
    assert any("entity.lead_authority" in r for r in notice.reasons)


def test_lead_authority_outside_the_establishments_is_warned_about(
    make_facts: FactsFactory,
) -> None:
    facts = make_facts(
        entity={"name": "Example GmbH", "established_in": ["DE"], "lead_authority": "FR"}
    )

    notice = gdpr(evaluate(facts))["gdpr-regulator-fr"]

    assert any("not among" in w for w in notice.warnings)


def test_lead_authority_outside_the_eea_is_ignored(make_facts: FactsFactory) -> None:
    facts = make_facts(
        entity={"name": "Example GmbH", "established_in": ["DE"], "lead_authority": "GB"}
    )

    notice = gdpr(evaluate(facts))["gdpr-regulator-de"]

    assert any("not an EU/EEA state" in w for w in notice.warnings)


def test_non_eu_controller_notifies_every_member_state_with_affected_people(
    make_facts: FactsFactory,
) -> None:
    facts = make_facts(
        entity={"name": "Example Inc", "established_in": ["US"], "lead_authority": "IE"},
        data_categories=["name", "health"],
        affected=[
            {"jurisdiction": "US-CA", "count": 900},
            {"jurisdiction": "FR", "count": 12},
            {"jurisdiction": "DE-BY", "count": 5},
            {"jurisdiction": "DE", "count": 40},
            {"jurisdiction": "NO", "count": 2},
        ],
    )

    obligations = gdpr(evaluate(facts))

    assert sorted(obligations) == [
        "gdpr-individuals",
        "gdpr-regulator-de",
        "gdpr-regulator-fr",
        "gdpr-regulator-no",
    ]
    germany = obligations["gdpr-regulator-de"]
    assert (germany.jurisdictions, germany.affected_count) == (["DE", "DE-BY"], 45)
    assert obligations["gdpr-regulator-fr"].language == "fr"
    assert obligations["gdpr-regulator-no"].recipient == "Datatilsynet"
    assert all("para. 73" in o.citation for o in obligations.values() if o.audience == "regulator")
    # Art. 3(2) covers only the people in the EEA: the Californians are not GDPR recipients.
    individuals = obligations["gdpr-individuals"]
    assert individuals.jurisdictions == ["DE", "DE-BY", "FR", "NO"]
    assert individuals.affected_count == 59
    assert individuals.language == "de"  # the largest covered group is German


def test_gdpr_does_not_reach_a_non_eu_incident(make_facts: FactsFactory) -> None:
    facts = make_facts(
        entity={"name": "Example Inc", "established_in": ["US"]},
        affected=[{"jurisdiction": "US-CA", "count": 900}],
    )

    evaluation = evaluate(facts)

    assert gdpr(evaluation) == {}
    assert decision(evaluation)[0] == "NOT APPLIED"


def test_no_risk_means_no_notification_but_the_regime_applies(make_facts: FactsFactory) -> None:
    evaluation = evaluate(make_facts(risk="none"))

    assert gdpr(evaluation) == {}
    reasons = decision(evaluation)
    assert reasons[0] != "NOT APPLIED"
    assert any("Art. 33(5)" in r for r in reasons)


def test_high_risk_requires_telling_the_data_subjects(make_facts: FactsFactory) -> None:
    facts = make_facts(data_categories=["name", "payment_card"])

    individuals = gdpr(evaluate(facts))["gdpr-individuals"]

    assert individuals.audience is Audience.INDIVIDUALS
    assert individuals.due_at is None
    assert individuals.deadline.startswith("Without undue delay")
    assert individuals.citation == "GDPR Art. 34(1)-(3)"
    assert individuals.channels == [Channel.EMAIL, Channel.SMS, Channel.LETTER]
    assert individuals.required_content == [
        "nature_of_breach",
        "dpo_contact",
        "likely_consequences",
        "measures_taken",
    ]
    assert individuals.jurisdictions == ["FR"]


def test_encryption_safe_harbour_spares_individuals_not_the_regulator(
    make_facts: FactsFactory,
) -> None:
    safe = make_facts(risk="high", encryption={"encrypted": True, "key_compromised": False})

    evaluation = evaluate(safe)

    assert sorted(gdpr(evaluation)) == ["gdpr-regulator-de"]
    assert any("Art. 34(3)(a)" in r for r in decision(evaluation))


def test_safe_harbour_is_lost_when_the_key_is_compromised(make_facts: FactsFactory) -> None:
    exposed = make_facts(
        data_categories=["name", "health"],
        encryption={"encrypted": True, "key_compromised": True},
    )

    individuals = gdpr(evaluate(exposed))["gdpr-individuals"]

    assert any("key was compromised" in r for r in individuals.reasons)


def test_computed_safe_harbour_means_no_risk_and_no_notice(make_facts: FactsFactory) -> None:
    facts = make_facts(
        data_categories=["name", "health"],
        encryption={"encrypted": True, "key_compromised": False},
    )

    assert gdpr(evaluate(facts)) == {}


def test_the_supervisory_authority_table_covers_every_eea_state() -> None:
    assert set(EEA_SUPERVISORY_AUTHORITIES) == set(EEA_STATES)
    assert len(EEA_STATES) == 30
    for code, authority in EEA_SUPERVISORY_AUTHORITIES.items():
        assert authority.code == code
        assert authority.contact.startswith("https://")
        assert len(authority.language) == 2


def test_unknown_fields_are_reported_in_every_decision(make_facts: FactsFactory) -> None:
    evaluation = evaluate(make_facts(risk_level="high"))

    for found in evaluation.decisions:
        assert any("risk_level" in r for r in found.reasons)


def test_example_facts_trigger_gdpr_and_california() -> None:
    facts = IncidentFacts.model_validate(json.loads(EXAMPLE.read_text()))

    evaluation = evaluate(facts)

    assert [o.id for o in evaluation.obligations] == [
        "gdpr-regulator-de",  # 5 Mar 2026, 72 hours after awareness
        "us-ca-individuals",  # 31 Mar 2026, 30 days after discovery
        "us-ca-regulator",  # 15 Apr 2026, 15 days after that
        "cn-pipl-individuals",  # "immediately": no fixed date
        "cn-pipl-regulator",
        "gdpr-individuals",  # no fixed date: last
    ]
    # Every known regime reports a decision. China's incident-reporting measures are in
    # scope (people in Shanghai) but 30 people's data makes a general-level incident.
    decided = {d.regime: d for d in evaluation.decisions}
    applying = {regime for regime, d in decided.items() if d.applies}
    assert applying == {"gdpr", "us-ca", "cn-pipl", "cn-cac-incident"}
    assert decided["cn-cac-incident"].obligations == []
    assert decided["gdpr"].obligations == ["gdpr-regulator-de", "gdpr-individuals"]
    assert decided["us-ca"].obligations == ["us-ca-individuals", "us-ca-regulator"]
    # The Art. 3(1) controller's individuals notice covers everyone, wherever they live.
    individuals = gdpr(evaluation)["gdpr-individuals"]
    assert individuals.jurisdictions == ["CN-SH", "DE", "FR", "US-CA"]
    assert individuals.affected_count == 732


def test_every_required_element_is_documented(make_facts: FactsFactory) -> None:
    facts = make_facts(
        data_categories=["name", "government_id"],
        affected=[{"jurisdiction": "US-CA", "count": 900}, {"jurisdiction": "FR", "count": 2}],
    )

    evaluation = evaluate(facts, Assessment(total=902, unreachable=3))

    assert {o.audience for o in evaluation.obligations} == {
        Audience.REGULATOR,
        Audience.INDIVIDUALS,
        Audience.PUBLIC,
    }
    for obligation in evaluation.obligations:
        assert obligation.required_content
        assert set(obligation.required_content) <= set(ELEMENTS), obligation.id
