"""Typed search attributes of incidents: what the Temporal Web UI and visibility queries can
list and filter incidents by (`HeraldPhase = 'notifying'`). Never personal data: a phase, a
risk level, an instant and a count.

A server must know them before a workflow sets them: the embedded dev server and the test
environments register them at start (`server_flags`); on a cluster an operator runs
`temporal operator search-attribute create` once per attribute (docs/architecture.md §12),
or sets HERALD_SEARCH_ATTRIBUTES=false.
"""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeKey

__all__ = [
    "NEXT_DEADLINE",
    "OPEN_OBLIGATIONS",
    "PHASE",
    "SEARCH_ATTRIBUTES",
    "SEVERITY",
    "server_flags",
]

PHASE = SearchAttributeKey.for_keyword("HeraldPhase")
SEVERITY = SearchAttributeKey.for_keyword("HeraldSeverity")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("HeraldNextDeadline")
OPEN_OBLIGATIONS = SearchAttributeKey.for_int("HeraldOpenObligations")
SEARCH_ATTRIBUTES: tuple[SearchAttributeKey[Any], ...] = (
    PHASE,
    SEVERITY,
    NEXT_DEADLINE,
    OPEN_OBLIGATIONS,
)


def server_flags() -> list[str]:
    """`temporal server start-dev` arguments registering every attribute."""
    flags: list[str] = []
    for key in SEARCH_ATTRIBUTES:
        # The CLI spells the types as the API's enum does, without its prefix: Keyword, Int.
        kind = key.indexed_value_type.name.removeprefix("INDEXED_VALUE_TYPE_").title()
        flags += ["--search-attribute", f"{key.name}={kind}"]
    return flags
