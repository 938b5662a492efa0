"""Finnish working days: the one place that knows which dates are working days.

A working day is Monday-Friday that is not a Finnish public holiday (``holidays``
package, country FI) and not Christmas Eve (24 Dec), which Finnish health centres
treat as a holiday although it is not a statutory one (indicators.md).

The indicator engine needs this inside Ibis expressions on any backend, so the
module also produces a small *calendar table* (one row per date) that engines
join to instead of calling Python per row.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
import pyarrow as pa


@lru_cache(maxsize=64)
def _finnish_holidays(year: int) -> frozenset[dt.date]:
    days = set(holidays.country_holidays("FI", years=year).keys())
    days.add(dt.date(year, 12, 24))
    return frozenset(days)


def is_holiday(day: dt.date) -> bool:
    """A Finnish public holiday or Christmas Eve."""
    return day in _finnish_holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after ``day``."""
    candidate = day + dt.timedelta(days=1)
    while not is_working_day(candidate):
        candidate += dt.timedelta(days=1)
    return candidate



def calendar_table(start: dt.date, end: dt.date) -> pa.Table:
    """One row per date in [start, end]: ``day``, ``is_working_day``, ``next_working_day``.

    Engines join event dates to this table so working-day rules compile to plain
    joins on every Ibis backend.
    """
    days, working, following = [], [], []
    day = start
    while day <= end:
        days.append(day)
        working.append(is_working_day(day))
        following.append(next_working_day(day))
        day += dt.timedelta(days=1)
    return pa.table(
        {
            "day": pa.array(days, pa.date32()),
            "is_working_day": pa.array(working, pa.bool_()),
            "next_working_day": pa.array(following, pa.date32()),
        }
    )
