"""When a team is reminded of a deadline, and who is told when nobody answers.

A reminder schedule mixes two kinds of moment: a share of the time the law allows (50% is
halfway between the clock's start and the deadline, so a 1-hour CAC clock still gets a
reminder) and a fixed lead before the deadline (24 h, 6 h, 1 h). Moments that had passed
before the clock was known are skipped: only the first one still ahead is useful.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from pydantic import BaseModel, Field, field_validator

_PART = re.compile(r"^(?:(\d{1,2}(?:\.\d+)?)%|(\d+)\s*([smhd]))$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ReminderPolicy(BaseModel):
    """The schedule of reminders for every report deadline of one incident."""

    fractions: list[float] = Field(
        default_factory=lambda: [0.5],
        description="shares of the time from the clock's start to the deadline (0.5 = 50%)",
    )
    before_s: list[int] = Field(
        default_factory=lambda: [24 * 3600, 6 * 3600, 3600],
        description="seconds before the deadline",
    )
    escalate_after_s: int = Field(
        default=1800, ge=60, description="an unacknowledged reminder goes to the backups after"
    )
    backups: list[str] = Field(
        default_factory=list, description="who is told when a reminder is not acknowledged"
    )

    @field_validator("fractions")
    @classmethod
    def _shares(cls, fractions: list[float]) -> list[float]:
        if any(not 0 < share < 1 for share in fractions):
            raise ValueError("a share of the time must be between 0% and 100%")
        return fractions

    @field_validator("before_s")
    @classmethod
    def _leads(cls, before_s: list[int]) -> list[int]:
        if any(lead <= 0 for lead in before_s):
            raise ValueError("a reminder lead must be positive")
        return before_s

    @classmethod
    def parse(cls, schedule: str, **rest: object) -> ReminderPolicy:
        """A policy from a schedule such as "50%,24h,6h,1h" (also "90m", "2d", "75%").

        Raises:
            ValueError: a part is neither a percentage nor a duration (names the part).
        """
        fractions: list[float] = []
        before: list[int] = []
        for raw in schedule.split(","):
            part = raw.strip().lower()
            if not part:
                continue
            match = _PART.match(part)
            if match is None:
                hint = "use a share like 50% or a lead like 6h"
                raise ValueError(f"reminder {raw.strip()!r}: {hint}")
            share, amount, unit = match.groups()
            if share is not None:
                fractions.append(float(share) / 100)
            else:
                before.append(int(amount) * _UNIT_S[unit])
        return cls.model_validate({"fractions": fractions, "before_s": before, **rest})

    def describe(self) -> str:
        """The schedule in the form `parse` reads."""
        shares = [f"{share * 100:g}%" for share in sorted(self.fractions)]
        return ",".join(shares + [_lead(s) for s in sorted(self.before_s, reverse=True)])


def _lead(seconds: int) -> str:
    # Hours read best up to two days ("24h before", "48h before"); longer leads in days.
    if seconds % 86400 == 0 and seconds > 2 * 86400:
        return f"{seconds // 86400}d"
    for unit in ("h", "m"):
        if seconds % _UNIT_S[unit] == 0:
            return f"{seconds // _UNIT_S[unit]}{unit}"
    return f"{seconds}s"


def reminder_moments(
    policy: ReminderPolicy, *, start: datetime, due: datetime, not_before: datetime
) -> list[tuple[datetime, str]]:
    """The reminders of one deadline: (instant, label), earliest first.

    Args:
        policy: the schedule.
        start: when the clock started (a share is measured from here).
        due: the deadline.
        not_before: moments at or before this instant are skipped (already past when the
            clock became known).

    Returns:
        e.g. [(… , "50%"), (…, "24h before"), …]; a moment shared by two rules appears once.
    """
    moments: dict[datetime, str] = {}
    span = due - start
    for share in sorted(policy.fractions):
        if span > timedelta(0):
            moments.setdefault(start + span * share, f"{share * 100:g}%")
    for lead in sorted(policy.before_s, reverse=True):
        moments.setdefault(due - timedelta(seconds=lead), f"{_lead(lead)} before")
    return sorted((at, label) for at, label in moments.items() if not_before < at < due)
