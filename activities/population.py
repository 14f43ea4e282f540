"""Activities that read the affected population (streamed, never returned whole)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from herald.assess import assess_population
from herald.models.messages import (
    AssessPopulationInput,
    AssessPopulationResult,
    CountPopulationInput,
    CountPopulationResult,
)
from herald.population import PopulationFileError, count_rows, verify_population

T = TypeVar("T")


def checked(read: Callable[[], T]) -> T:
    """Run a read of the population; a bad or changed file fails at once, without retries."""
    try:
        return read()
    except PopulationFileError as err:
        raise ApplicationError(str(err), type="PopulationFileError", non_retryable=True) from err


class PopulationActivities:
    """Population reading: counts and contactability, never the rows themselves."""

    @activity.defn
    def assess_population(self, inp: AssessPopulationInput) -> AssessPopulationResult:
        """Stream the population once and summarise it."""
        checked(lambda: verify_population(inp.source))
        assessment = checked(lambda: assess_population(inp.source, inp.channel_order))
        activity.logger.info(
            "assessed %s: %d people, %d rejected",
            inp.source.label,
            assessment.total,
            assessment.rejected,
        )
        return AssessPopulationResult(assessment=assessment)

    @activity.defn
    def count_population(self, inp: CountPopulationInput) -> CountPopulationResult:
        """Count data rows, so a campaign can partition the file into ranges."""
        checked(lambda: verify_population(inp.source))
        return CountPopulationResult(rows=checked(lambda: count_rows(inp.source)))
