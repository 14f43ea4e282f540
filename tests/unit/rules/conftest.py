"""Shared builders for rules tests: facts from a small base, overridden per test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from herald.models import IncidentFacts

FactsFactory = Callable[..., IncidentFacts]


def build_facts(**overrides: Any) -> IncidentFacts:
    """A German controller, one French group, name + email exposed; override any key."""
    data: dict[str, Any] = {
        "aware_at": "2026-03-02T09:15:00+01:00",
        "discovered_at": "2026-03-01T22:00:00+01:00",
        "entity": {"name": "Example GmbH", "established_in": ["DE"], "timezone": "Europe/Berlin"},
        "data_categories": ["name", "email"],
        "affected": [{"jurisdiction": "FR", "count": 12}],
    }
    data.update(overrides)
    return IncidentFacts.model_validate(data)


@pytest.fixture
def make_facts() -> FactsFactory:
    """Build IncidentFacts from the base above with keyword overrides."""
    return build_facts


@pytest.fixture
def ny_facts(make_facts: FactsFactory) -> FactsFactory:
    """A New York business; discovered 3 Mar 2026 15:00 EST, aware the next morning."""

    def build(count: int = 650, **overrides: Any) -> IncidentFacts:
        base: dict[str, Any] = {
            "aware_at": "2026-03-04T09:00:00-05:00",
            "discovered_at": "2026-03-03T15:00:00-05:00",
            "entity": {"name": "Example Inc", "timezone": "America/New_York"},
            "data_categories": ["name", "government_id"],
            "affected": [{"jurisdiction": "US-NY", "count": count}],
        }
        return make_facts(**(base | overrides))

    return build
