"""The indicator list and the indicator page: definition, targets and data by breakdown."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from valvomo.disclosure import redaction_marker
from valvomo.indicators.registry import REGISTRY, Indicator
from valvomo.services.catalogue import (
    COLUMN_LABELS,
    DIMENSION_LABELS,
    DIRECTION_LABELS,
    FAMILY_LABELS,
    UNIT_LABELS,
    grain_list,
    label,
    plain_definition,
)
from valvomo.services.targets import targets_for
from valvomo.services.value_labels import PERIOD_KIND_LABELS
from valvomo.web import charts
from valvomo.web.i18n import N_
from valvomo.web.views import common
from valvomo.web.views.common import TREND_PERIODS, Cell, Column, TableModel, ViewContext


def indicator_list(ctx: ViewContext) -> list[dict[str, Any]]:
    def build() -> list[dict[str, Any]]:
        have = set(common.available(ctx, "quarter")) | set(common.available(ctx, "year"))
        families: dict[str, dict[str, Any]] = {}
        for indicator in REGISTRY:
            family = families.setdefault(indicator.family, {
                "id": indicator.family, "name": label(FAMILY_LABELS, indicator.family, ctx.lang), "items": []})
            family["items"].append({
                "id": indicator.id,
                "name": indicator.name(ctx.lang),
                "unit": label(UNIT_LABELS, indicator.unit, ctx.lang),
                "available": indicator.id in have,
            })
        return list(families.values())

    return common.cached(ctx, "page-indicators", {}, build)


def indicators_page(ctx: ViewContext) -> dict[str, Any]:
    return common.cached(ctx, "page-indicator-list", {}, lambda: {"families": indicator_list(ctx)})



def indicator_data_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    """The rows behind the indicator page's chart: one per period (and group, and bin)."""
    indicator = REGISTRY.get(params["indicator"])
    by = params.get("by") or ""
    kind = params.get("period") or "quarter"
    dims = (by,) if by else ()
    rows = common.rows_for(ctx, indicator.id, period=kind, by=dims)
    if by == "station":
        rows = common.suppress_complements(rows)
    column = {"station": "station_id"}.get(by, by)
    order = params.get("sort") or "name"
    if by:
        rows = sorted(rows, key=lambda r: (r["period"], *group_order(ctx, indicator, by, r, order)))
    columns = [common.labelled_column(ctx, "period")]
    if by:
        columns.append(Column(column, label(DIMENSION_LABELS, by, ctx.lang)))

    if indicator.distribution:
        columns.append(common.labelled_column(ctx, "bin"))
    columns.append(common.labelled_column(ctx, "value", True))
    counts = [c for c in ("numerator", "denominator", "n") if any(c in r for r in rows)]
    columns += [common.labelled_column(ctx, c, True) for c in counts]
    table_rows = []
    for row in rows:
        cells = [Cell(ctx.period(row["period"]), row["period"])]
        if by:
            cells.append(Cell(ctx.dimension_value(by, row.get(column)), row.get(column)))
        if indicator.distribution:
            cells.append(Cell(str(row.get("bin")), row.get("bin")))
        cells.append(ctx.value(row, indicator.unit))
        cells += [ctx.count(row.get(c), row.get("suppressed", False)) for c in counts]
        if by == "station":  # the name beside the code in CSV/XLSX
            name = common.station_name(ctx, str(row.get(column)))
            cells.append(Cell(name, name))
        table_rows.append(cells)
    if by == "station":
        columns.append(Column("station_name", ctx._("Station name"), download_only=True))
    caption = ctx._("%(indicator)s: data", indicator=indicator.name(ctx.lang))
    chart = _indicator_chart(ctx, indicator, rows, by, column, kind, order)
    return common.table_model(ctx, "indicator-data", caption, columns, table_rows,
                  {"indicator": indicator.id, "by": by, "period": kind, "sort": order}, chart=chart,
                  row_headers=False)


SORT_ORDERS = {"name": N_("By name"), "value": N_("By value")}


def group_order(ctx: ViewContext, indicator: Indicator, by: str, row: Mapping, order: str) -> tuple:
    """The one order of groups on an indicator page, for its table and its chart alike: by the
    group's name, or by value (best first in the indicator's direction; hidden values last)."""
    name = ctx.dimension_value(by, row.get({"station": "station_id"}.get(by, by)))
    if order != "value":
        return (name,)
    value = row.get("value")
    if value is None:
        return (1, 0.0, name)
    return (0, value if indicator.direction == "lower" else -value, name)


