"""Complementary suppression across a breakdown, cell by cell (disclosure.md): hand-made cases and a
Hypothesis property against a plain-Python reader who differences the by-station and county views.

The reader knows the served county figure T (rounded to 5; it stands for T-2..T+2, 0 for 0) and the
shown station cells (each r for r-2..r+2, at least 8). A hidden cell is 1-7 if it was redacted by the
profile, or at least 8 if hidden as a complement, and the reader cannot tell which; so with k hidden
cells in a line, one of them can be pinned when k = 1 and ``pinned_value`` leaves one value, or when
the other k-1 (each at least 1) leave room for only 1.
"""

from __future__ import annotations

import dataclasses
import random
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from valvomo.disclosure import protect_breakdown, protect_rows
from valvomo.indicators.access import WAITING_BINS
from valvomo.indicators.registry import REGISTRY, Registry

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from probe import _possible_counts, pinned_value  # noqa: E402

BINS = tuple(label for label, _, _ in WAITING_BINS)


def share(station, numerator, denominator, indicator="access_7d", period="2024Q1", **extra):
    value = numerator / denominator if denominator else None
    return {"indicator": indicator, "period": period, "station_id": station, "value": value,
            "numerator": numerator, "denominator": denominator, "n": None, "unit": "share", "suppressed": False,
            **extra}  # fmt: skip


def median(station, n, value=5.0, period="2024Q1"):
    return {"indicator": "waiting_days_median", "period": period, "station_id": station, "value": value,
            "numerator": None, "denominator": None, "n": n, "unit": "days", "suppressed": False}  # fmt: skip


def bins(station, counts, period="2024Q1"):
    total = sum(counts)
    return [share(station, c, total, indicator="waiting_days_distribution", period=period, bin=b)
            for b, c in zip(BINS, counts, strict=False) if c]  # fmt: skip


def served(rows, profile="standard", registry=REGISTRY):
    return protect_breakdown(protect_rows(rows, profile, registry=registry), profile, registry=registry)


def hidden_stations(rows, column="numerator"):
    return sorted(r["station_id"] for r in rows if r[column] is None)


# --- hand-made cases ---------------------------------------------------------------------------------------


def test_one_redacted_among_several_takes_the_smallest_with_it():
    # A: 3 of 40 (numerator redacted, denominator shown); the smallest other denominator is C (30).
    out = served([share("A", 3, 40), share("B", 30, 60), share("C", 20, 30), share("D", 90, 200)])
    assert hidden_stations(out) == ["A", "C"]
    assert hidden_stations(out, "denominator") == []  # only numerators were redacted: denominators stay
    assert [r["suppressed"] for r in out] == [True, False, True, False]


def test_a_lone_redacted_denominator_brings_a_complementary_denominator():
    # A's group is 6 people: numerator and denominator redacted. B (25) is the smallest other group.
    out = served([share("A", 2, 6), share("B", 20, 25), share("C", 30, 45)])
    assert hidden_stations(out, "denominator") == ["A", "B"]
    assert hidden_stations(out) == ["A", "B"]


def test_ties_for_the_next_smallest_go_to_the_first_station_id_whatever_the_order():
    rows = [share("D", 12, 40), share("B", 12, 40), share("A", 5, 40), share("C", 12, 40)]
    out = served(rows)
    assert hidden_stations(out) == ["A", "B"]  # B, C, D tie on 40: B is the first id
    assert hidden_stations(served(list(reversed(rows)))) == ["A", "B"]


def test_all_but_one_redacted_needs_no_complement():
    out = served([share("A", 3, 5), share("B", 2, 4), share("C", 1, 6), share("D", 30, 50)])
    assert hidden_stations(out) == ["A", "B", "C"]
    assert out[3]["numerator"] == 30 and out[3]["denominator"] == 50 and not out[3]["suppressed"]


def test_statistics_are_protected_on_n():
    # S1's median is over 5 people: redacted; the county n minus S2..S4 would give 5 back.
    out = served([median("S1", 5), median("S2", 40), median("S3", 22), median("S4", 60)])
    assert hidden_stations(out, "n") == ["S1", "S3"]
    assert [r["value"] is None for r in out] == [True, False, True, False]


