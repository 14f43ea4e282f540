"""PIPEDA ss 10.1-10.3: RROSH, the OPC, individuals and other organisations, no instant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from herald.models import Audience, Channel, Evaluation, IncidentFacts, Obligation
from herald.rules import ELEMENTS, evaluate
from herald.rules.ca_pipeda import DATA_FILE, CaPipeda, PipedaLaw, load_rules

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)


@pytest.fixture
def ca_facts(make_facts: FactsFactory) -> FactsFactory:
    """A Toronto business; card numbers of people in Ontario exposed (high risk)."""

    def build(**overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-02-02T09:00:00-05:00",
            "discovered_at": "2026-02-01T18:00:00-05:00",
            "determined_at": "2026-02-03T16:00:00-05:00",
            "entity": {
                "name": "Example Corp",
                "established_in": ["CA-ON"],
                "timezone": "America/Toronto",
            },
            "data_categories": ["name", "payment_card"],
            "affected": [{"jurisdiction": "CA-ON", "count": 300}],
        }
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> Evaluation:
    return evaluate(facts, regimes=[CaPipeda()])


def pipeda(evaluation: Evaluation) -> dict[str, Obligation]:
    return {o.id: o for o in evaluation.obligations}


def reasons(evaluation: Evaluation) -> list[str]:
    [decision] = evaluation.decisions
    return decision.reasons


def test_rrosh_requires_the_opc_individuals_and_other_organisations(
    ca_facts: FactsFactory,
) -> None:
    evaluation = run(ca_facts())

    found = pipeda(evaluation)
    assert sorted(found) == ["ca-pipeda-individuals", "ca-pipeda-other", "ca-pipeda-regulator"]
    for obligation in found.values():
        assert obligation.regime == "ca-pipeda"
        assert obligation.due_at is None  # "as soon as feasible": no fixed instant
        assert obligation.deadline.startswith("As soon as feasible")
        assert obligation.clock == "determination"
        assert obligation.clock_started_at == datetime(2026, 2, 3, 21, 0, tzinfo=UTC)
        assert obligation.jurisdictions == ["CA-ON"]
        assert obligation.affected_count == 300
        assert obligation.language == "en"
        assert set(obligation.required_content) <= set(ELEMENTS)
    opc = found["ca-pipeda-regulator"]
    assert opc.audience is Audience.REGULATOR
    assert opc.recipient == "Office of the Privacy Commissioner of Canada (OPC)"
    assert "priv.gc.ca" in opc.contact
    assert opc.channels == [Channel.REPORT]
    assert opc.warnings == []
    assert found["ca-pipeda-individuals"].audience is Audience.INDIVIDUALS
    other = found["ca-pipeda-other"]
    assert other.audience is Audience.OTHER
    assert other.citation == "PIPEDA s 10.2"
    assert "24 months" in " ".join(reasons(evaluation))
    assert any("real risk of significant harm" in r for r in reasons(evaluation))


@pytest.mark.parametrize("risk", ["risk", "none"])
def test_no_rrosh_below_high_risk(ca_facts: FactsFactory, risk: str) -> None:
    evaluation = run(ca_facts(risk=risk))

    assert evaluation.obligations == []
    [decision] = evaluation.decisions
    # The regime still reaches the incident: every breach goes in the 24-month record.
    assert decision.applies is True
    assert any(f"The risk is {risk}, not high" in r for r in decision.reasons)
    assert any("24 months" in r for r in decision.reasons)


def test_every_province_is_covered_and_provincial_laws_are_warned(
    ca_facts: FactsFactory,
) -> None:
    facts = ca_facts(
        entity={"name": "Example Inc", "established_in": ["US-NY"]},
        affected=[
            {"jurisdiction": "CA-ON", "count": 3},
            {"jurisdiction": "CA-QC", "count": 4},
            {"jurisdiction": "CA-AB", "count": 5},
            {"jurisdiction": "CA-BC", "count": 6},
            {"jurisdiction": "US-NY", "count": 7},
        ],
    )

    opc = pipeda(run(facts))["ca-pipeda-regulator"]

    assert opc.jurisdictions == ["CA-AB", "CA-BC", "CA-ON", "CA-QC"]
    assert opc.affected_count == 18
    assert [w.split(":")[0] for w in opc.warnings] == ["CA-AB", "CA-BC", "CA-QC"]


def test_missing_determination_falls_back_with_a_warning(ca_facts: FactsFactory) -> None:
    opc = pipeda(run(ca_facts(determined_at=None)))["ca-pipeda-regulator"]

    assert opc.clock_started_at == datetime(2026, 2, 1, 23, 0, tzinfo=UTC)  # discovered_at
    assert any("determined_at is not given" in w for w in opc.warnings)


def test_nobody_in_canada_and_no_canadian_establishment_is_not_applied(
    ca_facts: FactsFactory,
) -> None:
    evaluation = run(
        ca_facts(
            entity={"name": "Example Inc", "established_in": ["US-NY"]},
            affected=[{"jurisdiction": "US-NY", "count": 7}],
        )
    )

    assert evaluation.obligations == []
    assert evaluation.decisions[0].applies is False


def test_an_organisation_in_canada_covers_everyone_it_holds_data_on(
    ca_facts: FactsFactory,
) -> None:
    # s 10.1: a breach of safeguards over personal information under its control; no
    # residence test (conservative reading).
    facts = ca_facts(
        affected=[{"jurisdiction": "US-NY", "count": 7}, {"jurisdiction": "CA-QC", "count": 2}]
    )

    found = pipeda(run(facts))

    assert sorted(found) == ["ca-pipeda-individuals", "ca-pipeda-other", "ca-pipeda-regulator"]
    assert found["ca-pipeda-regulator"].jurisdictions == ["CA-QC", "US-NY"]
    assert found["ca-pipeda-regulator"].affected_count == 9
    assert [w.split(":")[0] for w in found["ca-pipeda-regulator"].warnings] == ["CA-QC"]


def test_no_personal_data_is_no_breach_of_safeguards(ca_facts: FactsFactory) -> None:
    evaluation = run(ca_facts(data_categories=[], affected=[], risk="high"))

    assert evaluation.obligations == []
    assert any("not a personal data breach" in r for r in reasons(evaluation))


def test_nothing_before_1_november_2018(ca_facts: FactsFactory) -> None:
    facts = ca_facts(aware_at="2018-10-31T12:00:00-04:00", discovered_at=None, determined_at=None)

    assert run(facts).decisions[0].applies is False


def test_data_file_is_valid_sourced_and_strict() -> None:
    law = load_rules()
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))

    assert law.id == CaPipeda.id == "ca-pipeda"
    assert law.sources and any("UNCONFIRMED" in note for note in law.notes)
    assert any(note.startswith("Content not yet checked") for note in law.notes)
    with pytest.raises(ValidationError):
        PipedaLaw.model_validate(raw | {"unexpected": True})
