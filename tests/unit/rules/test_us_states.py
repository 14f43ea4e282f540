"""The generic US state-law interpreter: residents' notice, scope, versions, exceptions, files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from herald.models import (
    Assessment,
    Audience,
    Channel,
    DataCategory,
    IncidentFacts,
    Obligation,
    RegimeDecision,
)
from herald.rules import ELEMENTS, REGIMES, evaluate
from herald.rules import us_states as module
from herald.rules.statelaw import (
    DATA_DIR,
    Counts,
    HarmException,
    PersonalInformation,
    StateLaw,
    state_laws,
)
from herald.rules.us_states import StateRegime, personal_information, state_regimes
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


# --- an exception that lifts only some duties, and a written determination ----------------

FROM_CLOCK = {"kind": "days_after_clock", "days": 30}  # the AG's notice, not chained
DETERMINATION = {
    "recipient": "Attorney General",
    "contact": "ag@example.org",
    "threshold": {"more_than": 500},
    "timing": {"kind": "days_after_clock", "days": 10},
    "deadline": "Within 10 days of the determination.",
    "citation": "Test Act §5",
}


def lifting_residents(**overrides: Any) -> dict[str, Any]:
    """An exception lifting only the residents' notice, with a written determination."""
    data: dict[str, Any] = {
        "text": "No notice to residents if misuse is not reasonably likely.",
        "lifts": ["individuals"],
        "determination": DETERMINATION,
    }
    return data | overrides


def test_the_plain_string_exception_lifts_every_duty() -> None:
    state = law(risk_of_harm_exception="No notice if harm is unlikely.")

    assert state.risk_of_harm_exception == HarmException(text="No notice if harm is unlikely.")
    assert state.risk_of_harm_exception.lifts is None
    assert state.risk_of_harm_exception.lifts_individuals


def test_an_exception_lifting_the_residents_notice_keeps_the_others(
    ny_facts: FactsFactory,
) -> None:
    state = law(
        version(notices=[notice(timing=FROM_CLOCK)]),
        risk_of_harm_exception=lifting_residents(determination=None),
    )

    found, decision = run(state, ny_facts(risk="none"))

    assert sorted(found) == ["us-ny-regulator"]
    assert found["us-ny-regulator"].due_at == RESIDENTS_DUE  # 30 days from discovery
    assert decision.applies
    assert any(
        "lifts only the residents' notice (and any substitute notice); the other notices "
        'stay: "No notice to residents' in r
        for r in decision.reasons
    )
    assert (
        "650 New York residents had personal information exposed; the exception lifts their "
        "notice." in decision.reasons
    )


def test_the_written_determination_is_owed_when_its_threshold_is_met(
    ny_facts: FactsFactory,
) -> None:
    state = law(
        version(notices=[notice(timing=FROM_CLOCK)]), risk_of_harm_exception=lifting_residents()
    )

    found = run(state, ny_facts(risk="none"))[0]
    written = found["us-ny-regulator-determination"]

    assert sorted(found) == ["us-ny-regulator", "us-ny-regulator-determination"]
    # 3 March (discovery) + 10 days = 13 March, end of the day in New York (EDT).
    assert written.due_at == datetime(2026, 3, 14, 3, 59, 59, 999_999, tzinfo=UTC)
    assert written.audience is Audience.REGULATOR and written.recipient == "Attorney General"
    assert written.contact == "ag@example.org" and written.citation == "Test Act §5"
    assert written.deadline == "Within 10 days of the determination."
    assert written.clock == "discovery" and written.affected_count == 650
    assert written.reasons[0] == (
        'The risk-of-harm exception is used ("No notice to residents if misuse is not '
        'reasonably likely."); Test Act asks for the written determination to be given to '
        "Attorney General (650 residents: more than 500)."
    )
    assert any("the earliest it can be made" in r for r in written.reasons)


def test_no_written_determination_below_its_threshold(ny_facts: FactsFactory) -> None:
    state = law(risk_of_harm_exception=lifting_residents())

    found, decision = run(state, ny_facts(count=500, risk="none"))

    assert found == {}
    assert (
        "Attorney General: the written determination is not required, 500 residents is not "
        "more than 500 (Test Act §5)." in decision.reasons
    )


def test_without_the_risk_none_the_exception_changes_nothing(ny_facts: FactsFactory) -> None:
    state = law(
        version(notices=[notice(timing=FROM_CLOCK)]), risk_of_harm_exception=lifting_residents()
    )

    found, decision = run(state, ny_facts(risk="risk"))

    assert sorted(found) == ["us-ny-individuals", "us-ny-regulator"]
    assert any("does not apply because the risk is risk" in r for r in decision.reasons)


