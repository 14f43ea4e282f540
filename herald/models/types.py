"""Validated field types shared by the models."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator

from herald.jurisdictions import UnknownJurisdictionError, normalise


def _jurisdiction(code: str) -> str:
    try:
        return normalise(code)
    except UnknownJurisdictionError as err:
        raise ValueError(str(err)) from err


def _zone(zone: str) -> str:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"unknown IANA time zone {zone!r}") from err
    return zone


# An ISO 3166-1 country or 3166-2 subdivision code, normalised (`fr` → `FR`, CN-31 → CN-SH).
JurisdictionCode = Annotated[str, AfterValidator(_jurisdiction)]
# An IANA time zone name such as `Europe/Berlin`.
TimeZone = Annotated[str, AfterValidator(_zone)]
