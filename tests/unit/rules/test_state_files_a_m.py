"""State breach-law files Alabama to Montana (and DC): each loads and keeps its key facts.

The table below pins what each file encodes for the law in force today: when residents are
due (timing and clock), the regulator threshold and the credit-bureau threshold, with their
exact boundaries. Florida, Colorado, Illinois and Massachusetts are also checked against
``shared/jurisdictions.md`` point by point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from herald.models import Audience
from herald.rules.elements import ELEMENTS
from herald.rules.statelaw import (
    DATA_DIR,
    Clock,
    Counts,
    NoticeRule,
    StateLaw,
    Threshold,
    TimingKind,
    Version,
    load_state_law,
)

NONE = TimingKind.NONE
DAYS = TimingKind.DAYS_AFTER_CLOCK
WITH = TimingKind.WITH_INDIVIDUALS
AFTER = TimingKind.DAYS_AFTER_INDIVIDUALS

# Element ids the drafts engine can mark today (individuals / other recipients).
INDIVIDUAL_ELEMENTS = {"nature_of_breach", "measures_taken", "breach_date", "contact_info"}
INDIVIDUAL_ELEMENTS_WITH_CRA = INDIVIDUAL_ELEMENTS | {"cra_contacts"}
NOTICE_ELEMENTS = {"nature_of_breach", "measures_taken", "dpo_contact"}
CRAS = "Nationwide consumer reporting agencies (Equifax, Experian, TransUnion)"


def more_than(count: int) -> Threshold:
    """'More than N' (N + 1 triggers)."""
    return Threshold(more_than=count)


def at_least(count: int) -> Threshold:
    """'N or more' (N triggers); 1 means any resident."""
    return Threshold(at_least=count)


@dataclass(frozen=True)
class Expected:
    """Key facts of the version in force today."""

    clock: Clock
    individuals: TimingKind
    individual_days: int | None
    regulator: Threshold | None
    regulator_timing: TimingKind | None
    regulator_days: int | None
    cra: Threshold | None


EXPECTED: dict[str, Expected] = {
    "us-al": Expected(Clock.DETERMINATION, DAYS, 45, more_than(1000), DAYS, 45, more_than(1000)),
    "us-ak": Expected(Clock.DISCOVERY, NONE, None, None, None, None, more_than(1000)),
    "us-az": Expected(Clock.DETERMINATION, DAYS, 45, more_than(1000), DAYS, 45, more_than(1000)),
    "us-ar": Expected(Clock.DETERMINATION, NONE, None, more_than(1000), DAYS, 45, None),
    "us-co": Expected(Clock.DETERMINATION, DAYS, 30, at_least(500), DAYS, 30, more_than(1000)),
    "us-ct": Expected(Clock.DISCOVERY, DAYS, 60, at_least(1), WITH, None, None),
    "us-de": Expected(Clock.DETERMINATION, DAYS, 60, more_than(500), WITH, None, None),
    "us-dc": Expected(Clock.DISCOVERY, NONE, None, at_least(50), WITH, None, more_than(1000)),
    "us-fl": Expected(Clock.DETERMINATION, DAYS, 30, at_least(500), DAYS, 30, more_than(1000)),
    "us-ga": Expected(Clock.DISCOVERY, NONE, None, None, None, None, more_than(10000)),
    "us-hi": Expected(Clock.DISCOVERY, NONE, None, more_than(1000), NONE, None, more_than(1000)),
    "us-id": Expected(Clock.DISCOVERY, NONE, None, None, None, None, None),
    "us-il": Expected(Clock.DISCOVERY, NONE, None, more_than(500), WITH, None, None),
    "us-in": Expected(Clock.DISCOVERY, DAYS, 45, at_least(1), DAYS, 45, more_than(1000)),
    "us-ia": Expected(Clock.DISCOVERY, NONE, None, at_least(500), AFTER, 5, None),
    "us-ks": Expected(Clock.DISCOVERY, NONE, None, None, None, None, more_than(1000)),
    "us-ky": Expected(Clock.DISCOVERY, NONE, None, None, None, None, more_than(1000)),
    "us-la": Expected(Clock.DISCOVERY, DAYS, 60, at_least(1), AFTER, 10, None),
    "us-me": Expected(Clock.AWARENESS, DAYS, 30, at_least(1), WITH, None, more_than(1000)),
    "us-md": Expected(Clock.DISCOVERY, DAYS, 45, at_least(1), WITH, None, at_least(1000)),
    "us-ma": Expected(Clock.DISCOVERY, NONE, None, at_least(1), NONE, None, None),
    "us-mi": Expected(Clock.DISCOVERY, NONE, None, None, None, None, more_than(1000)),
    "us-mn": Expected(Clock.DISCOVERY, NONE, None, None, None, None, more_than(500)),
    "us-ms": Expected(Clock.DISCOVERY, NONE, None, None, None, None, None),
    "us-mo": Expected(Clock.DISCOVERY, NONE, None, more_than(1000), NONE, None, more_than(1000)),
    "us-mt": Expected(Clock.DISCOVERY, NONE, None, at_least(1), WITH, None, None),
}

TODAY = date(2026, 11, 25)


def law(state: str) -> StateLaw:
    """Load one of this file's states from the data directory."""
    return load_state_law(DATA_DIR / f"{state}.yaml")


