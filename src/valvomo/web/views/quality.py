"""The data-quality page: recording completeness by station and the ingest history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from valvomo.disclosure import format_cell
from valvomo.indicators.registry import REGISTRY
from valvomo.services.care_guarantee import RECORDING_THRESHOLD, recording_complete
from valvomo.services.catalogue import (
    DIMENSION_LABELS,
    FIELD_LABELS,
    label,
)
from valvomo.web.views import common
from valvomo.web.views.common import Cell, Column, TableModel, ViewContext
from valvomo.web.views.ingest import ingest_table


def quality_page(ctx: ViewContext) -> dict[str, Any]:
    """Recording completeness and the ingest history; rebuilt when the ingest log changes
    (a failed ingest adds a run without a new snapshot)."""
    from valvomo.ingest.log import ingest_log_path

    path = ingest_log_path(ctx.settings)
    version = f"{path.stat().st_mtime_ns}-{path.stat().st_size}" if path.exists() else "none"
    return common.cached(ctx, "page-quality", {"log": version}, lambda: {
        "recording": common.cached(ctx, "table-recording", {}, lambda: recording_table(ctx, {})),  # as tables.build_table
        "ingest": ingest_table(ctx, {}),
    })



def recording_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    """Assessment recording and field completeness per station in the latest quarter, with flags."""
    quarters = common.recent_quarters(ctx)
    period = params.get("period") or (quarters[-1] if quarters else "")
    recording = {r["station_id"]: r for r in common.rows_for(ctx, "assessment_recording", by=("station",))
                 if r["period"] == period}
    completeness_rows = [r for r in common.rows_for(ctx, "field_completeness", by=("station",)) if r["period"] == period] \
        if "field_completeness" in REGISTRY else []
    fields = list(REGISTRY.get("field_completeness").parameters.get("bins_labels", ())) if completeness_rows else []
    fields = [f for f in fields if any(r["bin"] == f for r in completeness_rows)]
    by_key = {(r["station_id"], r["bin"]): r for r in completeness_rows}
    columns = [Column("station", label(DIMENSION_LABELS, "station", ctx.lang)),
               Column("assessment_recording", ctx.indicator_name("assessment_recording"), True)]
    columns += [Column(f, ctx._(FIELD_LABELS[f]) if f in FIELD_LABELS else f, True) for f in fields]
    station_ids = sorted(set(recording) | {r["station_id"] for r in completeness_rows},
                         key=lambda s: common.station_name(ctx, s))
    table_rows = []
    for station_id in station_ids:
        record = recording.get(station_id)
        cell = ctx.value(record, "share")
        if record is not None and recording_complete(record.get("value")) is False:
            cell = Cell(cell.text, cell.value, numeric=True, unit="share", css="flag", note=ctx._("incomplete"))
        table_rows.append([Cell(common.station_name(ctx, station_id), station_id, href=f"/stations/{station_id}"), cell]
                          + [ctx.value(by_key.get((station_id, f)), "share") for f in fields])
    caption = ctx._("Recording completeness by station, %(period)s", period=ctx.period(period))
    note = ctx._(
        "Flagged: assessment recording below %(threshold)s; the station's care-guarantee figure is then "
        "not reliable.",
        threshold=format_cell(RECORDING_THRESHOLD, False, ctx.lang, profile="none", unit="share"),
    )
    return common.table_model(ctx, "recording", caption, columns, table_rows, {"period": period}, note=note,
                  dense=len(columns) > 8)
