"""Page data for the dashboard: ResultStore rows turned into localised tables and charts.

Every number on a page comes from ``ResultStore.query`` rows, which are already
disclosure-controlled with the viewer's profile; this module only selects,
orders, labels and formats them (``disclosure.format_cell`` shows a redacted
cell as "<8"). The one thing it adds to disclosure control is *complementary
suppression across stations*: a station breakdown sits under a county figure
that is shown elsewhere, so when exactly one station of a period is redacted
the next smallest is hidden too (see ``suppress_complements``).

Each table is a ``TableModel`` built by one function registered in ``TABLES``
under its download key; the pages and the CSV/XLSX downloads call the same
builder with the same parameters, so a download always equals the screen.
Built tables are cached per (warehouse snapshot, language, profile, key,
parameters): the results change only when a new ingest is materialised.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from valvomo.config import Settings
from valvomo.disclosure import format_cell, protect_breakdown, redaction_marker
from valvomo.indicators.registry import REGISTRY, Indicator, Target, UnsupportedQueryError
from valvomo.services.care_guarantee import RECORDING_THRESHOLD, below_target_streak, recording_complete
from valvomo.services.catalogue import (
    COLUMN_LABELS,
    DIMENSION_LABELS,
    DIRECTION_LABELS,
    FAMILY_LABELS,
    FIELD_LABELS,
    HEADLINE_INDICATORS,
    UNIT_LABELS,
    grain_list,
    label,
    plain_definition,
    profile_label,
    station_directory,
    station_label,
)
from valvomo.services.periods import period_bounds, period_kind
from valvomo.services.results import ResultStore
from valvomo.services.targets import STATUS_MSGIDS, indicator_status, targets_for
from valvomo.warehouse.sources import MissingTableError
from valvomo.web import charts
from valvomo.web.i18n import N_, format_date, format_number, format_percent, format_period, gettext

CARE_GUARANTEE_INDICATORS = ("access_7d", "access_14d", "access_3m", "waiting_days_median", "waiting_days_p90")
TREND_PERIODS = 8  # quarters shown in station tables and sparklines

STATUS_LABELS = STATUS_MSGIDS  # one wording per target status (services.targets)
FUNNEL_LABELS = {
    "above_998": N_("Above the 99.8 % limit"),
    "above_95": N_("Above the 95 % limit"),
    "within": N_("Within the limits"),
    "below_95": N_("Below the 95 % limit"),
    "below_998": N_("Below the 99.8 % limit"),
    "unknown": N_("Not placed"),
}
PROFESSION_LABELS = {
    "physician": N_("Physician"),
    "nurse": N_("Nurse"),
    "public_health_nurse": N_("Public health nurse"),
    "practical_nurse": N_("Practical nurse"),
    "physiotherapist": N_("Physiotherapist"),
    "occupational_therapist": N_("Occupational therapist"),
    "psychologist": N_("Psychologist"),
    "mental_health_nurse": N_("Mental health nurse"),
    "social_worker": N_("Social worker"),
    "social_counsellor": N_("Social counsellor"),
    "dentist": N_("Dentist"),
    "dental_hygienist": N_("Dental hygienist"),
    "other": N_("Other"),
}
CHANNEL_LABELS = {"physical": N_("Physical contact"), "remote": N_("Remote contact")}
PERIOD_KIND_LABELS = {"quarter": N_("Quarter"), "year": N_("Year"), "month": N_("Month")}
LANGUAGE_VALUE_LABELS = {"fi": N_("Finnish"), "sv": N_("Swedish"), "other": N_("Other language")}


# --- models --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One table cell: ``text`` as shown, ``value`` as downloaded (``None`` = empty)."""

    text: str
    value: Any = None
    suppressed: bool = False
    numeric: bool = False
    href: str | None = None
    unit: str | None = None  # of ``value``, for the number format of downloads (share, count, days, ...)
    css: str = ""  # "status--off_track" (a target status badge) or "flag" (a warning)
    note: str = ""  # a short flag text shown after the value (e.g. "recording incomplete")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False
    download_only: bool = False  # in CSV/XLSX only (a station's name beside its code)


@dataclass
class TableModel:
    """A table with its caption, download key and parameters, and the chart drawn from it."""

    key: str
    caption: str
    columns: list[Column]
    rows: list[list[Cell]]
    params: dict[str, str] = field(default_factory=dict)
    profile: str = "standard"
    profile_text: str = ""
    marker: str = "<8"  # how a redacted figure is shown under this profile
    note: str = ""
    chart: str | None = None
    row_headers: bool = True  # the first column names the row (<th scope="row">)
    suppressed_label: str = "suppressed"  # the XLSX flag column's header, in the reader's language
    dense: bool = False  # many numeric columns: the compact table style

    def download_url(self, fmt: str) -> str:
        query = f"?{urlencode(self.params)}" if self.params else ""
        return f"/download/{self.key}.{fmt}{query}"

    @property
    def dom_id(self) -> str:
        """A page-unique HTML id: the key plus the parameters that distinguish tables of one key."""
        suffix = "-".join(re.sub(r"[^A-Za-z0-9_-]", "_", str(v)) for v in self.params.values() if v)
        return f"t-{self.key}" + (f"-{suffix}" if suffix else "")

    @property
    def has_suppressed(self) -> bool:
        return any(cell.suppressed for row in self.rows for cell in row)


