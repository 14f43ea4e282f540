"""Deadline arithmetic: hour, calendar-day and business-day clocks, always returned in UTC.

Three kinds of legal clock exist (see the contract in design.md):

* an **hour clock** ("not later than 72 hours after") counts elapsed wall-clock hours. It is
  computed on the UTC time line, so a daylight-saving change in between neither adds nor
  removes an hour: 72 hours are always exactly 259,200 seconds.
* a **day clock** ("within 30 calendar days of discovery") ends at the last instant of its
  final day in the entity's time zone. The final day is the local date of the start plus the
  number of days; its last instant is represented as 23:59:59.999999 local time (one
  microsecond before the next local midnight, the finest instant a ``datetime`` holds) and
  converted to UTC.
* a **business-day clock** ("within three business days", Brazil's *dias úteis*, the SEC's
  four business days) counts only days that are neither a Saturday, a Sunday nor a public
  holiday of the authority's jurisdiction, taken from the ``holidays`` package, and ends like
  a day clock at the last instant of its final day in the entity's time zone.

Day and business-day clocks count **local calendar dates**, never 24-hour periods, so a DST
change between the start and the deadline neither moves the final day nor adds or removes an
hour from it: the final day ends at its own local midnight, whatever UTC offset is in force
on that day, and the UTC instant returned reflects that offset.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from holidays.constants import GOVERNMENT, PUBLIC

_ONE_MICROSECOND = timedelta(microseconds=1)
_SATURDAY = 5  # date.weekday(): Monday is 0, so 5 and 6 are the weekend.

# `holidays` labels a federal government closure that lasted only half a day with this
# suffix (in its en_US names, which we pin); the Commission was open on such a day.
_HALF_DAY_CLOSING = "(half-day closing)"


def hours_after(start: datetime, hours: int) -> datetime:
    """Return the instant exactly ``hours`` elapsed hours after ``start``.

    Args:
        start: an aware instant (any UTC offset or zone).
        hours: elapsed hours; weekends, holidays and DST changes all count as they pass.

    Returns:
        An aware datetime in UTC.

    Raises:
        ValueError: if ``start`` is naive, because a legal clock needs a definite instant.
    """
    # Adding to a UTC datetime is absolute arithmetic; adding to a zoned one would be
    # wall-clock arithmetic and drift by an hour across a DST change.
    return _utc(start) + timedelta(hours=hours)


def end_of_day_after(start: datetime, days: int, tz: str = "UTC") -> datetime:
    """Return the last instant of the calendar day ``days`` days after ``start``'s local date.

    The final day is ``start``'s date in ``tz`` plus ``days`` calendar days. The result is
    one microsecond before the following local midnight, i.e. 23:59:59.999999 local time,
    converted to UTC. Should the zone skip that date altogether (Pacific/Apia skipped
    30 Dec 2011), the result is the last instant before the next local day begins.

    Args:
        start: an aware instant that starts the clock.
        days: calendar days to add (0 = the end of the start's own day).
        tz: IANA time zone whose calendar counts (the entity's, default UTC).

    Returns:
        An aware datetime in UTC.

    Raises:
        ValueError: if ``start`` is naive.
        zoneinfo.ZoneInfoNotFoundError: if ``tz`` is not a known IANA zone.
    """
    zone = ZoneInfo(tz)
    final_day = _utc(start).astimezone(zone).date() + timedelta(days=days)
    return _next_local_midnight(final_day, zone) - _ONE_MICROSECOND


def after(
    start: datetime,
    *,
    hours: int | None = None,
    days: int | None = None,
    tz: str = "UTC",
) -> datetime:
    """Apply either an hour clock or a day clock, whichever is given.

    Args:
        start: an aware instant that starts the clock.
        hours: elapsed hours (see `hours_after`).
        days: calendar days ending at the end of the final local day (see `end_of_day_after`).
        tz: IANA time zone for a day clock; ignored for an hour clock.

    Returns:
        An aware datetime in UTC.

    Raises:
        ValueError: unless exactly one of ``hours`` and ``days`` is given, or if ``start``
            is naive.
    """
    if (hours is None) == (days is None):
        raise ValueError("give exactly one of hours= and days=")
    if hours is not None:
        return hours_after(start, hours)
    assert days is not None  # narrowed by the check above
    return end_of_day_after(start, days, tz)


def business_days_after(
    start: datetime,
    days: int,
    *,
    tz: str,
    country: str = "US",
    subdivision: str | None = None,
) -> datetime:
    """Return the last instant of the ``days``-th business day after ``start``'s local date.

    Counting begins on the local day after ``start`` in ``tz`` (the day of the start never
    counts, even if it is a business day) and skips Saturdays, Sundays and the public
    holidays of ``country``/``subdivision`` as the ``holidays`` package lists them,
    including the days it marks as observed in lieu of a holiday falling on a weekend. The
    result is 23:59:59.999999 local time on the final business day, converted to UTC, as
    `end_of_day_after` does for calendar days; see the module docstring for DST.

    Only public holidays count: days the package files under other categories (Brazil's
    *ponto facultativo* Carnival, for instance) are business days. A country whose weekend
    is not Saturday–Sunday, or whose government moves working days (China's swapped
    weekends), is not modelled; no regime Herald knows counts business days there.

    Args:
        start: an aware instant that starts the clock.
        days: business days to count (0 = the end of the start's own local day).
        tz: IANA time zone whose calendar counts (the entity's).
        country: ISO 3166-1 alpha-2 code of the authority's jurisdiction, e.g. ``"BR"``.
        subdivision: ISO 3166-2 code of a state or province, as ``"US-NY"`` or ``"NY"``,
            whose own holidays count too. One the package does not know falls back to the
            country's calendar, since the national holidays are still right.

    Returns:
        An aware datetime in UTC.

    Raises:
        ValueError: if ``start`` is naive, ``days`` is negative, or the package has no
            calendar for ``country`` (guessing one could put the deadline on a holiday).
        zoneinfo.ZoneInfoNotFoundError: if ``tz`` is not a known IANA zone.
    """
    code = country.strip().upper()
    sub = _bare_subdivision(code, subdivision)
    # Resolve the calendar once up front so an unknown country fails even for days=0.
    _public_holidays(code, sub, start.year)
    return _after_open_days(start, days, tz, lambda d: d in _public_holidays(code, sub, d.year))


def sec_business_days_after(
    start: datetime, days: int, *, tz: str = "America/New_York"
) -> datetime:
    """Return the end of the ``days``-th day after ``start`` on which the SEC is open.

    The Commission is open on US federal business days: not a Saturday, a Sunday, a federal
    holiday (5 U.S.C. 6103, with the package's observed-in-lieu days) nor a day on which an
    executive order closed the executive departments and agencies for the whole day
    (Christmas Eve 2024, the national day of mourning on 9 January 2025). A half-day
    closing leaves the Commission open, so such a day counts. Closures decided at short
    notice (executive orders, weather, a lapse in appropriations) are not known in advance:
    a deadline computed before one is announced is too early by that day, which errs on the
    safe side, and it moves once the ``holidays`` package in use records the closure.

    Args:
        start: an aware instant that starts the clock (for a Form 8-K, the determination
            that the incident is material).
        days: business days to count (0 = the end of the start's own local day).
        tz: IANA time zone whose calendar counts; the Commission's, Eastern time, by default.

    Returns:
        An aware datetime in UTC.

    Raises:
        ValueError: if ``start`` is naive or ``days`` is negative.
        zoneinfo.ZoneInfoNotFoundError: if ``tz`` is not a known IANA zone.
    """
    return _after_open_days(start, days, tz, lambda d: d in _federal_closures(d.year))


def _after_open_days(
    start: datetime, days: int, tz: str, is_holiday: Callable[[date], bool]
) -> datetime:
    """Count ``days`` open days after ``start``'s local date; the end of the last one, in UTC."""
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    zone = ZoneInfo(tz)
    day = _utc(start).astimezone(zone).date()
    remaining = days
    # A plain walk: at most a few dozen days for any legal clock, each a set look-up.
    while remaining:
        day += timedelta(days=1)
        if day.weekday() < _SATURDAY and not is_holiday(day):
            remaining -= 1
    return _next_local_midnight(day, zone) - _ONE_MICROSECOND


def _bare_subdivision(country: str, subdivision: str | None) -> str | None:
    """``"US-NY"``, ``"us-ny"`` or ``"NY"`` → ``"NY"``, the form the ``holidays`` package takes."""
    if subdivision is None or not subdivision.strip():
        return None
    code = subdivision.strip().upper()
    prefix = f"{country}-"
    return code[len(prefix) :] if code.startswith(prefix) else code


@lru_cache(maxsize=1024)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """The public holidays of one year, cached as an immutable set.

    A frozen set per year (rather than one shared, lazily growing ``HolidayBase``) is safe
    to read from several activity threads at once and keeps the cache bounded.
    """
    try:
        national = holidays.country_holidays(country, years=_around(year))
    except NotImplementedError as err:
        raise ValueError(f"no public-holiday calendar for country {country!r}") from err
    calendar = national
    if subdivision is not None:
        try:
            calendar = holidays.country_holidays(country, subdiv=subdivision, years=_around(year))
        except NotImplementedError:
            calendar = national  # unknown subdivision: the national holidays still apply
    return frozenset(d for d in calendar if d.year == year)


@lru_cache(maxsize=256)
def _federal_closures(year: int) -> frozenset[date]:
    """Days of one year on which US federal offices were closed for the whole day."""
    calendar = holidays.country_holidays(
        "US",
        years=_around(year),
        categories=(PUBLIC, GOVERNMENT),
        language="en_US",
    )
    return frozenset(
        d
        for d in calendar
        if d.year == year
        and not all(name.endswith(_HALF_DAY_CLOSING) for name in calendar.get_list(d))
    )


def _around(year: int) -> range:
    # A holiday of one year may be observed in the previous one (1 January 2028 is a
    # Saturday, observed on Friday 31 December 2027); generating the neighbouring years too
    # makes sure such a day is present whichever year's rules produce it.
    return range(year - 1, year + 2)


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: a clock needs a UTC offset")
    return instant.astimezone(UTC)


def _next_local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which the local day after ``day`` begins.

    Midnight itself may not exist where a zone springs forward at 00:00 (America/Santiago);
    with fold=0 such a wall time takes the offset in force before the jump, which places it
    exactly on the transition, i.e. still the first instant of the new day.
    """
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
