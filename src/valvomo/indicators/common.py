"""Shared building blocks of indicator expressions (indicators.md, "Shared definitions").

Everything here is an Ibis expression builder, so it compiles on DuckDB and
PySpark alike. Dates: stored timestamps are naive Europe/Helsinki wall clock, so
the date of a timestamp is ``ts.date()``; days between dates use
``delta(unit="day")`` because interval-vs-integer comparison fails on PySpark
(engine-notes.md).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager

import ibis
import ibis.expr.types as ir

from valvomo.indicators.registry import PERIOD_KINDS, PeriodKind, Query
from valvomo.schema import codes
from valvomo.warehouse.sources import Sources

PHYSICAL = codes.PHYSICAL_CONTACT_TYPES
REMOTE = codes.REMOTE_CONTACT_TYPES
PATIENT_CONTACT_TYPES = PHYSICAL + REMOTE


def period_label(day: ir.DateValue, period: PeriodKind) -> ir.StringValue:
    """``2024`` / ``2024Q1`` / ``2024-03`` for the period containing ``day``."""
    year = day.year().cast("string")
    if period == "year":
        return year
    if period == "quarter":
        return year + "Q" + day.quarter().cast("string")
    if period == "month":
        return year + "-" + day.month().cast("string").lpad(2, "0")
    raise ValueError(f"unknown period {period!r}")


PERIOD_UNITS = {"year": "Y", "quarter": "Q", "month": "M"}


def period_start(day: ir.DateValue, period: PeriodKind) -> ir.DateValue:
    """The first day of the period containing ``day``: the grouping key of ``add_period_and_dimensions``.

    Why a date and not the label: a label is a string built per row, and at ten million contacts building
    and hashing it took as long as the rest of a share's scan (0.91 s against 0.46 s with an integer key,
    DuckDB, 9.2 M contacts). ``runner.expression`` turns the key into the label after the aggregation, on
    one row per group (``period_label`` of the start day: the same label)."""
    if period not in PERIOD_UNITS:
        raise ValueError(f"unknown period {period!r}")
    return day.truncate(PERIOD_UNITS[period])


def days_between(later: ir.DateValue, earlier: ir.DateValue) -> ir.IntegerValue:
    """Calendar days from ``earlier`` to ``later`` (same day = 0)."""
    return later.delta(earlier, unit="day")


def is_true(flag: ir.BooleanValue) -> ir.BooleanValue:
    """``flag`` with null read as false ("care_plan not true")."""
    return flag.fill_null(False)


def first_per_assessment(events: ir.Table) -> ir.Table:
    """Within each (patient_id, assessed_at) keep the earliest event by started_at, then contact_id:
    one assessment, one access event."""
    window = ibis.window(group_by=[events.patient_id, events.assessed_at], order_by=[events.started_at, events.contact_id])
    ranked = events.mutate(_rank=ibis.row_number().over(window))
    return ranked.filter(ranked._rank == 0).drop("_rank")


def contact_class(contact_type: ir.StringValue) -> ir.StringValue:
    return (
        ibis.cases(
            (contact_type.isin(PHYSICAL), "physical"),
            (contact_type.isin(REMOTE), "remote"),
            else_="other",
        )
    )


def age_band(age: ir.IntegerValue) -> ir.StringValue:
    """Five-year band ``0-4`` … ``80-84``, ``85+``."""
    lower = (age.clip(lower=0) // 5) * 5
    return ibis.cases(
        (age >= 85, "85+"),
        else_=lower.cast("int64").cast("string") + "-" + (lower + 4).cast("int64").cast("string"),
    )


def restrict_dates(events: ir.Table, day: ir.DateValue, query: Query) -> ir.Table:
    """Keep events whose reference date lies in [query.start, query.end]."""
    if query.start is not None:
        events = events.filter(day >= ibis.literal(query.start))
    if query.end is not None:
        events = events.filter(day <= ibis.literal(query.end))
    return events


def add_period_and_dimensions(
    events: ir.Table,
    sources: Sources,
    query: Query,
    *,
    reference: str,
    event_year: ir.IntegerValue | None = None,
) -> ir.Table:
    """Add ``period`` (from the timestamp/date column ``reference``) and the requested dimension columns.

    ``period`` is the period's first day (``period_start``), a cheap grouping key; ``runner.expression``
    turns it into the label (``2024Q1``) once the indicator has aggregated.

    ``municipality``, ``age_band`` and ``language`` describe the patient (from
    ``patients``); ``municipality`` falls back to the station's municipality when
    there is no patients table. ``contact_class`` derives from ``contact_type``.
    Rows are restricted to the query's date range.
    """
    ref = events[reference]
    day = ref.date() if ref.type().is_timestamp() else ref
    events = events.mutate(_day=day)
    events = restrict_dates(events, events._day, query)
    events = events.mutate(period=period_start(events._day, query.period))
    needs_patient = {"age_band", "language"} & set(query.by) or (
        "municipality" in query.by and sources.has("patients")
    )
    if needs_patient:
        if not sources.has("patients"):
            from valvomo.indicators.registry import UnsupportedQueryError

            raise UnsupportedQueryError("breakdowns by age band or language need the patients table")
        patients = sources.table("patients").select(
            _pid="patient_id", _birth_year="birth_year", _municipality="municipality", _language="language"
        )
        events = events.left_join(patients, events.patient_id == patients._pid)
        if "age_band" in query.by:
            events = events.mutate(age_band=age_band(events._day.year() - events._birth_year))
        if "language" in query.by:
            events = events.mutate(language=events._language)
        if "municipality" in query.by:
            events = events.mutate(municipality=events._municipality)
    elif "municipality" in query.by:
        stations = sources.table("stations").select(_sid="station_id", municipality="municipality")
        events = events.left_join(stations, events.station_id == stations._sid)
    if "contact_class" in query.by:
        events = events.mutate(contact_class=contact_class(events.contact_type))
    return events


def group_keys(query: Query) -> list[str]:
    return ["period", *query.dimension_columns()]


def share(events: ir.Table, met: ir.BooleanValue, query: Query) -> ir.Table:
    """Numerator = events where ``met``; denominator = all events; value = their ratio."""
    grouped = events.mutate(_met=met).group_by(group_keys(query)).aggregate(
        numerator=lambda t: t.count(where=t._met),
        denominator=lambda t: t.count(),
    )
    return grouped.mutate(value=grouped.numerator.cast("float64") / grouped.denominator)


def nearest_rank(events: ir.Table, column: str, fraction_num: int, fraction_den: int, query: Query) -> ir.Table:
    """Nearest-rank percentile p = num/den of ``column`` per group: the value at 1-based rank ceil(p·N).

    Ranks are computed in integers so every engine picks the same element (engine-notes.md).
    """
    keys = group_keys(query)
    ordered = ibis.window(group_by=keys, order_by=[events[column]])
    whole = ibis.window(group_by=keys)
    ranked = events.mutate(_rank=ibis.row_number().over(ordered) + 1, _n=events.count().over(whole))
    wanted = (ranked._n * fraction_num + fraction_den - 1) // fraction_den
    picked = ranked.filter(ranked._rank == wanted)
    return picked.select(*keys, value=picked[column].cast("float64"), n=picked._n)



def exact_median(events: ir.Table, column: str, keys: list[str]) -> ir.Table:
    """Exact median of ``column`` per ``keys``: the middle value, or for an even count the mean of
    the two middle values; also ``n``, the number of values.

    The middle ranks are integers ((n + 1) // 2 and n // 2 + 1, 1-based), so every engine picks the
    same elements; approximate quantiles are never used (engine-notes.md). Ties in ``column`` do not
    matter: equal values give the same median whichever row is ranked first.
    """
    ordered = ibis.window(group_by=keys, order_by=[events[column]])
    whole = ibis.window(group_by=keys)
    ranked = events.mutate(_rank=ibis.row_number().over(ordered) + 1, _n=events.count().over(whole))
    middle = ranked.filter((ranked._rank == (ranked._n + 1) // 2) | (ranked._rank == ranked._n // 2 + 1))
    return middle.group_by(keys).aggregate(
        value=middle[column].cast("float64").mean(),
        n=middle._n.max(),
    )


# --- shared stages -------------------------------------------------------------------------------------
#
# Several indicators, and every breakdown of one indicator, start from the same intermediate table:
# the shared populations of ``indicators/populations`` (docs/populations.md), e.g. the care-guarantee
# access events, the per-patient continuity rows, the T3 values per pool and instant. Computing such a stage
# once per materialisation run instead of once per query is where most of the time goes
# (engine-notes.md, "Where the time goes"). ``stage`` is a no-op outside ``stage_cache``: a live
# query builds the whole expression as before. Inside it, the stage is stored once as a temporary
# table on the sources' backend (Ibis ``cache``: a DuckDB temp table, a persisted Spark view) and
# dropped when the block ends, so nothing outlives the run and nothing can go stale across snapshots.

_ACTIVE_STAGES: contextvars.ContextVar[dict[int, _StageCache] | None] = contextvars.ContextVar(
    "valvomo_stage_caches", default=None
)


class _StageCache:
    """Temporary tables of the stages computed so far for one ``Sources`` object, and the period
    kinds the run will ask for."""

    def __init__(self, period_kinds: tuple[PeriodKind, ...]) -> None:
        self.tables: dict[Hashable, ir.Table] = {}
        self.period_kinds = period_kinds

    def get(self, key: Hashable, build: Callable[[], ir.Table]) -> ir.Table:
        if key not in self.tables:
            self.tables[key] = build().cache()
        return self.tables[key]

    def release(self) -> None:
        tables, self.tables = list(self.tables.values()), {}
        for table in tables:
            table.release()


@contextmanager
def stage_cache(sources: Sources, *, period_kinds: Iterable[PeriodKind] = PERIOD_KINDS) -> Iterator[None]:
    """Within the block, ``stage(sources, ...)`` computes each stage of ``sources`` once.

    ``period_kinds``: the period kinds the block will query, so that a stage can serve them all at
    once (``staged_period_kinds``). Scoped to the current thread/context and to this ``sources``
    object; the temporary tables are dropped on exit (also on error). Nesting for the same sources
    reuses the outer cache.
    """
    active = _ACTIVE_STAGES.get() or {}
    if id(sources) in active:
        yield
        return
    cache = _StageCache(tuple(k for k in PERIOD_KINDS if k in set(period_kinds)))
    token = _ACTIVE_STAGES.set({**active, id(sources): cache})
    try:
        yield
    finally:
        _ACTIVE_STAGES.reset(token)
        cache.release()


def _active_cache(sources: Sources) -> _StageCache | None:
    active = _ACTIVE_STAGES.get()
    return active.get(id(sources)) if active else None


def staging(sources: Sources) -> bool:
    """Whether ``stage(sources, ...)`` stores stages now (inside ``stage_cache(sources)``)."""
    return _active_cache(sources) is not None


def staged_period_kinds(sources: Sources, query: Query) -> tuple[PeriodKind, ...]:
    """The period kinds a stage for ``query`` should cover: inside ``stage_cache`` those the run will
    ask for (plus the query's own), outside it only the query's. Lets a builder compute one stage
    that serves several later queries (e.g. continuity windows of months, quarters and years)."""
    cache = _active_cache(sources)
    wanted = {query.period, *(cache.period_kinds if cache is not None else ())}
    return tuple(k for k in PERIOD_KINDS if k in wanted)


def stage(sources: Sources, key: Hashable, build: Callable[[], ir.Table]) -> ir.Table:
    """``build()``, computed once per ``key`` inside ``stage_cache(sources)``; as is outside it.

    ``key`` must name everything the stage depends on besides ``sources`` (period kind, date range,
    parameters), because the cached table is returned for every later call with an equal key.
    """
    cache = _active_cache(sources)
    return build() if cache is None else cache.get(key, build)
