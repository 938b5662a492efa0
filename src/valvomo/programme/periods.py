"""Period labels of programmes and of indicators, and how one maps to the other.

Programmes report in their own rhythm: Helsinki twice a year ('5/2021',
'11/2021'), Keski-Suomi monthly ('10/2020' ... '4/2021'), RRP plans by quarter
('2024Q2'). The indicator engine computes months ('2024-03'), quarters
('2024Q1') and years ('2024'). The rule that joins them (documented in
docs/programme.md):

* cadence ``half_year``: a self-assessment labelled M/YYYY reports the last
  *complete calendar quarter before month M* — 5/2021 → 2021Q1, 11/2021 →
  2021Q3 — because the report is written in month M and the engine's quarters
  are the finest complete figures available then;
* cadence ``month``: M/YYYY is that month (10/2020 → 2020-10);
* cadence ``quarter`` and ``year``: the label passes through unchanged.

Targets and baselines are placed in time at the *end date* of their period
(or at the date itself when a date is given), so that 'by 2025Q4' means
31 Dec 2025.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from valvomo.services.periods import PeriodLabelError, normalise_period, period_bounds, period_kind

Cadence = Literal["half_year", "month", "quarter", "year"]
CADENCES: tuple[Cadence, ...] = ("half_year", "month", "quarter", "year")
PeriodKind = Literal["month", "quarter", "year"]
LabelKind = Literal["month", "quarter", "year", "day"]

_MONTH_SLASH = re.compile(r"^(?P<m>1[0-2]|0?[1-9])/(?P<y>\d{4})$")
_MONTH_ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>1[0-2]|0[1-9])$")
_QUARTER = re.compile(r"^(?P<y>\d{4})Q(?P<q>[1-4])$")
_YEAR = re.compile(r"^(?P<y>\d{4})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PeriodError(ValueError):
    """A label that is not a period Valvomo understands."""


@dataclass(frozen=True)
class Period:
    """A parsed label: its kind and the first and last calendar day it covers."""

    label: str
    kind: LabelKind
    start: dt.date
    end: dt.date


def _month(year: int, month: int, label: str) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(label, "month", dt.date(year, month, 1), dt.date(year, month, last))


def parse(label: str) -> Period:
    """Parse a period written either way ('5/2021', '2024-03', '2024Q2', 'Q2/2024', '2024') or an ISO
    date 'YYYY-MM-DD'. The label keeps its text; the dates come from the one period parser
    (``valvomo.services.periods``)."""
    text = str(label).strip()
    if _DAY.match(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError as exc:
            raise PeriodError(f"{text!r} is not a valid date") from exc
        return Period(text, "day", day, day)
    try:
        canonical = normalise_period(text)
    except PeriodLabelError:
        raise PeriodError(
            f"{text!r} is not a period; expected e.g. '5/2021', '2024-03', '2024Q2' (or 'Q2/2024'), '2024' "
            "or a date '2021-01-04'"
        ) from None
    start, end = period_bounds(canonical)
    return Period(text, period_kind(canonical), start, end)  # type: ignore[arg-type]


def programme_label(text: str, cadence: Cadence) -> str:
    """A period written either way in the form the programme's cadence stores: 'Q4/2024' and
    '2024Q4' are '2024Q4' for a quarterly plan; '2021-05' and '5/2021' are '5/2021' for a
    half-yearly or monthly one. Raises ``PeriodError``."""
    period = parse(text)
    if cadence in ("half_year", "month"):
        if period.kind != "month":
            raise PeriodError(f"{text!r} is not a month; expected {expected_form(cadence)}")
        return f"{period.start.month}/{period.start.year}"
    wanted = "quarter" if cadence == "quarter" else "year"
    if period.kind != wanted:
        raise PeriodError(f"{text!r} is not a {wanted}; expected {expected_form(cadence)}")
    return label_of(wanted, period.start)  # type: ignore[arg-type]


def end_date(label: str) -> dt.date:
    return parse(label).end


def is_programme_period(label: str, cadence: Cadence) -> bool:
    """Whether ``label`` is written the way the programme's cadence expects."""
    text = str(label)
    if cadence in ("half_year", "month"):
        return bool(_MONTH_SLASH.match(text))
    if cadence == "quarter":
        return bool(_QUARTER.match(text))
    return bool(_YEAR.match(text))


def expected_form(cadence: Cadence) -> str:
    return {"half_year": "'M/YYYY' (e.g. '5/2021')", "month": "'M/YYYY' (e.g. '10/2020')",
            "quarter": "'YYYYQn' (e.g. '2024Q2')", "year": "'YYYY' (e.g. '2024')"}[cadence]


def indicator_period_kind(cadence: Cadence) -> PeriodKind:
    """The indicator granularity a programme with this cadence reads."""
    return {"half_year": "quarter", "month": "month", "quarter": "quarter", "year": "year"}[cadence]


def label_of(kind: PeriodKind, day: dt.date) -> str:
    """The indicator period label of ``kind`` that contains ``day``."""
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def indicator_period(programme_label: str, cadence: Cadence) -> str:
    """The indicator period a programme period reports (see the module docstring)."""
    period = parse(programme_label)
    if cadence == "half_year":
        quarter = (period.start.month - 1) // 3
        year = period.start.year
        if quarter == 0:
            return f"{year - 1}Q4"
        return f"{year}Q{quarter}"
    if cadence == "month":
        return label_of("month", period.start)
    return label_of(indicator_period_kind(cadence), period.start)


def sort_key(label: str) -> tuple[dt.date, dt.date]:
    period = parse(label)
    return (period.end, period.start)


def periods_between(kind: PeriodKind, start: dt.date, end: dt.date) -> list[str]:
    """Every indicator period label of ``kind`` from the one containing ``start`` to ``end``."""
    labels: list[str] = []
    day = start
    while day <= end:
        label = label_of(kind, day)
        if not labels or labels[-1] != label:
            labels.append(label)
        day = parse(label).end + dt.timedelta(days=1)
    return labels
