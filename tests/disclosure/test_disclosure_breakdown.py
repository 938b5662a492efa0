"""Complementary suppression across a breakdown: a lone redacted station cannot be
recovered as the county figure minus the shown stations."""

from __future__ import annotations

from valvomo.disclosure import protect_breakdown, protect_rows


def _row(station, numerator, denominator, period="2024Q1", **extra):
    return {"indicator": "access_7d", "period": period, "station_id": station, "value": numerator / denominator,
            "numerator": numerator, "denominator": denominator, "unit": "share", "suppressed": False, **extra}


def test_lone_redacted_station_takes_the_next_smallest_with_it():
    rows = protect_rows([_row("A", 3, 5), _row("B", 40, 60), _row("C", 20, 30), _row("D", 100, 200)], "standard")
    assert [r["suppressed"] for r in rows] == [True, False, False, False]  # only A (5 events) is small
    protected = protect_breakdown(rows, "standard")
    # C has the smallest shown denominator (30), so it is hidden too; B and D stay.
    assert [r["suppressed"] for r in protected] == [True, False, True, False]
    assert protected[2]["numerator"] is None and protected[2]["value"] is None


def test_two_redacted_stations_need_nothing_more_and_periods_are_separate_lines():
    rows = protect_rows(
        [_row("A", 3, 5), _row("B", 2, 4), _row("C", 20, 30), _row("A", 30, 50, period="2024Q2"),
         _row("B", 40, 60, period="2024Q2")],
        "standard",
    )  # fmt: skip
    protected = protect_breakdown(rows, "standard")
    assert [r["suppressed"] for r in protected] == [True, True, False, False, False]


def test_none_profile_and_capacity_rows_are_untouched():
    rows = [_row("A", 3, 5), _row("B", 40, 60)]
    assert protect_breakdown(rows, "none") == rows
    t3 = [{"indicator": "t3_days", "period": "2024Q1", "station_id": s, "value": v, "n": 2, "unit": "days",
           "suppressed": False} for s, v in (("A", 3.0), ("B", 40.0))]  # fmt: skip
    assert protect_breakdown(t3, "standard") == t3


def test_two_dimensions_are_checked_in_both_directions():
    def cell(station, profession, numerator, denominator):
        return _row(station, numerator, denominator, profession=profession)

    rows = protect_rows(
        [cell("A", "nurse", 3, 6), cell("A", "physician", 40, 80), cell("B", "nurse", 50, 90),
         cell("B", "physician", 45, 85)],
        "standard",
    )  # fmt: skip
    protected = protect_breakdown(rows, "standard")
    # A/nurse redacted. Nurse line (across stations): B/nurse hidden. Station A line: A/physician
    # hidden. Station B line now has B/nurse alone redacted: B/physician hidden too. In a 2 x 2
    # table one small cell therefore hides all four, as it must when both margins are shown.
    assert [r["suppressed"] for r in protected] == [True, True, True, True]
