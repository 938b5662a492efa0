"""Issue 11 on the dashboard's view models, on the small county: units that are not health
stations are not ranked (item 5), tables and charts share one order (item 7), downloads carry
station names (item 7), and one disclosure sentence per page (item 12)."""

from __future__ import annotations

import pytest

from valvomo.indicators.registry import REGISTRY
from valvomo.services.results import ResultStore
from valvomo.web.views import common
from valvomo.web.views import comparison as comparison_views
from valvomo.web.views import indicators as indicators_views

GUIDANCE_UNIT = "ST-OHJAUS"


@pytest.fixture
def ctx(county_settings):
    common.clear_cache()
    yield common.ViewContext(county_settings, ResultStore(county_settings), "fi", "standard")
    common.clear_cache()


def test_guidance_unit_is_not_ranked_among_health_stations(ctx):
    assert common.stations(ctx)[GUIDANCE_UNIT]["kind"] == "guidance_unit"
    assert not REGISTRY.get("access_7d").applies_to_station_kind("guidance_unit")
    assert REGISTRY.get("guidance_same_day").applies_to_station_kind("guidance_unit")
    for indicator_id in ("access_7d", "waiting_days_median"):
        table = comparison_views.comparison_table(ctx, {"indicator": indicator_id})
        ranked = [row[0].value for row in table.rows]
        assert ranked and GUIDANCE_UNIT not in ranked
        assert all(common.stations(ctx)[s]["kind"] in ("health_station", "nurse_led_station") for s in ranked)
        # engine level: the unit's contacts are outside the care-guarantee population, so no row of it exists
        assert not [r for r in common.rows_for(ctx, indicator_id, by=("station",)) if r["station_id"] == GUIDANCE_UNIT]
    # where the definition applies to it, the guidance unit has its rows
    assert [r for r in common.rows_for(ctx, "guidance_same_day", by=("station",)) if r["station_id"] == GUIDANCE_UNIT]


def test_county_reference_of_a_share_leaves_the_unit_apart_out(ctx):
    """A share whose population still holds the guidance unit's contacts (the assessment's timeliness: the
    unit assesses care needs) but whose ranking is for care stations: the unit is shown apart and the
    funnel's county line is computed without it."""
    indicator_id = "assessment_same_day"
    assert not REGISTRY.get(indicator_id).applies_to_station_kind("guidance_unit")
    period = common.latest_period(ctx, indicator_id)
    rows = common.rows_for(ctx, indicator_id, by=("station",))
    county = next(r for r in common.rows_for(ctx, indicator_id) if r["period"] == period)
    apart = [r for r in rows if r["period"] == period and r["station_id"] == GUIDANCE_UNIT]
    assert apart and apart[0]["numerator"] is not None
    expected = (county["numerator"] - apart[0]["numerator"]) / (county["denominator"] - apart[0]["denominator"])
    adjusted = comparison_views._county_without(county, apart)
    assert adjusted["value"] == pytest.approx(expected)
    assert adjusted["numerator"] % 5 == 0 and adjusted["denominator"] % 5 == 0  # from shown, rounded counts
    table = comparison_views.comparison_table(ctx, {"indicator": indicator_id, "period": period})
    assert common.station_name(ctx, GUIDANCE_UNIT) in table.note  # shown apart, not dropped
    shown = common.ViewContext.value(ctx, adjusted, "share").text
    assert shown in table.chart  # the funnel's county line is the health stations' own figure


def _station_column(table):
    return [c.key for c in table.columns].index("station_id")


@pytest.mark.parametrize("order", ["name", "value"])
def test_indicator_table_and_chart_share_one_order(ctx, order):
    """Issue 11 item 7: the table by station and its chart list the stations in the same order,
    by name or by value as the reader chooses; the chart labels are names, never ids."""
    table = indicators_views.indicator_data_table(ctx, {"indicator": "access_7d", "by": "station", "period": "quarter",
                                          "sort": order})
    latest = max(row[0].value for row in table.rows)
    index = _station_column(table)
    latest_rows = [row for row in table.rows if row[0].value == latest]
    names = [row[index].text for row in latest_rows]
    assert len(names) >= 8
    if order == "name":
        assert names == sorted(names)
    else:
        values = [row[index + 1].value for row in latest_rows if row[index + 1].value is not None]
        assert values == sorted(values, reverse=True)
    # the bar chart's labels appear in the SVG in the table's order, and no station id is a label
    positions = [table.chart.index(f">{name}<") if f">{name}<" in table.chart else table.chart.index(name)
                 for name in names]
    assert positions == sorted(positions) or positions == sorted(positions, reverse=True)
    assert not any(f">{sid}<" in table.chart for sid in common.stations(ctx))
    assert table.params["sort"] == order  # the download gets the same order


def test_downloads_carry_the_station_name_beside_the_code(ctx):
    from valvomo.web.pages.downloads import table_csv

    table = comparison_views.comparison_table(ctx, {"indicator": "access_7d"})
    comment, header, first = table_csv(table).decode("utf-8-sig").splitlines()[:3]
    assert comment.startswith("# disclosure_profile=standard")
    keys = header.split(",")
    assert keys[0] == "station" and "station_name" in keys
    code, name = first.split(",")[0], first.split(",")[keys.index("station_name")]
    assert code.startswith("ST-") and name == common.station_name(ctx, code)
    # the name column is for downloads only: the page shows the name once
    assert [c.download_only for c in table.columns].count(True) == 1


def test_xlsx_flag_header_is_in_the_readers_language(ctx, county_settings):
    import io

    from openpyxl import load_workbook

    from valvomo.web.pages.downloads import table_xlsx

    sv = common.ViewContext(county_settings, ctx.store, "sv", "standard")
    sheet = load_workbook(io.BytesIO(table_xlsx(comparison_views.comparison_table(sv, {"indicator": "access_7d"})))).active
    header = [cell.value for cell in sheet[3]]  # after the profile and the caption
    assert header[-1] == "Dold av dataskyddsskäl" and "suppressed" not in header


def test_out_of_range_period_says_no_data_and_offers_the_nearest(ctx):
    """Issue 11 item 6: no empty chart pointing to a missing table; the nearest period is offered."""
    latest = common.latest_period(ctx, "access_7d")
    page = comparison_views.comparison_page(ctx, "access_7d", "2030Q1")
    assert page["table"] is None and page["missing"]["asked"] == "Q1/2030"
    assert page["missing"]["nearest"] == latest
    assert page["missing"]["href"] == f"/stations?indicator=access_7d&period={latest}"
    earliest = min(p for p, _ in page["period_options"] if "Q" in p)
    assert comparison_views.comparison_page(ctx, "access_7d", "2001Q1")["missing"]["nearest"] == earliest
    assert comparison_views.comparison_page(ctx, "access_7d", latest)["missing"] is None
