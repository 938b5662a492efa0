"""Complementary suppression in tables and lines, determinism, and presentation of redacted cells."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from valvomo.disclosure import (
    format_cell,
    protect_line,
    protect_rows,
    protect_table,
    redaction_marker,
)
from valvomo.services.catalogue import profile_label


def test_table_complementary_suppression_cascades_through_rows_and_columns():
    cells = {("a", "x"): 3, ("a", "y"): 20, ("a", "z"): 40, ("b", "x"): 12, ("b", "y"): 9, ("b", "z"): 50}
    table = protect_table(cells, "standard")
    # (a,x)=3 is primary; row a then hides its smallest other cell (a,y)=20; column x hides (b,x)=12;
    # column y (only (a,y) hidden) hides (b,y)=9; row b now has two hidden cells: stop.
    assert table.hidden == {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}
    assert table.cells[("a", "z")] == 40 and table.cells[("b", "z")] == 50
    # totals = sums of rounded cells: a 5+20+40 = 65, b 10+10+50 = 70; x 5+10, y 20+10, z 40+50; 135
    assert table.row_totals == {"a": 65, "b": 70}
    assert table.column_totals == {"x": 15, "y": 30, "z": 90}
    assert table.grand_total == 135


def test_small_row_total_is_hidden_and_the_margin_protected():
    cells = {
        ("r1", "x"): 2,
        ("r1", "y"): 0,
        ("r2", "x"): 30,
        ("r2", "y"): 40,
        ("r3", "x"): 50,
        ("r3", "y"): 60,
    }
    table = protect_table(cells, "threshold5")
    # r1x=2 is primary and row r1's total (2) is redacted; row r1 already has a hidden cell. Column x
    # (total shown) has only r1x hidden, so its smallest other positive cell r2x=30 goes too. Margin:
    # exactly one row total (r1) is hidden, so the smallest shown one (r2 = 70 < r3 = 110) goes too.
    # Then x: 82 - 50 = 32 = r1x + r2x and grand - r3 = 182 - 110 = 72 = r1 + r2: r1x is not singled out.
    assert table.hidden == {("r1", "x"), ("r2", "x")}
    assert table.cells[("r2", "y")] == 40
    assert table.cells[("r1", "y")] == 0
    assert table.row_totals == {"r1": None, "r2": None, "r3": 110}
    assert table.column_totals == {"x": 82, "y": 100}
    assert table.grand_total == 182


def test_line_with_nothing_left_to_hide_hides_its_total():
    cells = {("a", "x"): 7, ("a", "y"): 8, ("b", "x"): 1}
    table = protect_table(cells, "standard")
    # 7 and 1 are primary; row a hides (a,y)=8 as complement; column y then holds one hidden cell and
    # nothing else, so its total is hidden; margins: row b (1) hidden alone -> row a hidden too, column y
    # hidden alone -> column x hidden too. The grand total is 5 + 10 + 0 = 15 (rounded cells).
    assert set(table.hidden) == set(cells)
    assert table.row_totals == {"a": None, "b": None} and table.column_totals == {"x": None, "y": None}
    assert table.grand_total == 15


def test_table_without_totals_needs_no_complement():
    cells = {("a", "x"): 3, ("a", "y"): 20}
    table = protect_table(cells, "standard", row_totals=False, column_totals=False)
    assert table.hidden == {("a", "x")} and table.cells[("a", "y")] == 20 and table.grand_total is None


def test_line_ties_go_to_the_first_cell():
    line = protect_line([20, 3, 20, 40], "threshold5")
    # the two 20s tie; the first in order is redacted as the complement
    assert line.cells == (None, None, 20, 40) and line.total == 83


def test_line_whose_total_is_small_is_all_hidden():
    line = protect_line([2, 0, 3], "standard")
    # total 5 people: redacted; zeros stay zero
    assert line.cells == (None, 0, None) and line.total is None


def test_profile_none_leaves_table_unchanged():
    table = protect_table({("a", "x"): 3, ("a", "y"): 4}, "none")
    assert table.cells == {("a", "x"): 3, ("a", "y"): 4} and table.row_totals == {"a": 7} and not table.hidden


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8),
    st.sampled_from(["standard", "threshold5"]),
)
def test_a_shown_line_total_never_has_exactly_one_hidden_cell(counts, profile):
    line = protect_line(counts, profile)
    hidden = [i for i, c in enumerate(line.cells) if c is None and counts[i] > 0]
    assert line.total is None or len(hidden) != 1


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.sampled_from("abc"), st.sampled_from("xyz")),
        st.integers(min_value=0, max_value=30),
        min_size=1,
    ),
    st.sampled_from(["standard", "threshold5"]),
)
def test_no_shown_row_or_column_total_has_exactly_one_hidden_cell(cells, profile):
    table = protect_table(cells, profile)
    for line, total in (*table.row_totals.items(), *table.column_totals.items()):
        if total is None:
            continue
        keys = [k for k in cells if line in k]
        assert len([k for k in keys if k in table.hidden]) != 1


def _dist(station, counts):
    total = sum(counts)
    return [
        {
            "indicator": "waiting_days_distribution",
            "period": "2024Q1",
            "station_id": station,
            "bin": b,
            "value": c / total,
            "numerator": c,
            "denominator": total,
            "n": c,
            "unit": "share",
            "suppressed": False,
        }
        for b, c in zip(("0", "1-7", "8-14", "15-28"), counts, strict=True)
    ]


def _share(station, num, den):
    return {
        "indicator": "access_7d",
        "period": "2024Q1",
        "station_id": station,
        "value": num / den,
        "numerator": num,
        "denominator": den,
        "unit": "share",
        "suppressed": False,
    }


def test_same_numbers_same_output_whatever_else_is_requested():
    """Differencing two views reveals nothing new: a row's protected form depends only on its own group."""
    rng = random.Random(7)
    stations = [f"S{i}" for i in range(12)]
    universe = []
    for station in stations:
        universe += _dist(station, [rng.randint(0, 12) for _ in range(4)])
        universe.append(_share(station, rng.randint(0, 15), rng.randint(15, 40)))
    full = protect_rows(universe, "standard")
    reference = {(r["indicator"], r["station_id"], r.get("bin")): r for r in full}
    for seed in range(5):
        subset_stations = set(random.Random(seed).sample(stations, 5))
        subset = [r for r in universe if r["station_id"] in subset_stations]
        random.Random(seed).shuffle(subset)
        for row in protect_rows(subset, "standard"):
            assert row == reference[(row["indicator"], row["station_id"], row.get("bin"))]