def test_rate_denominators_and_numerators_are_complemented():
    def rate(station, numerator, residents):
        return {"indicator": "referrals_per_1000", "period": "2024", "station_id": station,
                "value": numerator * 1000 / residents, "numerator": numerator, "denominator": residents, "n": None,
                "unit": "rate_per_1000", "suppressed": False}  # fmt: skip

    out = served([rate("A", 4, 900), rate("B", 30, 1200), rate("C", 50, 800)])
    assert hidden_stations(out) == ["A", "C"]  # C has the fewest residents
    assert hidden_stations(out, "denominator") == []  # residents are public and none was redacted
    out = served([rate("A", 0, 5), rate("B", 30, 1200), rate("C", 50, 800)])  # 5 residents: redacted
    assert hidden_stations(out, "denominator") == ["A", "C"]


def test_counts_are_complemented_on_their_value():
    registry = Registry()
    registry.add(dataclasses.replace(REGISTRY.get("access_7d"), id="contacts_count", disclosure="count",
                                     unit="count"))  # fmt: skip
    rows = [{"indicator": "contacts_count", "period": "2024Q1", "station_id": s, "value": v, "unit": "count",
             "suppressed": False} for s, v in (("A", 4.0), ("B", 30.0), ("C", 12.0))]  # fmt: skip
    out = served(rows, registry=registry)
    assert [r["value"] for r in out] == [None, 30.0, None]


def test_distribution_bins_are_protected_per_bin_across_stations_and_within_each_station():
    # bin "1-7": S1 has 3, S2..S4 12 each. Within S1 the next smallest bin (8-14: 10) goes too; across
    # stations S2 (first of the tie) is hidden in "1-7", which leaves S2 alone with a hidden bin: its
    # next smallest ("8-14": 9) goes, and then "8-14" has S1 and S2 hidden.
    rows = bins("S1", [0, 3, 10, 40]) + bins("S2", [0, 12, 9, 30]) + bins("S3", [0, 12, 20, 30]) + bins(
        "S4", [0, 12, 25, 30]
    )
    out = served(rows)
    hidden = sorted((r["bin"], r["station_id"]) for r in out if r["numerator"] is None)
    assert hidden == [("1-7", "S1"), ("1-7", "S2"), ("8-14", "S1"), ("8-14", "S2")]
    # group sizes stay shown: every station's bins still add up to a total that hides two of them
    assert {r["station_id"]: r["denominator"] for r in out} == {"S1": 55, "S2": 50, "S3": 60, "S4": 65}


def test_a_small_station_distribution_hides_its_group_size_and_a_complementary_one():
    rows = bins("S1", [0, 2, 3]) + bins("S2", [0, 20, 30]) + bins("S3", [0, 15, 40])
    out = served(rows)
    # bin "1-7": S1 (2) alone hidden, so S3 (15 < 20) goes too; S1's group size (5) is redacted and the
    # complement is S3's (its value already hidden: nothing more lost), not S2's smaller 50
    assert {r["station_id"] for r in out if r["denominator"] is None} == {"S1", "S3"}
    assert sorted((r["bin"], r["station_id"]) for r in out if r["numerator"] is None) == [
        ("1-7", "S1"), ("1-7", "S3"), ("8-14", "S1"), ("8-14", "S3")]  # fmt: skip
    # "8-14": S1 (3) alone hidden; S3's row is already hidden (its size), so its 40 goes rather than S2's 30


def test_applying_it_twice_changes_nothing():
    rows = bins("S1", [0, 3, 10, 40]) + bins("S2", [0, 12, 9, 30]) + [share("A", 3, 40), share("B", 30, 60)]
    once = served(rows)
    assert protect_breakdown(once, "standard") == once


# --- the property: no hidden cell can be pinned ------------------------------------------------------------


def _pinned(total: int, shown: list[int], hidden: int) -> bool:
    """Whether a reader pins one of ``hidden`` cells from the total and the shown cells (module docstring)."""
    if hidden == 1:
        return pinned_value(total, shown) is not None
    high = _possible_counts(total)[1] - sum(_possible_counts(v)[0] for v in shown)
    return high - (hidden - 1) <= 1


