"""Period labels as dates: ``2024`` (year), ``2024Q1`` (quarter), ``2024-03`` (month).

Indicator rows carry a period label (indicators.md, "Shared definitions"). The
services need the dates behind a label to select periods for a date range and to
place a value on the time axis of a target's linear path.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class PeriodLabelError(ValueError):
    """A string that is not a period label."""


def period_bounds(label: str) -> tuple[dt.date, dt.date]:
    """First and last day of the period named by ``label``."""
    text = str(label).strip()
    if match := _YEAR.match(text):
        year = int(match.group(1))
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if match := _QUARTER.match(text):
        year, quarter = int(match.group(1)), int(match.group(2))
        first_month = 3 * (quarter - 1) + 1
        last_month = first_month + 2
        return dt.date(year, first_month, 1), dt.date(
            year, last_month, calendar.monthrange(year, last_month)[1]
        )
    if match := _MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    raise PeriodLabelError(
        f"{label!r} is not a period label; expected a year (2025), a quarter (2025Q4) or a month (2025-12)"
    )


def is_period_label(label: str) -> bool:
    try:
        period_bounds(label)
    except PeriodLabelError:
        return False
    return True


def period_within(label: str, start: dt.date | None, end: dt.date | None) -> bool:
    """True when the whole period lies inside [start, end] (open ends allowed)."""
    first, last = period_bounds(label)
    return (start is None or first >= start) and (end is None or last <= end)
