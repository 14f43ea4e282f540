"""SEC Form 8-K Item 1.05: four business days after the materiality determination."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any, get_args
from zoneinfo import ZoneInfo

import pytest
import yaml
from pydantic import ValidationError

from herald.models import Audience, Channel, Evaluation, IncidentFacts, Obligation
from herald.models.obligations import RegimeDecision
from herald.rules import evaluate
from herald.rules.regime_data import DATA_DIR, ReportElement
from herald.rules.sec_8k import Sec8k, Sec8kFile, sec_8k_rules

# The SEC calendar arrives in herald.deadlines alongside this regime; skip cleanly without it.
_deadlines = pytest.importorskip("herald.deadlines")
if not hasattr(_deadlines, "sec_business_days_after"):
    pytest.skip(
        "herald.deadlines.sec_business_days_after is not there yet", allow_module_level=True
    )

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def registrant(make_facts: FactsFactory) -> FactsFactory:
    """A listed company in New York; override determined_at per test."""

    def build(**overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-03-02T09:00:00-05:00",
            "discovered_at": "2026-03-01T22:00:00-05:00",
            "determined_at": "2026-03-04T11:00:00-05:00",
            "entity": {
                "name": "Example Corp",
                "established_in": ["US-NY"],
                "sectors": ["sec_registrant"],
                "timezone": "America/New_York",
            },
            "data_categories": [],
            "affected": [],
        }
        return make_facts(**(base | overrides))

    return build


def filing(evaluation: Evaluation) -> Obligation:
    [found] = evaluation.obligations
    assert found.id == "sec-8k-regulator"
    return found


def decision(evaluation: Evaluation) -> RegimeDecision:
    [found] = evaluation.decisions
    return found


def run(facts: IncidentFacts) -> Evaluation:
    return evaluate(facts, regimes=[Sec8k()])


def end_of_eastern_day(year: int, month: int, day: int) -> datetime:
    return datetime.combine(
        datetime(year, month, day).date(), time(23, 59, 59, 999_999), tzinfo=NEW_YORK
    ).astimezone(UTC)


def test_four_business_days_skip_the_weekend(registrant: FactsFactory) -> None:
    # Determined Friday 6 March 2026: Mon 9, Tue 10, Wed 11, Thu 12 March (EDT from 8 March).
    notice = filing(run(registrant(determined_at="2026-03-06T15:00:00-05:00")))

    assert notice.due_at == datetime(2026, 3, 13, 3, 59, 59, 999_999, tzinfo=UTC)
    assert notice.due_at == end_of_eastern_day(2026, 3, 12)
    assert notice.clock == "determination"
    assert notice.clock_started_at == datetime(2026, 3, 6, 20, 0, tzinfo=UTC)


def test_a_weekend_determination_starts_on_the_next_business_day(registrant: FactsFactory) -> None:
    # General Instruction B.1: Saturday → the period begins on, and includes, Monday 9 March.
    notice = filing(run(registrant(determined_at="2026-03-07T10:00:00-05:00")))

    assert notice.due_at == end_of_eastern_day(2026, 3, 12)


def test_a_federal_holiday_is_not_a_business_day(registrant: FactsFactory) -> None:
    # Determined Wednesday 1 July 2026. Independence Day falls on a Saturday and is observed
    # on Friday 3 July: Thu 2, Mon 6, Tue 7, Wed 8 July.
    notice = filing(run(registrant(determined_at="2026-07-01T16:00:00-04:00")))

    assert notice.due_at == end_of_eastern_day(2026, 7, 8)
    assert notice.due_at == datetime(2026, 7, 9, 3, 59, 59, 999_999, tzinfo=UTC)


def test_thanksgiving_is_skipped(registrant: FactsFactory) -> None:
    # Wed 25 Nov 2026; Thursday 26 is Thanksgiving: Fri 27, Mon 30, Tue 1, Wed 2 December.
    notice = filing(run(registrant(determined_at="2026-11-25T10:00:00-05:00")))

    assert notice.due_at == datetime(2026, 12, 3, 4, 59, 59, 999_999, tzinfo=UTC)


def test_the_final_day_ends_in_the_entity_s_time_zone(registrant: FactsFactory) -> None:
    # design.md: a day-count deadline is the last instant of its final day in
    # entity.timezone. 22:30 Eastern on Friday is already Saturday in Berlin; either way the
    # four days are Mon 9 .. Thu 12 March, and Thursday ends at midnight Berlin time.
    facts = registrant(
        determined_at="2026-03-07T04:30:00+01:00",
        entity={"name": "Beispiel AG", "sectors": ["sec_registrant"], "timezone": "Europe/Berlin"},
    )

    notice = filing(run(facts))

    assert notice.clock_started_at == datetime(2026, 3, 7, 3, 30, tzinfo=UTC)
    assert notice.due_at == datetime(2026, 3, 12, 22, 59, 59, 999_999, tzinfo=UTC)


def test_an_entity_without_a_time_zone_gets_the_end_of_the_utc_day(
    registrant: FactsFactory,
) -> None:
    # Wed 25 Nov 2026; Thanksgiving on Thursday: Fri 27, Mon 30, Tue 1, Wed 2 December.
    facts = registrant(
        determined_at="2026-11-25T14:00:00Z",
        entity={"name": "Acme Corp", "sectors": ["sec_registrant"]},
    )

    notice = filing(run(facts))

    assert notice.due_at == datetime(2026, 12, 2, 23, 59, 59, 999_999, tzinfo=UTC)
    assert not any("Commission's own day ends earlier" in w for w in notice.warnings)


def test_the_earlier_of_the_commission_s_and_the_entity_s_dates_counts(
    registrant: FactsFactory,
) -> None:
    # Thursday 5 March 22:00 Eastern is Friday in UTC. Counted from the Commission's
    # Thursday: Fri 6, Mon 9, Tue 10, Wed 11; from the entity's Friday it would be Thu 12.
    # The earlier final day is kept, and printed in the entity's zone (UTC).
    facts = registrant(
        determined_at="2026-03-05T22:00:00-05:00",
        entity={"name": "Acme Corp", "sectors": ["sec_registrant"]},
    )

    assert filing(run(facts)).due_at == datetime(2026, 3, 11, 23, 59, 59, 999_999, tzinfo=UTC)


def test_an_entity_west_of_eastern_time_is_told_when_the_commission_s_day_ends(
    registrant: FactsFactory,
) -> None:
    facts = registrant(
        determined_at="2026-03-06T12:00:00-08:00",
        entity={
            "name": "Pacific Corp",
            "sectors": ["sec_registrant"],
            "timezone": "America/Los_Angeles",
        },
    )

    notice = filing(run(facts))

    # Thursday 12 March ends at midnight Pacific time; the Commission's day three hours before.
    assert notice.due_at == datetime(2026, 3, 13, 6, 59, 59, 999_999, tzinfo=UTC)
    assert any(
        "Commission's own day ends earlier" in w and "2026-03-12T23:59:59.999999-04:00" in w
        for w in notice.warnings
    )


def test_reasons_make_the_filing_conditional_on_materiality(registrant: FactsFactory) -> None:
    evaluation = run(registrant())
    notice = filing(evaluation)

    assert notice.audience is Audience.REGULATOR
    assert notice.recipient == "SEC (EDGAR, Form 8-K Item 1.05)"
    assert notice.channels == [Channel.REPORT]
    assert notice.citation.startswith("Form 8-K Item 1.05(a)")
    text = " ".join(notice.reasons)
    assert "due only if the incident is determined to be material" in text
    assert "determined_at is taken as the materiality determination" in text
    assert "Attorney General" in text and "30 days" in text
    assert "FCC" in text
    assert "public filing" in text
    assert any("due only if" in r for r in decision(evaluation).reasons)
    assert any("UNCONFIRMED" in w for w in notice.warnings)


def test_missing_determination_falls_back_with_a_warning(registrant: FactsFactory) -> None:
    notice = filing(run(registrant(determined_at=None)))

    # The earliest known instant: discovery, Sunday 1 March 22:00 EST → Mon 2 .. Thu 5 March.
    assert notice.clock_started_at == datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    assert notice.due_at == end_of_eastern_day(2026, 3, 5)
    assert any("determined_at is not given" in w for w in notice.warnings)
    assert any("materiality must be determined" in w for w in notice.warnings)


def test_applies_without_personal_data(registrant: FactsFactory) -> None:
    notice = filing(run(registrant()))

    assert notice.affected_count == 0
    assert notice.jurisdictions == []


def test_not_a_registrant(registrant: FactsFactory) -> None:
    found = decision(run(registrant(entity={"name": "Private LLC", "sectors": []})))

    assert not found.applies
    assert found.reasons == ["The entity is not an SEC registrant (sector sec_registrant)."]


def test_item_105_was_not_in_force_before_18_december_2023(registrant: FactsFactory) -> None:
    facts = registrant(
        aware_at="2023-12-17T12:00:00-05:00",
        discovered_at=None,
        determined_at="2023-12-17T13:00:00-05:00",
    )

    found = decision(run(facts))

    assert not found.applies
    assert "2023-12-18" in found.reasons[0]


def test_smaller_reporting_companies_are_warned_before_15_june_2024(
    registrant: FactsFactory,
) -> None:
    early = filing(
        run(
            registrant(
                aware_at="2024-03-01T12:00:00-05:00",
                discovered_at=None,
                determined_at="2024-03-04T12:00:00-05:00",
            )
        )
    )
    later = filing(run(registrant()))

    assert any("smaller reporting company" in w for w in early.warnings)
    assert not any("smaller reporting company" in w for w in later.warnings)


def test_required_content_uses_only_checkable_elements(registrant: FactsFactory) -> None:
    notice = filing(run(registrant()))

    assert notice.required_content
    assert set(notice.required_content) <= set(get_args(ReportElement))


def test_data_file_rejects_unknown_keys_and_names_sources() -> None:
    data = yaml.safe_load((DATA_DIR / "sec-8k.yaml").read_text(encoding="utf-8"))
    data["versions"][0]["filing"]["calendar_days"] = 4

    with pytest.raises(ValidationError, match="calendar_days"):
        Sec8kFile.model_validate(data)
    rules = sec_8k_rules()
    assert rules.id == Sec8k.id == "sec-8k"
    assert rules.sources and any("UNCONFIRMED" in n for n in rules.notes)
