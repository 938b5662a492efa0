"""Waiting days for psychosocial interventions, by method (indicators.md, intervention_wait_days)."""

from __future__ import annotations

import pytest
from access_rows import STATIONS, intervention

from valvomo.indicators import REGISTRY, Query, compute

INTERVENTIONS = [
    intervention("i1", "IPC", "2024-02-01", "2024-02-04"),  # 3
    intervention("i2", "IPC", "2024-02-01", "2024-02-11"),  # 10
    intervention("i3", "IPC", "2024-02-01", "2024-02-21", station_id="S2"),  # 20
    intervention("i4", "IPC", "2024-01-20", "2024-03-01"),  # 11 + 29 + 1 = 41 (leap year)
    intervention("k1", "CoolKids", "2024-03-01", "2024-03-08"),  # 7
    intervention("k2", "CoolKids", "2024-03-01", "2024-03-15"),  # 14
    intervention("k3", "CoolKids", "2024-02-15", "2024-03-16", station_id="S2"),  # 14 + 16 = 30
    intervention("n1", "IPC", "2024-03-01", None),  # not started: not counted
    intervention("y1", "IPC", "2024-12-20", "2025-01-10"),  # 21, in 2025 by first_session_on
]
# 2024, IPC: 3 10 20 41 -> mean 18.5, median (10 + 20) / 2 = 15, min 3, max 41, n 4
#       CoolKids: 7 14 30 -> mean 17, median 14, min 7, max 30, n 3;  2025, IPC: 21


@pytest.fixture
def interventions(make_sources):
    return make_sources({"interventions": INTERVENTIONS, "stations": STATIONS})


@pytest.mark.parametrize(
    ("indicator", "ipc", "cool_kids"),
    [
        ("intervention_wait_days", 18.5, 17.0),
        ("intervention_wait_days_median", 15.0, 14.0),
        ("intervention_wait_days_min", 3.0, 7.0),
        ("intervention_wait_days_max", 41.0, 30.0),
    ],
)
def test_intervention_statistics_by_method(interventions, indicator, ipc, cool_kids):
    rows = compute(indicator, interventions, Query(period="year"))
    assert {(r["period"], r["bin"]): (r["value"], r["n"]) for r in rows} == {
        ("2024", "CoolKids"): (cool_kids, 3),
        ("2024", "IPC"): (ipc, 4),
        ("2025", "IPC"): (21.0, 1),
    }


def test_intervention_waits_by_station(interventions):
    rows = compute("intervention_wait_days", interventions, Query(period="year", by=("station",)))
    got = {(r["period"], r["station_id"], r["bin"]): (r["value"], r["n"]) for r in rows}
    # S1 IPC 3 10 41 -> 18; S2 IPC 20; S1 CoolKids 7 14 -> 10.5; S2 CoolKids 30
    assert got == {
        ("2024", "S1", "CoolKids"): (10.5, 2),
        ("2024", "S1", "IPC"): (18.0, 3),
        ("2024", "S2", "CoolKids"): (30.0, 1),
        ("2024", "S2", "IPC"): (20.0, 1),
        ("2025", "S1", "IPC"): (21.0, 1),
    }


def test_intervention_waits_by_age_band(make_sources):
    patients = [
        {"patient_id": "young", "birth_year": 2010, "sex": "F", "municipality": "638"},
        {"patient_id": "older", "birth_year": 2005, "sex": "M", "municipality": "753"},
    ]
    sources = make_sources(
        {
            "interventions": [
                intervention("a", "IPC", "2024-02-01", "2024-02-05", patient_id="young"),  # 4, age 14
                intervention("b", "IPC", "2024-02-01", "2024-02-09", patient_id="young"),  # 8, age 14
                intervention("c", "IPC", "2024-02-01", "2024-02-13", patient_id="older"),  # 12, age 19
            ],
            "patients": patients,
        }
    )
    rows = compute("intervention_wait_days_median", sources, Query(period="quarter", by=("age_band",)))
    assert {(r["age_band"], r["bin"]): r["value"] for r in rows} == {("10-14", "IPC"): 6.0, ("15-19", "IPC"): 12.0}
    by_municipality = compute("intervention_wait_days", sources, Query(period="quarter", by=("municipality",)))
    assert {r["municipality"]: r["value"] for r in by_municipality} == {"638": 6.0, "753": 12.0}


def test_intervention_entries_are_statistics_per_method():
    for suffix in ("", "_median", "_min", "_max"):
        entry = REGISTRY.get(f"intervention_wait_days{suffix}")
        assert (entry.unit, entry.disclosure, entry.distribution) == ("days", "statistic", True)