def _indicator_chart(ctx: ViewContext, indicator: Indicator, rows: list[dict], by: str, column: str,
                     kind: str, order: str = "name") -> str | None:
    if not rows:
        return None
    name = indicator.name(ctx.lang)
    periods = sorted({r["period"] for r in rows})[-(TREND_PERIODS * (3 if kind == "month" else 1)):]
    fmt = ctx.unit_format(indicator.unit)
    if indicator.distribution:
        latest = periods[-1]
        order = {b: i for i, b in enumerate(indicator.parameters.get("bins_labels", ()))}
        shown = sorted([r for r in rows if r["period"] == latest and (not by)], key=lambda r: order.get(r["bin"], 99))
        if not shown:
            return None
        return charts.histogram(
            [str(r["bin"]) for r in shown], [r.get("value") for r in shown],
            title=ctx._("%(indicator)s, %(period)s", indicator=name, period=ctx.period(latest)),
            desc="; ".join(f"{r['bin']}: {ctx.value(r, indicator.unit).text}" for r in shown),
            x_label=label(COLUMN_LABELS, "bin", ctx.lang), y_label=name, value_format=fmt,
            redacted_text=redaction_marker(ctx.profile) or "–",
        )
    if not by:
        by_period = {r["period"]: r for r in rows}
        targets = [
            charts.TargetLine(t.value, ctx._("Target %(value)s", value=common.target_text(ctx, t, indicator.unit)),
                              t.deadline)
            for t in targets_for(indicator.id, ctx.settings)
        ]
        return charts.trend_chart(
            periods, {name: [by_period.get(p, {}).get("value") for p in periods]},
            title=name,
            desc="; ".join(f"{ctx.period(p)}: {ctx.value(by_period.get(p), indicator.unit).text}" for p in periods),
            category_labels=[ctx.period(p) for p in periods], targets=targets, value_format=fmt,
            deadline_text=ctx._("deadline"),
        )
    groups = list(dict.fromkeys(r.get(column) for r in rows if r["period"] == periods[-1]))
    groups += [g for g in dict.fromkeys(r.get(column) for r in rows) if g not in groups]
    if len(groups) <= 6:
        by_key = {(r.get(column), r["period"]): r for r in rows}
        series = {ctx.dimension_value(by, g): [by_key.get((g, p), {}).get("value") for p in periods] for g in groups}
        desc = "; ".join(f"{g}: " + ", ".join(ctx.unit_format(indicator.unit)(v) if v is not None else "–"
                                              for v in values) for g, values in series.items())
        return charts.trend_chart(periods, series, title=name, desc=desc,
                                  category_labels=[ctx.period(p) for p in periods], value_format=fmt)
    latest = periods[-1]
    shown = [r for r in rows if r["period"] == latest]  # already in the table's order (``group_order``)
    return charts.comparison_bars(
        [ctx.dimension_value(by, r.get(column)) for r in shown], [r.get("value") for r in shown],
        title=ctx._("%(indicator)s, %(period)s", indicator=name, period=ctx.period(latest)),
        desc="; ".join(f"{ctx.dimension_value(by, r.get(column))}: {ctx.value(r, indicator.unit).text}"
                       for r in shown),
        value_format=fmt, redacted_text=redaction_marker(ctx.profile) or "–",
    )


def indicator_page(ctx: ViewContext, indicator_id: str, by: str, kind: str, sort: str = "name") -> dict[str, Any]:
    indicator = REGISTRY.get(indicator_id)

    def build() -> dict[str, Any]:
        targets = targets_for(indicator_id, ctx.settings)
        kinds = [k for k in ("quarter", "year", "month") if indicator_id in common.available(ctx, k)]
        return {
            "id": indicator.id,
            "name": indicator.name(ctx.lang),
            "names": [(code, indicator.names.get(code, "")) for code in ("fi", "sv", "en")],
            "definition": indicator.definition,
            "plain_definition": ctx._(plain_definition(indicator)),
            "unit": label(UNIT_LABELS, indicator.unit, ctx.lang),
            "direction": label(DIRECTION_LABELS, indicator.direction, ctx.lang),
            "family": label(FAMILY_LABELS, indicator.family, ctx.lang),
            "targets": [
                {"text": common.target_text(ctx, t, indicator.unit), "source": ctx._(t.source),
                 "scope": ctx._("national") if t.scope == "national" else ctx._("regional")}
                for t in targets
            ],
            "breakdowns": [("", ctx._("County total"))]
            + [(d, label(DIMENSION_LABELS, d, ctx.lang)) for d in grain_list(indicator)],
            "by": by,
            "period_kinds": [(k, ctx._(PERIOD_KIND_LABELS[k])) for k in kinds],
            "kind": kind,
            "available": bool(kinds),
            "sort": sort,
            "sort_options": [(k, ctx._(v)) for k, v in SORT_ORDERS.items()],
            "table": indicator_data_table(ctx, {"indicator": indicator_id, "by": by, "period": kind, "sort": sort})
            if kind in kinds else None,
        }

    return common.cached(ctx, "page-indicator", {"indicator": indicator_id, "by": by, "period": kind, "sort": sort},
                  build)
