"""Impact: the facts as the rules judge them, once the population has been assessed."""

from __future__ import annotations

from datetime import datetime

from herald import rules
from herald.models import (
    AffectedGroup,
    Assessment,
    DataCategory,
    Evaluation,
    IncidentFacts,
    JurisdictionCount,
)
from herald.rules.risk import assess_risk


def facts_with_population(facts: IncidentFacts, assessment: Assessment | None) -> IncidentFacts:
    """Replace the estimated `affected` groups by the counts read from the population.

    A responder's estimate is what the facts carry before the population file exists; once
    it is read, the real counts per jurisdiction (and the data categories recorded for the
    people in each) are what the law is applied to. Groups whose rows carry no categories
    keep the incident-wide list.
    """
    if assessment is None or assessment.total == 0:
        return facts
    groups = [
        AffectedGroup(
            jurisdiction=row.jurisdiction,
            count=row.count,
            data_categories=[DataCategory(c) for c in sorted(row.data_categories)] or None,
        )
        for row in assessment.jurisdictions
    ]
    return facts.model_copy(update={"affected": groups})


def assessment_from_facts(facts: IncidentFacts) -> Assessment:
    """An assessment built from the facts alone, for incidents without a population file."""
    rows: dict[str, JurisdictionCount] = {}
    for group in facts.affected:
        row = rows.setdefault(
            group.jurisdiction, JurisdictionCount(jurisdiction=group.jurisdiction, count=0)
        )
        row.count += group.count
        for category in facts.categories_for(group):
            row.data_categories[category.value] = (
                row.data_categories.get(category.value, 0) + group.count
            )
    return Assessment(total=facts.total_affected(), jurisdictions=list(rows.values()))


def judge(
    facts: IncidentFacts,
    assessment: Assessment | None = None,
    *,
    notified: dict[str, datetime] | None = None,
) -> tuple[IncidentFacts, Assessment, Evaluation]:
    """Facts (with the population folded in) → risk → obligations under every regime.

    The one path from facts to obligations: the workflow's activity and the
    `herald obligations` command both call it, so they can never disagree.
    """
    judged = facts_with_population(facts, assessment)
    assessment = assessment or assessment_from_facts(judged)
    risk, reasons = assess_risk(judged, assessment)
    assessment = assessment.model_copy(update={"risk": risk, "risk_reasons": reasons})
    return judged, assessment, rules.evaluate(judged, assessment, notified=notified or {})
