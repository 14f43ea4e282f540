"""Reminder schedules: shares of the time and leads before the deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herald.reminders import ReminderPolicy, reminder_moments

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_parse_and_describe() -> None:
    policy = ReminderPolicy.parse("50%, 24h,6h ,90m,3d", backups=["cto@example.org"])
    assert policy.fractions == [0.5]
    assert policy.before_s == [86400, 21600, 5400, 259200]
    assert policy.backups == ["cto@example.org"]
    assert policy.describe() == "50%,3d,24h,6h,90m"
    assert ReminderPolicy.parse(ReminderPolicy().describe()) == ReminderPolicy()


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("50%,tomorrow", "reminder 'tomorrow': use a share like 50% or a lead like 6h"),
        ("150%", "reminder '150%'"),
        ("0h", "a reminder lead must be positive"),
    ],
)
def test_a_bad_schedule_names_the_part(schedule: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("%", "%")):
        ReminderPolicy.parse(schedule)


def test_moments_of_a_72_hour_clock() -> None:
    due = START + timedelta(hours=72)
    moments = reminder_moments(ReminderPolicy(), start=START, due=due, not_before=START)
    assert [(at - START, label) for at, label in moments] == [
        (timedelta(hours=36), "50%"),
        (timedelta(hours=48), "24h before"),
        (timedelta(hours=66), "6h before"),
        (timedelta(hours=71), "1h before"),
    ]


def test_moments_already_past_or_shared_are_left_out() -> None:
    due = START + timedelta(hours=48)
    # The clock became known 30 hours in: 50% (24 h) and 24h-before (24 h) are past.
    moments = reminder_moments(
        ReminderPolicy(), start=START, due=due, not_before=START + timedelta(hours=30)
    )
    assert [label for _, label in moments] == ["6h before", "1h before"]
    # A 2-hour clock: 50% and 1h-before fall on the same instant, said once.
    short = reminder_moments(
        ReminderPolicy(), start=START, due=START + timedelta(hours=2), not_before=START
    )
    assert short == [(START + timedelta(hours=1), "50%")]
