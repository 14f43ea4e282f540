"""State-law data files Nebraska to Wyoming: they load, and their key facts stay as encoded.

The tables pin, for each state, the rule in force today: the residents' deadline and clock,
each regulator notice (threshold boundary and timing) and the credit-bureau threshold. An
accidental edit of a file fails here. New York, Texas and Washington are also checked against
the values of the shared reference (jurisdictions.md §§8, 9, 12), version by version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from herald.models import Audience
from herald.rules.statelaw import (
    DATA_DIR,
    Counts,
    NoticeRule,
    StateLaw,
    TimingKind,
    Version,
    load_state_law,
)

CRA_RECIPIENT = "Nationwide consumer reporting agencies (Equifax, Experian, TransUnion)"
INDIVIDUAL_ELEMENTS = {
    "nature_of_breach",
    "measures_taken",
    "breach_date",
    "contact_info",
    "cra_contacts",
}
NOTICE_ELEMENTS = {"nature_of_breach", "measures_taken", "dpo_contact"}
TODAY = date(2026, 6, 1)


@dataclass(frozen=True)
class Expected:
    """The rule in force on TODAY: (kind, days, clock) for residents, notices by key."""

    individuals: tuple[TimingKind, int | None, str]
    # regulator notice key ("" when the file has a single unkeyed one) ->
    # (threshold in words, timing kind, days)
    regulators: dict[str, tuple[str, TimingKind, int | None]] = field(default_factory=dict)
    cra: str | None = None  # threshold in words, None when there is no CRA duty
    versions: tuple[date, ...] = (date(1, 1, 1),)


NONE = TimingKind.NONE
DAYS = TimingKind.DAYS_AFTER_CLOCK
WITH = TimingKind.WITH_INDIVIDUALS
AFTER = TimingKind.DAYS_AFTER_INDIVIDUALS

STATES: dict[str, Expected] = {
    "us-ne": Expected((NONE, None, "awareness"), {"": ("any", WITH, None)}),
    "us-nv": Expected((NONE, None, "discovery"), cra="more than 1000"),
    "us-nh": Expected((NONE, None, "awareness"), {"": ("any", WITH, None)}, "more than 1000"),
    "us-nj": Expected(
        (NONE, None, "discovery"), {"state-police": ("any", WITH, None)}, "more than 1000"
    ),
    "us-nm": Expected(
        (DAYS, 45, "discovery"), {"": ("more than 1000", DAYS, 45)}, "more than 1000"
    ),
    "us-ny": Expected(
        (DAYS, 30, "discovery"),
        {
            "ag": ("any", WITH, None),
            "dos": ("any", WITH, None),
            "state-police": ("any", WITH, None),
            "dfs": ("any", WITH, None),
            "ag-hipaa": ("any", AFTER, 5),
        },
        "more than 5000",
        (date(1, 1, 1), date(2024, 12, 21)),
    ),
    "us-nc": Expected((NONE, None, "discovery"), {"": ("any", NONE, None)}, "more than 1000"),
    "us-nd": Expected((NONE, None, "discovery"), {"": ("more than 250", NONE, None)}),
    "us-oh": Expected((DAYS, 45, "discovery"), cra="more than 1000"),
    "us-ok": Expected(
        (NONE, None, "discovery"),
        {"": ("500 or more", AFTER, 60)},
        versions=(date(1, 1, 1), date(2026, 1, 1)),
    ),
    "us-or": Expected((DAYS, 45, "discovery"), {"": ("more than 250", DAYS, 45)}, "more than 1000"),
    "us-pa": Expected(
        (NONE, None, "discovery"),
        {"": ("more than 500", WITH, None)},
        "500 or more",
        (date(1, 1, 1), date(2024, 9, 26)),
    ),
    "us-ri": Expected(
        (DAYS, 45, "determination"), {"": ("more than 500", WITH, None)}, "more than 500"
    ),
    "us-sc": Expected(
        (NONE, None, "discovery"), {"": ("more than 1000", NONE, None)}, "more than 1000"
    ),
    "us-sd": Expected((DAYS, 60, "discovery"), {"": ("more than 250", WITH, None)}, "any"),
    "us-tn": Expected((DAYS, 45, "discovery"), cra="more than 1000"),
    "us-tx": Expected(
        (DAYS, 60, "determination"),
        {"": ("250 or more", DAYS, 30)},
        "more than 10000",
        (date(1, 1, 1), date(2020, 1, 1), date(2023, 9, 1)),
    ),
    "us-ut": Expected(
        (NONE, None, "awareness"),
        {"ag": ("500 or more", WITH, None), "cyber-center": ("500 or more", WITH, None)},
        "1000 or more",
        (date(1, 1, 1), date(2023, 5, 3)),
    ),
    "us-vt": Expected(
        (DAYS, 45, "discovery"),
        {"preliminary": ("any", DAYS, 14), "consumer-notice": ("any", WITH, None)},
        "more than 1000",
    ),
    "us-va": Expected((NONE, None, "discovery"), {"": ("any", WITH, None)}, "more than 1000"),
    "us-wa": Expected(
        (DAYS, 30, "discovery"),
        {"": ("more than 500", DAYS, 30)},
        versions=(date(1, 1, 1), date(2020, 3, 1)),
    ),
    "us-wv": Expected((NONE, None, "discovery"), cra="more than 1000"),
    "us-wi": Expected((DAYS, 45, "discovery"), cra="1000 or more"),
    "us-wy": Expected((NONE, None, "awareness")),
}


def law(state: str) -> StateLaw:
    """Load one state's file from the package data directory."""
    return load_state_law(DATA_DIR / f"{state}.yaml")


