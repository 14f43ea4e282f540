"""Follow-up phases a person opens on a filed report: GDPR supplementary information, CAC
follow-up and close-out reports, an SEC 8-K amendment.

The rules engine derives the phases that have their own clocks (NIS2's early warning,
notification and final report; APPI's preliminary and final; Brazil's supplement). These
are the phases the law leaves to the reporting party: they exist once someone knows more,
so a person opens them; each is a report of its own, drafted, approved (four eyes),
submitted and tracked like the first, and kept when the facts are judged again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from herald.lifecycle.errors import LifecycleError
from herald.models import FILED_STATUSES, IncidentFacts, Obligation, RegulatorReport

# phase -> the rule in words, per regime; "*" applies to every regime.
FOLLOW_UPS: dict[str, dict[str, str]] = {
    "gdpr": {
        "supplement": "GDPR Art. 33(4): information not available at the time of the first "
        "report, provided in phases without undue further delay.",
    },
    "uk-gdpr": {
        "supplement": "UK GDPR Art. 33(4): further information in phases without undue "
        "further delay.",
    },
    "cn-cac-incident": {
        "follow-up": "CAC Incident Reporting Measures: supplement the report as the cause, "
        "impact and handling become known.",
        "close-out": "CAC Incident Reporting Measures: a summary report within 30 days after "
        "the incident has been handled (cause, measures, lessons, accountability).",
    },
    "sec-8k": {
        "amendment": "Form 8-K/A within four business days after information not determined "
        "at the first filing is determined or becomes available (Item 1.05, Instruction 2).",
    },
    "*": {
        "supplement": "Further information to the authority, without undue further delay.",
    },
}
CLOSE_OUT_DAYS = 30


def phases_for(regime: str) -> dict[str, str]:
    """The follow-up phases a regime's report can have, with their rule in words."""
    return {**FOLLOW_UPS["*"], **FOLLOW_UPS.get(regime, {})}


def follow_up(
    base: Obligation,
    report: RegulatorReport,
    phase: str,
    facts: IncidentFacts,
    due_at: datetime | None,
) -> Obligation:
    """The obligation of a follow-up phase of `base`, checked.

    Raises:
        LifecycleError: the phase is unknown for the regime, the first report is not filed
            yet, or a close-out has no date to count from.
    """
    known = phases_for(base.regime)
    if phase not in known:
        raise LifecycleError(
            f"{base.regime} reports have no {phase!r} phase; use one of {', '.join(sorted(known))}"
        )
    if report.status not in FILED_STATUSES:
        raise LifecycleError(f"report {report.id} is {report.status}: file it before a {phase}")
    if phase == "close-out" and due_at is None:
        ended = facts.details.ended_at
        if ended is None:
            raise LifecycleError(
                "a close-out is due 30 days after the incident was handled: give --due, or "
                "record details.ended_at in the facts"
            )
        due_at = ended + timedelta(days=CLOSE_OUT_DAYS)
    return base.model_copy(
        update={
            "id": f"{base.id}-{phase}",
            "due_at": due_at,
            "deadline": known[phase] + ("" if due_at else " No fixed deadline."),
            "clock": f"{base.id} filed",
            "clock_started_at": report.submitted_at,
            "reasons": [*base.reasons, f"Opened as the {phase} of {base.id}."],
        }
    )
