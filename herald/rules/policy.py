"""The `policy` regime: what the organisation's own privacy policy promises.

A privacy policy can promise more than the law asks: to tell every user by email, letter,
phone or push, to post a public announcement where telling each one is difficult, to
answer requests within 15 days. The organisation profile records each promise with the
clause it comes from (`PolicyCommitment`), and this regime turns them into obligations
beside the legal ones. Where a law already requires the same notice for a person, the
locality plan gives that person the law's notice (one notice each), which then also has to
carry what the policy promised (herald.rules.locality.notice_content).
"""

from __future__ import annotations

from datetime import timedelta

from herald.models import Audience, Channel, Obligation
from herald.models.facts import PolicyCommitment
from herald.rules.base import NO_PERSONAL_DATA, Context, RegimeResult, personal_data_involved

DEFAULT_CONTENT = ["nature_of_breach", "likely_consequences", "measures_taken", "contact_info"]


class PolicyRegime:
    """The organisation's own promises (from its profile), as obligations."""

    id = "policy"

    def evaluate(self, ctx: Context) -> RegimeResult:
        """An obligation for each promise that applies to this incident."""
        entity = ctx.facts.entity
        if not entity.commitments:
            return RegimeResult(False, ["The organisation's profile records no policy promises."])
        if not personal_data_involved(ctx.facts):
            return RegimeResult(False, [NO_PERSONAL_DATA])
        name = entity.policy_name or entity.name
        result = RegimeResult(True, [f"{_policy(name)} makes promises about incidents."])
        for commitment in entity.commitments:
            obligation, reason = self._obligation(ctx, commitment, name)
            result.reasons.append(reason)
            if obligation is not None:
                result.obligations.append(obligation)
        return result

    def _obligation(
        self, ctx: Context, commitment: PolicyCommitment, name: str
    ) -> tuple[Obligation | None, str]:
        facts = ctx.facts
        where = sorted({group.jurisdiction for group in facts.affected})
        people = sum(group.count for group in facts.affected)
        hours = commitment.within_hours
        due = facts.aware_at + timedelta(hours=hours) if hours else None
        period = (
            f"within {commitment.within_hours:g} hours of awareness"
            if commitment.within_hours
            else "promptly (no fixed period)"
        )
        base = {
            "regime": self.id,
            "due_at": due,
            "citation": f"{_policy(name)}: {commitment.source}",
            "clock": "awareness",
            "clock_started_at": facts.aware_at,
            "jurisdictions": where,
            "language": (facts.entity.languages or ["en"])[0],
            "reasons": [f"Promised: {commitment.summary}"],
        }
        kind = commitment.kind
        if kind == "notify_individuals":
            return Obligation(
                **base,
                id=f"policy-{commitment.id}",
                audience=Audience.INDIVIDUALS,
                recipient="Affected users (as the privacy policy promises)",
                deadline=f"{commitment.summary} ({period})",
                required_content=commitment.required_content or DEFAULT_CONTENT,
                affected_count=people,
                channels=list(commitment.channels),
            ), f"{commitment.source}: every affected user is to be told, {period}."
        if kind == "public_announcement":
            unreachable = ctx.assessment.unreachable if ctx.assessment else 0
            if not unreachable:
                return None, (
                    f"{commitment.source}: a public announcement where telling each person is "
                    "difficult; every assessed person can be reached (or nobody was assessed)."
                )
            return Obligation(
                **base,
                id=f"policy-{commitment.id}",
                audience=Audience.PUBLIC,
                recipient="The public (announcement the privacy policy promises)",
                deadline=f"{commitment.summary} ({period})",
                required_content=commitment.required_content or DEFAULT_CONTENT[:3],
                affected_count=unreachable,
                channels=[Channel.WEB],
            ), f"{commitment.source}: {unreachable} people cannot be told one by one."
        if kind == "report_regulators":
            return None, (
                f"{commitment.source}: the policy promises to report to the regulators as "
                "they require; the legal regimes' reports carry that out."
            )
        standing = {**base, "due_at": None, "clock": "request", "clock_started_at": None}
        answer = f"within {_days(hours)} of receiving each request" if hours else "promptly"
        return Obligation(
            **standing,
            id=f"policy-{commitment.id}",
            audience=Audience.OTHER,
            recipient="Each person who asks about the incident or their data",
            deadline=f"{commitment.summary} ({answer})",
            drafted=False,
        ), f"{commitment.source}: a standing promise for requests, tracked without drafts."


def _policy(name: str) -> str:
    """ "Acme privacy policy", unless the name already says it is a policy."""
    return name if name.lower().rstrip(". ").endswith("policy") else f"{name} privacy policy"


def _days(hours: float) -> str:
    return f"{hours / 24:g} days" if hours % 24 == 0 else f"{hours:g} hours"
