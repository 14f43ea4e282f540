"""Shared field types: hostile time-zone names are refused, not looked up on disk."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from herald.models.types import TimeZone


class _Zoned(BaseModel):
    zone: TimeZone


@pytest.mark.parametrize("zone", ["x" * 300, "../../../etc/passwd", "Mars/Olympus", "\x00"])
def test_hostile_zone_names_are_refused_with_a_validation_error(zone: str) -> None:
    with pytest.raises(ValueError, match="unknown IANA time zone"):
        _Zoned(zone=zone)


def test_real_zones_are_kept() -> None:
    assert _Zoned(zone="Asia/Shanghai").zone == "Asia/Shanghai"
