"""Québec Law 25: risk of serious injury, the CAI and the persons concerned, promptly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from herald.models import Audience, Channel, Evaluation, IncidentFacts, Obligation
from herald.rules import ELEMENTS, evaluate
from herald.rules.ca_qc import DATA_FILE, CaQcLaw25, QuebecLaw, load_rules

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)


@pytest.fixture
def qc_facts(make_facts: FactsFactory) -> FactsFactory:
    """A Toronto business with customers in Québec and Ontario; health data exposed."""

    def build(**overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-02-02T09:00:00-05:00",
            "discovered_at": None,
            "entity": {
                "name": "Example Corp",
                "established_in": ["CA-ON"],
                "timezone": "America/Toronto",
            },
            "data_categories": ["name", "health"],
            "affected": [
                {"jurisdiction": "CA-QC", "count": 80},
                {"jurisdiction": "CA-ON", "count": 20},
            ],
        }
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> Evaluation:
    return evaluate(facts, regimes=[CaQcLaw25()])


def quebec(evaluation: Evaluation) -> dict[str, Obligation]:
    return {o.id: o for o in evaluation.obligations}


def test_risk_of_serious_injury_notifies_the_cai_and_persons_promptly(
    qc_facts: FactsFactory,
) -> None:
    evaluation = run(qc_facts())

    found = quebec(evaluation)
    assert sorted(found) == ["ca-qc-law25-individuals", "ca-qc-law25-regulator"]
    cai = found["ca-qc-law25-regulator"]
    assert cai.audience is Audience.REGULATOR
    assert cai.recipient == "Commission d'accès à l'information du Québec (CAI)"
    assert cai.channels == [Channel.REPORT]
    assert "cai.gouv.qc.ca" in cai.contact
    individuals = found["ca-qc-law25-individuals"]
    assert individuals.audience is Audience.INDIVIDUALS
    for obligation in found.values():
        assert obligation.due_at is None  # "promptly": no fixed instant
        assert obligation.deadline.startswith("Promptly")
        assert obligation.language == "fr"
        assert obligation.jurisdictions == ["CA-QC"]  # Ontario is not Québec's to cover
        assert obligation.affected_count == 80
        assert obligation.clock_started_at == datetime(2026, 2, 2, 14, 0, tzinfo=UTC)
        assert set(obligation.required_content) <= set(ELEMENTS)
        assert "Regulation respecting confidentiality incidents" in obligation.citation
    [decision] = evaluation.decisions
    assert any("incident register" in r for r in decision.reasons)


@pytest.mark.parametrize("risk", ["risk", "none"])
def test_no_risk_of_serious_injury_below_high(qc_facts: FactsFactory, risk: str) -> None:
    evaluation = run(qc_facts(risk=risk))

    assert evaluation.obligations == []
    [decision] = evaluation.decisions
    # Still within the Act: the incident goes in the register.
    assert decision.applies is True
    assert any(f"The risk is {risk}, not high" in r for r in decision.reasons)
    assert any("incident register" in r for r in decision.reasons)


def test_nobody_in_quebec_is_not_applied(qc_facts: FactsFactory) -> None:
    evaluation = run(qc_facts(affected=[{"jurisdiction": "CA-ON", "count": 20}]))

    assert evaluation.obligations == []
    assert evaluation.decisions[0].applies is False


def test_enterprise_in_quebec_covers_people_elsewhere(qc_facts: FactsFactory) -> None:
    facts = qc_facts(
        entity={"name": "Exemple inc.", "established_in": ["CA-QC"]},
        affected=[{"jurisdiction": "CA-ON", "count": 20}],
    )

    cai = quebec(run(facts))["ca-qc-law25-regulator"]

    assert cai.jurisdictions == ["CA-ON"]
    assert cai.affected_count == 20


def test_version_follows_the_date_of_awareness(qc_facts: FactsFactory) -> None:
    before_regulation = quebec(run(qc_facts(aware_at="2022-10-03T09:00:00-04:00")))
    before_law = run(qc_facts(aware_at="2022-09-21T09:00:00-04:00"))

    cai = before_regulation["ca-qc-law25-regulator"]
    assert cai.citation == "Private Sector Act (CQLR c. P-39.1) s 3.5"
    assert before_law.decisions[0].applies is False


def test_data_file_is_valid_sourced_and_strict() -> None:
    law = load_rules()
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))

    assert law.id == CaQcLaw25.id == "ca-qc-law25"
    assert law.sources and any("UNCONFIRMED" in note for note in law.notes)
    assert any(note.startswith("Content not yet checked") for note in law.notes)
    with pytest.raises(ValidationError):
        QuebecLaw.model_validate(raw | {"unexpected": True})
