"""record_register_entry with a real SQLite register, from an incident state built as the
workflow builds it (population assessed, facts judged under every regime)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from temporalio import activity
from temporalio.testing import ActivityEnvironment

from activities.register import RegisterActivities
from herald.assess import assess_population
from herald.impact import judge
from herald.intake import new_incident
from herald.lifecycle import IncidentState
from herald.lifecycle.records import register_entry
from herald.models import Entity, IncidentFacts, Phase, RiskLevel
from herald.models.evidence import RegisterEntry
from herald.models.messages import RecordRegisterEntryInput, RecordRegisterEntryResult
from herald.store import create_schema, make_engine
from herald.store.register import Register
from herald.store.tables import RegisterRow

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
COMMANDER = "casey.commander"
TEAM = "security-lead@example.com"
# Everything here identifies an affected person; none of it may reach the register.
PEOPLE = [
    ("CUST-000123", "Marie Curie", "marie.curie@example.org", "+33612345678", "1 Rue Cuvier"),
    ("CUST-000456", "Hans Meier", "hans.meier@example.de", "+4915112345678", "Hauptstr. 9"),
]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'herald.db'}")
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def activities(engine: Engine) -> RegisterActivities:
    return RegisterActivities(Register(engine))


@pytest.fixture
def population(tmp_path: Path) -> Path:
    path = tmp_path / "affected-customers.csv"
    rows = ["id,name,email,phone,postal_address,jurisdiction,language,data_categories"]
    for (person_id, name, email, phone, address), code in zip(PEOPLE, ["FR", "DE"], strict=True):
        rows.append(f'{person_id},{name},{email},{phone},"{address}",{code},en,name;email')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def state_for(population: Path, risk: RiskLevel | None) -> IncidentState:
    """An incident as the workflow holds it after assessment and evaluation."""
    facts = IncidentFacts(
        aware_at=NOW,
        entity=Entity(name="Example GmbH", established_in=["DE"]),
        data_categories=["name", "email"],
        risk=risk,
        title="Lost encrypted laptop",
        description="A laptop holding a customer export was lost on a train.",
        remediation="Device wiped remotely; export procedure changed.",
    )
    inp = new_incident(
        facts=facts, commander=COMMANDER, population=population, team=[TEAM], incident_id="INC-7"
    )
    assert inp.population is not None
    counted = assess_population(inp.population, inp.channel_order)
    judged, assessment, evaluation = judge(facts, counted)
    state = IncidentState(inp=inp, facts=judged, population_assessment=counted)
    state.assessment = assessment
    state.log(NOW, COMMANDER, "incident.started", inp.population.label)
    state.set_obligations(evaluation.obligations, evaluation.decisions, NOW)
    return state


def record(activities: RegisterActivities, entry: RegisterEntry) -> RecordRegisterEntryResult:
    result: RecordRegisterEntryResult = ActivityEnvironment().run(
        activities.record_register_entry, RecordRegisterEntryInput(entry=entry)
    )
    return result


def test_the_activity_name_the_workflow_calls() -> None:
    definition = activity._Definition.must_from_callable(RegisterActivities.record_register_entry)
    assert definition.name == "record_register_entry"


def test_an_incident_that_needed_no_notification_is_registered_with_the_reasons(
    activities: RegisterActivities, engine: Engine, population: Path
) -> None:
    entry = register_entry(state_for(population, RiskLevel.NONE), Phase.MONITORING, NOW)

    assert record(activities, entry).recorded is True

    stored = Register(engine).get("INC-7")
    assert stored is not None
    assert stored.notification_required is False
    assert stored.obligations == []
    assert (stored.affected, stored.jurisdictions) == (2, ["DE", "FR"])
    gdpr = next(d for d in stored.decisions if d.regime == "gdpr")
    assert any("Art. 33(5)" in reason for reason in gdpr.reasons)
    assert Register(engine).entries(notified=False) == [stored]


def test_a_retry_is_idempotent_and_an_older_write_never_wins(
    activities: RegisterActivities, engine: Engine, population: Path
) -> None:
    state = state_for(population, None)
    first = register_entry(state, Phase.AWAITING_APPROVAL, NOW)
    later = register_entry(state, Phase.REPORTING, NOW + timedelta(hours=5))

    assert record(activities, first).recorded is True
    assert record(activities, later).recorded is True
    assert record(activities, later).recorded is True  # the retry
    assert record(activities, first).recorded is False  # late, out of order

    stored = Register(engine).entries()
    assert [(e.phase, e.notification_required) for e in stored] == [("reporting", True)]
    assert stored[0].obligations == ["gdpr-regulator-de"]
    assert stored[0].reports == {"gdpr-regulator-de": "drafted"}


def test_the_register_holds_no_personal_data_of_affected_people(
    activities: RegisterActivities, engine: Engine, population: Path
) -> None:
    state = state_for(population, None)
    record(activities, register_entry(state, Phase.REPORTING, NOW))

    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(select(RegisterRow))]
    assert len(rows) == 1
    # Only counts, categories, jurisdictions and the responders' own text: no field that
    # could hold a recipient list, a population file or a contact.
    assert set(rows[0]["entry"]) == {
        "incident_id",
        "title",
        "opened_at",
        "updated_at",
        "closed_at",
        "phase",
        "aware_at",
        "jurisdictions",
        "affected",
        "data_categories",
        "risk",
        "risk_reasons",
        "description",
        "remediation",
        "notification_required",
        "obligations",
        "decisions",
        "reports",
        "waived",
    }
    stored = repr(rows).lower()
    assert state.inp.population is not None
    forbidden = [
        *(value.lower() for person in PEOPLE for value in person),
        "marie",
        "meier",
        TEAM,
        COMMANDER,
        state.inp.population.path.lower(),
        "affected-customers",
        state.inp.population.sha256,
    ]
    assert [value for value in forbidden if value in stored] == []
