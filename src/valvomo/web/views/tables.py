"""The download registry: every table key a page shows, with the builder the download calls."""

from __future__ import annotations

from collections.abc import Mapping

from valvomo.web.views.common import (
    TableBuilder,
    TableModel,
    ViewContext,
    cached,
)
from valvomo.web.views.comparison import comparison_table
from valvomo.web.views.indicators import indicator_data_table
from valvomo.web.views.ingest import ingest_table
from valvomo.web.views.overview import headline_table, missing_7d
from valvomo.web.views.quality import recording_table
from valvomo.web.views.station import (
    station_annual_table,
    station_channel_table,
    station_family_table,
    station_t3_table,
    station_waiting_table,
)

TABLES: dict[str, TableBuilder] = {
    "headlines": headline_table,
    "missing-7d": missing_7d,
    "comparison": comparison_table,
    "station-family": station_family_table,
    "station-annual": station_annual_table,
    "station-waiting": station_waiting_table,
    "station-t3": station_t3_table,
    "station-channels": station_channel_table,
    "indicator-data": indicator_data_table,
    "recording": recording_table,
    "ingest": ingest_table,
}
UNCACHED_TABLES = frozenset({"ingest"})


def build_table(ctx: ViewContext, key: str, params: Mapping[str, str]) -> TableModel:
    """The table behind download ``key`` with the page's parameters (cached like the page)."""
    builder = TABLES[key]
    if key in UNCACHED_TABLES:
        return builder(ctx, params)
    return cached(ctx, f"table-{key}", params, lambda: builder(ctx, params))
