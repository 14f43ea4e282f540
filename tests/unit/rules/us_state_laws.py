"""Small made-up US state laws for the interpreter's tests, built in code, not read from files."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from herald.models import Assessment, IncidentFacts, Obligation, RegimeDecision
from herald.rules import evaluate
from herald.rules.statelaw import StateLaw
from herald.rules.us_states import StateRegime

# The residents' deadline under `version()` for the `ny_facts` fixture (conftest.py): 30
# calendar days after discovery on 3 March 2026 end on 2 April, 23:59:59.999999 EDT.
RESIDENTS_DUE = datetime(2026, 4, 3, 3, 59, 59, 999_999, tzinfo=UTC)


def version(**overrides: Any) -> dict[str, Any]:
    """One version of a made-up law: 30 days from discovery, no other notice."""
    data: dict[str, Any] = {
        "effective_from": "2020-01-01",
        "label": "Test Act as enacted",
        "clock": "discovery",
        "individuals": {
            "timing": {"kind": "days_after_clock", "days": 30},
            "deadline": "Within 30 days of discovery.",
            "citation": "Test Act §2",
            "content": ["what_happened", "contact_info"],
            "content_if_government_id": ["cra_contacts"],
        },
    }
    return data | overrides


def individuals(**overrides: Any) -> dict[str, Any]:
    """The residents' rule of `version`, with overrides."""
    rule: dict[str, Any] = version()["individuals"]
    return rule | overrides


def notice(**overrides: Any) -> dict[str, Any]:
    """An attorney-general notice for more than 500 residents, sent with theirs."""
    data: dict[str, Any] = {
        "audience": "regulator",
        "recipient": "Attorney General",
        "contact": "https://ag.example.org/breach",
        "threshold": {"more_than": 500},
        "timing": {"kind": "with_individuals"},
        "deadline": "When the residents are notified.",
        "citation": "Test Act §3",
        "content": ["sample_notice", "affected_count"],
    }
    return data | overrides


def law(*versions: dict[str, Any], **overrides: Any) -> StateLaw:
    """A made-up New York law (the code must be a real subdivision)."""
    data: dict[str, Any] = {
        "id": "us-ny",
        "jurisdiction": "US-NY",
        "name": "New York",
        "timezone": "America/New_York",
        "statute": "Test Act",
        "personal_information": {
            "with_name": ["government_id", "payment_card"],
            "alone": ["account_credentials"],
            "citation": "Test Act §1",
        },
        "trigger": "acquisition",
        "versions": list(versions) or [version()],
        "sources": ["https://example.org/test-act"],
    }
    return StateLaw.model_validate(data | overrides)


def run(
    state: StateLaw,
    facts: IncidentFacts,
    assessment: Assessment | None = None,
    notified: dict[str, datetime] | None = None,
) -> tuple[dict[str, Obligation], RegimeDecision]:
    """Evaluate one made-up law: its obligations by id, and its decision."""
    evaluation = evaluate(facts, assessment, regimes=[StateRegime(state)], notified=notified)
    [decision] = evaluation.decisions
    return {o.id: o for o in evaluation.obligations}, decision
