"""The overview page: headline cards, the headline table and stations missing 7-day data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from valvomo.disclosure import format_cell
from valvomo.indicators.registry import REGISTRY
from valvomo.services.care_guarantee import RECORDING_THRESHOLD, below_target_streak, recording_complete
from valvomo.services.catalogue import (
    DIMENSION_LABELS,
    HEADLINE_INDICATORS,
    label,
)
from valvomo.services.targets import STATUS_MSGIDS, indicator_status, targets_for
from valvomo.web import charts
from valvomo.web.i18n import format_number
from valvomo.web.views.common import (
    TREND_PERIODS,
    Cell,
    Column,
    TableModel,
    ViewContext,
    cached,
    change_text,
    county_series,
    labelled_column,
    latest_period,
    rows_for,
    station_name,
    suppress_complements,
    table_model,
    target_text,
)

STATUS_LABELS = STATUS_MSGIDS  # one wording per target status (services.targets)


@dataclass
class Headline:
    indicator_id: str
    name: str
    period: str
    value: Cell
    target: str
    status: str
    status_text: str
    change: str
    sparkline: str
    href: str


def headlines(ctx: ViewContext) -> list[Headline]:
    """Latest county value of each headline indicator with target, status, change and sparkline."""
    cards: list[Headline] = []
    for indicator_id in HEADLINE_INDICATORS:
        if indicator_id not in REGISTRY:
            continue
        indicator = REGISTRY.get(indicator_id)
        _kind, series = county_series(ctx, indicator_id)
        if not series:
            continue
        latest, previous = series[-1], (series[-2] if len(series) > 1 else None)
        pairs = [(r["period"], r["value"]) for r in series]
        target, evaluation = indicator_status(indicator_id, pairs, ctx.settings)
        status = evaluation.status
        status_text = ctx._(STATUS_LABELS[status])
        change, _ = change_text(ctx, latest.get("value"), previous.get("value") if previous else None,
                                 indicator.unit)
        recent = series[-TREND_PERIODS:]
        name = indicator.name(ctx.lang)
        points = ", ".join(
            f"{ctx.period(r['period'])}: {ctx.value(r, indicator.unit).text}" for r in recent
        )
        cards.append(
            Headline(
                indicator_id=indicator_id,
                name=name,
                period=ctx.period(latest["period"]),
                value=ctx.value(latest, indicator.unit),
                target=target_text(ctx, target, indicator.unit),
                status=status,
                status_text=status_text,
                change=change,
                sparkline=charts.sparkline(
                    [r.get("value") for r in recent],
                    title=ctx._("Trend: %(name)s", name=name),
                    desc=points,
                ),
                href=f"/indicators/{indicator_id}",
            )
        )
    return cards


def headline_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    cards = headlines(ctx)
    columns = [
        labelled_column(ctx, "indicator"),
        labelled_column(ctx, "period"),
        labelled_column(ctx, "value", True),
        Column("target", ctx._("Target")),
        Column("status", ctx._("Status")),
        Column("change", ctx._("Change since previous period"), True),
    ]
    rows = []
    for card in cards:
        rows.append([
            Cell(card.name, card.indicator_id, href=card.href),
            Cell(card.period, card.period),
            card.value,
            Cell(card.target, card.target),
            Cell(card.status_text, card.status, css=f"status--{card.status}"),
            Cell(card.change, card.change, numeric=True),
        ])
    return table_model(ctx, "headlines", ctx._("Headline indicators, county"), columns, rows)


def missing_7d(ctx: ViewContext, params: Mapping[str, str] | None = None) -> TableModel:
    """Stations below the 7-day care-guarantee target in the latest quarter, since when, and
    whether their assessment recording is complete (the question of issue 3)."""
    indicator_id = "access_7d"
    columns = [
        Column("station", label(DIMENSION_LABELS, "station", ctx.lang)),
        Column("value", ctx._("Within 7 days"), True),
        Column("target", ctx._("Target in force")),
        Column("since", ctx._("Below target since")),
        Column("quarters", ctx._("Quarters in a row"), True),
        Column("recording", ctx._("Assessment recording"), True),
    ]
    latest = latest_period(ctx, indicator_id)
    targets = targets_for(indicator_id, ctx.settings) if indicator_id in REGISTRY else ()
    caption = ctx._("Stations below the 7-day target in %(period)s", period=ctx.period(latest or ""))
    if latest is None or not targets:
        return table_model(ctx, "missing-7d", caption, columns, [], note=ctx._("No care-guarantee data."))
    by_station = suppress_complements(rows_for(ctx, indicator_id, by=("station",)))
    recording = {
        r["station_id"]: r
        for r in rows_for(ctx, "assessment_recording", by=("station",)) if r["period"] == latest
    }
    history: dict[str, dict[str, dict]] = {}
    for row in by_station:
        history.setdefault(row["station_id"], {})[row["period"]] = row
    direction = REGISTRY.get(indicator_id).direction
    rows: list[list[Cell]] = []
    hidden: list[str] = []
    for station_id, periods in history.items():
        current = periods.get(latest)
        if current is None:
            continue
        if current.get("value") is None:
            if current.get("suppressed"):
                hidden.append(station_name(ctx, station_id))
            continue
        streak = below_target_streak({p: r.get("value") for p, r in periods.items()}, targets, direction, latest)
        if streak is None:
            continue
        target, since, run = streak.target, streak.since, streak.periods
        record_row = recording.get(station_id)
        record_cell = ctx.value(record_row, "share")
        if record_row is not None and record_row.get("value") is not None:
            complete = bool(recording_complete(record_row["value"]))
            record_cell = Cell(
                record_cell.text if not complete else f"{record_cell.text} ({ctx._('complete')})",
                record_row["value"],
                numeric=True,
                unit="share",
                css="" if complete else "flag",
                note="" if complete else ctx._("incomplete"),
            )
        rows.append([
            Cell(station_name(ctx, station_id), station_id, href=f"/stations/{station_id}"),
            ctx.value(current, "share"),
            Cell(target_text(ctx, target, "share"), target.value),
            Cell(ctx.period(since), since),
            Cell(format_number(run, ctx.lang, 0), run, numeric=True),
            record_cell,
        ])
    rows.sort(key=lambda r: (r[1].value if r[1].value is not None else 2.0))
    note = ctx._(
        "Recording is complete when at least %(threshold)s of first non-urgent visits have a care-need "
        "assessment time.",
        threshold=format_cell(RECORDING_THRESHOLD, False, ctx.lang, profile="none", unit="share"),
    )
    if hidden:
        note += " " + ctx._("Figures not shown for data protection: %(stations)s.", stations=", ".join(hidden))
    return table_model(ctx, "missing-7d", caption, columns, rows, note=note)


def overview_page(ctx: ViewContext) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        latest = latest_period(ctx)
        return {
            "latest_period": ctx.period(latest) if latest else "–",
            "headlines": headlines(ctx),
            "headline_table": headline_table(ctx, {}),
            "missing": missing_7d(ctx, {}),
        }

    return cached(ctx, "page-overview", {}, build)