@dataclass(frozen=True)
class ViewContext:
    """Who is looking and how: the store to read, the language and the disclosure profile."""

    settings: Settings
    store: ResultStore
    lang: str
    profile: str

    def _(self, msgid: str, **params: Any) -> str:
        return gettext(self.lang, msgid, **params)

    def indicator_name(self, indicator_id: str) -> str:
        return REGISTRY.get(indicator_id).name(self.lang) if indicator_id in REGISTRY else indicator_id

    def value(self, row: Mapping | None, unit: str | None = None) -> Cell:
        """The row's value as a cell ("<8" when redacted, "–" when missing)."""
        if row is None:
            return Cell(format_cell(None, False, self.lang, profile=self.profile), None, numeric=True)
        unit = unit or row.get("unit")
        suppressed = bool(row.get("suppressed")) and row.get("value") is None
        text = format_cell(row.get("value"), suppressed, self.lang, profile=self.profile, unit=unit)
        return Cell(text, row.get("value"), suppressed=suppressed, numeric=True, unit=unit)

    def count(self, value: float | None, suppressed: bool = False) -> Cell:
        hidden = suppressed and value is None
        text = format_cell(value, hidden, self.lang, profile=self.profile, unit="count")
        return Cell(text, value, suppressed=hidden, numeric=True, unit="count")

    def period(self, label_text: str | None) -> str:
        return format_period(label_text, self.lang)

    def profession(self, code: str | None) -> str:
        return self._(PROFESSION_LABELS[code]) if code in PROFESSION_LABELS else str(code)

    def dimension_value(self, dimension: str, value: Any) -> str:
        if value is None:
            return "–"
        if dimension == "station":
            return station_name(self, str(value))
        if dimension == "profession":
            return self.profession(value)
        if dimension == "contact_class":
            return self._(CHANNEL_LABELS[value]) if value in CHANNEL_LABELS else str(value)
        if dimension == "language":
            return self._(LANGUAGE_VALUE_LABELS[value]) if value in LANGUAGE_VALUE_LABELS else str(value)
        return str(value)

    def unit_format(self, unit: str) -> charts.ValueFormat:
        """Axis and bar labels: whole percentages for shares, one decimal otherwise."""
        if unit == "share":
            return lambda share: format_percent(share, self.lang, 0)
        return lambda value: format_number(value, self.lang, 0 if unit in ("count", "eur") else 1)


# --- cache ---------------------------------------------------------------------------------------------

_CACHE_LOCK = threading.Lock()
# Reads that reach the warehouse (live computations, the stations table, patient lists) share one
# backend connection; requests run in a thread pool, so they take turns. Cached reads do not lock.
QUERY_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple, Any] = OrderedDict()
CACHE_SIZE = 512


def cached(ctx: ViewContext, kind: str, params: Mapping[str, Any], build: Callable[[], Any]) -> Any:
    """``build()`` once per snapshot, language, profile and parameters."""
    key = (str(ctx.settings.home), ctx.store.snapshot_id, ctx.lang, ctx.profile, kind,
           tuple(sorted((k, str(v)) for k, v in params.items())))
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = build()
    with _CACHE_LOCK:
        _CACHE[key] = value
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


# --- reading rows --------------------------------------------------------------------------------------


def rows_for(ctx: ViewContext, indicator_id: str, *, period: str = "quarter", by: Sequence[str] = ()) -> list[dict]:
    """Disclosure-controlled rows of one indicator, or none when the data or grain do not allow it."""
    indicator = REGISTRY.get(indicator_id)
    if not set(by) <= indicator.grain or indicator_id not in available(ctx, period):
        return []

    def load() -> list[dict]:
        try:
            with QUERY_LOCK:
                return ctx.store.query([indicator_id], period=period, by=tuple(by), profile=ctx.profile)
        except (UnsupportedQueryError, MissingTableError):
            return []  # e.g. a per-resident rate asked per quarter: the page shows its years instead

    return cached(ctx, "rows", {"indicator": indicator_id, "period": period, "by": ",".join(by)}, load)


def available(ctx: ViewContext, period: str = "quarter") -> list[str]:
    def load() -> list[str]:
        with QUERY_LOCK:
            return ctx.store.available(period)

    return cached(ctx, "available", {"period": period}, load)


