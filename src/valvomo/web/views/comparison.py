"""The station comparison page: one indicator across stations in one period."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from valvomo.disclosure import redaction_marker
from valvomo.indicators.registry import REGISTRY, Indicator
from valvomo.services.catalogue import (
    COLUMN_LABELS,
    DIMENSION_LABELS,
    label,
)
from valvomo.services.periods import period_bounds, period_kind
from valvomo.services.value_labels import FUNNEL_LABELS
from valvomo.web import charts
from valvomo.web.i18n import format_number
from valvomo.web.views import common
from valvomo.web.views.common import Cell, Column, TableModel, ViewContext


def comparison_options(ctx: ViewContext, indicator_id: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Indicators that can be cut by station, and the periods (quarters and years, newest first)
    that the chosen indicator has station figures for."""
    have = set(common.available(ctx, "quarter")) | set(common.available(ctx, "year"))
    indicators = [(i.id, i.name(ctx.lang)) for i in REGISTRY
                  if "station" in i.grain and not i.distribution and i.id in have]
    periods: set[str] = set()
    for kind in ("quarter", "year"):
        periods.update(r["period"] for r in common.rows_for(ctx, indicator_id, period=kind, by=("station",)))
    ordered = sorted(periods, key=lambda p: (period_bounds(p)[1], len(p)), reverse=True)
    return indicators, [(p, ctx.period(p)) for p in ordered]


def _county_without(county: dict, apart: list[dict]) -> dict:
    """The county row of a share without the units shown apart: (numerator - theirs) /
    (denominator - theirs), from the shown (rounded) counts, so it reveals nothing new. When a
    unit apart has no shown counts, or the figure is not a share of counts, the county row stays."""
    if county.get("numerator") is None or county.get("denominator") is None:
        return county
    if any(r.get("numerator") is None or r.get("denominator") is None for r in apart):
        return county
    numerator = county["numerator"] - sum(r["numerator"] for r in apart)
    denominator = county["denominator"] - sum(r["denominator"] for r in apart)
    if denominator <= 0:
        return county
    return {**county, "numerator": numerator, "denominator": denominator, "value": numerator / denominator}


