"""Loading organisation profiles (`OrganisationProfile.fill` applies one to facts)."""

from __future__ import annotations

from pathlib import Path

from herald.inputs import load_document
from herald.models.profile import OrganisationProfile


def load_profile(path: str | Path) -> OrganisationProfile:
    """Read and validate a profile (YAML or JSON); errors name the field."""
    return load_document(path, OrganisationProfile, what="the organisation's profile")
