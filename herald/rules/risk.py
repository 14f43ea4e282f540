"""Risk to the affected people, in the GDPR's three levels: none, risk, high.

A responder who has judged the risk puts it in the facts (``facts.risk``); that judgement
always wins. Otherwise Herald computes a conservative default by a transparent method, so
that every level comes with reasons a person can check and overrule:

1. **Nobody and nothing.** No personal data category is recorded and nobody is affected
   (neither in the facts nor in the assessed population): ``none``.
2. **Encryption safe harbour.** The data was encrypted and the key was not compromised, so
   it is unintelligible to whoever took it (GDPR Art. 34(3)(a), Recital 83): ``none``.
3. **Sensitive data.** Any category in `SENSITIVE_CATEGORIES` was exposed: ``high``. These
   are the categories whose exposure typically leads to fraud, identity theft,
   discrimination or physical danger (Art. 9 special categories, financial and
   identification data, credentials, children's data, precise location; EDPB Guidelines
   9/2022 and the WP29/EDPB examples on breach severity).
4. **Other personal data.** Anything else exposed, or people affected while the exposed
   categories are still unknown: ``risk``, because the GDPR presumes a risk unless the
   breach is *unlikely* to result in one.

The method never lowers a level because few people are affected: the GDPR has no numeric
threshold, and one person's health record can be high risk on its own.

Categories are collected from the whole incident (``facts.data_categories``), every affected
group's own list, and the assessed population (categories counted for at least one person).
``Assessment.risk`` is an *output* (the workflow stores this function's result there), so it
is deliberately not read back as an input.
"""

from __future__ import annotations

from collections.abc import Sequence

from herald.models import AffectedGroup, Assessment, DataCategory, IncidentFacts, RiskLevel

SENSITIVE_CATEGORIES: frozenset[DataCategory] = frozenset(
    {
        DataCategory.HEALTH,
        DataCategory.BIOMETRIC,
        DataCategory.GENETIC,
        DataCategory.GOVERNMENT_ID,
        DataCategory.FINANCIAL_ACCOUNT,
        DataCategory.PAYMENT_CARD,
        DataCategory.ACCOUNT_CREDENTIALS,
        DataCategory.CHILDREN,
        DataCategory.PRECISE_LOCATION,
    }
)


def assess_risk(
    facts: IncidentFacts, assessment: Assessment | None = None
) -> tuple[RiskLevel, list[str]]:
    """Return the risk level of an incident with the reasons for it.

    Args:
        facts: the incident facts; ``facts.risk``, when set, is returned unchanged.
        assessment: the summarised population, if it has been read; its per-jurisdiction
            data categories and its total add to what the facts say.

    Returns:
        The level and a list of plain sentences explaining it.
    """
    if facts.risk is not None:
        return facts.risk, [f"Risk level '{facts.risk}' given in facts."]

    categories = exposed_categories(facts, assessment)
    affected = max(facts.total_affected(), assessment.total if assessment else 0)

    if not categories and affected == 0:
        return RiskLevel.NONE, [
            "No personal data category is recorded and nobody is affected, "
            "so no risk to individuals follows from the facts."
        ]
    if facts.encryption.encrypted and not facts.encryption.key_compromised:
        return RiskLevel.NONE, [
            "The exposed data was encrypted and the key was not compromised, "
            "so it is unintelligible to unauthorised persons."
        ]
    if not categories:
        return RiskLevel.RISK, [
            f"{affected} people are affected but no data category is recorded yet; "
            "a risk is assumed until the exposed data is known."
        ]

    encryption_note = (
        ["The data was encrypted but the key was compromised, so encryption does not protect it."]
        if facts.encryption.encrypted
        else []
    )
    sensitive = sorted(c.value for c in categories & SENSITIVE_CATEGORIES)
    if sensitive:
        return RiskLevel.HIGH, [
            *encryption_note,
            f"Sensitive data categories were exposed ({', '.join(sensitive)}), "
            "which typically enable fraud, identity theft, discrimination or physical harm.",
        ]
    names = ", ".join(sorted(c.value for c in categories))
    return RiskLevel.RISK, [
        *encryption_note,
        f"Personal data was exposed ({names}) but none of it is in a sensitive category, "
        "so a risk, not a high risk, is assumed.",
    ]


def exposed_categories(
    facts: IncidentFacts, assessment: Assessment | None = None
) -> frozenset[DataCategory]:
    """Every data category exposed anywhere in the incident.

    Args:
        facts: the incident facts (incident-wide and per-group categories).
        assessment: the summarised population, whose categories count when at least one
            person has them; unknown category names are ignored.

    Returns:
        The union of all exposed categories.
    """
    # The incident-wide list describes the groups that fall back to it; when every group
    # has its own list, it describes nobody's data.
    falls_back = not facts.affected or any(g.data_categories is None for g in facts.affected)
    found: set[DataCategory] = set(facts.data_categories) if falls_back else set()
    for group in facts.affected:
        found.update(facts.categories_for(group))
    if assessment is not None:
        for row in assessment.jurisdictions:
            for name, count in row.data_categories.items():
                if count > 0 and name in _CATEGORY_VALUES:
                    found.add(DataCategory(name))
    return frozenset(found)


_CATEGORY_VALUES = frozenset(c.value for c in DataCategory)


def risk_for_groups(
    facts: IncidentFacts, assessment: Assessment | None, groups: Sequence[AffectedGroup]
) -> tuple[RiskLevel, list[str]]:
    """The risk to some of the affected people only, by the same method.

    A law that covers only some groups (people in its territory, a foreign controller's
    customers there) protects only them; the data exposed for them can be far less (or more)
    sensitive than the incident's worst. Each group's own categories count (or the
    incident-wide list it falls back to), and the assessed population's rows in their
    jurisdictions.
    """
    scoped = facts.model_copy(
        update={
            "data_categories": [],
            "affected": [
                g.model_copy(update={"data_categories": list(facts.categories_for(g))})
                for g in groups
            ],
        }
    )
    if assessment is not None:
        codes = {g.jurisdiction for g in groups}
        rows = [r for r in assessment.jurisdictions if r.jurisdiction in codes]
        assessment = Assessment(total=sum(r.count for r in rows), jurisdictions=rows)
    return assess_risk(scoped, assessment)
