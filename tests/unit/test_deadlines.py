"""Deadline arithmetic: exact instants across DST changes, and properties over any input."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from herald.deadlines import (
    after,
    business_days_after,
    end_of_day_after,
    hours_after,
    sec_business_days_after,
)

BERLIN = ZoneInfo("Europe/Berlin")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
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


# --- business days -----------------------------------------------------------------------


def _local_end(due: datetime, zone: tzinfo) -> tuple[str, time]:
    local = due.astimezone(zone)
    return local.date().isoformat(), local.time()


def test_a_friday_start_skips_the_weekend() -> None:
    friday = datetime(2026, 6, 5, 16, 30, tzinfo=NEW_YORK)

    due = business_days_after(friday, 1, tz="America/New_York")

    assert due == datetime(2026, 6, 9, 3, 59, 59, 999_999, tzinfo=UTC)
    assert due.tzinfo is UTC
    assert _local_end(due, NEW_YORK) == ("2026-06-08", LAST_INSTANT)  # Monday


def test_the_start_day_never_counts_even_on_a_business_day() -> None:
    monday_morning = datetime(2026, 6, 8, 0, 5, tzinfo=NEW_YORK)

    due = business_days_after(monday_morning, 1, tz="America/New_York")

    assert _local_end(due, NEW_YORK) == ("2026-06-09", LAST_INSTANT)


def test_thanksgiving_is_skipped() -> None:
    wednesday = datetime(2026, 11, 25, 9, 0, tzinfo=NEW_YORK)

    due = business_days_after(wednesday, 1, tz="America/New_York")

    assert _local_end(due, NEW_YORK) == ("2026-11-27", LAST_INSTANT)


def test_christmas_and_the_weekend_after_it_are_skipped() -> None:
    christmas_eve = datetime(2026, 12, 24, 9, 0, tzinfo=NEW_YORK)  # Thursday

    due = business_days_after(christmas_eve, 1, tz="America/New_York")

    assert _local_end(due, NEW_YORK) == ("2026-12-28", LAST_INSTANT)


def test_a_state_holiday_counts_only_with_its_subdivision() -> None:
    # Patriots' Day, Monday 20 April 2026, is a Massachusetts holiday, not a federal one.
    friday = datetime(2026, 4, 17, 12, 0, tzinfo=NEW_YORK)

    federal = business_days_after(friday, 1, tz="America/New_York")
    iso = business_days_after(friday, 1, tz="America/New_York", subdivision="US-MA")
    bare = business_days_after(friday, 1, tz="America/New_York", subdivision="MA")

    assert _local_end(federal, NEW_YORK) == ("2026-04-20", LAST_INSTANT)
    assert _local_end(iso, NEW_YORK) == ("2026-04-21", LAST_INSTANT)
    assert bare == iso


def test_an_unknown_subdivision_falls_back_to_the_national_calendar() -> None:
    friday = datetime(2026, 11, 25, 9, 0, tzinfo=NEW_YORK)

    assert business_days_after(
        friday, 1, tz="America/New_York", subdivision="US-ZZ"
    ) == business_days_after(friday, 1, tz="America/New_York")


def test_an_unknown_country_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="no public-holiday calendar"):
        business_days_after(datetime(2026, 1, 5, tzinfo=UTC), 3, tz="UTC", country="XX")


def test_business_days_refuse_a_naive_start_and_negative_days() -> None:
    with pytest.raises(ValueError, match="naive"):
        business_days_after(datetime(2026, 1, 5), 3, tz="UTC")
    with pytest.raises(ValueError, match="negative"):
        business_days_after(datetime(2026, 1, 5, tzinfo=UTC), -1, tz="UTC")


def test_zero_business_days_is_the_end_of_the_start_day() -> None:
    saturday = datetime(2026, 6, 6, 12, 0, tzinfo=UTC)

    assert business_days_after(saturday, 0, tz="UTC") == end_of_day_after(saturday, 0)


def test_brazil_skips_tiradentes() -> None:
    # Monday 20 April 2026; Tiradentes (21 April) is a national holiday, so the three
    # dias úteis are 22, 23 and 24 April.
    start = datetime(2026, 4, 20, 10, 0, tzinfo=SAO_PAULO)

    due = business_days_after(start, 3, tz="America/Sao_Paulo", country="BR")

    assert due == datetime(2026, 4, 25, 2, 59, 59, 999_999, tzinfo=UTC)
    assert _local_end(due, SAO_PAULO) == ("2026-04-24", LAST_INSTANT)


def test_brazil_carnival_is_not_a_national_public_holiday() -> None:
    # The package files Carnival (16-17 February 2026) as an optional day (ponto
    # facultativo), not a public holiday, so it counts as a business day.
    assert date(2026, 2, 17) not in holidays.country_holidays("BR", years=2026)
    assert date(2026, 2, 17) in holidays.country_holidays(
        "BR", years=2026, categories=("optional",)
    )
    friday = datetime(2026, 2, 13, 10, 0, tzinfo=SAO_PAULO)

    due = business_days_after(friday, 3, tz="America/Sao_Paulo", country="BR")

    assert _local_end(due, SAO_PAULO) == ("2026-02-18", LAST_INSTANT)


def test_end_instant_across_the_autumn_dst_change() -> None:
    # Friday 30 October 2026 is EDT (-04:00); clocks fall back on Sunday 1 November, so the
    # final day (Tuesday 3 November) ends at 23:59:59.999999 EST (-05:00).
    start = datetime(2026, 10, 30, 15, 0, tzinfo=NEW_YORK)

    due = business_days_after(start, 2, tz="America/New_York")

    assert due == datetime(2026, 11, 4, 4, 59, 59, 999_999, tzinfo=UTC)
    assert due.astimezone(NEW_YORK).utcoffset() == timedelta(hours=-5)


def test_end_instant_across_the_spring_dst_change() -> None:
    start = datetime(2026, 3, 6, 15, 0, tzinfo=NEW_YORK)  # Friday, EST; EDT from 8 March

    due = business_days_after(start, 1, tz="America/New_York")

    assert due == datetime(2026, 3, 10, 3, 59, 59, 999_999, tzinfo=UTC)


def test_leap_day_is_a_business_day() -> None:
    start = datetime(2028, 2, 28, 9, 0, tzinfo=NEW_YORK)  # Monday

    assert _local_end(business_days_after(start, 1, tz="America/New_York"), NEW_YORK) == (
        "2028-02-29",
        LAST_INSTANT,
    )
    assert _local_end(business_days_after(start, 2, tz="America/New_York"), NEW_YORK) == (
        "2028-03-01",
        LAST_INSTANT,
    )


def test_year_end_skips_new_years_day() -> None:
    start = datetime(2026, 12, 30, 9, 0, tzinfo=NEW_YORK)  # Wednesday; 1 Jan is a Friday

    due = business_days_after(start, 2, tz="America/New_York")

    assert _local_end(due, NEW_YORK) == ("2027-01-04", LAST_INSTANT)


def test_new_years_day_observed_in_the_previous_year_is_skipped() -> None:
    # 1 January 2028 is a Saturday, observed on Friday 31 December 2027.
    start = datetime(2027, 12, 29, 9, 0, tzinfo=NEW_YORK)

    due = business_days_after(start, 2, tz="America/New_York")

    assert _local_end(due, NEW_YORK) == ("2028-01-03", LAST_INSTANT)


def test_sec_days_skip_federal_holidays_and_executive_order_closures() -> None:
    # Monday 23 December 2024: 24 December was closed by Executive Order 14129 and 25 is
    # Christmas, so four business days end on Tuesday 31 December.
    start = datetime(2024, 12, 23, 10, 0, tzinfo=NEW_YORK)

    due = sec_business_days_after(start, 4)

    assert _local_end(due, NEW_YORK) == ("2024-12-31", LAST_INSTANT)
    # The plain public-holiday calendar does not know the closure.
    plain = business_days_after(start, 4, tz="America/New_York")
    assert _local_end(plain, NEW_YORK) == ("2024-12-30", LAST_INSTANT)


def test_sec_days_skip_a_national_day_of_mourning() -> None:
    start = datetime(2025, 1, 8, 10, 0, tzinfo=NEW_YORK)  # 9 January 2025: President Carter

    assert _local_end(sec_business_days_after(start, 1), NEW_YORK) == (
        "2025-01-10",
        LAST_INSTANT,
    )


def test_sec_days_count_a_half_day_closing_as_open() -> None:
    start = datetime(2015, 12, 23, 10, 0, tzinfo=NEW_YORK)  # 24 Dec 2015 closed at noon

    assert _local_end(sec_business_days_after(start, 1), NEW_YORK) == (
        "2015-12-24",
        LAST_INSTANT,
    )


def test_sec_days_use_eastern_time_by_default() -> None:
    # 02:00 UTC on Saturday is still Friday evening in New York.
    start = datetime(2026, 6, 6, 2, 0, tzinfo=UTC)

    assert _local_end(sec_business_days_after(start, 1), NEW_YORK) == (
        "2026-06-08",
        LAST_INSTANT,
    )
    assert _local_end(sec_business_days_after(start, 1, tz="UTC"), UTC) == (
        "2026-06-08",
        LAST_INSTANT,
    )


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


# (country, subdivision as a caller may write it, subdivision as `holidays` takes it)
CALENDARS = [
    ("US", None, None),
    ("US", "US-NY", "NY"),
    ("US", "CA", "CA"),
    ("US", "us-ma", "MA"),
    ("BR", None, None),
    ("BR", "BR-SP", "SP"),
    ("DE", "DE-BY", "BY"),
    ("GB", "GB-ENG", "ENG"),
    ("JP", None, None),
    ("AU", "AU-NSW", "NSW"),
    ("CA", "CA-QC", "QC"),
]


def _is_business_day(day: date, country: str, subdivision: str | None) -> bool:
    # An oracle independent of the implementation's cache: the package's own calendar.
    calendar = holidays.country_holidays(country, subdiv=subdivision, years=day.year)
    return day.weekday() < 5 and day not in calendar


@given(
    start=instants,
    days=st.integers(min_value=1, max_value=30),
    zone=st.sampled_from(ZONES),
    calendar=st.sampled_from(CALENDARS),
)
@example(  # leap day
    start=datetime(2028, 2, 28, 12, 0, tzinfo=UTC), days=1, zone="UTC", calendar=CALENDARS[0]
)
@example(  # year end, New Year's Day on a Friday
    start=datetime(2026, 12, 30, 12, 0, tzinfo=UTC), days=2, zone="UTC", calendar=CALENDARS[0]
)
@example(  # year end in Brazil
    start=datetime(2026, 12, 30, 12, 0, tzinfo=UTC),
    days=3,
    zone="America/Sao_Paulo",
    calendar=CALENDARS[4],
)
def test_business_days_after_counts_exactly_the_business_days(
    start: datetime, days: int, zone: str, calendar: tuple[str, str | None, str | None]
) -> None:
    country, given_subdivision, subdivision = calendar

    due = business_days_after(start, days, tz=zone, country=country, subdivision=given_subdivision)

    local_start = start.astimezone(ZoneInfo(zone)).date()
    local_due = due.astimezone(ZoneInfo(zone))
    assert due.tzinfo is UTC
    assert local_due.time() == LAST_INSTANT
    assert _is_business_day(local_due.date(), country, subdivision)
    # Business days in (start's local date, due's local date]: exactly `days`.
    span = (local_due.date() - local_start).days
    between = [local_start + timedelta(days=n) for n in range(1, span + 1)]
    assert sum(_is_business_day(d, country, subdivision) for d in between) == days
    assert due > start


@given(start=instants, days=st.integers(min_value=1, max_value=30))
@example(start=datetime(2028, 2, 28, 12, 0, tzinfo=NEW_YORK), days=1)
@example(start=datetime(2026, 12, 30, 12, 0, tzinfo=NEW_YORK), days=2)
def test_sec_business_days_land_on_a_federal_business_day(start: datetime, days: int) -> None:
    due = sec_business_days_after(start, days)

    local_due = due.astimezone(NEW_YORK)
    assert local_due.time() == LAST_INSTANT
    assert local_due.weekday() < 5
    assert local_due.date() not in holidays.country_holidays("US", years=local_due.year)
    # Never earlier than the plain federal-holiday count: closures only add days.
    assert due >= business_days_after(start, days, tz="America/New_York")
