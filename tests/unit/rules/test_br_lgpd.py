"""LGPD Art. 48 + Resolution 15/2024: relevant risk, 3/6 and 20 business days, data subjects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from pydantic import ValidationError

import herald.deadlines
from herald.models import Audience, Channel, Evaluation, IncidentFacts, Obligation, RiskLevel
from herald.rules import ELEMENTS, evaluate
from herald.rules.base import Context
from herald.rules.br_lgpd import DATA_FILE, BrLgpd, LgpdLaw, load_rules

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
LAST_INSTANT = time(23, 59, 59, 999999)

# Business days come from herald.deadlines.business_days_after, added alongside this regime.
needs_business_days = pytest.mark.skipif(
    not hasattr(herald.deadlines, "business_days_after"),
    reason="herald.deadlines.business_days_after is not available yet",
)


@pytest.fixture
def br_facts(make_facts: FactsFactory) -> FactsFactory:
    """A São Paulo controller, aware on Friday 17 Apr 2026 at 10:00; credentials exposed.

    The following Tuesday, 21 April, is Tiradentes' Day, a national holiday.
    """

    def build(**overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-04-17T10:00:00-03:00",
            "discovered_at": None,
            "entity": {
                "name": "Exemplo Ltda",
                "established_in": ["BR-SP"],
                "timezone": "America/Sao_Paulo",
            },
            "data_categories": ["name", "email", "account_credentials"],
            "affected": [{"jurisdiction": "BR-SP", "count": 900}],
        }
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> Evaluation:
    return evaluate(facts, regimes=[BrLgpd()])


def lgpd(evaluation: Evaluation) -> dict[str, Obligation]:
    return {o.id: o for o in evaluation.obligations}


def end_of_day(year: int, month: int, day: int) -> datetime:
    """The last instant of a São Paulo day, in UTC (Brazil has had no DST since 2019)."""
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=SAO_PAULO).astimezone(UTC)


@needs_business_days
def test_anpd_is_due_in_3_business_days_across_a_weekend_and_a_holiday(
    br_facts: FactsFactory,
) -> None:
    # Fri 17 Apr → Mon 20 (1), Tue 21 Tiradentes (skipped), Wed 22 (2), Thu 23 (3).
    found = lgpd(run(br_facts()))

    anpd = found["br-lgpd-regulator"]
    assert anpd.due_at == datetime(2026, 4, 24, 2, 59, 59, 999999, tzinfo=UTC)
    assert anpd.due_at == end_of_day(2026, 4, 23)
    assert anpd.due_at.astimezone(SAO_PAULO).time() == LAST_INSTANT
    assert anpd.audience is Audience.REGULATOR
    assert anpd.recipient == "Autoridade Nacional de Proteção de Dados (ANPD)"
    assert anpd.language == "pt-BR"
    assert anpd.channels == [Channel.REPORT]
    assert anpd.clock == "awareness"
    assert anpd.clock_started_at == datetime(2026, 4, 17, 13, 0, tzinfo=UTC)
    assert anpd.citation == "LGPD Art. 48; Resolução CD/ANPD nº 15/2024 Art. 6"
    assert anpd.jurisdictions == ["BR-SP"]
    assert anpd.affected_count == 900
    assert anpd.warnings == []


@needs_business_days
def test_data_subjects_are_due_in_3_business_days(br_facts: FactsFactory) -> None:
    individuals = lgpd(run(br_facts()))["br-lgpd-individuals"]

    assert individuals.audience is Audience.INDIVIDUALS
    assert individuals.due_at == end_of_day(2026, 4, 23)
    assert individuals.language == "pt-BR"
    assert any("90 days" in r for r in individuals.reasons)


@needs_business_days
def test_small_processing_agents_get_6_business_days_for_the_anpd_only(
    br_facts: FactsFactory,
) -> None:
    facts = br_facts(
        entity={
            "name": "Exemplo ME",
            "established_in": ["BR-SP"],
            "timezone": "America/Sao_Paulo",
            "small_agent": True,
        }
    )

    found = lgpd(run(facts))

    # Thu 23 (3), Fri 24 (4), Mon 27 (5), Tue 28 (6).
    assert found["br-lgpd-regulator"].due_at == end_of_day(2026, 4, 28)
    assert any("small_agent is true" in r for r in found["br-lgpd-regulator"].reasons)
    assert found["br-lgpd-individuals"].due_at == end_of_day(2026, 4, 23)


@needs_business_days
def test_supplement_is_chained_20_business_days_after_the_communication_deadline(
    br_facts: FactsFactory,
) -> None:
    # From Thu 23 Apr: 24, 27-30 (5), Fri 1 May Labour Day skipped, 4-8 (10), 11-15 (15),
    # 18-22 (20).
    supplement = lgpd(run(br_facts()))["br-lgpd-regulator-supplement"]

    assert supplement.due_at == end_of_day(2026, 5, 22)
    assert supplement.audience is Audience.REGULATOR
    assert supplement.clock == "anpd_communication"
    assert supplement.clock_started_at is None
    assert any("Chained to the ANPD communication" in w for w in supplement.warnings)


@needs_business_days
def test_supplement_resolves_from_the_filed_communication(br_facts: FactsFactory) -> None:
    filed = datetime(2026, 4, 20, 15, 0, tzinfo=UTC)  # Monday
    ctx = Context(
        facts=br_facts(),
        assessment=None,
        risk=RiskLevel.HIGH,
        risk_reasons=[],
        notified={"br-lgpd-regulator": filed},
    )

    found = {o.id: o for o in BrLgpd().evaluate(ctx).obligations}

    # From Mon 20 Apr: 22-24 (3), 27-30 (7), 4-8 May (12), 11-15 (17), 18-20 (20).
    supplement = found["br-lgpd-regulator-supplement"]
    assert supplement.due_at == end_of_day(2026, 5, 20)
    assert supplement.clock_started_at == filed
    assert supplement.warnings == []


@needs_business_days
def test_earlier_guidance_applies_before_resolution_15(br_facts: FactsFactory) -> None:
    # Thursday 25 Apr 2024, the day before the Resolution: 2 business days, Fri 26 and Mon 29.
    found = lgpd(run(br_facts(aware_at="2024-04-25T10:00:00-03:00")))

    assert found["br-lgpd-regulator"].due_at == end_of_day(2024, 4, 29)
    assert found["br-lgpd-individuals"].due_at is None
    assert found["br-lgpd-regulator-supplement"].due_at == end_of_day(2024, 5, 29)  # 30 days


@needs_business_days
def test_entity_timezone_decides_the_calendar(br_facts: FactsFactory) -> None:
    # 01:00 UTC on Saturday 18 Apr is still Friday evening in São Paulo, but Saturday in UTC.
    facts = br_facts(aware_at="2026-04-18T01:00:00+00:00")
    in_utc = br_facts(
        aware_at="2026-04-18T01:00:00+00:00",
        entity={"name": "Exemplo Ltda", "established_in": ["BR"], "timezone": "UTC"},
    )

    assert lgpd(run(facts))["br-lgpd-regulator"].due_at == end_of_day(2026, 4, 23)
    assert lgpd(run(in_utc))["br-lgpd-regulator"].due_at == datetime(
        2026, 4, 23, 23, 59, 59, 999999, tzinfo=UTC
    )


def test_no_risk_means_nothing_to_communicate(br_facts: FactsFactory) -> None:
    evaluation = run(br_facts(risk="none"))

    assert evaluation.obligations == []
    [decision] = evaluation.decisions
    assert decision.applies is True
    assert any("incident register" in r for r in decision.reasons)


def test_risk_without_a_data_criterion_is_not_relevant(br_facts: FactsFactory) -> None:
    evaluation = run(br_facts(data_categories=["name", "email"]))

    assert evaluation.obligations == []
    [decision] = evaluation.decisions
    assert decision.applies is True
    assert any("meets none of the data criteria" in r for r in decision.reasons)
    assert any("large-scale" in r for r in decision.reasons)


@needs_business_days
@pytest.mark.parametrize(
    ("categories", "criterion"),
    [
        (["health"], "sensitive personal data"),
        (["children"], "data of children or adolescents"),
        (["payment_card"], "financial data"),
        (["account_credentials"], "system authentication data"),
    ],
)
def test_each_data_criterion_triggers(
    br_facts: FactsFactory, categories: list[str], criterion: str
) -> None:
    # The risk is forced to "risk" so that only the data criterion decides.
    evaluation = run(br_facts(data_categories=["name", *categories], risk="risk"))

    assert "br-lgpd-regulator" in lgpd(evaluation)
    assert any(criterion in r for r in evaluation.decisions[0].reasons)


@needs_business_days
def test_unknown_categories_are_assumed_to_meet_the_criterion(br_facts: FactsFactory) -> None:
    anpd = lgpd(run(br_facts(data_categories=[])))["br-lgpd-regulator"]

    assert any("categories are unknown" in w for w in anpd.warnings)


@needs_business_days
def test_scope_people_in_brazil_or_an_establishment_there(br_facts: FactsFactory) -> None:
    foreign = br_facts(
        entity={"name": "Example GmbH", "established_in": ["DE"], "timezone": "Europe/Berlin"},
        affected=[{"jurisdiction": "BR", "count": 5}, {"jurisdiction": "FR", "count": 7}],
    )
    established = br_facts(affected=[{"jurisdiction": "FR", "count": 7}])

    assert lgpd(run(foreign))["br-lgpd-regulator"].jurisdictions == ["BR"]
    assert lgpd(run(established))["br-lgpd-regulator"].jurisdictions == ["FR"]


def test_no_brazilian_link_is_not_applied(br_facts: FactsFactory) -> None:
    facts = br_facts(
        entity={"name": "Example GmbH", "established_in": ["DE"]},
        affected=[{"jurisdiction": "FR", "count": 7}],
    )

    evaluation = run(facts)

    assert evaluation.obligations == []
    assert evaluation.decisions[0].applies is False


def test_data_file_is_valid_sourced_and_strict() -> None:
    law = load_rules()
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))

    assert law.id == BrLgpd.id == "br-lgpd"
    assert [v.effective_from.isoformat() for v in law.versions][-1] == "2024-04-26"
    assert law.sources and any("UNCONFIRMED" in note for note in law.notes)
    assert any(note.startswith("Content not yet checked") for note in law.notes)
    for version in law.versions:
        for content in (
            version.regulator.content,
            version.supplement.content,
            version.individuals.content,
        ):
            assert set(content) <= set(ELEMENTS)
    with pytest.raises(ValidationError):
        LgpdLaw.model_validate(raw | {"unexpected": True})