def in_force(state_law: StateLaw, day: date) -> Version:
    """The version of a law in force on `day`."""
    return [v for v in state_law.versions if v.effective_from <= day][-1]


def notices(version: Version, audience: Audience) -> list[NoticeRule]:
    """The version's notices to one audience."""
    return [n for n in version.notices if n.audience == audience]


def only(version: Version, audience: Audience) -> NoticeRule | None:
    """The version's single notice to one audience, or None."""
    found = notices(version, audience)
    assert len(found) <= 1, f"several {audience} notices"
    return found[0] if found else None


@pytest.mark.parametrize("state", sorted(EXPECTED))
def test_file_loads_and_is_named_after_its_id(state: str) -> None:
    loaded = law(state)
    assert loaded.id == state
    assert loaded.jurisdiction == state.upper()
    assert loaded.sources and loaded.statute


@pytest.mark.parametrize("state", sorted(EXPECTED))
def test_key_facts_of_the_law_in_force_today(state: str) -> None:
    expected = EXPECTED[state]
    version = in_force(law(state), TODAY)
    assert version.clock == expected.clock
    assert version.individuals.timing.kind == expected.individuals
    assert version.individuals.timing.days == expected.individual_days
    regulators = notices(version, Audience.REGULATOR)
    if expected.regulator is None:
        assert regulators == []
    else:
        assert regulators, "a regulator notice is expected"
        for regulator in regulators:
            assert regulator.threshold == expected.regulator
            assert regulator.timing.kind == expected.regulator_timing
            assert regulator.timing.days == expected.regulator_days
    cra = only(version, Audience.CREDIT_REPORTING_AGENCIES)
    assert (cra.threshold if cra else None) == expected.cra
    if cra is not None:
        assert cra.recipient == CRAS


@pytest.mark.parametrize("state", sorted(EXPECTED))
def test_threshold_boundaries_trigger_exactly(state: str) -> None:
    """'More than N' starts at N + 1, 'N or more' at N: an off-by-one edit is caught."""
    version = in_force(law(state), TODAY)
    for notice in version.notices:
        limit = notice.threshold
        first = limit.more_than + 1 if limit.more_than is not None else limit.at_least
        assert first is not None
        assert limit.met(first)
        assert not limit.met(first - 1)


@pytest.mark.parametrize("state", sorted(EXPECTED))
def test_only_elements_the_drafts_engine_can_mark(state: str) -> None:
    for version in law(state).versions:
        assert set(version.individuals.content) <= INDIVIDUAL_ELEMENTS_WITH_CRA
        assert set(version.individuals.content_if_government_id) <= INDIVIDUAL_ELEMENTS_WITH_CRA
        for notice in version.notices:
            assert set(notice.content) <= NOTICE_ELEMENTS
        used = set(version.individuals.content) | {e for n in version.notices for e in n.content}
        assert used <= set(ELEMENTS)


@pytest.mark.parametrize(
    ("state", "changed_on", "before_days", "after_days", "before_clock", "after_clock"),
    [
        # Public Act 21-59: 90 days after discovery became 60.
        ("us-ct", date(2021, 10, 1), 90, 60, Clock.DISCOVERY, Clock.DISCOVERY),
        # P.L.171-2022: "without unreasonable delay" became 45 days after discovery.
        ("us-in", date(2022, 7, 1), None, 45, Clock.DISCOVERY, Clock.DISCOVERY),
        # HB 962: 45 days after the investigation became 45 days after discovery.
        ("us-md", date(2022, 10, 1), 45, 45, Clock.DETERMINATION, Clock.DISCOVERY),
    ],
)
def test_amendments_change_the_deadline_on_their_effective_date(
    state: str,
    changed_on: date,
    before_days: int | None,
    after_days: int,
    before_clock: Clock,
    after_clock: Clock,
) -> None:
    loaded = law(state)
    before = in_force(loaded, date.fromordinal(changed_on.toordinal() - 1))
    after = in_force(loaded, changed_on)
    assert before.individuals.timing.days == before_days
    assert before.clock == before_clock
    assert after.individuals.timing.kind == DAYS
    assert after.individuals.timing.days == after_days
    assert after.clock == after_clock
    assert before.effective_from == date.min


# --- shared/jurisdictions.md, section by section -----------------------------------------