def _county(rows: list[dict]) -> list[dict]:
    """The county view before protection: the stations' true counts summed per indicator, period and bin."""
    sums: dict[tuple, dict] = {}
    for row in rows:
        key = (row["indicator"], row["period"], row.get("bin"))
        if key not in sums:
            sums[key] = {k: v for k, v in row.items() if k != "station_id"}
            continue
        for column in ("numerator", "denominator", "n"):
            if row[column] is not None:
                sums[key][column] += row[column]
    contacts = sum(r["numerator"] for r in rows if r["indicator"] == "waiting_days_distribution")
    for row in sums.values():
        if row["indicator"] == "waiting_days_distribution":
            row["denominator"] = contacts  # the group size is every contact, not the stations having the bin
    return list(sums.values())


def _lines(by_station: list[dict], county: list[dict]):
    """(line, column, total, shown cells, hidden count) of every line a reader can difference: the stations
    against the county figure, and the bins of one station against its group size."""
    totals = {(r["indicator"], r["period"], r.get("bin")): r for r in county}
    across: dict[tuple, list[dict]] = {}
    within: dict[tuple, list[dict]] = {}
    for row in by_station:
        across.setdefault((row["indicator"], row["period"], row.get("bin")), []).append(row)
        if "bin" in row:
            within.setdefault((row["indicator"], row["period"], row["station_id"]), []).append(row)
    for (indicator, period, _), rows in within.items():  # a distribution's group sizes: one per station
        across.setdefault((indicator, period, "sizes"), []).append(rows[0])
        totals[(indicator, period, "sizes")] = {"denominator": totals[(indicator, period, rows[0]["bin"])]["denominator"]}
    for key, rows in across.items():
        for column in ("numerator", "denominator", "n"):
            if key[2] is not None and (column == "denominator") != (key[2] == "sizes"):
                continue
            total = totals[key].get(column)
            if total:  # None: redacted or no such column; 0: the county view itself says every cell is 0
                cells = [r[column] for r in rows]
                yield key, column, total, [c for c in cells if c is not None], cells.count(None)
    for key, rows in within.items():
        if rows[0]["denominator"]:
            cells = [r["numerator"] for r in rows]
            yield key, "bins", rows[0]["denominator"], [c for c in cells if c is not None], cells.count(None)


station_ids = st.lists(st.sampled_from(["S1", "S2", "S3", "S4", "S5"]), min_size=2, max_size=5, unique=True)


@st.composite
def county_rows(draw):
    stations = draw(station_ids)
    rows = []
    for station in stations:
        denominator = draw(st.integers(0, 60))
        rows.append(share(station, draw(st.integers(0, denominator)), denominator))
        rows.append(median(station, draw(st.integers(0, 60))))
        counts = draw(st.lists(st.integers(0, 25), min_size=len(BINS), max_size=len(BINS)))
        rows.extend(bins(station, counts))
    # one large station, so that county figures are shown and the compared lines exist
    rows += [share("S9", 40, 80), median("S9", 50), *bins("S9", [5, 20, 20, 10, 9, 8])]
    return [r for r in rows if r["indicator"] != "access_7d" or r["denominator"]]


@settings(max_examples=150, deadline=None)
@given(county_rows(), st.randoms(use_true_random=False))
def test_no_hidden_cell_of_a_breakdown_can_be_pinned_from_the_county_view(rows, shuffle: random.Random):
    county = protect_rows(_county(rows), "standard")
    by_station = served(rows)
    lines = list(_lines(by_station, county))
    assert lines  # the compared lines exist
    for key, column, total, shown, hidden in lines:
        assert not (hidden and _pinned(total, shown, hidden)), (key, column, total, shown, hidden)
    # the same numbers give the same output whatever their order (page, filter)
    order = list(range(len(rows)))
    shuffle.shuffle(order)
    again = served([rows[i] for i in order])
    assert [again[order.index(i)] for i in range(len(rows))] == by_station
