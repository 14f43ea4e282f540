"""NIS2 Art. 23: early warning 24 h, notification 72 h, final report one month later."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from pydantic import ValidationError

from herald.models import Audience, Channel, Evaluation, IncidentFacts, Obligation, RiskLevel
from herald.rules import ELEMENTS, evaluate
from herald.rules.base import Context
from herald.rules.eu_nis2 import (
    DATA_FILE,
    EuNis2,
    Nis2Law,
    end_of_day_months_after,
    load_rules,
)

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)
BERLIN = ZoneInfo("Europe/Berlin")
LAST_INSTANT = time(23, 59, 59, 999999)


@pytest.fixture
def nis2_facts(make_facts: FactsFactory) -> FactsFactory:
    """A German essential entity; a significant incident with no personal data at all."""

    def build(**overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-03-10T10:00:00+01:00",
            "discovered_at": None,
            "entity": {
                "name": "Netz GmbH",
                "established_in": ["DE"],
                "sectors": ["nis2_essential"],
                "timezone": "Europe/Berlin",
            },
            "data_categories": [],
            "affected": [],
            "risk": "high",
        }
        return make_facts(**(base | overrides))

    return build


def run(facts: IncidentFacts) -> Evaluation:
    return evaluate(facts, regimes=[EuNis2()])


def nis2(evaluation: Evaluation) -> dict[str, Obligation]:
    return {o.id: o for o in evaluation.obligations}


def test_significant_incident_without_personal_data_gets_three_reports(
    nis2_facts: FactsFactory,
) -> None:
    evaluation = run(nis2_facts())

    found = nis2(evaluation)
    assert sorted(found) == [
        "eu-nis2-other-service-recipients",
        "eu-nis2-regulator-early-warning",
        "eu-nis2-regulator-final",
        "eu-nis2-regulator-notification",
    ]
    early = found["eu-nis2-regulator-early-warning"]
    assert early.regime == "eu-nis2"
    assert early.audience is Audience.REGULATOR
    assert early.recipient == "Bundesamt für Sicherheit in der Informationstechnik (BSI)"
    assert early.language == "de"
    assert early.channels == [Channel.REPORT]
    assert early.affected_count == 0
    assert early.jurisdictions == []
    assert early.citation == "Directive (EU) 2022/2555 Art. 23(4)(a)"
    assert early.warnings == []
    assert evaluation.decisions[0].applies is True


def test_early_warning_and_notification_are_exact_hour_clocks_across_dst(
    nis2_facts: FactsFactory,
) -> None:
    # Central Europe springs forward on Sunday 29 Mar 2026: elapsed hours ignore it.
    found = nis2(run(nis2_facts(aware_at="2026-03-28T10:00:00+01:00")))

    assert found["eu-nis2-regulator-early-warning"].due_at == datetime(
        2026, 3, 29, 9, 0, tzinfo=UTC
    )
    assert found["eu-nis2-regulator-notification"].due_at == datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    for key in ("early-warning", "notification"):
        assert found[f"eu-nis2-regulator-{key}"].clock_started_at == datetime(
            2026, 3, 28, 9, 0, tzinfo=UTC
        )


def test_final_report_is_one_calendar_month_after_the_notification_deadline(
    nis2_facts: FactsFactory,
) -> None:
    # Notification due 31 Mar 2026 11:00 CEST; one month later is clamped to 30 April,
    # ending at 23:59:59.999999 Berlin summer time.
    found = nis2(run(nis2_facts(aware_at="2026-03-28T10:00:00+01:00")))

    final = found["eu-nis2-regulator-final"]
    assert final.due_at == datetime(2026, 4, 30, 21, 59, 59, 999999, tzinfo=UTC)
    assert final.due_at.astimezone(BERLIN).time() == LAST_INSTANT
    assert final.clock == "incident_notification"
    assert final.clock_started_at is None
    assert any("Chained to the incident notification" in w for w in final.warnings)
    assert any("calendar month" in r for r in final.reasons)


def test_final_report_clamps_to_the_end_of_february(nis2_facts: FactsFactory) -> None:
    # Notification due Saturday 31 Jan 2026 10:00 CET; 2026 is no leap year.
    final = nis2(run(nis2_facts(aware_at="2026-01-28T10:00:00+01:00")))["eu-nis2-regulator-final"]

    assert final.due_at == datetime(2026, 2, 28, 22, 59, 59, 999999, tzinfo=UTC)


def test_final_report_resolves_from_the_filed_notification(nis2_facts: FactsFactory) -> None:
    facts = nis2_facts()
    filed = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
    ctx = Context(
        facts=facts,
        assessment=None,
        risk=RiskLevel.HIGH,
        risk_reasons=[],
        notified={"eu-nis2-regulator-notification": filed},
    )

    found = {o.id: o for o in EuNis2().evaluate(ctx).obligations}

    final = found["eu-nis2-regulator-final"]
    assert final.due_at == datetime(2026, 4, 11, 21, 59, 59, 999999, tzinfo=UTC)
    assert final.clock_started_at == filed
    assert not any("Chained" in w for w in final.warnings)


def test_month_arithmetic_keeps_the_day_and_uses_the_entity_zone() -> None:
    start = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)  # already 1 Feb in Berlin

    assert end_of_day_months_after(start, 1, "Europe/Berlin") == datetime(
        2026, 3, 1, 22, 59, 59, 999999, tzinfo=UTC
    )
    assert end_of_day_months_after(start, 1, "UTC") == datetime(
        2026, 2, 28, 23, 59, 59, 999999, tzinfo=UTC
    )
    assert end_of_day_months_after(start, 13, "UTC") == datetime(
        2027, 2, 28, 23, 59, 59, 999999, tzinfo=UTC
    )


def test_service_recipients_are_an_other_audience_without_an_instant(
    nis2_facts: FactsFactory,
) -> None:
    facts = nis2_facts(affected=[{"jurisdiction": "DE", "count": 1200}])

    recipients = nis2(run(facts))["eu-nis2-other-service-recipients"]

    assert recipients.audience is Audience.OTHER
    assert recipients.due_at is None
    assert recipients.language == "de"
    assert recipients.affected_count == 1200
    assert any("Where appropriate" in w for w in recipients.warnings)


def test_risk_below_high_is_not_a_significant_incident(nis2_facts: FactsFactory) -> None:
    evaluation = run(nis2_facts(risk="risk"))

    assert evaluation.obligations == []
    [decision] = evaluation.decisions
    assert decision.applies is True
    assert any("not treated as significant" in r for r in decision.reasons)


def test_entity_without_a_nis2_designation_is_not_applied(nis2_facts: FactsFactory) -> None:
    facts = nis2_facts(entity={"name": "Shop GmbH", "established_in": ["DE"]})

    evaluation = run(facts)

    assert evaluation.obligations == []
    assert evaluation.decisions[0].applies is False


def test_nothing_before_nis2_applies(nis2_facts: FactsFactory) -> None:
    evaluation = run(nis2_facts(aware_at="2024-10-17T12:00:00+02:00"))

    assert evaluation.decisions[0].applies is False


def test_lead_authority_picks_the_member_state(nis2_facts: FactsFactory) -> None:
    facts = nis2_facts(
        entity={
            "name": "Réseau SA",
            "established_in": ["DE", "FR"],
            "lead_authority": "FR",
            "sectors": ["nis2_important"],
        }
    )

    early = nis2(run(facts))["eu-nis2-regulator-early-warning"]

    assert early.recipient.startswith("Agence nationale de la sécurité")
    assert early.language == "fr"
    assert early.warnings == []


def test_several_establishments_warn_and_use_the_first(nis2_facts: FactsFactory) -> None:
    facts = nis2_facts(
        entity={"name": "Netz AG", "established_in": ["AT", "DE"], "sectors": ["nis2_essential"]}
    )

    early = nis2(run(facts))["eu-nis2-regulator-early-warning"]

    assert early.recipient == "National CSIRT or NIS2 competent authority of Austria (AT)"
    assert early.language == "de"
    assert any("several member states" in w for w in early.warnings)
    assert any("No contact is known" in w for w in early.warnings)


def test_no_eu_member_state_is_warned(nis2_facts: FactsFactory) -> None:
    facts = nis2_facts(
        entity={"name": "Net Inc", "established_in": ["US-CA"], "sectors": ["nis2_essential"]}
    )

    early = nis2(run(facts))["eu-nis2-regulator-early-warning"]

    assert "(unknown)" in early.recipient
    assert early.language == "en"
    assert any("CSIRT to report to is unknown" in w for w in early.warnings)


def test_data_file_is_valid_sourced_and_strict() -> None:
    law = load_rules()
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))

    assert law.id == EuNis2.id == "eu-nis2"
    assert law.sources and any("UNCONFIRMED" in note for note in law.notes)
    assert any(note.startswith("Content not yet checked") for note in law.notes)
    for version in law.versions:
        for rule in (version.early_warning, version.notification, version.final):
            assert set(rule.content) <= set(ELEMENTS)
    with pytest.raises(ValidationError):
        Nis2Law.model_validate(raw | {"unexpected": True})
    with pytest.raises(ValidationError):
        Nis2Law.model_validate(raw | {"languages": {"NO": "no"}})  # EEA, not EU