def test_an_exception_lifting_everything_can_still_ask_for_a_determination(
    ny_facts: FactsFactory,
) -> None:
    state = law(
        version(notices=[notice()]),
        risk_of_harm_exception={
            "text": "No notice if harm is unlikely.",
            "determination": DETERMINATION,
        },
    )

    found, decision = run(state, ny_facts(risk="none"))

    assert sorted(found) == ["us-ny-regulator-determination"]
    assert any("lifts the duty to notify" in r for r in decision.reasons)
    assert (
        "Attorney General: not required, the risk-of-harm exception lifts this notice "
        "(Test Act §3)." in decision.reasons
    )


def test_an_exception_lifts_notices_by_audience_or_key(ny_facts: FactsFactory) -> None:
    notices = [
        notice(key="ag", timing=FROM_CLOCK),
        notice(key="police", recipient="State Police", timing=FROM_CLOCK),
        notice(audience="credit_reporting_agencies", recipient="Credit bureaus", timing=FROM_CLOCK),
    ]
    exception = lifting_residents(lifts=["individuals", "credit_reporting_agencies", "police"])
    state = law(version(notices=notices), risk_of_harm_exception=exception)

    found, decision = run(state, ny_facts(count=1500, risk="none"))

    assert sorted(found) == ["us-ny-regulator-ag", "us-ny-regulator-determination"]
    assert any(
        "lifts only the residents' notice (and any substitute notice), the notices to credit "
        "reporting agencies and the police notice; the other notices stay" in r
        for r in decision.reasons
    )
    assert (
        "State Police: not required, the risk-of-harm exception lifts this notice "
        "(Test Act §3)." in decision.reasons
    )


def test_the_substitute_notice_goes_with_the_residents_notice(ny_facts: FactsFactory) -> None:
    substitute = {"methods": ["email", "website posting"], "citation": "Test Act §4"}
    state = law(version(substitute=substitute), risk_of_harm_exception=lifting_residents())
    assessment = Assessment(total=650, unreachable=20, contactable={"email": 630})

    found, decision = run(state, ny_facts(risk="none"), assessment)

    assert "us-ny-public" not in found and "us-ny-individuals" not in found
    assert any("No substitute notice" in r for r in decision.reasons)


