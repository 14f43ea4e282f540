"""FTC Safeguards Rule: 500 or more consumers, unencrypted, 30 days after discovery."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, get_args

import pytest
import yaml
from pydantic import ValidationError

from herald.models import Audience, Channel, Evaluation, IncidentFacts
from herald.models.obligations import RegimeDecision
from herald.rules import evaluate
from herald.rules.ftc_safeguards import FtcSafeguards, FtcSafeguardsFile, ftc_safeguards_rules
from herald.rules.regime_data import DATA_DIR, ReportElement

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)


@pytest.fixture
def lender(make_facts: FactsFactory) -> FactsFactory:
    """A mortgage broker in Texas; discovered Tuesday 3 March 2026 at 15:00 CST."""

    def build(count: int = 500, **overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-03-04T09:00:00-06:00",
            "discovered_at": "2026-03-03T15:00:00-06:00",
            "entity": {
                "name": "Example Mortgage LLC",
                "established_in": ["US-TX"],
                "sectors": ["glba_financial_institution"],
                "timezone": "America/Chicago",
            },
            "data_categories": ["name", "financial_account"],
            "affected": [{"jurisdiction": "US-TX", "count": count}],
        }
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> Evaluation:
    return evaluate(facts, regimes=[FtcSafeguards()])


def decision(evaluation: Evaluation) -> RegimeDecision:
    [found] = evaluation.decisions
    return found


def test_500_consumers_go_to_the_ftc_within_30_days_of_discovery(lender: FactsFactory) -> None:
    [notice] = run(lender(500)).obligations

    assert notice.id == "ftc-safeguards-regulator"
    assert notice.audience is Audience.REGULATOR
    assert notice.recipient == "Federal Trade Commission (FTC)"
    # 3 March + 30 days = 2 April, ending at midnight CDT (-05:00).
    assert notice.due_at == datetime(2026, 4, 3, 4, 59, 59, 999_999, tzinfo=UTC)
    assert notice.clock == "discovery"
    assert notice.clock_started_at == datetime(2026, 3, 3, 21, 0, tzinfo=UTC)
    assert notice.affected_count == 500
    assert notice.jurisdictions == ["US-TX"]
    assert notice.channels == [Channel.REPORT]
    assert notice.citation == "16 CFR 314.4(j)(1)"
    assert "500 is 500 or more consumers" in notice.reasons[0]
    assert any("UNCONFIRMED" in w for w in notice.warnings)
    assert set(notice.required_content) <= set(get_args(ReportElement))


def test_499_consumers_need_no_notice(lender: FactsFactory) -> None:
    evaluation = run(lender(499))

    found = decision(evaluation)
    assert found.applies
    assert evaluation.obligations == []
    assert any("499 consumers is not 500 or more" in r for r in found.reasons)


def test_consumers_are_counted_across_jurisdictions(lender: FactsFactory) -> None:
    facts = lender(
        affected=[
            {"jurisdiction": "US-TX", "count": 480},
            {"jurisdiction": "US-OK", "count": 15},
            {"jurisdiction": "MX", "count": 5},
        ]
    )

    [notice] = run(facts).obligations

    assert notice.affected_count == 500
    assert notice.jurisdictions == ["MX", "US-OK", "US-TX"]


def test_a_group_with_nothing_exposed_is_not_counted(lender: FactsFactory) -> None:
    facts = lender(
        affected=[
            {"jurisdiction": "US-TX", "count": 499},
            {"jurisdiction": "US-OK", "count": 300, "data_categories": []},
        ]
    )

    evaluation = run(facts)

    assert evaluation.obligations == []
    assert any("499 consumers is not 500 or more" in r for r in decision(evaluation).reasons)


def test_no_individuals_duty_under_this_rule(lender: FactsFactory) -> None:
    evaluation = run(lender(5000))

    assert [o.audience for o in evaluation.obligations] == [Audience.REGULATOR]
    assert any("no notice to individuals" in r for r in decision(evaluation).reasons)


def test_encrypted_data_with_a_safe_key_is_no_notification_event(lender: FactsFactory) -> None:
    evaluation = run(lender(5000, encryption={"encrypted": True, "key_compromised": False}))

    found = decision(evaluation)
    assert found.applies
    assert evaluation.obligations == []
    assert any("no notification event" in r for r in found.reasons)


def test_encrypted_data_with_the_key_counts_as_unencrypted(lender: FactsFactory) -> None:
    evaluation = run(lender(5000, encryption={"encrypted": True, "key_compromised": True}))

    assert len(evaluation.obligations) == 1
    assert any("counts as unencrypted" in r for r in decision(evaluation).reasons)


def test_risk_none_does_not_lift_the_duty(lender: FactsFactory) -> None:
    assert len(run(lender(500, risk="none")).obligations) == 1


def test_unknown_categories_still_count_with_a_warning(lender: FactsFactory) -> None:
    [notice] = run(lender(600, data_categories=[])).obligations

    assert any("No data category is recorded yet" in w for w in notice.warnings)


def test_missing_discovery_falls_back_with_a_warning(lender: FactsFactory) -> None:
    [notice] = run(lender(600, discovered_at=None)).obligations

    assert notice.clock_started_at == datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    assert notice.due_at == datetime(2026, 4, 4, 4, 59, 59, 999_999, tzinfo=UTC)
    assert any("discovered_at is not given" in w for w in notice.warnings)


def test_not_a_financial_institution(lender: FactsFactory) -> None:
    found = decision(run(lender(entity={"name": "Shop", "sectors": ["sec_registrant"]})))

    assert not found.applies
    assert "glba_financial_institution" in found.reasons[0]


def test_rule_not_in_force_before_13_may_2024(lender: FactsFactory) -> None:
    facts = lender(aware_at="2024-05-12T12:00:00-04:00", discovered_at=None)

    found = decision(run(facts))

    assert not found.applies
    assert "2024-05-13" in found.reasons[0]
    # From the effective date itself, it applies.
    assert run(lender(aware_at="2024-05-13T00:30:00-04:00", discovered_at=None)).obligations


def test_data_file_rejects_unknown_keys_and_names_sources() -> None:
    data = yaml.safe_load((DATA_DIR / "ftc-safeguards.yaml").read_text(encoding="utf-8"))
    data["versions"][0]["threshold"] = {"at_least": 500, "more_than": 499}

    with pytest.raises(ValidationError, match="exactly one"):
        FtcSafeguardsFile.model_validate(data)
    data["versions"][0]["threshold"] = {"at_least": 500}
    data["extra"] = True
    with pytest.raises(ValidationError, match="extra"):
        FtcSafeguardsFile.model_validate(data)
    rules = ftc_safeguards_rules()
    assert rules.id == FtcSafeguards.id == "ftc-safeguards"
    assert rules.sources and any(n.startswith("Content not yet checked") for n in rules.notes)
