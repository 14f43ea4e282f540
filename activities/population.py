"""Activities that read the affected population (streamed, never returned whole)."""

from __future__ import annotations

from temporalio import activity

from herald.assess import assess_population
from herald.models.messages import (
    AssessPopulationInput,
    AssessPopulationResult,
    CountPopulationInput,
    CountPopulationResult,
)
from herald.population import count_rows


class PopulationActivities:
    """Population reading: counts and contactability, never the rows themselves."""

    @activity.defn
    def assess_population(self, inp: AssessPopulationInput) -> AssessPopulationResult:
        """Stream the population once and summarise it."""
        assessment = assess_population(inp.source, inp.channel_order)
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
        return CountPopulationResult(rows=count_rows(inp.source))