def county_series(ctx: ViewContext, indicator_id: str) -> tuple[str, list[dict]]:
    """County rows by quarter, or by year for annual-only indicators: (period kind, rows)."""
    for kind in ("quarter", "year"):
        rows = [r for r in rows_for(ctx, indicator_id, period=kind) if "bin" not in r]
        if rows:
            return kind, sorted(rows, key=lambda r: r["period"])
    return "quarter", []


def stations(ctx: ViewContext) -> dict[str, dict[str, str]]:
    """Station id → {name, kind, municipality} from the warehouse's stations table."""

    def load() -> dict[str, dict[str, str]]:
        with QUERY_LOCK:
            return station_directory(ctx.store.warehouse)

    return cached(ctx.__class__(ctx.settings, ctx.store, "fi", "none"), "stations", {}, load)


def station_name(ctx: ViewContext, station_id: str) -> str:
    return station_label(stations(ctx), station_id, ctx.lang)


def latest_period(ctx: ViewContext, indicator_id: str = "access_7d", kind: str = "quarter") -> str | None:
    rows = rows_for(ctx, indicator_id, period=kind)
    return max((r["period"] for r in rows), default=None)


def suppress_complements(rows: list[dict]) -> list[dict]:
    """Complementary suppression across stations (``disclosure.protect_breakdown``).

    The store already applies it to every breakdown it serves; applying it again
    to rows assembled for a page is a no-op unless the page combined rows itself.
    """
    return protect_breakdown(rows, "standard")


def _target_text(ctx: ViewContext, target: Target | None, unit: str) -> str:
    if target is None:
        return "–"
    value = format_cell(target.value, False, ctx.lang, profile="none", unit=unit)
    return ctx._("%(value)s by %(deadline)s", value=value, deadline=ctx.period(target.deadline))


def _change_text(ctx: ViewContext, latest: float | None, previous: float | None, unit: str) -> tuple[str, Any]:
    """The difference of the two shown values: percentage points for shares."""
    if latest is None or previous is None:
        return "–", None
    difference = latest - previous
    sign = "+" if difference > 0 else ("−" if difference < 0 else "±")
    if unit == "share":
        number = format_number(abs(difference) * 100, ctx.lang, 1)
        return ctx._("%(sign)s%(value)s pp", sign=sign, value=number), round(difference, 6)
    decimals = 0 if unit in ("count", "eur") else 2 if unit in ("index", "ratio") else 1
    return f"{sign}{format_number(abs(difference), ctx.lang, decimals)}", round(difference, 6)


def _table(ctx: ViewContext, key: str, caption: str, columns: list[Column], rows: list[list[Cell]],
           params: Mapping[str, str] | None = None, **extra: Any) -> TableModel:
    return TableModel(
        key=key,
        caption=caption,
        columns=columns,
        rows=rows,
        params=dict(params or {}),
        profile=ctx.profile,
        profile_text=profile_label(ctx.profile, ctx.lang),
        marker=redaction_marker(ctx.profile) or "–",
        suppressed_label=ctx._("Hidden for data protection"),
        **extra,
    )


def _col(ctx: ViewContext, key: str, numeric: bool = False, text: str | None = None) -> Column:
    return Column(key, text or label(COLUMN_LABELS, key, ctx.lang), numeric)


