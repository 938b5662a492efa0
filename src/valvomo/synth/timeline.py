"""Days and clock times of the synthetic county.

Appointments happen on Finnish working days (``valvomo.workdays``), Mondays are the
busiest, July is quiet. This module turns those facts into arrays the generators
index with numpy, so that no generator loops over days or calls the holiday
calendar per row.

All timestamps are Europe/Helsinki wall-clock times held as naive
``datetime64[s]``. Generated times stay between 06:00 and 23:59, so no time falls in
the hour that does not exist when clocks move forward in March.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from valvomo.workdays import is_working_day

NAT = np.datetime64("NaT", "s")

# Relative contact volume per working day by weekday (Mon..Fri) and by month (Jan..Dec).
WEEKDAY_WEIGHT = np.array([1.28, 1.05, 1.0, 0.95, 0.80, 0.0, 0.0])
MONTH_WEIGHT = np.array([1.06, 1.06, 1.04, 1.0, 1.0, 0.86, 0.60, 0.90, 1.06, 1.06, 1.05, 0.92])

MARGIN_BEFORE_DAYS = 200
MARGIN_AFTER_DAYS = 140


def period_end(start: dt.date, years: int) -> dt.date:
    """The first day after the period: ``start`` plus ``years`` calendar years."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


@dataclass
class Timeline:
    """Day arrays around the period [start, end) with margins on both sides."""

    start: dt.date
    end: dt.date
    first: np.datetime64  # first day of the arrays
    days: np.ndarray  # datetime64[D]
    working: np.ndarray  # bool
    weekday: np.ndarray  # 0 = Monday
    month: np.ndarray  # 1..12
    previous_working: np.ndarray  # index of the last working day <= i
    next_working: np.ndarray  # index of the first working day > i
    start_index: int
    end_index: int  # exclusive

    @classmethod
    def build(cls, start: dt.date, end: dt.date) -> Timeline:
        first = np.datetime64(start, "D") - MARGIN_BEFORE_DAYS
        last = np.datetime64(end, "D") + MARGIN_AFTER_DAYS
        days = np.arange(first, last + 1, dtype="datetime64[D]")
        working = np.array([is_working_day(d) for d in days.astype(dt.date)], dtype=bool)
        weekday = (days.astype(np.int64) + 3) % 7
        month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
        index = np.arange(len(days))
        last_working = np.where(working, index, -1)
        previous_working = np.maximum.accumulate(last_working)
        previous_working[previous_working < 0] = 0
        following = np.where(working, index, len(days) - 1)
        next_or_same = np.minimum.accumulate(following[::-1])[::-1]
        next_working = np.append(next_or_same[1:], len(days) - 1)
        return cls(
            start=start,
            end=end,
            first=first,
            days=days,
            working=working,
            weekday=weekday,
            month=month,
            previous_working=previous_working,
            next_working=next_working,
            start_index=MARGIN_BEFORE_DAYS,
            end_index=MARGIN_BEFORE_DAYS
            + int((np.datetime64(end, "D") - np.datetime64(start, "D")).astype(int)),
        )

    @property
    def period_days(self) -> int:
        return self.end_index - self.start_index

    @property
    def extract_instant(self) -> np.datetime64:
        """The moment the data were extracted: midnight at the end of the period."""
        return np.datetime64(self.end, "s")

    def appointment_weights(self, summer_dip: bool = True) -> np.ndarray:
        """Relative volume of each period day (0 on weekends and holidays)."""
        span = slice(self.start_index, self.end_index)
        months = MONTH_WEIGHT[self.month[span] - 1] if summer_dip else 1.0
        return self.working[span] * WEEKDAY_WEIGHT[self.weekday[span]] * months

    def sample_days(self, rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
        """``n`` day indices (into the timeline arrays) drawn from period-day ``weights``."""
        cumulative = np.cumsum(weights)
        picks = np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")
        return self.start_index + np.minimum(picks, len(weights) - 1)

    def non_working_period_days(self) -> np.ndarray:
        span = np.arange(self.start_index, self.end_index)
        return span[~self.working[span]]

    def at(self, day_index: np.ndarray, minutes: np.ndarray) -> np.ndarray:
        """Timestamps (datetime64[s]) from day indices and minutes after midnight."""
        day = self.first + np.asarray(day_index, dtype=np.int64)
        return day.astype("datetime64[s]") + (np.asarray(minutes, dtype=np.int64) * 60).astype(
            "timedelta64[s]"
        )

    def day_of(self, stamps: np.ndarray) -> np.ndarray:
        """Day indices of timestamps (the wall-clock date)."""
        return (stamps.astype("datetime64[D]") - self.first).astype(np.int64)

    def minute_of(self, stamps: np.ndarray) -> np.ndarray:
        return ((stamps - stamps.astype("datetime64[D]")).astype("timedelta64[m]")).astype(np.int64)


def minutes(rng: np.random.Generator, n: int, first: int, last: int, step: int = 1) -> np.ndarray:
    """``n`` clock times (minutes after midnight) on a ``step`` grid in [first, last]."""
    slots = (last - first) // step + 1
    return first + step * rng.integers(0, slots, n)


def morning_weighted_minutes(rng: np.random.Generator, n: int, step: int = 15) -> np.ndarray:
    """Appointment start times 08:00-15:45, mornings busier than afternoons."""
    grid = np.arange(8 * 60, 16 * 60, step)
    weights = np.where(grid < 11 * 60 + 30, 1.3, np.where(grid < 12 * 60 + 15, 0.4, 1.0))
    cumulative = np.cumsum(weights / weights.sum())
    picks = np.minimum(np.searchsorted(cumulative, rng.random(n), side="right"), len(grid) - 1)
    return grid[picks]