def in_force(state_law: StateLaw, day: date) -> Version:
    """The version in force on `day` (the last one that starts on or before it)."""
    return [v for v in state_law.versions if v.effective_from <= day][-1]


def regulators(version: Version) -> dict[str, NoticeRule]:
    return {n.key or "": n for n in version.notices if n.audience is Audience.REGULATOR}


def cra(version: Version) -> NoticeRule | None:
    found = [n for n in version.notices if n.audience is Audience.CREDIT_REPORTING_AGENCIES]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.mark.parametrize("state", sorted(STATES))
def test_file_loads_and_names_its_state(state: str) -> None:
    loaded = law(state)
    assert loaded.id == state
    assert loaded.jurisdiction == state.upper()
    assert [v.effective_from for v in loaded.versions] == list(STATES[state].versions)
    assert loaded.sources


@pytest.mark.parametrize("state", sorted(STATES))
def test_residents_deadline_in_force_today(state: str) -> None:
    version = in_force(law(state), TODAY)
    kind, days, clock = STATES[state].individuals
    assert version.individuals.timing.kind is kind
    assert version.individuals.timing.days == days
    assert version.clock.value == clock


@pytest.mark.parametrize("state", sorted(STATES))
def test_regulator_and_credit_bureau_notices_in_force_today(state: str) -> None:
    version = in_force(law(state), TODAY)
    expected = STATES[state]
    found = {
        key: (n.threshold.describe(), n.timing.kind, n.timing.days)
        for key, n in regulators(version).items()
    }
    assert found == expected.regulators
    bureau = cra(version)
    assert (bureau.threshold.describe() if bureau else None) == expected.cra
    if bureau is not None:
        assert bureau.recipient == CRA_RECIPIENT


@pytest.mark.parametrize("state", sorted(STATES))
def test_content_uses_only_elements_the_drafts_engine_marks(state: str) -> None:
    for version in law(state).versions:
        assert set(version.individuals.content) <= INDIVIDUAL_ELEMENTS
        assert set(version.individuals.content_if_government_id) <= {"cra_contacts"}
        for notice in version.notices:
            assert set(notice.content) <= NOTICE_ELEMENTS


