"""Net Promoter Score on hand-computed cases (indicators.md, "nps")."""

from __future__ import annotations

import datetime as dt

import pytest

from valvomo.indicators import REGISTRY, Query, compute
from valvomo.indicators.registry import UnsupportedQueryError


def response(rid, score, *, station="S1", day="2024-03-05"):
    return {"response_id": rid, "station_id": station, "answered_at": dt.datetime.fromisoformat(day),
            "score": score}  # fmt: skip


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        # 6 is a detractor, 7 and 8 passive, 9 a promoter: 100 x (1 - 1) / 4 = 0.
        ([6, 7, 8, 9], 0.0),
        # 0 and 6 detractors, 9 and 10 promoters, 7 passive: 100 x (2 - 2) / 5 = 0.
        ([0, 6, 7, 9, 10], 0.0),
        # 9, 10, 10 promoters, 8 passive: 100 x 3 / 4 = 75.
        ([9, 10, 10, 8], 75.0),
        # 7 and 8 only: passives -> 0.
        ([7, 8], 0.0),
        # 5 detractor, 7 passive: 100 x (0 - 1) / 2 = -50.
        ([5, 7], -50.0),
    ],
)
def test_nps_boundaries(make_sources, scores, expected):
    feedback = [response(f"r{i}", s) for i, s in enumerate(scores)]
    (row,) = compute("nps", make_sources({"feedback": feedback}), Query(period="quarter"))
    assert row["value"] == pytest.approx(expected)
    assert row["n"] == len(scores)
    assert row["unit"] == "score"


def test_nps_by_station_and_period(make_sources):
    feedback = [
        response("a", 10), response("b", 9), response("c", 3),  # S1 Q1: 100 x (2 - 1) / 3 = 33.3
        response("d", 10, day="2024-04-02"),  # S1 Q2: 100
        response("e", 0, station="S2"),  # S2 Q1: -100
    ]  # fmt: skip
    rows = compute("nps", make_sources({"feedback": feedback}), Query(period="quarter", by=("station",)))
    got = {(r["period"], r["station_id"]): (r["numerator"], r["n"], r["value"]) for r in rows}
    assert got == {
        ("2024Q1", "S1"): (1, 3, pytest.approx(100 / 3)),
        ("2024Q2", "S1"): (1, 1, 100.0),
        ("2024Q1", "S2"): (-1, 1, -100.0),
    }
    with pytest.raises(UnsupportedQueryError):
        compute("nps", make_sources({"feedback": feedback}), Query(by=("profession",)))


def test_nps_target_is_strictly_above_60():
    (target,) = REGISTRY.get("nps").targets
    assert (target.value, target.strict, target.scope) == (60, True, "regional")
