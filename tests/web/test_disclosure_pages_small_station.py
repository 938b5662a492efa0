"""A page about a small station never shows a redacted count, nor one that can be worked out
from the figures shown next to it (disclosure.md)."""

from __future__ import annotations

import re

import pytest
from pages_html import html_tables

from valvomo.indicators.registry import REGISTRY
from valvomo.services.results import ResultStore
from valvomo.web.views import common
from valvomo.web.views import comparison as comparison_views
from valvomo.web.views import station as station_views

SMALL_STATION = "ST-PUKKILA"
COUNT_TEXT = re.compile(r"^\d[\d\u00a0]*$")


@pytest.fixture
def app(county_settings):
    from valvomo.web.app import create_app

    return create_app(county_settings)


def _ctx(settings, profile="standard", lang="fi"):
    return common.ViewContext(settings, ResultStore(settings), lang, profile)


def _count_cells(page: dict):
    for table in [*page["families"], page["waiting"], page["t3"], page["channels"]]:
        for row in table.rows:
            for cell in row:
                if cell.unit == "count":
                    yield table.key, cell


def test_small_station_counts_are_rounded_or_redacted(county_settings):
    page = station_views.station_page(_ctx(county_settings), SMALL_STATION)
    counts = list(_count_cells(page))
    assert counts, "the station page shows counts"
    for key, cell in counts:
        if cell.suppressed:
            assert cell.text == "<8" and cell.value is None, key
        else:
            # standard profile: 0 or a multiple of 5 that is at least 10 (1-7 redacted, 8-9 round to 10)
            assert cell.value == 0 or (cell.value >= 10 and cell.value % 5 == 0), (key, cell)


def test_small_station_has_redactions_that_the_unprotected_view_reveals(county_settings):
    """The check above can fail: without control the same page shows small raw counts."""
    protected = station_views.station_page(_ctx(county_settings), SMALL_STATION)
    raw = station_views.station_page(_ctx(county_settings, profile="none"), SMALL_STATION)
    redacted = [c for _, c in _count_cells(protected) if c.suppressed]
    small_raw = [c for _, c in _count_cells(raw) if c.value is not None and 0 < c.value < 8]
    assert redacted and small_raw


def test_html_of_small_station_shows_no_count_below_eight(logged_in):
    client = logged_in("viewer")
    html = client.get(f"/stations/{SMALL_STATION}?lang=fi").text
    for table in html_tables(html):
        header = table["rows"][0]
        for column in ("Käynnit",):
            if column not in header:
                continue
            at = header.index(column)
            for cells in table["rows"][1:]:
                text = cells[at]
                assert text == "<8" or (COUNT_TEXT.match(text) and int(text.replace("\u00a0", "")) not in range(1, 8))


def test_no_period_has_exactly_one_hidden_station(county_settings):
    """Complementary suppression: one redacted station per period could be recovered as
    county figure minus the shown stations, so a second one is hidden with it."""
    ctx = _ctx(county_settings)
    checked = 0
    for indicator in REGISTRY:
        if "station" not in indicator.grain or indicator.distribution or indicator.disclosure in ("capacity",
                                                                                                 "statistic"):
            continue
        for period in {r["period"] for r in common.rows_for(ctx, indicator.id, by=("station",))}:
            table = comparison_views.comparison_table(ctx, {"indicator": indicator.id, "period": period})
            hidden = [row for row in table.rows if row[2].suppressed]
            shown = [row for row in table.rows if not row[2].suppressed]
            # a lone redacted station with nothing shown beside it (a period with one station) is
            # the county figure itself, which is then redacted too
            assert len(hidden) != 1 or not shown, (indicator.id, period)
            checked += 1
    assert checked > 20


def test_suppress_complements_hides_the_smallest_other_station():
    rows = [
        {"indicator": "access_7d", "period": "2024Q1", "station_id": "A", "value": 0.5, "numerator": 10,
         "denominator": 20, "suppressed": False},
        {"indicator": "access_7d", "period": "2024Q1", "station_id": "B", "value": None, "numerator": None,
         "denominator": None, "suppressed": True},
        {"indicator": "access_7d", "period": "2024Q1", "station_id": "C", "value": 0.6, "numerator": 30,
         "denominator": 50, "suppressed": False},
    ]
    out = common.suppress_complements(rows)
    # B is redacted; A has the smaller shown denominator (20 < 50), so A is hidden too
    assert [r["suppressed"] for r in out] == [True, True, False]
    assert out[0]["numerator"] is None and out[2]["numerator"] == 30
    assert rows[0]["suppressed"] is False  # the input is not changed
