"""What every dashboard page shares: who is looking (``ViewContext``), the table model, the cache
and the disclosure-controlled rows read from the result store."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from valvomo.config import Settings
from valvomo.disclosure import format_cell, protect_breakdown, redaction_marker
from valvomo.indicators.registry import REGISTRY, Target, UnsupportedQueryError
from valvomo.services.cache import BoundedCache, params_key
from valvomo.services.catalogue import (
    COLUMN_LABELS,
    label,
    profile_label,
    station_directory,
    station_label,
)
from valvomo.services.formatting import axis_format, format_change
from valvomo.services.periods import period_kind
from valvomo.services.results import ResultStore
from valvomo.services.targets import targets_version
from valvomo.services.value_labels import CHANNEL_LABELS, LANGUAGE_VALUE_LABELS, PROFESSION_LABELS
from valvomo.warehouse.sources import MissingTableError
from valvomo.web import charts
from valvomo.web.i18n import format_period, gettext

TREND_PERIODS = 8  # quarters shown in station tables, sparklines and indicator trend charts


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
        """Axis and bar labels (``services.formatting.axis_format``)."""
        return axis_format(unit, self.lang)


# --- cache ---------------------------------------------------------------------------------------------

CACHE_SIZE = 512
_CACHE: BoundedCache[Any] = BoundedCache(CACHE_SIZE)


def cache_key(ctx: ViewContext, kind: str, params: Mapping[str, Any]) -> tuple:
    """Everything a page model depends on: the data directory, the warehouse snapshot, the registry
    and indicator code (``ResultStore.fingerprint``), the targets file's version, the language, the
    disclosure profile, the kind of model and its parameters."""
    return (str(ctx.settings.home), ctx.store.snapshot_id, ctx.store.fingerprint, targets_version(ctx.settings),
            ctx.lang, ctx.profile, kind, params_key(params))


def cached(ctx: ViewContext, kind: str, params: Mapping[str, Any], build: Callable[[], Any]) -> Any:
    """``build()`` once per ``cache_key``."""
    return _CACHE.get_or_build(cache_key(ctx, kind, params), build)


def clear_cache() -> None:
    _CACHE.clear()


# --- reading rows --------------------------------------------------------------------------------------


def rows_for(ctx: ViewContext, indicator_id: str, *, period: str = "quarter", by: Sequence[str] = ()) -> list[dict]:
    """Disclosure-controlled rows of one indicator, or none when the data or grain do not allow it."""
    indicator = REGISTRY.get(indicator_id)
    if not set(by) <= indicator.grain or indicator_id not in available(ctx, period):
        return []

    def load() -> list[dict]:
        try:
            return ctx.store.query([indicator_id], period=period, by=tuple(by), profile=ctx.profile)
        except (UnsupportedQueryError, MissingTableError):
            return []  # e.g. a per-resident rate asked per quarter: the page shows its years instead

    return cached(ctx, "rows", {"indicator": indicator_id, "period": period, "by": ",".join(by)}, load)


def available(ctx: ViewContext, period: str = "quarter") -> list[str]:
    return cached(ctx, "available", {"period": period}, lambda: ctx.store.available(period))


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
        return ctx.store.read(station_directory)

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


def target_text(ctx: ViewContext, target: Target | None, unit: str) -> str:
    if target is None:
        return "–"
    value = format_cell(target.value, False, ctx.lang, profile="none", unit=unit)
    return ctx._("%(value)s by %(deadline)s", value=value, deadline=ctx.period(target.deadline))


def change_text(ctx: ViewContext, latest: float | None, previous: float | None, unit: str) -> tuple[str, Any]:
    """The difference of the two shown values (``services.formatting.format_change``)."""
    return format_change(latest, previous, unit, ctx.lang)


def rows_description(columns: list[Column], rows: list[list[Cell]]) -> str:
    """A chart's text description from its table: "row label: column value, ...; ..." (screen readers)."""
    return "; ".join(
        f"{row[0].text}: " + ", ".join(f"{col.label} {cell.text}" for col, cell in zip(columns[1:], row[1:], strict=True))
        for row in rows
    )


def table_model(ctx: ViewContext, key: str, caption: str, columns: list[Column], rows: list[list[Cell]],
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


def labelled_column(ctx: ViewContext, key: str, numeric: bool = False, text: str | None = None) -> Column:
    return Column(key, text or label(COLUMN_LABELS, key, ctx.lang), numeric)



def recent_quarters(ctx: ViewContext) -> list[str]:
    _, series = county_series(ctx, "access_7d")
    labels = [r["period"] for r in series if period_kind(r["period"]) == "quarter"]
    return labels[-TREND_PERIODS:]


TableBuilder = Callable[[ViewContext, Mapping[str, str]], TableModel]
