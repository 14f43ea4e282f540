"""Substitute notice under a US state law: a public notice when residents cannot be reached.

State laws allow substitute notice (email where an address is known, a conspicuous website
posting, statewide media) when direct notice would cost too much, would reach too many
people, or the business lacks sufficient contact information. Only the last branch can be
derived here, from the assessed population's unreachable count; the cost and size branches
stay the responder's call and the reasons say so.
"""

from __future__ import annotations

from herald.models import Assessment, Audience, Channel, Obligation
from herald.rules.base import slug
from herald.rules.statelaw import StateLaw, SubstituteRule


def substitute_notice(
    law: StateLaw,
    rule: SubstituteRule,
    assessment: Assessment | None,
    individuals: Obligation,
) -> tuple[Obligation | None, str]:
    """Decide the substitute notice for insufficient contact information.

    Args:
        law: the state's law.
        rule: the substitute-notice rule of the version in force.
        assessment: the assessed population, if it has been read.
        individuals: the residents' notice, whose deadline and content the public notice
            shares.

    Returns:
        The public obligation (or None) and a sentence for the regime's reasons.
    """
    not_derivable = _not_derivable(rule)
    if not rule.insufficient_contact:
        return None, (
            f"{law.name} allows no substitute notice for insufficient contact information "
            f"({rule.citation}). {not_derivable}"
        ).strip()
    # An assessment built from the facts alone knows no contact points: contactability is
    # then unknown, not "everyone reachable".
    if assessment is None or (not assessment.contactable and assessment.unreachable == 0):
        return None, (
            "Substitute notice for insufficient contact information needs the assessed "
            f"population's contact points, which are not known yet. {not_derivable}"
        ).strip()
    if assessment.unreachable == 0:
        return None, (
            "Every assessed person has a usable contact point, so no substitute notice is "
            f"needed for insufficient contact information. {not_derivable}"
        ).strip()
    posting = (
        " The notice must stay conspicuously posted on the website for at least "
        f"{rule.posting_days} days."
        if rule.posting_days
        else ""
    )
    obligation = Obligation(
        regime=law.id,
        audience=Audience.PUBLIC,
        recipient="The public (substitute notice)",
        due_at=individuals.due_at,
        deadline=f"As for the resident notice: {individuals.deadline}{posting}",
        citation=rule.citation,
        required_content=list(individuals.required_content),
        id=slug(law.id, "public"),
        clock=individuals.clock,
        clock_started_at=individuals.clock_started_at,
        jurisdictions=[law.jurisdiction],
        # The assessment does not split unreachable people by jurisdiction: an upper bound.
        affected_count=min(assessment.unreachable, individuals.affected_count),
        channels=[Channel.WEB, Channel.EMAIL],
        language="en",
        posting_days=rule.posting_days or None,
        contact="",
        reasons=[
            f"{law.statute}: {assessment.unreachable} assessed people have no usable contact "
            "point, so the business lacks sufficient contact information to notify them "
            "directly.",
            f"Substitute notice by {', '.join(rule.methods)}.{posting}",
            *([not_derivable] if not_derivable else []),
        ],
        warnings=[
            *individuals.warnings,
            f"The unreachable count covers the whole population, not only {law.name} "
            f"residents; check how many of them live in {law.name}.",
            # The file's own caveats about substitute notice (UNCONFIRMED thresholds).
            *(note for note in law.notes if "substitute" in note.lower()),
        ],
    )
    return obligation, (
        f"{assessment.unreachable} assessed people cannot be reached, so substitute notice "
        "applies for insufficient contact information."
    )


def _not_derivable(rule: SubstituteRule) -> str:
    """The branches the facts cannot decide, in one sentence ("" when there are none)."""
    branches = []
    if rule.cost_over_usd is not None:
        branches.append(f"cost (> ${rule.cost_over_usd:,})")
    if rule.people_over is not None:
        branches.append(f"size (> {rule.people_over:,} people)")
    if not branches:
        return ""
    plural = len(branches) > 1
    return (
        f"The {' and '.join(branches)} branch{'es' if plural else ''} of substitute notice "
        f"cannot be derived from the facts; {'they remain' if plural else 'it remains'} the "
        "responder's call."
    )