@pytest.mark.parametrize(
    ("versions", "exception", "words"),
    [
        ([version()], lifting_residents(lifts=["individuals", "nobody"]), "lifts nobody"),
        # The AG is told with the residents: lifting them alone would leave it hanging.
        ([version(notices=[notice()])], lifting_residents(), "timed by the residents' notice"),
        (
            [version()],
            lifting_residents(
                determination=DETERMINATION | {"timing": {"kind": "with_individuals"}}
            ),
            "cannot be timed with_individuals",
        ),
    ],
)
def test_an_exception_that_cannot_be_read_is_refused(
    versions: list[dict[str, Any]], exception: dict[str, Any], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        law(*versions, risk_of_harm_exception=exception)


def test_a_determination_may_not_share_a_notice_s_id() -> None:
    clash = law(
        version(notices=[notice(key="determination", timing=FROM_CLOCK)]),
        risk_of_harm_exception=lifting_residents(),
    )

    with pytest.raises(ValueError, match="us-ny-regulator-determination"):
        StateRegime(clash)


def test_without_an_exception_risk_none_still_notifies(ny_facts: FactsFactory) -> None:
    found, decision = run(law(), ny_facts(risk="none"))

    assert "us-ny-individuals" in found
    assert not any("risk-of-harm" in r for r in decision.reasons)


# --- thresholds counting every person notified -----------------------------------------

# The made-up law's own definition: a name with a government id or a card number.
OTHER_STATES = {
    "US-TX": PersonalInformation(
        with_name=[DataCategory.GOVERNMENT_ID], alone=[DataCategory.HEALTH], citation="TX §1"
    ),
    "US-FL": PersonalInformation(with_name=[DataCategory.GOVERNMENT_ID], citation="FL §1"),
}


def run_with(state: StateLaw, facts: IncidentFacts) -> tuple[dict[str, Obligation], RegimeDecision]:
    """Evaluate one made-up law, reading other states' definitions from OTHER_STATES."""
    evaluation = evaluate(facts, None, regimes=[StateRegime(state, OTHER_STATES)])
    [decision] = evaluation.decisions
    return {o.id: o for o in evaluation.obligations}, decision


def bureaus(**overrides: Any) -> dict[str, Any]:
    """A credit-bureau notice for more than 1,000 persons notified."""
    data = notice(
        audience="credit_reporting_agencies",
        recipient="Credit bureaus",
        threshold={"more_than": 1000},
        timing={"kind": "none"},
        counts="all_notified",
    )
    return data | overrides


def test_a_threshold_counts_residents_by_default() -> None:
    assert law(version(notices=[notice()])).versions[0].notices[0].counts is Counts.RESIDENTS


def test_all_notified_counts_residents_of_every_us_state(ny_facts: FactsFactory) -> None:
    facts = ny_facts(
        affected=[
            {"jurisdiction": "US-NY", "count": 600},
            {"jurisdiction": "US-TX", "count": 300},
            {"jurisdiction": "US-FL", "count": 101},
            {"jurisdiction": "FR", "count": 5000},  # not notified under a US state law
        ]
    )
    state = law(version(notices=[bureaus(), bureaus(counts="residents", key="residents")]))

    found, decision = run_with(state, facts)
    notice_ = found["us-ny-credit-reporting-agencies"]

    assert "us-ny-credit-reporting-agencies-residents" not in found  # 600 residents only
    assert notice_.affected_count == 1001
    assert notice_.reasons[0] == (
        "Test Act: notice to Credit bureaus is required (1001 persons notified under US state "
        "laws: more than 1000)."
    )
    assert notice_.reasons[1] == (
        "1001 persons are notified under US state laws in this incident: 600 New York "
        "residents and 401 residents of other states (US-FL: 101, US-TX: 300); this threshold "
        "counts every person notified, not only New York residents."
    )
    assert "Credit bureaus: not required, 600 residents is not more than 1000 (Test Act §3)." in (
        decision.reasons
    )


def test_all_notified_below_the_threshold_says_how_it_counted(ny_facts: FactsFactory) -> None:
    facts = ny_facts(
        affected=[{"jurisdiction": "US-NY", "count": 600}, {"jurisdiction": "US-TX", "count": 400}]
    )

    found, decision = run_with(law(version(notices=[bureaus()])), facts)

    assert "us-ny-credit-reporting-agencies" not in found
    assert any(
        r.startswith(
            "Credit bureaus: not required, 1000 persons notified under US state laws is not "
            "more than 1000 (Test Act §3). 1000 persons are notified"
        )
        for r in decision.reasons
    )


@pytest.mark.parametrize(
    ("categories", "counted"),
    [
        # Personal information under every definition: 600 + 300 + 200.
        (["name", "government_id"], 1100),
        # Health: personal information under Texas' own law only (Florida's and the made-up
        # New York definition do not list it).
        (["health"], 900),
        (["name", "health"], 900),
        # A card number with a name: personal information under this state's definition
        # only, which counts too (a law counting persons may itself require their notice).
        (["name", "payment_card"], 1100),
        # Personal information nowhere: only the 600 residents.
        (["name", "email"], 600),
    ],
)
def test_another_state_s_group_counts_under_either_definition(
    ny_facts: FactsFactory, categories: list[str], counted: int
) -> None:
    facts = ny_facts(
        affected=[
            {"jurisdiction": "US-NY", "count": 600, "data_categories": ["name", "government_id"]},
            {"jurisdiction": "US-TX", "count": 300, "data_categories": categories},
            {"jurisdiction": "US-FL", "count": 200, "data_categories": categories},
        ]
    )

    found, decision = run_with(law(version(notices=[bureaus()])), facts)

    text = "\n".join(decision.reasons + [r for o in found.values() for r in o.reasons])
    assert f"{counted} persons are notified under US state laws" in text
    assert ("us-ny-credit-reporting-agencies" in found) is (counted > 1000)


def test_all_notified_leaves_out_residents_whose_notice_is_lifted(
    ny_facts: FactsFactory,
) -> None:
    facts = ny_facts(
        risk="none",
        affected=[{"jurisdiction": "US-NY", "count": 600}, {"jurisdiction": "US-TX", "count": 900}],
    )
    state = law(
        version(notices=[bureaus()]), risk_of_harm_exception=lifting_residents(determination=None)
    )

    found, decision = run_with(state, facts)

    assert found == {}
    assert any("900 persons are notified under US state laws" in r for r in decision.reasons)


def test_all_notified_reads_the_shipped_definitions_by_default(ny_facts: FactsFactory) -> None:
    # Texas' file counts health data alone as personal information.
    facts = ny_facts(
        affected=[
            {"jurisdiction": "US-NY", "count": 600, "data_categories": ["name", "government_id"]},
            {"jurisdiction": "US-TX", "count": 401, "data_categories": ["health"]},
        ]
    )

    found = run(law(version(notices=[bureaus()])), facts)[0]

    assert found["us-ny-credit-reporting-agencies"].affected_count == 1001


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
