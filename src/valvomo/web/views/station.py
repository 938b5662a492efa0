"""The station page: one station's indicators by family, year, waiting time, T3 and channel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from valvomo.disclosure import format_cell, redaction_marker
from valvomo.indicators.registry import REGISTRY
from valvomo.services.care_guarantee import CARE_GUARANTEE_INDICATORS, RECORDING_THRESHOLD, recording_complete
from valvomo.services.catalogue import (
    FAMILY_LABELS,
    label,
)
from valvomo.services.targets import targets_for
from valvomo.services.value_labels import CHANNEL_LABELS
from valvomo.web import charts
from valvomo.web.views import common
from valvomo.web.views.common import Cell, Column, TableModel, ViewContext


def station_family_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    """One family's indicators for a station, quarter by quarter (columns), with the recording flag."""
    station_id, family = params["station"], params["family"]
    quarters = common.recent_quarters(ctx)
    recording = {r["period"]: r for r in common.rows_for(ctx, "assessment_recording", by=("station",))
                 if r["station_id"] == station_id}
    columns = [common.labelled_column(ctx, "indicator")] + [Column(q, ctx.period(q), True) for q in quarters]
    rows = []
    for indicator in REGISTRY:
        if indicator.family != family or indicator.distribution or "station" not in indicator.grain:
            continue
        station_rows = {r["period"]: r for r in common.suppress_complements(common.rows_for(ctx, indicator.id, by=("station",)))
                        if r.get("station_id") == station_id}
        if not station_rows:
            continue
        cells = [Cell(indicator.name(ctx.lang), indicator.id, href=f"/indicators/{indicator.id}")]
        for quarter in quarters:
            cell = ctx.value(station_rows.get(quarter), indicator.unit)
            record = recording.get(quarter)
            if (indicator.id in CARE_GUARANTEE_INDICATORS and record is not None
                    and recording_complete(record.get("value")) is False):
                cell = Cell(cell.text, cell.value, cell.suppressed, True, unit=cell.unit, css="flag",
                            note=ctx._("recording incomplete"))
            cells.append(cell)
        rows.append(cells)
    caption = ctx._("%(family)s, %(station)s", family=label(FAMILY_LABELS, family, ctx.lang),
                    station=common.station_name(ctx, station_id))
    return common.table_model(ctx, "station-family", caption, columns, rows, {"station": station_id, "family": family})


def station_annual_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    """Indicators defined per year only (per-resident rates, 12-month shares) for a station, by year."""
    station_id = params["station"]
    columns = [common.labelled_column(ctx, "indicator")]
    by_indicator: dict[str, dict[str, dict]] = {}
    for indicator in REGISTRY:
        if indicator.distribution or "station" not in indicator.grain:
            continue
        if common.rows_for(ctx, indicator.id, by=("station",)):
            continue  # shown by quarter in the family tables
        rows = [r for r in common.suppress_complements(common.rows_for(ctx, indicator.id, period="year", by=("station",)))
                if r.get("station_id") == station_id]
        if rows:
            by_indicator[indicator.id] = {r["period"]: r for r in rows}
    years = sorted({p for periods in by_indicator.values() for p in periods})
    columns += [Column(y, ctx.period(y), True) for y in years]
    table_rows = [
        [Cell(ctx.indicator_name(i), i, href=f"/indicators/{i}")]
        + [ctx.value(periods.get(y), REGISTRY.get(i).unit) for y in years]
        for i, periods in by_indicator.items()
    ]
    caption = ctx._("Annual indicators, %(station)s", station=common.station_name(ctx, station_id))
    return common.table_model(ctx, "station-annual", caption, columns, table_rows, {"station": station_id})


def station_access_trend(ctx: ViewContext, station_id: str) -> str | None:
    """The 7-day share of the station and the county with the targets and their deadlines."""
    if "access_7d" not in REGISTRY:
        return None
    quarters = common.recent_quarters(ctx)
    station_rows = {r["period"]: r for r in common.suppress_complements(common.rows_for(ctx, "access_7d", by=("station",)))
                    if r["station_id"] == station_id}
    county = {r["period"]: r for r in common.rows_for(ctx, "access_7d")}
    if not station_rows:
        return None
    name = common.station_name(ctx, station_id)
    series = {
        name: [station_rows.get(q, {}).get("value") for q in quarters],
        ctx._("County"): [county.get(q, {}).get("value") for q in quarters],
    }
    targets = [
        charts.TargetLine(t.value, ctx._("Target %(value)s", value=common.target_text(ctx, t, "share")), t.deadline)
        for t in targets_for("access_7d", ctx.settings)
    ]
    desc = "; ".join(
        f"{ctx.period(q)}: {ctx.value(station_rows.get(q), 'share').text} "
        f"({ctx._('County')} {ctx.value(county.get(q), 'share').text})"
        for q in quarters
    )
    return charts.trend_chart(
        quarters,
        series,
        title=ctx._("%(indicator)s, %(station)s", indicator=ctx.indicator_name("access_7d"), station=name),
        desc=desc,
        category_labels=[ctx.period(q) for q in quarters],
        targets=targets,
        value_format=ctx.unit_format("share"),
        y_range=(0.0, 1.0),
        deadline_text=ctx._("deadline"),
    )


