"""Loading organisation profiles and applying them to an incident."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from herald.inputs import InputError, describe_validation_error
from herald.models import IncidentFacts
from herald.models.profile import OrganisationProfile


def load_profile(path: str | Path) -> OrganisationProfile:
    """Read and validate a profile (YAML or JSON); errors name the field."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise InputError(f"{file}: cannot read: {err.strerror}") from err
    try:
        data: Any = json.loads(text) if file.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as err:
        raise InputError(f"{file}: not valid {file.suffix.lstrip('.') or 'YAML'}: {err}") from err
    if not isinstance(data, dict):
        raise InputError(f"{file}: expected a mapping with the organisation's profile")
    try:
        return OrganisationProfile.model_validate(data)
    except ValidationError as err:
        raise InputError(describe_validation_error(err, str(file))) from err


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
