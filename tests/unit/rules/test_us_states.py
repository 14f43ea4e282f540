"""The generic US state-law interpreter: residents' notice, scope, versions, exceptions, files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from herald.models import Audience, Channel, DataCategory, IncidentFacts
from herald.rules import ELEMENTS, REGIMES
from herald.rules import us_states as module
from herald.rules.statelaw import DATA_DIR, PersonalInformation, state_laws
from herald.rules.us_states import personal_information, state_regimes
from tests.unit.rules.us_state_laws import RESIDENTS_DUE, individuals, law, notice, run, version

FactsFactory = Callable[..., IncidentFacts]  # the `make_facts` fixture (conftest.py)

# --- residents ---------------------------------------------------------------------------


def test_residents_notice_counts_calendar_days_from_the_clock(ny_facts: FactsFactory) -> None:
    found, decision = run(law(), ny_facts())
    residents = found["us-ny-individuals"]

    assert residents.due_at == RESIDENTS_DUE
    assert residents.clock == "discovery"
    assert residents.clock_started_at == datetime(2026, 3, 3, 20, 0, tzinfo=UTC)
    assert residents.regime == "us-ny" and residents.audience is Audience.INDIVIDUALS
    assert residents.recipient == "Affected New York residents"
    assert residents.jurisdictions == ["US-NY"] and residents.affected_count == 650
    assert residents.citation == "Test Act §2" and residents.deadline.startswith("Within 30")
    assert residents.channels == [Channel.LETTER, Channel.EMAIL]  # the schema's default
    assert residents.reasons[0].startswith("Test Act: ")
    assert decision.applies and decision.obligations == ["us-ny-individuals"]


def test_no_fixed_period_gives_no_instant(ny_facts: FactsFactory) -> None:
    state = law(version(individuals=individuals(timing={"kind": "none"})))

    residents = run(state, ny_facts())[0]["us-ny-individuals"]

    assert residents.due_at is None
    assert any("no fixed period" in r for r in residents.reasons)


def test_business_days_skip_weekends_and_the_state_s_holidays(ny_facts: FactsFactory) -> None:
    timing = {"kind": "days_after_clock", "days": 3, "business_days": True}
    state = law(version(individuals=individuals(timing=timing)))
    # Friday 22 May 2026; Memorial Day is Monday 25 May: Tue, Wed, Thu count.
    facts = ny_facts(aware_at="2026-05-22T10:00:00-04:00", discovered_at=None)

    residents = run(state, facts)[0]["us-ny-individuals"]

    assert residents.due_at == datetime(2026, 5, 29, 3, 59, 59, 999_999, tzinfo=UTC)
    assert any("3 business days" in r for r in residents.reasons)


def test_business_days_use_the_entity_zone_and_the_state_calendar(
    ny_facts: FactsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[datetime, int, str, str | None]] = []
    fixed = datetime(2026, 3, 20, 3, 59, 59, 999_999, tzinfo=UTC)

    def fake(start: datetime, days: int, *, tz: str, subdivision: str | None = None) -> datetime:
        calls.append((start, days, tz, subdivision))
        return fixed

    monkeypatch.setattr(module, "business_days_after", fake)
    timing = {"kind": "days_after_clock", "days": 10, "business_days": True}
    state = law(version(individuals=individuals(timing=timing)))
    facts = ny_facts(entity={"name": "Example GmbH", "timezone": "Europe/Berlin"})

    residents = run(state, facts)[0]["us-ny-individuals"]

    assert residents.due_at == fixed
    assert calls == [(datetime(2026, 3, 3, 20, 0, tzinfo=UTC), 10, "Europe/Berlin", "US-NY")]


def test_a_missing_clock_instant_falls_back_with_a_warning(ny_facts: FactsFactory) -> None:
    state = law(version(clock="determination"))

    residents = run(state, ny_facts())[0]["us-ny-individuals"]

    assert residents.clock == "determination"
    assert residents.clock_started_at == datetime(2026, 3, 3, 20, 0, tzinfo=UTC)
    assert len(residents.warnings) == 1 and "determined_at" in residents.warnings[0]


def test_a_government_id_adds_its_content(ny_facts: FactsFactory) -> None:
    note = "Offer 24 months of identity theft prevention services."
    with_note = law(version(individuals=individuals(note_if_government_id=note)))

    found = run(law(), ny_facts())[0]["us-ny-individuals"]
    noted = run(with_note, ny_facts())[0]["us-ny-individuals"]
    card = run(law(), ny_facts(data_categories=["name", "payment_card"]))[0]

    assert found.required_content == ["what_happened", "contact_info", "cra_contacts"]
    assert any("must also contain: cra_contacts" in r for r in found.reasons)
    assert any("24 months" in r for r in noted.reasons)
    assert card["us-ny-individuals"].required_content == ["what_happened", "contact_info"]


def test_only_groups_with_personal_information_count(ny_facts: FactsFactory) -> None:
    facts = ny_facts(
        affected=[
            {"jurisdiction": "US-NY", "count": 300, "data_categories": ["name", "email"]},
            {"jurisdiction": "US-NY", "count": 400},
            {"jurisdiction": "FR", "count": 9},
        ]
    )

    found, decision = run(law(version(notices=[notice()])), facts)

    assert found["us-ny-individuals"].affected_count == 400
    assert "us-ny-regulator" not in found  # 400, not 700, is what the threshold sees
    assert decision.reasons[0] == "700 affected people reside in New York."


def test_no_resident_no_regime(ny_facts: FactsFactory) -> None:
    found, decision = run(law(), ny_facts(affected=[{"jurisdiction": "US-NJ", "count": 900}]))

    assert found == {}
    assert not decision.applies
    assert decision.reasons[0] == "No affected group resides in New York (US-NY)."


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        (["name", "payment_card"], True),
        (["account_credentials"], True),
        (["payment_card"], False),
        (["name", "health"], False),  # not in this state's list
        ([], False),
    ],
)
def test_personal_information_follows_the_state_s_definition(
    categories: list[str], expected: bool
) -> None:
    definition = PersonalInformation(
        with_name=[DataCategory.PAYMENT_CARD],
        alone=[DataCategory.ACCOUNT_CREDENTIALS],
        citation="Test Act §1",
    )

    is_pi, why = personal_information(definition, [DataCategory(c) for c in categories])

    assert is_pi is expected
    assert "Test Act §1" in why


# --- versions, encryption, risk of harm --------------------------------------------------


@pytest.mark.parametrize(
    ("aware_at", "label", "day"),
    [
        # 04:30 UTC on 1 January 2026 is still 31 December 2025 in New York (EST, -05:00).
        ("2026-01-01T04:30:00+00:00", "old rule", "2025-12-31"),
        ("2026-01-01T05:30:00+00:00", "new rule", "2026-01-01"),
    ],
)
def test_the_version_is_chosen_on_the_state_s_calendar(
    ny_facts: FactsFactory, aware_at: str, label: str, day: str
) -> None:
    state = law(
        version(label="old rule", individuals=individuals(timing={"kind": "none"})),
        version(effective_from="2026-01-01", label="new rule"),
    )

    found, decision = run(state, ny_facts(aware_at=aware_at, discovered_at=None))

    assert (found["us-ny-individuals"].due_at is None) is (label == "old rule")
    assert f"aware on {day} (New York date), so {label} applies." in decision.reasons[1]


def test_before_the_first_version_the_law_does_not_apply(ny_facts: FactsFactory) -> None:
    facts = ny_facts(aware_at="2019-06-01T12:00:00+00:00", discovered_at=None)

    found, decision = run(law(), facts)

    assert found == {} and not decision.applies
    assert "No version of Test Act was in force on 2019-06-01" in decision.reasons[0]


@pytest.mark.parametrize(
    ("encryption", "harbour", "notified"),
    [
        ({"encrypted": True, "key_compromised": False}, True, False),
        ({"encrypted": True, "key_compromised": True}, True, True),
        ({"encrypted": True, "key_compromised": False}, False, True),
        ({"encrypted": False}, True, True),
    ],
)
def test_the_encryption_safe_harbour(
    ny_facts: FactsFactory, encryption: dict[str, bool], harbour: bool, notified: bool
) -> None:
    found, decision = run(law(encryption_safe_harbour=harbour), ny_facts(encryption=encryption))

    assert ("us-ny-individuals" in found) is notified
    if not notified:
        assert any("key was not compromised" in r for r in decision.reasons)
    if encryption.get("key_compromised"):
        assert any("key was compromised" in r for r in decision.reasons)
    if not harbour:
        assert any("no encryption safe harbour" in r for r in decision.reasons)


@pytest.mark.parametrize(("risk", "notified"), [("none", False), ("risk", True), ("high", True)])
def test_the_risk_of_harm_exception(ny_facts: FactsFactory, risk: str, notified: bool) -> None:
    exception = "No notice is required if misuse is not reasonably likely."
    state = law(version(notices=[notice()]), risk_of_harm_exception=exception)

    found, decision = run(state, ny_facts(risk=risk))

    assert bool(found) is notified
    assert decision.applies
    assert any(exception in r for r in decision.reasons)
    if notified:
        assert any(f"does not apply because the risk is {risk}" in r for r in decision.reasons)


def test_without_an_exception_risk_none_still_notifies(ny_facts: FactsFactory) -> None:
    found, decision = run(law(), ny_facts(risk="none"))

    assert "us-ny-individuals" in found
    assert not any("risk-of-harm" in r for r in decision.reasons)


# --- the shipped files -------------------------------------------------------------------


def test_every_state_file_loads_into_one_regime() -> None:
    files = sorted(DATA_DIR.glob("*.yaml"))
    laws = state_laws()
    regimes = state_regimes()

    assert files and len(laws) == len(files)  # no two files for one jurisdiction
    assert sorted(f.stem for f in files) == [r.id for r in regimes]
    ids = [r.id for r in REGIMES]
    assert len(ids) == len(set(ids))
    for state in laws.values():
        for each in state.versions:
            elements = set(each.individuals.content) | set(
                each.individuals.content_if_government_id
            )
            elements |= {e for rule in each.notices for e in rule.content}
            assert elements <= set(ELEMENTS), (state.id, each.label, elements - set(ELEMENTS))
