"""The generic US state-law interpreter: notices to others, their thresholds and timings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from herald.models import Assessment, Audience, Channel, IncidentFacts
from herald.rules.us_states import StateRegime
from tests.unit.rules.us_state_laws import RESIDENTS_DUE, individuals, law, notice, run, version

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)

# --- notices to others -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "count", "required", "words"),
    [
        ({"more_than": 500}, 500, False, "500 residents is not more than 500"),
        ({"more_than": 500}, 501, True, "501 residents: more than 500"),
        ({"at_least": 500}, 499, False, "499 residents is not 500 or more"),
        ({"at_least": 500}, 500, True, "500 residents: 500 or more"),
    ],
)
def test_thresholds_keep_their_exact_boundary(
    ny_facts: FactsFactory, threshold: dict[str, int], count: int, required: bool, words: str
) -> None:
    state = law(version(notices=[notice(threshold=threshold)]))

    found, decision = run(state, ny_facts(count=count))

    assert ("us-ny-regulator" in found) is required
    if required:
        assert any(words in r for r in found["us-ny-regulator"].reasons)
    else:
        assert f"Attorney General: not required, {words} (Test Act §3)." in decision.reasons


def test_a_notice_with_the_residents_shares_their_deadline(ny_facts: FactsFactory) -> None:
    found = run(law(version(notices=[notice()])), ny_facts())[0]
    ag = found["us-ny-regulator"]

    assert ag.due_at == RESIDENTS_DUE
    assert ag.audience is Audience.REGULATOR and ag.recipient == "Attorney General"
    assert ag.contact == "https://ag.example.org/breach"
    assert ag.channels == [Channel.REPORT]
    assert ag.required_content == ["sample_notice", "affected_count"]
    assert ag.citation == "Test Act §3" and ag.affected_count == 650
    assert ag.clock == "consumer_notice" and ag.clock_started_at is None
    assert ag.reasons[0].startswith("Test Act: notice to Attorney General is required")


def test_a_notice_days_after_the_residents_is_chained_to_their_deadline(
    ny_facts: FactsFactory,
) -> None:
    timing = {"kind": "days_after_individuals", "days": 15}
    state = law(version(notices=[notice(timing=timing)]))

    ag = run(state, ny_facts())[0]["us-ny-regulator"]

    # 2 April + 15 days = 17 April, end of the day in New York.
    assert ag.due_at == datetime(2026, 4, 18, 3, 59, 59, 999_999, tzinfo=UTC)
    assert any("until then computed from the residents' deadline" in r for r in ag.reasons)
    assert ag.warnings == []


def test_once_residents_are_notified_the_chain_resolves_from_that_instant(
    ny_facts: FactsFactory,
) -> None:
    timing = {"kind": "days_after_individuals", "days": 15}
    sent = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)

    found = run(
        law(version(notices=[notice(timing=timing)])),
        ny_facts(),
        notified={"us-ny-individuals": sent},
    )[0]

    # 20 March + 15 days = 4 April, end of the day in New York.
    assert found["us-ny-regulator"].due_at == datetime(2026, 4, 5, 3, 59, 59, 999_999, tzinfo=UTC)
    assert found["us-ny-regulator"].clock_started_at == sent


def test_a_chained_notice_without_a_residents_deadline_warns(ny_facts: FactsFactory) -> None:
    timing = {"kind": "days_after_individuals", "days": 15}
    state = law(
        version(individuals=individuals(timing={"kind": "none"}), notices=[notice(timing=timing)])
    )

    ag = run(state, ny_facts())[0]["us-ny-regulator"]

    assert ag.due_at is None
    assert any("Chained to the residents' notice" in w for w in ag.warnings)


@pytest.mark.parametrize(
    ("timing", "due"),
    [
        # 3 March + 10 days = 13 March, after the switch to EDT (8 March): 04:00 UTC.
        ({"kind": "days_after_clock", "days": 10}, datetime(2026, 3, 14, 3, 59, 59, 999_999, UTC)),
        # Ten business days: 4-6, 9-13, 16 and 17 March.
        (
            {"kind": "days_after_clock", "days": 10, "business_days": True},
            datetime(2026, 3, 18, 3, 59, 59, 999_999, UTC),
        ),
        ({"kind": "none"}, None),
    ],
)
def test_a_notice_timed_from_the_clock(
    ny_facts: FactsFactory, timing: dict[str, Any], due: datetime | None
) -> None:
    ag = run(law(version(notices=[notice(timing=timing)])), ny_facts())[0]["us-ny-regulator"]

    assert ag.due_at == due
    assert ag.clock == "discovery"
    assert ag.clock_started_at == datetime(2026, 3, 3, 20, 0, tzinfo=UTC)


def test_a_notice_limited_to_a_sector(ny_facts: FactsFactory) -> None:
    state = law(version(notices=[notice(when_sector=["hipaa_covered_entity"])]))
    covered = {
        "name": "Clinic",
        "timezone": "America/New_York",
        "sectors": ["hipaa_covered_entity"],
    }

    found, decision = run(state, ny_facts())
    in_sector = run(state, ny_facts(entity=covered))[0]

    assert "us-ny-regulator" not in found
    assert any("not in the sector(s) hipaa_covered_entity" in r for r in decision.reasons)
    assert "us-ny-regulator" in in_sector


def test_keys_tell_notices_to_one_audience_apart(ny_facts: FactsFactory) -> None:
    notices = [
        notice(key="ag"),
        notice(key="consumer-affairs", recipient="Division of Consumer Protection"),
        notice(audience="credit_reporting_agencies", recipient="Credit bureaus"),
        notice(audience="media", recipient="Statewide media", threshold={"more_than": 5000}),
    ]

    found, decision = run(law(version(notices=notices)), ny_facts(count=1500))

    assert sorted(found) == [
        "us-ny-credit-reporting-agencies",
        "us-ny-individuals",
        "us-ny-regulator-ag",
        "us-ny-regulator-consumer-affairs",
    ]
    assert found["us-ny-credit-reporting-agencies"].audience is Audience.CREDIT_REPORTING_AGENCIES
    assert any("Statewide media: not required" in r for r in decision.reasons)


@pytest.mark.parametrize(
    "bad",
    [
        version(notices=[notice(), notice(recipient="Someone else")]),
        version(notices=[notice(audience="public")]),
        version(individuals=individuals(timing={"kind": "with_individuals"})),
    ],
)
def test_data_the_interpreter_cannot_read_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="us-ny"):
        StateRegime(law(bad))


# --- substitute notice -------------------------------------------------------------------


def test_substitute_notice_from_the_file(ny_facts: FactsFactory) -> None:
    substitute = {
        "people_over": 100000,
        "methods": ["email", "website posting"],
        "posting_days": 45,
        "citation": "Test Act §4",
    }
    note = "UNCONFIRMED: the substitute-notice threshold."
    state = law(version(substitute=substitute), notes=[note, "UNCONFIRMED: something else."])
    assessment = Assessment(total=650, unreachable=20, contactable={"email": 630})

    found, decision = run(state, ny_facts(), assessment)
    public = found["us-ny-public"]

    assert public.due_at == RESIDENTS_DUE and public.affected_count == 20
    assert public.channels == [Channel.WEB, Channel.EMAIL]
    assert public.citation == "Test Act §4" and "at least 45 days" in public.deadline
    assert note in public.warnings and "UNCONFIRMED: something else." not in public.warnings
    assert any("size (> 100,000 people) branch" in r for r in public.reasons)
    assert any("substitute notice applies" in r for r in decision.reasons)


def test_no_substitute_notice_when_the_law_has_no_contact_branch(ny_facts: FactsFactory) -> None:
    substitute = {"insufficient_contact": False, "methods": ["media"], "citation": "Test Act §4"}
    assessment = Assessment(total=650, unreachable=20, contactable={"email": 630})

    found, decision = run(law(version(substitute=substitute)), ny_facts(), assessment)

    assert "us-ny-public" not in found
    assert any("allows no substitute notice" in r for r in decision.reasons)