def station_waiting_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    station_id = params["station"]
    quarters = common.recent_quarters(ctx)
    period = params.get("period") or (quarters[-1] if quarters else "")
    indicator = REGISTRY.get("waiting_days_distribution")
    rows = [r for r in common.rows_for(ctx, indicator.id, by=("station",))
            if r["station_id"] == station_id and r["period"] == period]
    order = {b: i for i, b in enumerate(indicator.parameters.get("bins_labels", ()))}
    rows.sort(key=lambda r: order.get(r["bin"], 99))
    columns = [Column("bin", ctx._("Waiting days")), Column("n", ctx._("Visits"), True), common.labelled_column(ctx, "value", True)]
    table_rows = [
        [Cell(r["bin"], r["bin"]), ctx.count(r.get("numerator", r.get("n")), r.get("suppressed", False)),
         ctx.value(r, "share")]
        for r in rows
    ]
    caption = ctx._("Waiting-time distribution, %(station)s, %(period)s", station=common.station_name(ctx, station_id),
                    period=ctx.period(period))
    chart = None
    if rows:
        chart = charts.histogram(
            [r["bin"] for r in rows],
            [r.get("value") for r in rows],
            title=caption,
            desc="; ".join(f"{c[0].text}: {c[2].text}" for c in table_rows),
            x_label=ctx._("Waiting days"),
            y_label=ctx._("Share of visits"),
            value_format=ctx.unit_format("share"),
            redacted_text=redaction_marker(ctx.profile) or "–",
        )
    return common.table_model(ctx, "station-waiting", caption, columns, table_rows,
                  {"station": station_id, "period": period}, chart=chart)


def station_t3_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    station_id = params["station"]
    quarters = common.recent_quarters(ctx)
    rows = [r for r in common.rows_for(ctx, "t3_days", by=("station", "profession")) if r["station_id"] == station_id] \
        if "t3_days" in REGISTRY else []
    professions = sorted({r["profession"] for r in rows}, key=lambda p: ctx.profession(p))
    by_key = {(r["profession"], r["period"]): r for r in rows}
    columns = [common.labelled_column(ctx, "period")] + [Column(p, ctx.profession(p), True) for p in professions]
    table_rows = [[Cell(ctx.period(q), q)] + [ctx.value(by_key.get((p, q)), "days") for p in professions]
                  for q in quarters]
    caption = ctx._("Third next available appointment (T3, days) by profession, %(station)s",
                    station=common.station_name(ctx, station_id))
    chart = None
    if professions:
        chart = charts.trend_chart(
            quarters,
            {ctx.profession(p): [by_key.get((p, q), {}).get("value") for q in quarters] for p in professions},
            title=caption,
            desc=common.rows_description(columns, table_rows),
            category_labels=[ctx.period(q) for q in quarters],
            value_format=ctx.unit_format("days"),
            y_label=ctx._("days"),
        )
    return common.table_model(ctx, "station-t3", caption, columns, table_rows, {"station": station_id}, chart=chart)


def station_channel_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    station_id = params["station"]
    quarters = common.recent_quarters(ctx)
    rows = [r for r in common.rows_for(ctx, "channel_mix", by=("station",)) if r["station_id"] == station_id] \
        if "channel_mix" in REGISTRY else []
    classes = list(REGISTRY.get("channel_mix").parameters.get("bins_labels", ("physical", "remote"))) \
        if rows else []
    by_key = {(r["bin"], r["period"]): r for r in rows}
    channel = lambda c: ctx._(CHANNEL_LABELS[c]) if c in CHANNEL_LABELS else c  # noqa: E731
    columns = [common.labelled_column(ctx, "period")] + [Column(c, channel(c), True) for c in classes]
    table_rows = [[Cell(ctx.period(q), q)] + [ctx.value(by_key.get((c, q)), "share") for c in classes]
                  for q in quarters]
    caption = ctx._("Channel mix, %(station)s", station=common.station_name(ctx, station_id))
    chart = None
    if classes:
        chart = charts.stacked_shares(
            quarters,
            {channel(c): [by_key.get((c, q), {}).get("value") for q in quarters] for c in classes},
            title=caption,
            desc=common.rows_description(columns, table_rows),
            category_labels=[ctx.period(q) for q in quarters],
            value_format=ctx.unit_format("share"),
        )
    return common.table_model(ctx, "station-channels", caption, columns, table_rows, {"station": station_id}, chart=chart)


def station_page(ctx: ViewContext, station_id: str) -> dict[str, Any] | None:
    """All indicator families of one station; ``None`` when the station is unknown."""
    known = common.stations(ctx)
    if station_id not in known:
        station_ids = {r["station_id"] for r in common.rows_for(ctx, "access_7d", by=("station",))}
        if station_id not in station_ids:
            return None

    def build() -> dict[str, Any]:
        families = []
        for family in FAMILY_LABELS:
            table = station_family_table(ctx, {"station": station_id, "family": family})
            if table.rows:
                families.append(table)
        annual = station_annual_table(ctx, {"station": station_id})
        if annual.rows:
            families.append(annual)
        recording = {r["period"]: r for r in common.rows_for(ctx, "assessment_recording", by=("station",))
                     if r["station_id"] == station_id}
        quarters = common.recent_quarters(ctx)
        latest_recording = recording.get(quarters[-1]) if quarters else None
        flagged = bool(latest_recording and recording_complete(latest_recording.get("value")) is False)
        info = known.get(station_id, {})
        return {
            "station_id": station_id,
            "name": common.station_name(ctx, station_id),
            "municipality": info.get("municipality", ""),
            "access_trend": station_access_trend(ctx, station_id),
            "recording_flag": flagged,
            "recording_value": ctx.value(latest_recording, "share").text if latest_recording else "–",
            "threshold": format_cell(RECORDING_THRESHOLD, False, ctx.lang, profile="none", unit="share"),
            "families": families,
            "waiting": station_waiting_table(ctx, {"station": station_id}),
            "t3": station_t3_table(ctx, {"station": station_id}),
            "channels": station_channel_table(ctx, {"station": station_id}),
        }

    return common.cached(ctx, "page-station", {"station": station_id}, build)
