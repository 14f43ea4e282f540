"""Organisation profiles: loading one, and the profiles of the seed organisations.

`OrganisationProfile.fill` applies a profile to facts. The seed organisations (whose privacy
policies are in the project's shared seeds) have a profile each in `profiles/<slug>.yaml`
and a sample incident in `profiles/samples/<slug>/` (`facts.json`, `population.csv`), which
`herald demo --org <slug>` runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from herald.inputs import InputError, load_document
from herald.models.profile import OrganisationProfile
from herald.settings import PROJECT_ROOT

PROFILES_DIR = PROJECT_ROOT / "profiles"
SAMPLES_DIR = PROFILES_DIR / "samples"


def load_profile(path: str | Path) -> OrganisationProfile:
    """Read and validate a profile (YAML or JSON); errors name the field."""
    return load_document(path, OrganisationProfile, what="the organisation's profile")


def known_orgs() -> list[str]:
    """Slugs of the organisations with a profile and a sample incident."""
    return sorted(
        path.stem
        for path in PROFILES_DIR.glob("*.yaml")
        if (SAMPLES_DIR / path.stem / "facts.json").is_file()
    )


@dataclass(frozen=True)
class SampleIncident:
    """The files of one organisation's sample incident."""

    profile: Path
    facts: Path
    population: Path


def sample_incident(slug: str) -> SampleIncident:
    """The profile, facts and population of a seed organisation's sample incident.

    Raises:
        InputError: no such organisation (the message lists the known ones).
    """
    if slug not in known_orgs():
        raise InputError(f"--org {slug!r}: unknown; known organisations: {', '.join(known_orgs())}")
    folder = SAMPLES_DIR / slug
    return SampleIncident(
        profile=PROFILES_DIR / f"{slug}.yaml",
        facts=folder / "facts.json",
        population=folder / "population.csv",
    )