def compared_units(ctx: ViewContext, indicator: Indicator, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Station rows split into those ranked (units of the kinds the indicator is defined for,
    ``Indicator.station_kinds``) and those shown apart (e.g. a telephone guidance unit beside
    health stations for the 7-day share)."""
    info = common.stations(ctx)
    ranked, apart = [], []
    for row in rows:
        kind = info.get(str(row.get("station_id")), {}).get("kind")
        (ranked if indicator.applies_to_station_kind(kind) else apart).append(row)
    return ranked, apart


def comparison_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    indicator_id = params.get("indicator") or "access_7d"
    indicator = REGISTRY.get(indicator_id)
    period = params.get("period") or common.latest_period(ctx, indicator_id) or ""
    kind = period_kind(period) if period else "quarter"
    all_rows = [r for r in common.suppress_complements(common.rows_for(ctx, indicator_id, period=kind, by=("station",)))
                if r["period"] == period and "bin" not in r]
    rows, apart = compared_units(ctx, indicator, all_rows)
    county = next((r for r in common.rows_for(ctx, indicator_id, period=kind) if r["period"] == period), None)
    county_value = county.get("value") if county else None
    if apart and county is not None:
        county = _county_without(county, apart)
        county_value = county.get("value")
    reverse = indicator.direction != "lower"
    rows.sort(key=lambda r: (r.get("value") is None, -(r["value"] or 0) if reverse else (r["value"] or 0),
                             common.station_name(ctx, r["station_id"])))
    size_column = "denominator" if any("denominator" in r for r in rows) else "n"
    columns = [
        Column("station", label(DIMENSION_LABELS, "station", ctx.lang)),
        Column("rank", ctx._("Rank"), True),
        common.labelled_column(ctx, "value", True),
    ]
    if any("numerator" in r for r in rows):
        columns.append(common.labelled_column(ctx, "numerator", True))
    if any(size_column in r for r in rows):
        columns.append(common.labelled_column(ctx, size_column, True))
    funnel = indicator.unit == "share" and size_column == "denominator" and county_value is not None
    if funnel:
        columns.append(Column("position", ctx._("Against the county (funnel limits)")))
    columns.append(Column("station_name", ctx._("Station name"), download_only=True))
    table_rows = []
    funnel_points = []
    for rank, row in enumerate(rows, start=1):
        name = common.station_name(ctx, row["station_id"])
        cells = [
            Cell(name, row["station_id"], href=f"/stations/{row['station_id']}"),
            Cell(format_number(rank, ctx.lang, 0) if row.get("value") is not None else "–",
                 rank if row.get("value") is not None else None, numeric=True),
            ctx.value(row, indicator.unit),
        ]
        if any(c.key == "numerator" for c in columns):
            cells.append(ctx.count(row.get("numerator"), row.get("suppressed", False)))
        if any(c.key == size_column for c in columns):
            cells.append(ctx.count(row.get(size_column), row.get("suppressed", False)))
        if funnel:
            position = charts.funnel_position(row.get("value"), row.get("denominator"), county_value)
            cells.append(Cell(ctx._(FUNNEL_LABELS[position]), position,
                              css="flag" if position.endswith("998") else ""))
            funnel_points.append(charts.FunnelPoint(name, row.get("value"), row.get("denominator")))
        cells.append(Cell(name, name))  # the name beside the code in CSV/XLSX
        table_rows.append(cells)
    name = indicator.name(ctx.lang)
    caption = ctx._("%(indicator)s by station, %(period)s", indicator=name, period=ctx.period(period))
    county_text = ctx.value(county, indicator.unit).text if county else "–"
    desc = "; ".join(f"{r[0].text}: {r[2].text}" for r in table_rows)
    desc = ctx._("County %(value)s.", value=county_text) + " " + desc
    if funnel:
        outside = [p.label for p, r in zip(funnel_points, table_rows, strict=True) if r[-2].value.endswith("998")]
        if outside:
            desc += " " + ctx._("Outside the 99.8 %% limits: %(stations)s.", stations=", ".join(outside))
        chart = charts.funnel_chart(
            funnel_points,
            county_value,
            title=caption,
            desc=desc,
            x_label=label(COLUMN_LABELS, "denominator", ctx.lang),
            y_label=name,
            county_label=ctx._("County %(value)s", value=county_text),
            limit_labels=(ctx._("95 % limits"), ctx._("99.8 % limits")),
            value_format=ctx.unit_format("share"),
        )
    else:
        chart = charts.comparison_bars(
            [r[0].text for r in table_rows],
            [r[2].value for r in table_rows],
            title=caption,
            desc=desc,
            reference=county_value,
            reference_label=ctx._("County %(value)s", value=county_text),
            value_format=ctx.unit_format(indicator.unit),
            redacted_text=redaction_marker(ctx.profile) or "–",
        )
    note = ctx._(
        "The funnel shows how far a station may differ from the county by chance alone, given its "
        "number of events: points outside the 99.8 % limits differ more than chance explains."
    ) if funnel else ""
    if apart:
        shown_apart = ", ".join(f"{common.station_name(ctx, r['station_id'])} {ctx.value(r, indicator.unit).text}"
                                for r in apart)
        note = (note + " " if note else "") + ctx._(
            "Not ranked: units of another kind than this indicator is defined for (%(units)s).", units=shown_apart)
    return common.table_model(ctx, "comparison", caption, columns, table_rows,
                  {"indicator": indicator_id, "period": period}, chart=chart, note=note)


def nearest_period(label_text: str, known: Sequence[str]) -> str | None:
    """The period of ``known`` whose end is nearest to ``label_text``'s (the same kind first)."""
    if not known:
        return None
    end = period_bounds(label_text)[1]
    kind = period_kind(label_text)
    return min(known, key=lambda p: (period_kind(p) != kind, abs((period_bounds(p)[1] - end).days), p))


def comparison_page(ctx: ViewContext, indicator_id: str, period: str | None) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        indicators, periods = comparison_options(ctx, indicator_id)
        chosen = period or (periods[0][0] if periods else "")
        known = [p for p, _text in periods]
        missing = None
        if chosen and chosen not in known:
            # say so, and offer the period with data nearest to the one asked for
            nearest = nearest_period(chosen, known)
            missing = {
                "asked": ctx.period(chosen),
                "nearest": nearest,
                "nearest_text": ctx.period(nearest) if nearest else "",
                "href": f"/stations?{urlencode({'indicator': indicator_id, 'period': nearest})}" if nearest else "",
            }
        return {
            "indicator": indicator_id,
            "indicator_name": ctx.indicator_name(indicator_id),
            "period": chosen,
            "indicator_options": indicators,
            "period_options": periods,
            "missing": missing,
            "table": comparison_table(ctx, {"indicator": indicator_id, "period": chosen}) if missing is None else None,
        }

    return common.cached(ctx, "page-comparison", {"indicator": indicator_id, "period": period or ""}, build)