def test_threshold_boundaries_count_exactly() -> None:
    """501 triggers "more than 500"; 250 triggers "250 or more"."""
    washington = regulators(in_force(law("us-wa"), TODAY))[""].threshold
    assert (washington.met(500), washington.met(501)) == (False, True)
    texas = regulators(in_force(law("us-tx"), TODAY))[""].threshold
    assert (texas.met(249), texas.met(250)) == (False, True)
    new_york = cra(in_force(law("us-ny"), TODAY))
    assert new_york is not None
    assert (new_york.threshold.met(5000), new_york.threshold.met(5001)) == (False, True)


def test_new_york_reference_values() -> None:
    """jurisdictions.md §8: 30 days from discovery since Dec 2024, four agencies, CRA > 5,000."""
    new_york = law("us-ny")
    before = in_force(new_york, date(2024, 12, 20))
    after = in_force(new_york, date(2024, 12, 21))
    assert before.individuals.timing.kind is TimingKind.NONE
    assert (after.individuals.timing.kind, after.individuals.timing.days) == (DAYS, 30)
    assert after.clock.value == "discovery"
    assert set(regulators(before)) == {"ag", "dos", "state-police", "ag-hipaa"}
    assert set(regulators(after)) == {"ag", "dos", "state-police", "dfs", "ag-hipaa"}
    for key, notice in regulators(after).items():
        assert notice.threshold.at_least == 1
        if key != "ag-hipaa":
            assert notice.timing.kind is TimingKind.WITH_INDIVIDUALS
    for version in (before, after):
        bureau = cra(version)
        assert bureau is not None and bureau.threshold.more_than == 5000
        # §899-aa(9): a HIPAA covered entity tells the AG within 5 business days of HHS.
        hipaa = regulators(version)["ag-hipaa"]
        assert hipaa.when_sector == ["hipaa_covered_entity"]
        assert (hipaa.timing.kind, hipaa.timing.days, hipaa.timing.business_days) == (
            AFTER,
            5,
            True,
        )
    assert new_york.trigger == "access"
    # The only exception (inadvertent disclosure by authorised persons) is not a general
    # risk-of-harm exception: a risk level of none does not lift the notices.
    assert new_york.risk_of_harm_exception is None


def test_texas_reference_values() -> None:
    """jurisdictions.md §9: 60 days and AG (250 or more) 30 days after determination."""
    texas = law("us-tx")
    current = in_force(texas, date(2023, 9, 1))
    assert current.clock.value == "determination"
    assert (current.individuals.timing.kind, current.individuals.timing.days) == (DAYS, 60)
    ag = regulators(current)[""]
    assert (ag.threshold.at_least, ag.timing.kind, ag.timing.days) == (250, DAYS, 30)
    previous = regulators(in_force(texas, date(2023, 8, 31)))[""]
    assert (previous.threshold.at_least, previous.timing.days) == (250, 60)
    assert regulators(in_force(texas, date(2019, 12, 31))) == {}
    for version in texas.versions:
        bureau = cra(version)
        assert bureau is not None and bureau.threshold.more_than == 10000
        # "More than 10,000 persons": residents of other states count too (§9(2), (8)).
        assert bureau.counts is Counts.ALL_NOTIFIED
        assert all(n.counts is Counts.RESIDENTS for n in regulators(version).values())
    assert texas.trigger == "acquisition"
    assert texas.risk_of_harm_exception is None


def test_washington_reference_values() -> None:
    """jurisdictions.md §12: 30 days from discovery; AG (more than 500) within 30 days."""
    washington = law("us-wa")
    current = in_force(washington, date(2020, 3, 1))
    assert current.clock.value == "discovery"
    assert (current.individuals.timing.kind, current.individuals.timing.days) == (DAYS, 30)
    ag = regulators(current)[""]
    assert (ag.threshold.more_than, ag.timing.kind, ag.timing.days) == (500, DAYS, 30)
    assert cra(current) is None
    previous = in_force(washington, date(2020, 2, 29))
    assert previous.individuals.timing.days == 45
    assert regulators(previous)[""].timing.days == 45
    assert washington.risk_of_harm_exception is not None
