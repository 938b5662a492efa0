"""Period labels: the one parser and the one printer of Valvomo.

Indicator rows carry a canonical label (indicators.md, "Shared definitions"):
``2024`` (year), ``2024Q1`` (quarter), ``2024-03`` (month). People write periods
as the dashboard shows them too, so every input (web query, CLI option, API
parameter, targets file) goes through ``normalise_period``, which accepts
``2024Q4``, ``Q4/2024``, ``Q4 2024``, ``2024-12``, ``12/2024`` and ``2024`` and
returns the canonical label; ``format_period`` prints a label the one way people
see it ("Q4/2024" in fi and sv, "Q4 2024" in en; "12/2024"; "2024").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER_SHOWN = re.compile(r"^Q([1-4])\s*[/ ]\s*(\d{4})$")  # Q4/2024 (fi, sv), Q4 2024 (en)
_QUARTER_ANY = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$")  # 2024Q4, 2024-Q4
_MONTH_SHOWN = re.compile(r"^(1[0-2]|0?[1-9])/(\d{4})$")  # 12/2024
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class PeriodLabelError(ValueError):
    """A string that is not a period label."""


def normalise_period(text: str) -> str:
    """The canonical label of a period written either way ("Q4/2024" or "2024Q4" -> "2024Q4")."""
    raw = str(text).strip()
    upper = raw.upper()
    if _YEAR.match(upper) or _MONTH.match(upper):
        return upper
    if match := _QUARTER_ANY.match(upper):
        return f"{match.group(1)}Q{match.group(2)}"
    if match := _QUARTER_SHOWN.match(upper):
        return f"{match.group(2)}Q{match.group(1)}"
    if match := _MONTH_SHOWN.match(upper):
        return f"{match.group(2)}-{int(match.group(1)):02d}"
    raise PeriodLabelError(
        f"{text!r} is not a period label; expected a year (2025), a quarter (2025Q4 or Q4/2025) "
        "or a month (2025-12 or 12/2025)"
    )


def period_kind(label: str) -> str:
    """"year", "quarter" or "month" of a period written either way."""
    canonical = normalise_period(label)
    return "quarter" if "Q" in canonical else "month" if "-" in canonical else "year"


def format_period(label: str | None, lang: str = "fi") -> str:
    """A canonical label as people read it: "Q4/2024" (fi, sv) or "Q4 2024" (en), "12/2024" or
    "Dec 2024", "2024"; an empty label is an en dash, an unknown one passes through."""
    if not label:
        return "\u2013"
    text = str(label)
    if match := _QUARTER.match(text):
        year, quarter = match.groups()
        return f"Q{quarter} {year}" if lang == "en" else f"Q{quarter}/{year}"
    if match := _MONTH.match(text):
        year, month = match.groups()
        return f"{_MONTHS_EN[int(month) - 1]} {year}" if lang == "en" else f"{int(month)}/{year}"
    return text


def format_period_label(label: str | None) -> str:
    """The language-neutral printed form for tables of the CLI: "Q4/2024", "12/2024", "2024"."""
    return format_period(label, "fi")


def period_bounds(label: str) -> tuple[dt.date, dt.date]:
    """First and last day of the period named by ``label`` (written either way)."""
    text = normalise_period(label)
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



def period_within(label: str, start: dt.date | None, end: dt.date | None) -> bool:
    """True when the whole period lies inside [start, end] (open ends allowed)."""
    first, last = period_bounds(label)
    return (start is None or first >= start) and (end is None or last <= end)
