"""Programme periods and the indicator periods they report (docs/programme.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from valvomo.programme import periods


@pytest.mark.parametrize(
    ("label", "cadence", "expected"),
    [
        ("5/2021", "half_year", "2021Q1"),
        ("11/2021", "half_year", "2021Q3"),
        ("4/2021", "half_year", "2021Q1"),
        ("1/2022", "half_year", "2021Q4"),
        ("3/2022", "half_year", "2021Q4"),
        ("10/2020", "month", "2020-10"),
        ("4/2021", "month", "2021-04"),
        ("2024Q2", "quarter", "2024Q2"),
        ("2024", "year", "2024"),
    ],
)
def test_programme_period_maps_to_indicator_period(label, cadence, expected):
    assert periods.indicator_period(label, cadence) == expected


def test_labels_parse_to_their_calendar_span():
    assert periods.parse("2024Q2").start == dt.date(2024, 4, 1)
    assert periods.end_date("2024Q2") == dt.date(2024, 6, 30)
    assert periods.end_date("2/2024") == dt.date(2024, 2, 29)
    assert periods.end_date("2024-02") == dt.date(2024, 2, 29)
    assert periods.end_date("2022") == dt.date(2022, 12, 31)
    assert periods.end_date("2021-01-04") == dt.date(2021, 1, 4)
    # Written as the dashboard shows it, a quarter reads the same (issue 11, item 6).
    assert periods.parse("Q2/2024").end == periods.end_date("2024Q2")
    with pytest.raises(periods.PeriodError):
        periods.parse("Q5/2024")
    with pytest.raises(periods.PeriodError):
        periods.parse("2021-02-30")


def test_cadence_decides_the_form_of_programme_periods():
    assert periods.is_programme_period("5/2021", "half_year")
    assert not periods.is_programme_period("2021Q1", "half_year")
    assert periods.is_programme_period("2024Q4", "quarter")
    assert not periods.is_programme_period("2024-04", "month")
    assert periods.indicator_period_kind("half_year") == "quarter"


def test_periods_between_lists_every_period():
    assert periods.periods_between("quarter", dt.date(2020, 11, 5), dt.date(2021, 7, 1)) == [
        "2020Q4", "2021Q1", "2021Q2", "2021Q3",
    ]


@pytest.mark.parametrize(
    ("written", "cadence", "stored"),
    [("Q4/2024", "quarter", "2024Q4"), ("2024Q4", "quarter", "2024Q4"), ("2021-05", "half_year", "5/2021"),
     ("5/2021", "half_year", "5/2021"), ("2024", "year", "2024")],
)
def test_programme_label_accepts_either_form(written, cadence, stored):
    assert periods.programme_label(written, cadence) == stored


def test_programme_label_refuses_the_wrong_kind():
    with pytest.raises(periods.PeriodError, match="not a quarter"):
        periods.programme_label("2024", "quarter")
