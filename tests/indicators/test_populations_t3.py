"""The T3 populations on their own (populations/t3.py, docs/populations.md): measurement instants and
the T3 value of each pool at each instant, on the hand-computed January calendar of test_t3_hand."""

from __future__ import annotations

import datetime as dt

import pytest
from access_rows import STATIONS
from test_t3_hand import JANUARY

from valvomo.indicators.populations import POPULATIONS
from valvomo.indicators.registry import Query


@pytest.fixture
def january(make_sources):
    return make_sources({"slots": JANUARY, "stations": STATIONS})


def test_instants_are_the_mondays_the_extract_describes(january):
    instants = POPULATIONS["t3_measurement_instants"].build(january).to_pyarrow().to_pylist()
    # Mon 1 Jan is before the first slot; Mon 22 Jan is after the extract's as-of moment (16 Jan 12:00)
    assert sorted((r["instant"], r["instant_day"]) for r in instants) == [
        (dt.datetime(2024, 1, 8, 8, 0), dt.date(2024, 1, 8)),
        (dt.datetime(2024, 1, 15, 8, 0), dt.date(2024, 1, 15)),
    ]
    assert len({r["_k"] for r in instants}) == 2


def test_instants_follow_the_query_range(january):
    instants = POPULATIONS["t3_measurement_instants"].build(january, Query(start=dt.date(2024, 1, 10)))
    assert [r["instant_day"] for r in instants.to_pyarrow().to_pylist()] == [dt.date(2024, 1, 15)]


def test_pool_values_per_instant_are_medians_over_measured_professionals(january):
    rows = POPULATIONS["t3_pool_values"].build(january).to_pyarrow().to_pylist()
    got = {(r["instant_day"], r["station_id"], r["profession"]): (r["value"], r["professionals"]) for r in rows}
    assert got == {
        (dt.date(2024, 1, 8), "S1", "nurse"): (93.0, 2),  # median(A 4, B 182)
        (dt.date(2024, 1, 15), "S1", "nurse"): (14.0, 3),  # median(A 10, C 14, B 182)
        (dt.date(2024, 1, 15), "S1", "physician"): (182.0, 1),  # E: third free slot beyond 182 days
        (dt.date(2024, 1, 8), "S2", "nurse"): (4.0, 1),  # F
    }


def test_pooled_values_take_the_third_free_slot_of_the_whole_pool(january):
    rows = POPULATIONS["t3_pool_values"].build(january, pooled=True).to_pyarrow().to_pylist()
    got = {(r["instant_day"], r["station_id"], r["profession"]): r["value"] for r in rows}
    # t1 S1 nurses: free a1 9.1, a3 11.1, a4 12.1 (a2 booked, c1 not after t1): third = 12.1 -> 4 days
    assert got[(dt.date(2024, 1, 8), "S1", "nurse")] == 4.0
    # t2 S1 nurses: free a5 15.1 10:00, a6 16.1, b2 22.1 (a8, c2.. later): third = 22.1 -> 7 days
    assert got[(dt.date(2024, 1, 15), "S1", "nurse")] == 7.0
    assert got[(dt.date(2024, 1, 8), "S2", "nurse")] == 4.0
    assert len(got) == 4