# --- overview ------------------------------------------------------------------------------------------


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
        change, _ = _change_text(ctx, latest.get("value"), previous.get("value") if previous else None,
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
                target=_target_text(ctx, target, indicator.unit),
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
        _col(ctx, "indicator"),
        _col(ctx, "period"),
        _col(ctx, "value", True),
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
    return _table(ctx, "headlines", ctx._("Headline indicators, county"), columns, rows)


@dataclass
class MissingStation:
    station_id: str
    name: str
    value: Cell
    target: str
    since: str
    quarters: int
    recording: Cell


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
        return _table(ctx, "missing-7d", caption, columns, [], note=ctx._("No care-guarantee data."))
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
            Cell(_target_text(ctx, target, "share"), target.value),
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
    return _table(ctx, "missing-7d", caption, columns, rows, note=note)


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


# --- station comparison --------------------------------------------------------------------------------


def comparison_options(ctx: ViewContext, indicator_id: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Indicators that can be cut by station, and the periods (quarters and years, newest first)
    that the chosen indicator has station figures for."""
    have = set(available(ctx, "quarter")) | set(available(ctx, "year"))
    indicators = [(i.id, i.name(ctx.lang)) for i in REGISTRY
                  if "station" in i.grain and not i.distribution and i.id in have]
    periods: set[str] = set()
    for kind in ("quarter", "year"):
        periods.update(r["period"] for r in rows_for(ctx, indicator_id, period=kind, by=("station",)))
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
    info = stations(ctx)
    ranked, apart = [], []
    for row in rows:
        kind = info.get(str(row.get("station_id")), {}).get("kind")
        (ranked if indicator.applies_to_station_kind(kind) else apart).append(row)
    return ranked, apart


def comparison_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    indicator_id = params.get("indicator") or "access_7d"
    indicator = REGISTRY.get(indicator_id)
    period = params.get("period") or latest_period(ctx, indicator_id) or ""
    kind = period_kind(period) if period else "quarter"
    all_rows = [r for r in suppress_complements(rows_for(ctx, indicator_id, period=kind, by=("station",)))
                if r["period"] == period and "bin" not in r]
    rows, apart = compared_units(ctx, indicator, all_rows)
    county = next((r for r in rows_for(ctx, indicator_id, period=kind) if r["period"] == period), None)
    county_value = county.get("value") if county else None
    if apart and county is not None:
        county = _county_without(county, apart)
        county_value = county.get("value")
    reverse = indicator.direction != "lower"
    rows.sort(key=lambda r: (r.get("value") is None, -(r["value"] or 0) if reverse else (r["value"] or 0),
                             station_name(ctx, r["station_id"])))
    size_column = "denominator" if any("denominator" in r for r in rows) else "n"
    columns = [
        Column("station", label(DIMENSION_LABELS, "station", ctx.lang)),
        Column("rank", ctx._("Rank"), True),
        _col(ctx, "value", True),
    ]
    if any("numerator" in r for r in rows):
        columns.append(_col(ctx, "numerator", True))
    if any(size_column in r for r in rows):
        columns.append(_col(ctx, size_column, True))
    funnel = indicator.unit == "share" and size_column == "denominator" and county_value is not None
    if funnel:
        columns.append(Column("position", ctx._("Against the county (funnel limits)")))
    columns.append(Column("station_name", ctx._("Station name"), download_only=True))
    table_rows = []
    funnel_points = []
    for rank, row in enumerate(rows, start=1):
        name = station_name(ctx, row["station_id"])
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
        shown_apart = ", ".join(f"{station_name(ctx, r['station_id'])} {ctx.value(r, indicator.unit).text}"
                                for r in apart)
        note = (note + " " if note else "") + ctx._(
            "Not ranked: units of another kind than this indicator is defined for (%(units)s).", units=shown_apart)
    return _table(ctx, "comparison", caption, columns, table_rows,
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

    return cached(ctx, "page-comparison", {"indicator": indicator_id, "period": period or ""}, build)


# --- station page --------------------------------------------------------------------------------------


def _quarters(ctx: ViewContext) -> list[str]:
    _, series = county_series(ctx, "access_7d")
    labels = [r["period"] for r in series if period_kind(r["period"]) == "quarter"]
    return labels[-TREND_PERIODS:]


def station_family_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    """One family's indicators for a station, quarter by quarter (columns), with the recording flag."""
    station_id, family = params["station"], params["family"]
    quarters = _quarters(ctx)
    recording = {r["period"]: r for r in rows_for(ctx, "assessment_recording", by=("station",))
                 if r["station_id"] == station_id}
    columns = [_col(ctx, "indicator")] + [Column(q, ctx.period(q), True) for q in quarters]
    rows = []
    for indicator in REGISTRY:
        if indicator.family != family or indicator.distribution or "station" not in indicator.grain:
            continue
        station_rows = {r["period"]: r for r in suppress_complements(rows_for(ctx, indicator.id, by=("station",)))
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
                    station=station_name(ctx, station_id))
    return _table(ctx, "station-family", caption, columns, rows, {"station": station_id, "family": family})


def station_annual_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    """Indicators defined per year only (per-resident rates, 12-month shares) for a station, by year."""
    station_id = params["station"]
    columns = [_col(ctx, "indicator")]
    by_indicator: dict[str, dict[str, dict]] = {}
    for indicator in REGISTRY:
        if indicator.distribution or "station" not in indicator.grain:
            continue
        if rows_for(ctx, indicator.id, by=("station",)):
            continue  # shown by quarter in the family tables
        rows = [r for r in suppress_complements(rows_for(ctx, indicator.id, period="year", by=("station",)))
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
    caption = ctx._("Annual indicators, %(station)s", station=station_name(ctx, station_id))
    return _table(ctx, "station-annual", caption, columns, table_rows, {"station": station_id})


def station_access_trend(ctx: ViewContext, station_id: str) -> str | None:
    """The 7-day share of the station and the county with the targets and their deadlines."""
    if "access_7d" not in REGISTRY:
        return None
    quarters = _quarters(ctx)
    station_rows = {r["period"]: r for r in suppress_complements(rows_for(ctx, "access_7d", by=("station",)))
                    if r["station_id"] == station_id}
    county = {r["period"]: r for r in rows_for(ctx, "access_7d")}
    if not station_rows:
        return None
    name = station_name(ctx, station_id)
    series = {
        name: [station_rows.get(q, {}).get("value") for q in quarters],
        ctx._("County"): [county.get(q, {}).get("value") for q in quarters],
    }
    targets = [
        charts.TargetLine(t.value, ctx._("Target %(value)s", value=_target_text(ctx, t, "share")), t.deadline)
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
    quarters = _quarters(ctx)
    period = params.get("period") or (quarters[-1] if quarters else "")
    indicator = REGISTRY.get("waiting_days_distribution")
    rows = [r for r in rows_for(ctx, indicator.id, by=("station",))
            if r["station_id"] == station_id and r["period"] == period]
    order = {b: i for i, b in enumerate(indicator.parameters.get("bins_labels", ()))}
    rows.sort(key=lambda r: order.get(r["bin"], 99))
    columns = [Column("bin", ctx._("Waiting days")), Column("n", ctx._("Visits"), True), _col(ctx, "value", True)]
    table_rows = [
        [Cell(r["bin"], r["bin"]), ctx.count(r.get("numerator", r.get("n")), r.get("suppressed", False)),
         ctx.value(r, "share")]
        for r in rows
    ]
    caption = ctx._("Waiting-time distribution, %(station)s, %(period)s", station=station_name(ctx, station_id),
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
    return _table(ctx, "station-waiting", caption, columns, table_rows,
                  {"station": station_id, "period": period}, chart=chart)


def station_t3_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    station_id = params["station"]
    quarters = _quarters(ctx)
    rows = [r for r in rows_for(ctx, "t3_days", by=("station", "profession")) if r["station_id"] == station_id] \
        if "t3_days" in REGISTRY else []
    professions = sorted({r["profession"] for r in rows}, key=lambda p: ctx.profession(p))
    by_key = {(r["profession"], r["period"]): r for r in rows}
    columns = [_col(ctx, "period")] + [Column(p, ctx.profession(p), True) for p in professions]
    table_rows = [[Cell(ctx.period(q), q)] + [ctx.value(by_key.get((p, q)), "days") for p in professions]
                  for q in quarters]
    caption = ctx._("Third next available appointment (T3, days) by profession, %(station)s",
                    station=station_name(ctx, station_id))
    chart = None
    if professions:
        chart = charts.trend_chart(
            quarters,
            {ctx.profession(p): [by_key.get((p, q), {}).get("value") for q in quarters] for p in professions},
            title=caption,
            desc="; ".join(f"{r[0].text}: " + ", ".join(f"{c.label} {cell.text}" for c, cell in
                                                         zip(columns[1:], r[1:], strict=True))
                           for r in table_rows),
            category_labels=[ctx.period(q) for q in quarters],
            value_format=ctx.unit_format("days"),
            y_label=ctx._("days"),
        )
    return _table(ctx, "station-t3", caption, columns, table_rows, {"station": station_id}, chart=chart)


def station_channel_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    station_id = params["station"]
    quarters = _quarters(ctx)
    rows = [r for r in rows_for(ctx, "channel_mix", by=("station",)) if r["station_id"] == station_id] \
        if "channel_mix" in REGISTRY else []
    classes = list(REGISTRY.get("channel_mix").parameters.get("bins_labels", ("physical", "remote"))) \
        if rows else []
    by_key = {(r["bin"], r["period"]): r for r in rows}
    channel = lambda c: ctx._(CHANNEL_LABELS[c]) if c in CHANNEL_LABELS else c  # noqa: E731
    columns = [_col(ctx, "period")] + [Column(c, channel(c), True) for c in classes]
    table_rows = [[Cell(ctx.period(q), q)] + [ctx.value(by_key.get((c, q)), "share") for c in classes]
                  for q in quarters]
    caption = ctx._("Channel mix, %(station)s", station=station_name(ctx, station_id))
    chart = None
    if classes:
        chart = charts.stacked_shares(
            quarters,
            {channel(c): [by_key.get((c, q), {}).get("value") for q in quarters] for c in classes},
            title=caption,
            desc="; ".join(f"{r[0].text}: " + ", ".join(f"{col.label} {cell.text}" for col, cell in
                                                         zip(columns[1:], r[1:], strict=True))
                           for r in table_rows),
            category_labels=[ctx.period(q) for q in quarters],
            value_format=ctx.unit_format("share"),
        )
    return _table(ctx, "station-channels", caption, columns, table_rows, {"station": station_id}, chart=chart)


def station_page(ctx: ViewContext, station_id: str) -> dict[str, Any] | None:
    """All indicator families of one station; ``None`` when the station is unknown."""
    known = stations(ctx)
    if station_id not in known:
        station_ids = {r["station_id"] for r in rows_for(ctx, "access_7d", by=("station",))}
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
        recording = {r["period"]: r for r in rows_for(ctx, "assessment_recording", by=("station",))
                     if r["station_id"] == station_id}
        quarters = _quarters(ctx)
        latest_recording = recording.get(quarters[-1]) if quarters else None
        flagged = bool(latest_recording and recording_complete(latest_recording.get("value")) is False)
        info = known.get(station_id, {})
        return {
            "station_id": station_id,
            "name": station_name(ctx, station_id),
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

    return cached(ctx, "page-station", {"station": station_id}, build)


def station_list(ctx: ViewContext) -> list[tuple[str, str]]:
    ids = set(stations(ctx)) | {r["station_id"] for r in rows_for(ctx, "access_7d", by=("station",))}
    return sorted(((s, station_name(ctx, s)) for s in ids), key=lambda item: item[1])


# --- indicators ----------------------------------------------------------------------------------------


def indicator_list(ctx: ViewContext) -> list[dict[str, Any]]:
    def build() -> list[dict[str, Any]]:
        have = set(available(ctx, "quarter")) | set(available(ctx, "year"))
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

    return cached(ctx, "page-indicators", {}, build)


def indicators_page(ctx: ViewContext) -> dict[str, Any]:
    return cached(ctx, "page-indicator-list", {}, lambda: {"families": indicator_list(ctx)})


def quality_page(ctx: ViewContext) -> dict[str, Any]:
    """Recording completeness and the ingest history; rebuilt when the ingest log changes
    (a failed ingest adds a run without a new snapshot)."""
    from valvomo.ingest.log import ingest_log_path

    path = ingest_log_path(ctx.settings)
    version = f"{path.stat().st_mtime_ns}-{path.stat().st_size}" if path.exists() else "none"
    return cached(ctx, "page-quality", {"log": version}, lambda: {
        "recording": build_table(ctx, "recording", {}),
        "ingest": ingest_table(ctx, {}),
    })


def indicator_data_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    """The rows behind the indicator page's chart: one per period (and group, and bin)."""
    indicator = REGISTRY.get(params["indicator"])
    by = params.get("by") or ""
    kind = params.get("period") or "quarter"
    dims = (by,) if by else ()
    rows = rows_for(ctx, indicator.id, period=kind, by=dims)
    if by == "station":
        rows = suppress_complements(rows)
    column = {"station": "station_id"}.get(by, by)
    order = params.get("sort") or "name"
    if by:
        rows = sorted(rows, key=lambda r: (r["period"], *group_order(ctx, indicator, by, r, order)))
    columns = [_col(ctx, "period")]
    if by:
        columns.append(Column(column, label(DIMENSION_LABELS, by, ctx.lang)))

    if indicator.distribution:
        columns.append(_col(ctx, "bin"))
    columns.append(_col(ctx, "value", True))
    counts = [c for c in ("numerator", "denominator", "n") if any(c in r for r in rows)]
    columns += [_col(ctx, c, True) for c in counts]
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
            name = station_name(ctx, str(row.get(column)))
            cells.append(Cell(name, name))
        table_rows.append(cells)
    if by == "station":
        columns.append(Column("station_name", ctx._("Station name"), download_only=True))
    caption = ctx._("%(indicator)s: data", indicator=indicator.name(ctx.lang))
    chart = _indicator_chart(ctx, indicator, rows, by, column, kind, order)
    return _table(ctx, "indicator-data", caption, columns, table_rows,
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
            charts.TargetLine(t.value, ctx._("Target %(value)s", value=_target_text(ctx, t, indicator.unit)),
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
        kinds = [k for k in ("quarter", "year", "month") if indicator_id in available(ctx, k)]
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
                {"text": _target_text(ctx, t, indicator.unit), "source": ctx._(t.source),
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

    return cached(ctx, "page-indicator", {"indicator": indicator_id, "by": by, "period": kind, "sort": sort},
                  build)


# --- data quality --------------------------------------------------------------------------------------


def recording_table(ctx: ViewContext, params: Mapping[str, str]) -> TableModel:
    """Assessment recording and field completeness per station in the latest quarter, with flags."""
    quarters = _quarters(ctx)
    period = params.get("period") or (quarters[-1] if quarters else "")
    recording = {r["station_id"]: r for r in rows_for(ctx, "assessment_recording", by=("station",))
                 if r["period"] == period}
    completeness_rows = [r for r in rows_for(ctx, "field_completeness", by=("station",)) if r["period"] == period] \
        if "field_completeness" in REGISTRY else []
    fields = list(REGISTRY.get("field_completeness").parameters.get("bins_labels", ())) if completeness_rows else []
    fields = [f for f in fields if any(r["bin"] == f for r in completeness_rows)]
    by_key = {(r["station_id"], r["bin"]): r for r in completeness_rows}
    columns = [Column("station", label(DIMENSION_LABELS, "station", ctx.lang)),
               Column("assessment_recording", ctx.indicator_name("assessment_recording"), True)]
    columns += [Column(f, ctx._(FIELD_LABELS[f]) if f in FIELD_LABELS else f, True) for f in fields]
    station_ids = sorted(set(recording) | {r["station_id"] for r in completeness_rows},
                         key=lambda s: station_name(ctx, s))
    table_rows = []
    for station_id in station_ids:
        record = recording.get(station_id)
        cell = ctx.value(record, "share")
        if record is not None and recording_complete(record.get("value")) is False:
            cell = Cell(cell.text, cell.value, numeric=True, unit="share", css="flag", note=ctx._("incomplete"))
        table_rows.append([Cell(station_name(ctx, station_id), station_id, href=f"/stations/{station_id}"), cell]
                          + [ctx.value(by_key.get((station_id, f)), "share") for f in fields])
    caption = ctx._("Recording completeness by station, %(period)s", period=ctx.period(period))
    note = ctx._(
        "Flagged: assessment recording below %(threshold)s; the station's care-guarantee figure is then "
        "not reliable.",
        threshold=format_cell(RECORDING_THRESHOLD, False, ctx.lang, profile="none", unit="share"),
    )
    return _table(ctx, "recording", caption, columns, table_rows, {"period": period}, note=note,
                  dense=len(columns) > 8)


def ingest_log(settings: Settings) -> list[Mapping[str, Any]]:
    """The ingest runs, newest first (``valvomo.ingest.log``)."""
    from valvomo.ingest.log import read_ingest_log

    entries = list(read_ingest_log(settings))
    return sorted(entries, key=lambda e: str(e.get("started_at") or e.get("finished_at") or ""), reverse=True)


def ingest_table(ctx: ViewContext, params: Mapping[str, str], log: Iterable[Mapping[str, Any]] | None = None,
                 ) -> TableModel:
    """The ingest history: one row per run, newest first, with rows loaded and rejected inputs.

    Not cached: a failed ingest adds a run without changing the snapshot."""
    log = ingest_log(ctx.settings) if log is None else log
    columns = [
        Column("started_at", ctx._("Time")),
        Column("source", ctx._("Source")),
        Column("status", ctx._("Status")),
        Column("rows", ctx._("Rows loaded"), True),
        Column("rejected", ctx._("Rejected"), True),
        Column("messages", ctx._("Messages")),
    ]
    table_rows = []
    for entry in log:
        when = entry.get("started_at") or entry.get("finished_at") or entry.get("at") or ""
        rows_loaded = entry.get("rows", entry.get("tables"))
        if isinstance(rows_loaded, Mapping):
            rows_loaded = sum(int(v or 0) for v in rows_loaded.values())
        errors = entry.get("errors") or entry.get("messages") or []
        if isinstance(errors, str):
            errors = [errors]
        messages = "; ".join(_message_text(e) for e in errors)
        rejected = entry.get("error_count", entry.get("rejected", len(errors)))
        if isinstance(rejected, Mapping | list):
            rejected = len(rejected)
        table_rows.append([
            Cell(format_date(str(when)[:10], ctx.lang) + (" " + str(when)[11:16] if len(str(when)) > 11 else ""),
                 str(when)),
            Cell(str(entry.get("source") or entry.get("folder") or entry.get("path") or ""),
                 entry.get("source") or entry.get("folder") or entry.get("path")),
            Cell(str(entry.get("status") or ""), entry.get("status"),
                 css="flag" if str(entry.get("status")) not in ("ok", "success", "loaded", "") else ""),
            Cell(format_number(rows_loaded, ctx.lang, 0) if rows_loaded is not None else "–", rows_loaded,
                 numeric=True),
            Cell(format_number(rejected, ctx.lang, 0) if rejected is not None else "–", rejected, numeric=True),
            Cell(messages, messages),
        ])
    return _table(ctx, "ingest", ctx._("Ingest history"), columns, table_rows, row_headers=False)


def _message_text(error: Any) -> str:
    if isinstance(error, Mapping):
        return error.get("message") or "; ".join(f"{k}={v}" for k, v in error.items())
    return str(error)


# --- downloads registry --------------------------------------------------------------------------------

TableBuilder = Callable[[ViewContext, Mapping[str, str]], TableModel]
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


# --- patient level (not disclosure-controlled: authorised, audit-logged use only) ----------------------

PATIENT_LEVEL_PROFILE_TEXT = N_("Patient-level data: no disclosure control; authorised use only, audit-logged.")


PATIENT_PAGE_SIZE = 50
PATIENT_SORTS = {
    "rank": (N_("Rank"), lambda p: p.rank),
    "contacts": (N_("Contacts, most first"), lambda p: (-p.contacts, p.rank)),
    "cost": (N_("Cost, highest first"), lambda p: (-(p.cost_eur or 0), p.rank)),
    "last_contact": (N_("Last contact, latest first"), lambda p: (-p.last_contact.toordinal(), p.rank)),
}


@dataclass(frozen=True)
class PatientListView:
    """What the reader asked of the high-need list: order, filter and page (all validated)."""

    sort: str = "rank"
    min_contacts: int = 0
    page: int = 1

    @classmethod
    def parse(cls, sort: str | None, min_contacts: str | int | None, page: str | int | None) -> PatientListView:
        chosen = sort if sort in PATIENT_SORTS else "rank"
        try:
            least = max(int(min_contacts or 0), 0)
        except ValueError:
            least = 0
        try:
            number = max(int(page or 1), 1)
        except ValueError:
            number = 1
        return cls(chosen, least, number)

    def select(self, patients: Sequence[Any]) -> list[Any]:
        """The whole filtered and ordered list (what a download holds)."""
        kept = [p for p in patients if p.contacts >= self.min_contacts]
        return sorted(kept, key=PATIENT_SORTS[self.sort][1])

    def query(self, **changes: Any) -> str:
        values = {"sort": self.sort, "min_contacts": self.min_contacts, "page": self.page, **changes}
        return urlencode({k: v for k, v in values.items() if v not in (None, "", 0, "rank") or k == "page"})


def patient_table(ctx: ViewContext, result: Any, view: PatientListView | None = None,
                  patients: Sequence[Any] | None = None) -> TableModel:
    """The high-need list (``services.patients.HighNeedList``) as a table: ``patients`` (default:
    the whole list, filtered and ordered by ``view``)."""
    view = view or PatientListView()
    patients = view.select(result.patients) if patients is None else patients
    name = station_name(ctx, result.station_id)
    columns = [
        Column("rank", ctx._("Rank"), True),
        Column("patient_id", ctx._("Patient (pseudonym)")),
        Column("contacts", ctx._("Contacts"), True),
        Column("physical_contacts", ctx._("Physical contacts"), True),
        Column("remote_contacts", ctx._("Remote contacts"), True),
        Column("cost_eur", ctx._("Cost (EUR)"), True),
        Column("last_contact", ctx._("Last contact")),
    ]
    rows = [
        [
            Cell(format_number(p.rank, ctx.lang, 0), p.rank, numeric=True),
            Cell(p.patient_id, p.patient_id),
            Cell(format_number(p.contacts, ctx.lang, 0), p.contacts, numeric=True, unit="count"),
            Cell(format_number(p.physical_contacts, ctx.lang, 0), p.physical_contacts, numeric=True, unit="count"),
            Cell(format_number(p.remote_contacts, ctx.lang, 0), p.remote_contacts, numeric=True, unit="count"),
            Cell(format_cell(p.cost_eur, False, ctx.lang, profile="none", unit="eur"), p.cost_eur, numeric=True,
                 unit="eur"),
            Cell(format_date(p.last_contact, ctx.lang), p.last_contact.isoformat()),
        ]
        for p in patients
    ]
    caption = ctx._("High-need patients of %(station)s, %(start)s–%(end)s", station=name,
                    start=format_date(result.window_start, ctx.lang), end=format_date(result.window_end, ctx.lang))
    table = _table(ctx, "patients", caption, columns, rows, {"station": result.station_id}, row_headers=False)
    table.profile = "patient_level"
    table.profile_text = ctx._(PATIENT_LEVEL_PROFILE_TEXT)
    return table


def patient_page(ctx: ViewContext, result: Any, view: PatientListView | None = None) -> dict[str, Any]:
    """The list one page at a time (``PATIENT_PAGE_SIZE`` rows), ordered and filtered as asked."""
    view = view or PatientListView()
    selected = view.select(result.patients)
    pages = max((len(selected) + PATIENT_PAGE_SIZE - 1) // PATIENT_PAGE_SIZE, 1)
    view = PatientListView(view.sort, view.min_contacts, min(view.page, pages))
    first = (view.page - 1) * PATIENT_PAGE_SIZE
    shown = selected[first:first + PATIENT_PAGE_SIZE]
    table = patient_table(ctx, result, view, shown)
    share = result.list_cost_share
    base = f"/stations/{result.station_id}/patients"
    return {
        "view": view,
        "sort_options": [(key, ctx._(text)) for key, (text, _key) in PATIENT_SORTS.items()],
        "matching": format_number(len(selected), ctx.lang, 0),
        "matching_count": len(selected),
        "shown_count": len(shown),
        "page_text": ctx._("Page %(page)s of %(pages)s", page=view.page, pages=pages),
        "previous_href": f"{base}?{view.query(page=view.page - 1)}" if view.page > 1 else None,
        "next_href": f"{base}?{view.query(page=view.page + 1)}" if view.page < pages else None,
        "download_query": view.query(page=None),
        "station_id": result.station_id,
        "station_name": station_name(ctx, result.station_id),
        "window_start": format_date(result.window_start, ctx.lang),
        "window_end": format_date(result.window_end, ctx.lang),
        "listed": format_number(len(result.patients), ctx.lang, 0),
        "users": format_number(result.users, ctx.lang, 0),
        "share": format_percent(share, ctx.lang, 1) if share is not None else "–",
        "caption": table.caption,
        "columns": table.columns,
        "rows": table.rows,
        "table": table,
    }