def test_florida_follows_jurisdictions_md() -> None:
    """Section 10: access, 30 days after determination, Department at 500, CRAs over 1,000."""
    florida = law("us-fl")
    version = in_force(florida, TODAY)
    assert florida.trigger == "access"
    # The harm exception lifts only the individuals' notice (and with it the credit bureaus',
    # which concerns the notices sent); the Department's notice at 500 or more stays, and the
    # written no-harm determination goes to the Department within 30 days, for any number.
    exception = florida.risk_of_harm_exception
    assert exception is not None
    assert "consultation with relevant law-enforcement agencies" in exception.text
    assert exception.lifts == ["individuals", "credit_reporting_agencies"]
    assert exception.determination is not None
    assert "Department of Legal Affairs" in exception.determination.recipient
    assert exception.determination.threshold == at_least(1)
    assert (exception.determination.timing.kind, exception.determination.timing.days) == (
        DAYS,
        30,
    )
    assert exception.determination.citation == "Fla. Stat. §501.171(4)(c)"
    assert "law-enforcement" in version.individuals.deadline
    assert "no later than 30" in version.individuals.deadline
    assert version.clock == Clock.DETERMINATION
    assert (version.individuals.timing.kind, version.individuals.timing.days) == (DAYS, 30)
    department = only(version, Audience.REGULATOR)
    assert department is not None
    assert "Department of Legal Affairs" in department.recipient
    assert department.threshold == at_least(500)
    assert department.threshold.met(500) and not department.threshold.met(499)
    assert (department.timing.kind, department.timing.days) == (DAYS, 30)
    assert "15 additional days" in department.deadline
    cra = only(version, Audience.CREDIT_REPORTING_AGENCIES)
    assert cra is not None
    assert cra.threshold == more_than(1000)
    assert cra.threshold.met(1001) and not cra.threshold.met(1000)
    assert cra.counts == Counts.RESIDENTS  # individuals notified under §501.171: in Florida
    assert version.individuals.content == ["breach_date", "nature_of_breach", "contact_info"]
    assert version.substitute is not None
    assert any("website" in method for method in version.substitute.methods)
    assert any("print and broadcast" in method for method in version.substitute.methods)


def test_colorado_follows_jurisdictions_md() -> None:
    """Section 13: 30 days after determination for residents and the AG at 500 or more."""
    colorado = law("us-co")
    version = in_force(colorado, TODAY)
    assert colorado.trigger == "acquisition"
    assert colorado.risk_of_harm_exception is not None
    assert version.clock == Clock.DETERMINATION
    assert (version.individuals.timing.kind, version.individuals.timing.days) == (DAYS, 30)
    attorney_general = only(version, Audience.REGULATOR)
    assert attorney_general is not None
    assert attorney_general.recipient == "Colorado Attorney General"
    assert attorney_general.threshold == at_least(500)
    assert attorney_general.threshold.met(500) and not attorney_general.threshold.met(499)
    assert (attorney_general.timing.kind, attorney_general.timing.days) == (DAYS, 30)
    cra = only(version, Audience.CREDIT_REPORTING_AGENCIES)
    assert cra is not None
    assert cra.threshold == more_than(1000)
    assert version.substitute is not None
    assert version.substitute.cost_over_usd == 250000


def test_illinois_follows_jurisdictions_md() -> None:
    """Section 14: no harm exception, AG over 500 no later than consumers, no private CRA duty."""
    illinois = law("us-il")
    version = in_force(illinois, TODAY)
    assert illinois.trigger == "acquisition"
    assert illinois.risk_of_harm_exception is None
    assert version.clock == Clock.DISCOVERY
    assert version.individuals.timing.kind == NONE
    attorney_general = only(version, Audience.REGULATOR)
    assert attorney_general is not None
    assert attorney_general.recipient == "Illinois Attorney General"
    assert attorney_general.threshold == more_than(500)
    assert attorney_general.threshold.met(501) and not attorney_general.threshold.met(500)
    assert attorney_general.timing.kind == WITH
    assert attorney_general.content == ["nature_of_breach", "measures_taken"]
    assert only(version, Audience.CREDIT_REPORTING_AGENCIES) is None
    assert version.individuals.content == ["cra_contacts"]
    substitute = version.substitute
    assert substitute is not None
    assert (substitute.cost_over_usd, substitute.people_over) == (250000, 500000)
    assert substitute.insufficient_contact
    assert len(substitute.methods) == 3


def test_massachusetts_follows_jurisdictions_md() -> None:
    """Section 11: AG and OCABR for any resident, as soon as practicable; no fixed days."""
    massachusetts = law("us-ma")
    version = in_force(massachusetts, TODAY)
    assert version.individuals.timing.kind == NONE
    regulators = {n.key: n for n in notices(version, Audience.REGULATOR)}
    assert set(regulators) == {"ag", "ocabr"}
    assert regulators["ag"].recipient == "Massachusetts Attorney General"
    assert "Office of Consumer Affairs and Business Regulation" in regulators["ocabr"].recipient
    for regulator in regulators.values():
        assert regulator.threshold == at_least(1)
        assert regulator.threshold.met(1)
        assert regulator.timing.kind == NONE
        assert "As soon as practicable" in regulator.deadline
    # The individual notice must not describe the nature of the breach.
    assert "nature_of_breach" not in version.individuals.content
    substitute = version.substitute
    assert substitute is not None
    assert (substitute.cost_over_usd, substitute.people_over) == (250000, 500000)
    assert substitute.insufficient_contact
