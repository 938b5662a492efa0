"""Issue 11 (layout): on a crowded funnel plot the station labels overlap neither each other nor
the control-limit and county lines, every marker lies inside the plot area (also at 100 %), and
the outliers are always named. Measured on the SVG itself, estimating a label's width from its
font size and length as charts.label_box does."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from valvomo.web import charts

NS = {"svg": "http://www.w3.org/2000/svg"}
XLINK = "{http://www.w3.org/1999/xlink}href"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# The demo's 9 stations, Lapinjärvi and Nikkilä close together, Askola at 100 %.
CROWDED = [("Lapinjärvi", 0.62, 140), ("Nikkilä", 0.64, 150), ("Loviisa", 0.71, 900), ("Porvoo", 0.74, 2400),
           ("Sipoo", 0.55, 800), ("Askola", 1.0, 120), ("Pukkila", 0.69, 90), ("Myrskylä", 0.8, 60),
           ("Kerava", 0.76, 1800)]


def _chart(stations, county=0.72) -> ET.Element:
    markup = charts.funnel_chart(
        [charts.FunnelPoint(*s) for s in stations], county, title="t", desc="d", x_label="n", y_label="share",
        county_label="County", limit_labels=("95 % limits", "99.8 % limits"))
    return ET.fromstring(markup)


def _groups(root: ET.Element, name: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{{{NS['svg']}}}g") if g.get("class") == name]


def _polyline(d: str) -> list[tuple[float, float]]:
    numbers = [float(n) for n in NUMBER.findall(d)]
    return list(zip(numbers[0::2], numbers[1::2], strict=True))


def _label_boxes(root):
    """(text, box) per label, box (x0, y0, x1, y1) with y down, as SVG draws it."""
    boxes = []
    for group in _groups(root, "vlv-label"):
        text = group.find("svg:text", NS)
        size = float(re.search(r"font-size: ([\d.]+)px", text.get("style")).group(1))
        x, y, word = float(text.get("x")), float(text.get("y")), text.text
        boxes.append((word, (x, y - charts.LABEL_ASCENT_EM * size,
                             x + charts.LABEL_CHAR_EM * size * len(word), y + charts.LABEL_DESCENT_EM * size)))
    return boxes


def _plot_area(root):
    points = _polyline(_groups(root, "vlv-plot-area")[0].find("svg:path", NS).get("d"))
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _markers(root):
    """(x, y, radius) of every station marker."""
    defs = {p.get("id"): p for p in root.iter(f"{{{NS['svg']}}}path") if p.get("id")}
    found = []
    for group in _groups(root, "vlv-point"):
        for use in group.iter(f"{{{NS['svg']}}}use"):
            shape = _polyline(defs[use.get(XLINK).lstrip("#")].get("d"))
            radius = max(max(abs(a), abs(b)) for a, b in shape)
            found.append((float(use.get("x")), float(use.get("y")), radius))
    return found


def _assert_clean_layout(root, stations):
    labels = _label_boxes(root)
    assert len(labels) >= 5, labels
    for i, (word, box) in enumerate(labels):
        for other, other_box in labels[i + 1:]:
            assert not charts.boxes_overlap(box, other_box), (word, other)
        for kind in ("vlv-limit", "vlv-county"):
            for group in _groups(root, kind):
                line = _polyline(group.find("svg:path", NS).get("d"))
                assert not charts.polyline_hits_box(line, box), (word, kind)
    area = _plot_area(root)
    markers = _markers(root)
    assert len(markers) == len(stations)
    for x, y, r in markers:
        assert area[0] <= x - r and x + r <= area[2] and area[1] <= y - r and y + r <= area[3], (x, y, r, area)
    for word, box in labels:  # inside the plot area too
        assert area[0] <= box[0] and box[2] <= area[2] and area[1] <= box[1] and box[3] <= area[3], word
    return {word for word, _ in labels}


def test_crowded_funnel_labels_are_clear_and_outliers_named():
    named = _assert_clean_layout(_chart(CROWDED), CROWDED)
    outliers = {name for name, value, n in CROWDED
                if charts.funnel_position(value, n, 0.72).endswith("998")}
    assert outliers == {"Askola", "Sipoo", "Kerava"}
    assert outliers <= named


def test_a_station_at_zero_and_one_hundred_percent_is_whole():
    stations = [("Nollala", 0.0, 200), ("Sataprosentti", 1.0, 300), ("Keski", 0.5, 1000)]
    _assert_clean_layout_markers_only(_chart(stations, county=0.5), stations)


def _assert_clean_layout_markers_only(root, stations):
    area = _plot_area(root)
    markers = _markers(root)
    assert len(markers) == len(stations)
    for _x, y, r in markers:
        assert area[1] <= y - r and y + r <= area[3], (y, r, area)


def test_boxes_and_segments_by_hand():
    assert charts.boxes_overlap((0, 0, 2, 2), (1, 1, 3, 3)) and not charts.boxes_overlap((0, 0, 1, 1), (1, 0, 2, 1))
    assert charts.segment_hits_box((-1, 1), (3, 1), (0, 0, 2, 2))  # crosses through
    assert not charts.segment_hits_box((-1, 3), (3, 3), (0, 0, 2, 2))  # passes above
    assert charts.segment_hits_box((1, 1), (1.5, 1.5), (0, 0, 2, 2))  # lies inside
    assert not charts.segment_hits_box((-1, 0), (0, -1), (0, 0, 2, 2))  # misses the corner


def test_every_station_outside_the_95_limits_is_named():
    """The demo's 7-day shares (two small stations at 100 %, crowded in the funnel's narrow end): every
    station outside the 95 % limits gets its label; only crowded ones within the limits may go without."""
    from valvomo.web.charts import FunnelPoint, funnel_chart, funnel_position

    data = [("Myrskylä", 1.0, 25), ("Pukkila", 1.0, 15), ("Söderkulla", 80 / 85, 85), ("Askola", 45 / 55, 55),
            ("Lapinjärvi", 0.75, 40), ("Nikkilä", 0.75, 60), ("Näsi", 310 / 460, 460), ("Koskenkylä", 0.5, 40),
            ("Loviisa", 45 / 110, 110)]  # fmt: skip
    county = sum(v * n for _, v, n in data) / sum(n for *_, n in data)
    svg = funnel_chart([FunnelPoint(*d) for d in data], county, title="t", desc="d", x_label="n", y_label="share",
                       county_label="County", limit_labels=("95 %", "99.8 %"))  # fmt: skip
    outside = [name for name, v, n in data if funnel_position(v, n, county) != "within"]
    assert len(outside) >= 6  # the case is crowded with outliers
    assert all(name in svg for name in outside)  # title and description name no station: only labels do