def test_redacted_cell_is_shown_the_same_in_every_language():
    assert [format_cell(None, True, lang) for lang in ("fi", "sv", "en")] == ["<8", "<8", "<8"]
    assert format_cell(None, True, "sv", profile="threshold5") == "<5"
    assert redaction_marker("none") == ""


def test_format_cell_values():
    # shares as percentages, one decimal, half up; fi/sv decimal comma with a no-break space before %
    assert format_cell(0.6667, False, "fi", unit="share") == "66,7\u00a0%"
    assert format_cell(0.66665, False, "en", unit="share") == "66.7%"
    assert format_cell(12.25, False, "sv", unit="days") == "12,3"
    assert format_cell(1234.0, False, "fi", unit="count") == "1\u00a0234"
    assert format_cell(None, False, "en", unit="share") == "\u2013"


def test_profile_label_names_the_profile_in_each_language():
    assert "1–7" in profile_label("standard", "fi") and "vakio" in profile_label("standard", "fi")
    assert "tröskel 5" in profile_label("threshold5", "sv")
    assert profile_label("none", "en").startswith("No disclosure control")
    assert profile_label("threshold5", "fi") == "Tietosuojakäsittely: kynnys 5 (luvut 1–4 piilotettu, ei pyöristystä)"
    assert profile_label("none", "sv") == "Ingen röjandekontroll: endast för behöriga analytiker"
