"""Issue 11 on the dashboard's view models, on the small county: units that are not health
stations are not ranked (item 5), tables and charts share one order (item 7), downloads carry
station names (item 7), and one disclosure sentence per page (item 12)."""

from __future__ import annotations

import pytest

from valvomo.indicators.registry import REGISTRY
from valvomo.services.results import ResultStore
from valvomo.web import view_models as vm

GUIDANCE_UNIT = "ST-OHJAUS"


@pytest.fixture
def ctx(county_settings):
    vm.clear_cache()
    yield vm.ViewContext(county_settings, ResultStore(county_settings), "fi", "standard")
    vm.clear_cache()


def test_guidance_unit_is_not_ranked_among_health_stations(ctx):
    assert vm.stations(ctx)[GUIDANCE_UNIT]["kind"] == "guidance_unit"
    assert not REGISTRY.get("access_7d").applies_to_station_kind("guidance_unit")
    assert REGISTRY.get("guidance_same_day").applies_to_station_kind("guidance_unit")
    for indicator_id in ("access_7d", "waiting_days_median"):
        table = vm.comparison_table(ctx, {"indicator": indicator_id})
        ranked = [row[0].value for row in table.rows]
        assert ranked and GUIDANCE_UNIT not in ranked
        assert all(vm.stations(ctx)[s]["kind"] in ("health_station", "nurse_led_station") for s in ranked)
        assert vm.station_name(ctx, GUIDANCE_UNIT) in table.note  # shown apart, not dropped


def test_county_reference_of_a_share_leaves_the_unit_apart_out(ctx):
    period = vm.latest_period(ctx, "access_7d")
    rows = vm.rows_for(ctx, "access_7d", by=("station",))
    county = next(r for r in vm.rows_for(ctx, "access_7d") if r["period"] == period)
    apart = [r for r in rows if r["period"] == period and r["station_id"] == GUIDANCE_UNIT]
    assert apart and apart[0]["numerator"] is not None
    expected = (county["numerator"] - apart[0]["numerator"]) / (county["denominator"] - apart[0]["denominator"])
    adjusted = vm._county_without(county, apart)
    assert adjusted["value"] == pytest.approx(expected)
    assert adjusted["numerator"] % 5 == 0 and adjusted["denominator"] % 5 == 0  # from shown, rounded counts
    table = vm.comparison_table(ctx, {"indicator": "access_7d", "period": period})
    shown = vm.ViewContext.value(ctx, adjusted, "share").text
    assert shown in table.chart  # the funnel's county line is the health stations' own figure
