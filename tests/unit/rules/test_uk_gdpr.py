"""UK GDPR Arts. 33/34: scope by GB codes, the ICO within 72 hours, individuals, PECR note."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from pydantic import ValidationError

from herald.models import Audience, Channel, Evaluation, IncidentFacts, Obligation
from herald.rules import ELEMENTS, evaluate
from herald.rules.uk_gdpr import DATA_FILE, UkGdpr, UkGdprLaw, load_rules

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def uk_facts(make_facts: FactsFactory) -> FactsFactory:
    """A London controller with people in England; aware Friday 23 Oct 2026, 10:00 BST."""

    def build(**overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-10-23T10:00:00+01:00",
            "discovered_at": None,
            "entity": {
                "name": "Example Ltd",
                "established_in": ["GB"],
                "timezone": "Europe/London",
            },
            "data_categories": ["name", "email"],
            "affected": [{"jurisdiction": "GB-ENG", "count": 40}],
        }
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> Evaluation:
    return evaluate(facts, regimes=[UkGdpr()])


def uk(evaluation: Evaluation) -> dict[str, Obligation]:
    return {o.id: o for o in evaluation.obligations}


def reasons(evaluation: Evaluation) -> list[str]:
    [found] = evaluation.decisions
    return found.reasons


def test_ico_is_due_72_elapsed_hours_after_awareness_across_the_end_of_bst(
    uk_facts: FactsFactory,
) -> None:
    # BST ends on Sunday 25 Oct 2026 at 01:00 UTC: 72 elapsed hours from 10:00 BST on Friday
    # end at 09:00 GMT on Monday, not at 10:00 local time.
    facts = uk_facts()

    notice = uk(run(facts))["uk-gdpr-regulator"]

    assert notice.due_at == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert notice.due_at - facts.aware_at == timedelta(hours=72)
    assert notice.due_at.astimezone(LONDON).hour == 9
    assert notice.clock == "awareness"
    assert notice.clock_started_at == datetime(2026, 10, 23, 9, 0, tzinfo=UTC)


def test_ico_notice_carries_authority_contact_content_and_citation(
    uk_facts: FactsFactory,
) -> None:
    evaluation = run(uk_facts())

    assert sorted(uk(evaluation)) == ["uk-gdpr-regulator"]  # risk, not high
    notice = uk(evaluation)["uk-gdpr-regulator"]
    assert notice.regime == "uk-gdpr"
    assert notice.audience is Audience.REGULATOR
    assert notice.recipient == "Information Commissioner's Office (ICO)"
    assert "report-a-data-breach-online-form" in notice.contact
    assert "0303 123 1113" in notice.contact
    assert notice.language == "en"
    assert notice.channels == [Channel.REPORT]
    assert notice.citation == "UK GDPR Art. 33(1), 33(3)"
    assert notice.jurisdictions == ["GB-ENG"]
    assert notice.affected_count == 40
    assert notice.required_content == [
        "nature_of_breach",
        "categories_and_numbers",
        "dpo_contact",
        "likely_consequences",
        "measures_taken",
    ]
    assert "72 hours" in notice.deadline
    assert notice.warnings == []
    # PECR is a note only: mentioned, never an obligation of its own.
    assert any("PECR" in r and "24 hours" in r for r in notice.reasons)
    assert any("PECR" in r for r in reasons(evaluation))


def test_high_risk_tells_individuals_without_a_fixed_instant(uk_facts: FactsFactory) -> None:
    evaluation = run(uk_facts(data_categories=["name", "health"]))

    individuals = uk(evaluation)["uk-gdpr-individuals"]
    assert individuals.audience is Audience.INDIVIDUALS
    assert individuals.due_at is None
    assert individuals.deadline.startswith("Without undue delay")
    assert individuals.language == "en"
    assert individuals.jurisdictions == ["GB-ENG"]
    assert individuals.required_content == [
        "nature_of_breach",
        "dpo_contact",
        "likely_consequences",
        "measures_taken",
    ]


def test_encryption_safe_harbour_spares_individuals_but_not_the_ico(
    uk_facts: FactsFactory,
) -> None:
    # The responder judged the risk high; the key is safe, so Art. 34(3)(a) still applies.
    facts = uk_facts(risk="high", encryption={"encrypted": True, "key_compromised": False})

    evaluation = run(facts)

    assert sorted(uk(evaluation)) == ["uk-gdpr-regulator"]
    assert any("Art. 34(3)(a)" in r for r in reasons(evaluation))


def test_compromised_key_removes_the_safe_harbour(uk_facts: FactsFactory) -> None:
    facts = uk_facts(risk="high", encryption={"encrypted": True, "key_compromised": True})

    individuals = uk(run(facts))["uk-gdpr-individuals"]

    assert any("key was compromised" in r for r in individuals.reasons)


def test_no_risk_means_no_ico_notice_but_a_record(uk_facts: FactsFactory) -> None:
    evaluation = run(uk_facts(risk="none"))

    assert evaluation.obligations == []
    assert evaluation.decisions[0].applies is True
    assert any("Art. 33(5)" in r for r in reasons(evaluation))


def test_people_in_the_uk_bring_a_foreign_controller_in(uk_facts: FactsFactory) -> None:
    facts = uk_facts(
        entity={"name": "Example GmbH", "established_in": ["DE"]},
        affected=[
            {"jurisdiction": "GB-SCT", "count": 5},
            {"jurisdiction": "GB-NIR", "count": 2},
            {"jurisdiction": "FR", "count": 9},
        ],
    )

    notice = uk(run(facts))["uk-gdpr-regulator"]

    assert notice.jurisdictions == ["GB-NIR", "GB-SCT"]
    assert notice.affected_count == 7
    assert any("Art. 3(2)" in r for r in notice.reasons)


def test_uk_establishment_covers_people_abroad(uk_facts: FactsFactory) -> None:
    facts = uk_facts(affected=[{"jurisdiction": "FR", "count": 9}])

    notice = uk(run(facts))["uk-gdpr-regulator"]

    assert notice.jurisdictions == ["FR"]
    assert any("Art. 3(1)" in r for r in notice.reasons)


def test_no_uk_link_is_not_applied(uk_facts: FactsFactory) -> None:
    facts = uk_facts(entity={"name": "Example GmbH", "established_in": ["DE"]})
    facts = facts.model_copy(update={"affected": []})

    evaluation = run(facts)

    assert evaluation.obligations == []
    assert evaluation.decisions[0].applies is False
    assert "not established in the United Kingdom" in reasons(evaluation)[0]


def test_law_in_force_is_chosen_by_the_date_of_awareness(uk_facts: FactsFactory) -> None:
    before_exit = uk(run(uk_facts(aware_at="2020-12-31T23:30:00+00:00")))["uk-gdpr-regulator"]
    after_exit = uk(run(uk_facts(aware_at="2021-01-01T00:30:00+00:00")))["uk-gdpr-regulator"]

    assert before_exit.citation == "GDPR Art. 33(1), 33(3); Data Protection Act 2018"
    assert after_exit.citation == "UK GDPR Art. 33(1), 33(3)"


def test_no_mandatory_notification_before_25_may_2018(uk_facts: FactsFactory) -> None:
    evaluation = run(uk_facts(aware_at="2018-05-24T12:00:00+01:00"))

    assert evaluation.decisions[0].applies is False
    assert evaluation.obligations == []


def test_data_file_is_valid_sourced_and_strict() -> None:
    law = load_rules()
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))

    assert law.id == UkGdpr.id == "uk-gdpr"
    assert law.sources and any("UNCONFIRMED" in note for note in law.notes)
    assert any(note.startswith("Content not yet checked") for note in law.notes)
    for version in law.versions:
        assert set(version.regulator.content) <= set(ELEMENTS)
        assert set(version.individuals.content) <= set(ELEMENTS)
    with pytest.raises(ValidationError):
        UkGdprLaw.model_validate(raw | {"unexpected": True})
    bad_content = dict(raw)
    bad_content["versions"] = [
        raw["versions"][0] | {"regulator": raw["versions"][0]["regulator"] | {"content": ["x"]}}
    ]
    with pytest.raises(ValidationError):
        UkGdprLaw.model_validate(bad_content)
