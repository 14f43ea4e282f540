"""design.md: "an incident with no personal data can still oblige a filing (SEC 8-K, NIS2,
CAC)" — and only those; the data protection laws impose nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from herald.models import Entity, IncidentFacts, RiskLevel, Sector
from herald.rules import evaluate

FACTS = IncidentFacts(
    aware_at=datetime(2026, 3, 2, 8, 15, tzinfo=UTC),
    determined_at=datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
    entity=Entity(
        name="GridCo",
        established_in=["DE", "GB", "CN-SH"],
        timezone="Europe/Berlin",
        sectors=[Sector.SEC_REGISTRANT, Sector.NIS2_ESSENTIAL, Sector.CII_OPERATOR],
    ),
    risk=RiskLevel.HIGH,
)


def test_only_the_non_personal_data_filings_remain() -> None:
    evaluation = evaluate(FACTS)
    regimes = {o.regime for o in evaluation.obligations}
    assert regimes == {"sec-8k", "eu-nis2", "cn-cac-incident"}
    decided = {d.regime: d for d in evaluation.decisions}
    for regime in ("gdpr", "uk-gdpr"):
        assert decided[regime].obligations == []
        assert any("not a personal data breach" in r for r in decided[regime].reasons)


def test_personal_data_categories_alone_make_it_a_personal_data_breach() -> None:
    facts = IncidentFacts.model_validate({**FACTS.model_dump(), "data_categories": ["email"]})
    regimes = {o.regime for o in evaluate(facts).obligations}
    assert {"gdpr", "uk-gdpr"} <= regimes
