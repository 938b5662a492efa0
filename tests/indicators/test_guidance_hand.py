"""Customer guidance indicators on hand-computed requests (indicators.md, guidance_*)."""

from __future__ import annotations

import pytest
from access_rows import request, values

from valvomo.indicators import REGISTRY, Query, compute

REQUESTS = [
    request("g01", "2024-03-28 10:00", "2024-03-28 15:00"),  # Maundy Thursday, same day
    request("g02", "2024-03-28 11:00", "2024-04-02 09:00"),  # next working day after Thu 28.3 is Tue 2.4
    request("g03", "2024-03-29 10:00", "2024-04-02 10:00"),  # Good Friday -> Tue 2.4: next working day
    request("g04", "2024-03-29 11:00", "2024-04-03 09:00"),  # too late
    request("g05", "2024-03-30 12:00", None),  # unreached: denominator only
    request("g06", "2024-12-23 15:00", "2024-12-27 08:00"),  # Mon -> Fri (Christmas Eve, Christmas, Boxing Day off)
    request("g07", "2024-12-31 16:00", "2025-01-02 08:00"),  # New Year's Eve -> Thu 2.1 (period 2024 by received)
    request("g08", "2024-06-20 16:00", "2024-06-24 08:00"),  # Thu before Midsummer Eve -> Mon 24.6
    request("g09", "2024-06-20 17:00", "2024-06-21 08:00", unit_id="S1"),  # Midsummer Eve is within the limit
]
# Year 2024, all units: same day g01 -> 1/9; by the next working day g01 g02 g03 g06 g07 g08 g09 -> 7/9


@pytest.fixture
def requests(make_sources):
    return make_sources({"guidance_requests": REQUESTS})


def test_guidance_same_day(requests):
    [row] = compute("guidance_same_day", requests, Query(period="year"))
    assert (row["numerator"], row["denominator"]) == (1, 9)


def test_guidance_next_working_day_is_cumulative(requests):
    [row] = compute("guidance_next_working_day", requests, Query(period="year"))
    assert (row["numerator"], row["denominator"]) == (7, 9)
    months = compute("guidance_next_working_day", requests, Query(period="month"))
    # 2024-03: g01 g02 g03 of g01..g05; 2024-06: g08 g09; 2024-12: g06 g07
    assert {(r["period"], r["numerator"], r["denominator"]) for r in months} == {
        ("2024-03", 3, 5), ("2024-06", 2, 2), ("2024-12", 2, 2),
    }  # fmt: skip


def test_guidance_station_is_the_unit(requests):
    rows = compute("guidance_next_working_day", requests, Query(period="year", by=("station",)))
    assert {(r["station_id"], r["numerator"], r["denominator"]) for r in rows} == {("G1", 6, 8), ("S1", 1, 1)}


def test_guidance_response_hours_median_even_and_odd(make_sources):
    sources = make_sources(
        {
            "guidance_requests": [
                request("h1", "2024-05-06 08:00", "2024-05-06 09:00"),  # 1 h
                request("h2", "2024-05-06 08:00", "2024-05-06 10:00"),  # 2 h
                request("h3", "2024-05-06 08:00", "2024-05-06 13:00"),  # 5 h
                request("h4", "2024-05-06 08:00", "2024-05-07 14:00"),  # 30 h
                request("h5", "2024-05-06 08:00", None),  # unanswered: not in the median
                request("h6", "2024-06-03 08:00", "2024-06-03 08:30", unit_id="S1"),  # 0.5 h
            ]
        }
    )
    rows = compute("guidance_response_hours_median", sources, Query(period="month", by=("station",)))
    # May at G1: 1 2 5 30 -> (2 + 5) / 2 = 3.5 over n = 4; June at S1: 0.5 over n = 1
    assert {(r["period"], r["station_id"], r["value"], r["n"]) for r in rows} == {
        ("2024-05", "G1", 3.5, 4), ("2024-06", "S1", 0.5, 1),
    }  # fmt: skip
    [year] = compute("guidance_response_hours_median", sources, Query(period="year"))
    # 0.5 1 2 5 30 -> 2
    assert (year["value"], year["n"]) == (2.0, 5)


def test_guidance_response_hours_are_wall_clock_hours(make_sources):
    # Summer time starts on Sun 31 Mar 2024 at 03:00: 22:00 -> 10:00 is 11 h elapsed but 12 wall-clock hours
    sources = make_sources({"guidance_requests": [request("d1", "2024-03-30 22:00", "2024-03-31 10:00")]})
    [row] = compute("guidance_response_hours_median", sources, Query(period="month"))
    assert row["value"] == 12.0


def test_guidance_resolved_among_recorded_outcomes(make_sources):
    sources = make_sources(
        {
            "guidance_requests": [
                request("o1", "2024-02-01 09:00", "2024-02-01 09:10", outcome="advice"),
                request("o2", "2024-02-01 09:00", "2024-02-01 09:10", outcome="advice"),
                request("o3", "2024-02-01 09:00", "2024-02-01 09:10", outcome="booked"),
                request("o4", "2024-02-01 09:00", None, outcome="unreached"),
                request("o5", "2024-02-01 09:00", "2024-02-01 09:10"),  # no outcome: not counted
            ]
        }
    )
    [row] = compute("guidance_resolved", sources, Query(period="quarter"))
    assert (row["period"], row["numerator"], row["denominator"]) == ("2024Q1", 2, 4)
    assert row["value"] == pytest.approx(0.5)


def test_guidance_targets_are_keusotes():
    same_day = REGISTRY.get("guidance_same_day").targets
    next_day = REGISTRY.get("guidance_next_working_day").targets
    assert [(t.value, t.scope) for t in same_day] == [(0.80, "regional")]
    assert [(t.value, t.scope) for t in next_day] == [(1.0, "regional")]
    assert all("seed 004" in t.source for t in (*same_day, *next_day))


def test_guidance_by_profession_is_refused(requests):
    from valvomo.indicators.registry import UnsupportedQueryError

    with pytest.raises(UnsupportedQueryError):
        compute("guidance_same_day", requests, Query(by=("profession",)))
    assert values(compute("guidance_same_day", requests, Query(period="year"))) == {("2024",): pytest.approx(1 / 9)}
