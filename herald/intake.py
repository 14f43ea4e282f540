"""Assembling a new incident's input from what the responder brings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from herald.models import IncidentFacts, IncidentInput, OrganisationProfile
from herald.models.drafts import ChannelLimits
from herald.population import open_population
from herald.reminders import ReminderPolicy


def new_incident_id(now: datetime | None = None) -> str:
    """A readable, sortable incident id such as INC-20260302-091500."""
    return (now or datetime.now(UTC)).strftime("INC-%Y%m%d-%H%M%S")


def new_incident(
    *,
    facts: IncidentFacts,
    commander: str,
    population: str | Path | None = None,
    profile: OrganisationProfile | None = None,
    team: list[str] | None = None,
    incident_id: str | None = None,
    approvals_required: int = 2,
    sms_max_segments: int = 3,
    reminders: ReminderPolicy | None = None,
    backups: list[str] | None = None,
    search_attributes: bool = False,
) -> IncidentInput:
    """The input of an IncidentWorkflow.

    The profile supplies what the organisation promised (its channel order, its response
    team, its contact point); the population is opened (hashed) here, and only its path and
    digest travel into the workflow.
    """
    if profile is not None:
        facts = profile.fill(facts)
    extra = {"channel_order": profile.channels} if profile is not None else {}
    return IncidentInput(
        incident_id=incident_id or new_incident_id(),
        facts=facts,
        population=open_population(population) if population is not None else None,
        commander=commander,
        approvals_required=approvals_required,
        team_contacts=list(dict.fromkeys([*(profile.team if profile else []), *(team or [])])),
        profile=profile,
        limits=ChannelLimits(sms_max_segments=sms_max_segments),
        reminders=_with_backups(reminders or ReminderPolicy(), profile, backups or []),
        search_attributes=search_attributes,
        **extra,
    )


def _with_backups(
    policy: ReminderPolicy, profile: OrganisationProfile | None, backups: list[str]
) -> ReminderPolicy:
    """The policy's backups, the profile's and the responder's, each once."""
    named = [*policy.backups, *(profile.backups if profile else []), *backups]
    return policy.model_copy(update={"backups": list(dict.fromkeys(named))})
