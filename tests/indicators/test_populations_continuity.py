"""The continuity windows population on its own (indicators/populations/continuity.py).

Hand-built visits, the exact per-(period, profession group, patient) rows, computed live and inside a
materialisation run (``stage_cache``), and the population's record.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from valvomo.indicators import REGISTRY, Query
from valvomo.indicators.common import stage_cache
from valvomo.indicators.populations import POPULATIONS
from valvomo.indicators.populations.continuity import GROUPS, continuity_windows


def visit(
    cid, patient, day, professional, *, profession="physician", station="S1", service="T11", cancelled=None
):
    started = dt.datetime.fromisoformat(day).replace(hour=9)
    return {
        "contact_id": cid, "patient_id": patient, "station_id": station, "professional_id": professional,
        "profession": profession, "contact_type": "R10", "service_type": service, "nature": "SH",
        "urgency": "non_urgent", "started_at": started,
        "cancelled_at": None if cancelled is None else started - dt.timedelta(days=1),
    }  # fmt: skip


# P: physicians D1, D1 (Q1), D2 (Q2); nurse N1 (Q1, Q2); an other profession and a T11 contact without a
# professional (both count for group "all" only); a cancelled and a T31 contact (not counted).
# T: D1 May 2023, D1 Jan 2024, D2 Feb 2024, D1 Jun 2024. The Jan visit's predecessor (May 2023) is in the
# window ending March 2024 but not in the one ending June 2024.
# R: four contacts of another profession, two at S2 and two at S1: group "all", tie -> S1.
# "-": no professional; cancelled "yes": cancelled the day before.
VISIT_TABLE = Path(__file__).with_name("continuity_visits.csv")
VISITS = [
    visit(cid, patient, day, None if professional == "-" else professional, profession=profession,
          station=station, service=service, cancelled=True if cancelled == "yes" else None)
    for cid, patient, day, professional, profession, station, service, cancelled
    in list(csv.reader(VISIT_TABLE.read_text(encoding="utf-8").splitlines()))[1:]
]  # fmt: skip

# (period, patient): (N, sum n_j^2, max n_j, k, same-professional pairs, majority station)
EXPECTED = {
    "physician": {
        ("2024Q1", "P"): (2, 4, 2, 1, 1, "S1"),
        ("2024Q1", "T"): (3, 5, 2, 2, 1, "S1"),  # May 2023 D1 -> Jan D1 is a pair in this window
        ("2024Q2", "P"): (3, 5, 2, 2, 1, "S1"),  # S1 2 visits, S2 1
        ("2024Q2", "T"): (3, 5, 2, 2, 0, "S1"),  # Jan's predecessor (May 2023) is outside the window
    },
    "nurse": {("2024Q2", "P"): (2, 4, 2, 1, 1, "S2")},  # Q1 has one nurse visit: N < 2
    "all": {  # >= 4 contacts: Q1 has 3 for P and T
        ("2024Q2", "P"): (7, None, None, None, None, "S2"),  # S1 2, S2 3, S3 2
        ("2024Q2", "R"): (4, None, None, None, None, "S1"),  # S1 2, S2 2: the smaller id
    },
}
COLUMNS = ("visits", "sum_squares", "max_visits", "professionals", "same_pairs", "_majority_station")


def _rows(sources, group, query):
    table = sources.backend.to_pyarrow(continuity_windows(sources, query, group)).to_pylist()
    return {(r["period"], r["patient_id"]): tuple(r[c] for c in COLUMNS) for r in table}


@pytest.fixture
def sources(make_sources):
    return make_sources({"contacts": VISITS})


@pytest.mark.parametrize("group", GROUPS)
def test_live_rows_are_the_hand_computed_windows(sources, group):
    assert EXPECTED[group] and _rows(sources, group, Query(period="quarter")) == EXPECTED[group]


def test_staged_rows_equal_the_live_rows_for_every_group_and_period_kind(sources):
    quarter, month = Query(period="quarter"), Query(period="month")
    live = {(g, q.period): _rows(sources, g, q) for g in GROUPS for q in (quarter, month)}
    with stage_cache(sources, period_kinds=["month", "quarter"]):
        staged = {(g, q.period): _rows(sources, g, q) for g in GROUPS for q in (quarter, month)}
    assert staged == live
    # months: periods come from the group's own visits: March (N = 1) and May have nurse visits
    assert live[("nurse", "month")] == {("2024-05", "P"): (2, 4, 2, 1, 1, "S2")}
    # the physician window ending June 2024 is the quarter's
    assert live[("physician", "month")]["2024-06", "T"] == EXPECTED["physician"]["2024Q2", "T"]


def test_indices_derive_from_the_counts(sources):
    (row,) = [
        r for r in sources.backend.to_pyarrow(continuity_windows(sources, Query(period="quarter"), "physician")).to_pylist()
        if (r["period"], r["patient_id"]) == ("2024Q2", "P")
    ]  # fmt: skip
    # n = (D1: 2, D2: 1), N = 3, k = 2, one D1-D1 pair
    assert row["coci"] == pytest.approx((5 - 3) / (3 * 2))
    assert row["upc"] == pytest.approx(2 / 3)
    assert row["secon"] == pytest.approx(1 / 2)
    assert row["mmci"] == pytest.approx((1 - 2 / 3.1) / (1 - 1 / 3.1))
    assert row["continuous"] is False  # COCI 1/3 < 0.5


def test_date_range_keeps_the_look_back(sources):
    # Only 2024Q2 is in the range, but its window still reaches back to July 2023.
    rows = _rows(
        sources, "physician", Query(period="quarter", start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30))
    )
    assert rows == {k: v for k, v in EXPECTED["physician"].items() if k[0] == "2024Q2"}


def test_the_population_is_registered_with_every_reader():
    population = POPULATIONS["continuity_windows"]
    continuity_ids = {i.id for i in REGISTRY if i.family == "continuity"}
    assert continuity_ids and continuity_ids <= set(population.used_by)
    from valvomo.segments.registry import SEGMENT_REGISTRY

    segment_ids = {o.id for o in SEGMENT_REGISTRY}
    assert set(population.used_by) - continuity_ids == {"segment_coci"} <= segment_ids
    assert population.build is continuity_windows and "indicators.md" in population.spec
