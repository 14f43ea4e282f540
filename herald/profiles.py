"""Loading organisation profiles and applying them to an incident."""

from __future__ import annotations

from pathlib import Path

from herald.inputs import load_document
from herald.models import IncidentFacts
from herald.models.profile import OrganisationProfile


def load_profile(path: str | Path) -> OrganisationProfile:
    """Read and validate a profile (YAML or JSON); errors name the field."""
    return load_document(path, OrganisationProfile, what="the organisation's profile")


def apply_profile(facts: IncidentFacts, profile: OrganisationProfile) -> IncidentFacts:
    """Fill what the facts leave out from the profile; what the facts say wins.

    Responders describe the incident; the profile describes the organisation. The contact
    point, establishment, sectors and time zone rarely change per incident, so they come from
    the profile unless the facts give them.
    """
    entity = facts.entity
    filled = entity.model_copy(
        update={
            "established_in": entity.established_in or profile.established_in,
            "sectors": entity.sectors or profile.sectors,
            "timezone": entity.timezone
            if "timezone" in entity.model_fields_set
            else profile.timezone,
            "contact": entity.contact or profile.contact,
        }
    )
    return facts.model_copy(update={"entity": filled})
