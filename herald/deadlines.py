"""Deadline arithmetic: hour clocks and calendar-day clocks, always returned in UTC.

Two kinds of legal clock exist (see the contract in design.md):

* an **hour clock** ("not later than 72 hours after") counts elapsed wall-clock hours. It is
  computed on the UTC time line, so a daylight-saving change in between neither adds nor
  removes an hour: 72 hours are always exactly 259,200 seconds.
* a **day clock** ("within 30 calendar days of discovery") ends at the last instant of its
  final day in the entity's time zone. The final day is the local date of the start plus the
  number of days; its last instant is represented as 23:59:59.999999 local time (one
  microsecond before the next local midnight, the finest instant a ``datetime`` holds) and
  converted to UTC.

Business days are not handled yet; a later change adds them with the ``holidays`` package.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_ONE_MICROSECOND = timedelta(microseconds=1)


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
