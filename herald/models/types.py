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
    # Checked before ZoneInfo, which looks names up as file paths: a long name would reach
    # the file system (OSError: file name too long) instead of being refused here.
    if len(zone) > 64:
        raise ValueError("unknown IANA time zone (longer than 64 characters)")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as err:
        raise ValueError(f"unknown IANA time zone {zone!r}") from err
    return zone


# An ISO 3166-1 country or 3166-2 subdivision code, normalised (`fr` → `FR`, CN-31 → CN-SH).
JurisdictionCode = Annotated[str, AfterValidator(_jurisdiction)]
# An IANA time zone name such as `Europe/Berlin`.
TimeZone = Annotated[str, AfterValidator(_zone)]
