"""Deadline arithmetic: exact instants across DST changes, and properties over any input."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herald.deadlines import after, end_of_day_after, hours_after

BERLIN = ZoneInfo("Europe/Berlin")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
LAST_INSTANT = time(23, 59, 59, 999_999)


def test_72_hours_across_spring_forward_are_exact_elapsed_hours() -> None:
    # Berlin moves from +01:00 to +02:00 on 29 March 2026, inside the 72 hours.
    aware = datetime(2026, 3, 28, 10, 0, tzinfo=BERLIN)

    due = hours_after(aware, 72)

    assert due == datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    assert due.tzinfo is UTC
    assert due - aware == timedelta(hours=72)
    # On the wall clock it is 11:00, not 10:00: the hour lost to DST still elapsed.
    assert due.astimezone(BERLIN).time() == time(11, 0)


def test_72_hours_across_fall_back() -> None:
    aware = datetime(2026, 10, 24, 10, 0, tzinfo=BERLIN)  # +02:00; back to +01:00 on 25 Oct

    assert hours_after(aware, 72) == datetime(2026, 10, 27, 8, 0, tzinfo=UTC)


def test_hours_after_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match="naive"):
        hours_after(datetime(2026, 3, 28, 10, 0), 72)


def test_30_days_end_at_the_last_local_instant_in_los_angeles() -> None:
    # Discovered 3 March (PST, -08:00); day 30 is 2 April, after the 8 March DST change.
    discovered = datetime(2026, 3, 3, 15, 0, tzinfo=LOS_ANGELES)

    due = end_of_day_after(discovered, 30, "America/Los_Angeles")

    assert due == datetime(2026, 4, 3, 6, 59, 59, 999_999, tzinfo=UTC)
    local = due.astimezone(LOS_ANGELES)
    assert (local.date().isoformat(), local.time()) == ("2026-04-02", LAST_INSTANT)
    assert local.utcoffset() == timedelta(hours=-7)


def test_day_count_starts_from_the_local_date_not_the_utc_date() -> None:
    # 03:00 UTC on 10 January is still 9 January in Los Angeles.
    start = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)

    due = end_of_day_after(start, 30, "America/Los_Angeles")

    assert due == datetime(2026, 2, 9, 7, 59, 59, 999_999, tzinfo=UTC)


def test_zero_days_is_the_end_of_the_start_day_and_utc_is_the_default_zone() -> None:
    start = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

    assert end_of_day_after(start, 0) == datetime(2026, 6, 1, 23, 59, 59, 999_999, tzinfo=UTC)


def test_end_of_day_where_clocks_fall_back_at_midnight() -> None:
    # Santiago goes back from -03:00 to -04:00 at midnight ending 6 April 2024: the last
    # instant of 6 April is the second 23:59:59.999999, at -04:00.
    start = datetime(2024, 4, 5, 12, 0, tzinfo=ZoneInfo("America/Santiago"))

    due = end_of_day_after(start, 1, "America/Santiago")

    assert due == datetime(2024, 4, 7, 3, 59, 59, 999_999, tzinfo=UTC)


def test_end_of_day_where_clocks_spring_forward_at_midnight() -> None:
    # Santiago jumps from 00:00 to 01:00 on 8 September 2024: 7 September ends at -04:00.
    start = datetime(2024, 9, 6, 12, 0, tzinfo=ZoneInfo("America/Santiago"))

    due = end_of_day_after(start, 1, "America/Santiago")

    assert due == datetime(2024, 9, 8, 3, 59, 59, 999_999, tzinfo=UTC)


def test_after_applies_exactly_one_clock() -> None:
    start = datetime(2026, 3, 28, 10, 0, tzinfo=BERLIN)

    assert after(start, hours=72) == hours_after(start, 72)
    assert after(start, days=30, tz="Europe/Berlin") == end_of_day_after(start, 30, "Europe/Berlin")
    with pytest.raises(ValueError, match="exactly one"):
        after(start)
    with pytest.raises(ValueError, match="exactly one"):
        after(start, hours=1, days=1)


# --- properties ---------------------------------------------------------------------------

# Zones with unusual rules: half-hour DST (Lord Howe), midnight transitions (Santiago,
# Havana), 45-minute offsets (Chatham, Kathmandu), and no DST at all.
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/Los_Angeles",
    "America/Santiago",
    "America/Havana",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "Asia/Shanghai",
    "Africa/Casablanca",
    "Europe/London",
]

instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.timezones()
)


@given(start=instants, hours=st.integers(min_value=0, max_value=24 * 400))
def test_hours_after_is_exactly_n_times_3600_seconds(start: datetime, hours: int) -> None:
    due = hours_after(start, hours)

    assert due.tzinfo is UTC
    assert (due - start).total_seconds() == hours * 3600


@given(
    start=instants,
    days=st.integers(min_value=0, max_value=400),
    zone=st.sampled_from(ZONES),
)
def test_end_of_day_after_lands_on_the_last_local_instant(
    start: datetime, days: int, zone: str
) -> None:
    due = end_of_day_after(start, days, zone)
    local_start = start.astimezone(ZoneInfo(zone))
    local_due = due.astimezone(ZoneInfo(zone))

    assert due.tzinfo is UTC
    assert local_due.time() == LAST_INSTANT
    assert local_due.date() == local_start.date() + timedelta(days=days)
    assert due >= start
    # Never earlier than the same wall-clock time `days` later (compared as naive local times,
    # since a day can be 23 or 25 hours long).
    later = local_start.replace(tzinfo=None) + timedelta(days=days)
    assert local_due.replace(tzinfo=None) >= later
