"""Charts are valid, labelled, scalable SVG; redacted values are gaps; funnel limits match
hand-computed binomial quantiles."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from valvomo.web import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    root = ET.fromstring(markup)  # raises on invalid XML
    assert root.tag == f"{SVG}svg"
    return root


def _assert_accessible(markup: str, title: str, desc: str) -> ET.Element:
    root = _parse(markup)
    assert root.get("role") == "img"
    assert root.get("viewBox")
    assert root.get("width") == "100%"  # scales with the column, no fixed pixel size
    assert root.get("height") is None
    labelled = root.get("aria-labelledby").split()
    title_el, desc_el = root[0], root[1]
    assert title_el.tag == f"{SVG}title" and title_el.text == title
    assert desc_el.tag == f"{SVG}desc" and desc_el.text == desc
    assert labelled == [title_el.get("id"), desc_el.get("id")]
    assert "<?xml" not in markup and "DOCTYPE" not in markup and "<metadata" not in markup
    return root


def test_trend_chart_has_title_desc_target_and_deadline_text():
    markup = charts.trend_chart(
        ["2024Q1", "2024Q2", "2024Q3"],
        {"Asema A": [0.5, None, 0.7]},
        title="Hoitoon pääsy 7 vrk & <tavoite>",
        desc="Arvot 50 %, –, 70 %",
        targets=[charts.TargetLine(0.66, "Tavoite 66 %", "2024Q2")],
        deadline_text="määräaika Q2/2024",
    )
    _assert_accessible(markup, "Hoitoon pääsy 7 vrk & <tavoite>", "Arvot 50 %, –, 70 %")
    assert "Tavoite 66 %" in markup
    assert "määräaika Q2/2024" in markup


def test_deadline_outside_the_axis_is_written_at_the_edge():
    markup = charts.trend_chart(
        ["2024Q1", "2024Q2"],
        {"x": [0.5, 0.6]},
        title="t",
        desc="d",
        targets=[charts.TargetLine(0.8, "Target 80 %", "2025Q4")],
        deadline_text="by Q4 2025",
    )
    assert "→ by Q4 2025" in markup


def test_two_charts_on_one_page_do_not_share_ids():
    first = charts.histogram(["0", "1-7"], [0.2, 0.8], title="a", desc="a", x_label="d", y_label="s")
    second = charts.histogram(["0", "1-7"], [0.3, 0.7], title="b", desc="b", x_label="d", y_label="s")
    ids_first = {el.get("id") for el in _parse(first).iter() if el.get("id")}
    ids_second = {el.get("id") for el in _parse(second).iter() if el.get("id")}
    assert ids_first and ids_second
    assert not ids_first & ids_second


def test_histogram_labels_redacted_bins_and_does_not_draw_them_as_zero_share():
    markup = charts.histogram(
        ["0", "1-7", ">90"], [0.25, 0.75, None], title="Odotusajat", desc="d", x_label="vrk", y_label="%",
        value_format=lambda v: f"{v * 100:.0f} %",
    )
    _assert_accessible(markup, "Odotusajat", "d")
    assert "&lt;8" in markup  # the redacted bin is labelled "<8", not "0 %"
    assert "25 %" in markup and "75 %" in markup


def test_sparkline_skips_gaps_and_marks_last_point():
    markup = charts.sparkline([0.5, 0.6, None, 0.7, 0.8], title="s", desc="d")
    root = _assert_accessible(markup, "s", "d")
    polylines = root.findall(f"{SVG}polyline")
    # two runs of known values around the gap: [0.5, 0.6] and [0.7, 0.8]
    assert len(polylines) == 2
    circle = root.find(f"{SVG}circle")
    # last point: x = 2 + 4 * (96 / 4) = 98; y = 21 - (0.8 - 0.5) / 0.3 * 18 = 3
    assert float(circle.get("cx")) == pytest.approx(98.0)
    assert float(circle.get("cy")) == pytest.approx(3.0)


def test_sparkline_without_values_is_still_labelled():
    root = _assert_accessible(charts.sparkline([None, None], title="s", desc="no data"), "s", "no data")
    assert root.find(f"{SVG}polyline") is None


def test_binomial_limit_matches_hand_computed_quantile():
    # Binomial(n=10, p=0.5): F(7) = 0.9453125, F(8) = 0.9892578125.
    # 0.975 quantile: r = 8; alpha = (0.9892578 - 0.975) / (0.9892578 - 0.9453125) = 0.32444;
    # limit = (8 - 0.32444) / 10 = 0.767556
    assert charts.binomial_limit(0.5, 10, 0.975) == pytest.approx(0.767556, abs=1e-5)
    # 0.025 quantile: F(1) = 0.0107422, F(2) = 0.0546875, so r = 2;
    # alpha = (0.0546875 - 0.025) / (0.0546875 - 0.0107422) = 0.675556; limit = (2 - 0.675556) / 10 = 0.132444
    assert charts.binomial_limit(0.5, 10, 0.025) == pytest.approx(0.132444, abs=1e-5)


def test_binomial_limits_narrow_towards_the_normal_approximation():
    # n = 10 000, p = 0.7: normal 99.9 % limit = 0.7 + 3.0902 * sqrt(0.21 / 10000) = 0.714161
    assert charts.binomial_limit(0.7, 10_000, 0.999) == pytest.approx(0.714161, abs=2e-4)


def test_funnel_position_separates_chance_from_signal():
    # county 0.7; a station with 8 of 10 is well within the limits (0.7 + 2 sd = 0.99)
    assert charts.funnel_position(0.8, 10, 0.7) == "within"
    # 500 of 1000 is far below: 99.9 % lower limit ~ 0.7 - 3.09 * 0.0145 = 0.655
    assert charts.funnel_position(0.5, 1000, 0.7) == "below_998"
    assert charts.funnel_position(None, 1000, 0.7) == "unknown"


def test_funnel_chart_names_points_and_limits():
    points = [
        charts.FunnelPoint("Näsi", 0.72, 1200),
        charts.FunnelPoint("Pukkila", None, None),  # redacted: not drawn
        charts.FunnelPoint("Loviisa", 0.45, 900),
    ]
    markup = charts.funnel_chart(
        points, 0.7, title="Suppilo", desc="d", x_label="Nimittäjä", y_label="Osuus",
        county_label="Hyvinvointialue", limit_labels=("95 % rajat", "99,8 % rajat"),
    )
    _assert_accessible(markup, "Suppilo", "d")
    assert "Näsi" in markup and "Loviisa" in markup
    assert "Pukkila" not in markup
    assert "99,8 % rajat" in markup


def test_comparison_bars_and_stacked_shares_render():
    bars = charts.comparison_bars(["A", "B"], [0.8, None], title="b", desc="d", reference=0.7,
                                  reference_label="county")
    _assert_accessible(bars, "b", "d")
    assert "&lt;8" in bars
    stacked = charts.stacked_shares(["2024Q1", "2024Q2"], {"Fyysinen": [0.6, 0.55], "Etä": [0.4, 0.45]},
                                    title="mix", desc="d")
    _assert_accessible(stacked, "mix", "d")
    assert "Fyysinen" in stacked and "Etä" in stacked


def test_percent_format_default():
    assert charts.percent_format(1)(0.456) == "45.6 %"
    assert math.isclose(charts.binomial_limit(0.0, 5, 0.9), 0.0)
