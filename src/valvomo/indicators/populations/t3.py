"""T3 populations: measurement instants and the T3 value of each (station, profession) pool at each.

Definition: indicators.md, "t3_days" (the IHI measure "third next available appointment"); how it is
computed, step by step, is in ``indicators/t3.py``. Two populations are defined here once:

- ``t3_measurement_instants``: every Monday 08:00 in the query's range that the slot extract can
  describe (from the start of its first slot to its as-of moment);
- ``t3_pool_values``: per (instant, station, profession), the T3 value (median over the measured
  professionals, or pooled over the whole pool) and the number of measured professionals.

The indicators ``t3_days`` / ``t3_days_pooled`` are the period means of ``t3_pool_values``; the
capacity simulation reads the instants and free slots.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from valvomo.indicators.common import days_between, exact_median, restrict_dates, stage
from valvomo.indicators.populations.base import Population, register
from valvomo.indicators.registry import Query
from valvomo.warehouse.sources import Sources

POOL_KEYS = ("station_id", "profession")

MONDAY = 0  # Ibis day_of_week.index(): Monday = 0 … Sunday = 6
MEASURED_AT = "08:00"
MEASURED_WITHIN_DAYS = 14
HORIZON_DAYS = 182
SLOT_RANK = 3
EPOCH_DAY = dt.date(1970, 1, 5)  # a Monday before any slot: instant numbers are non-negative


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _anchor_day(weekday: int) -> dt.date:
    """The first ``weekday`` on or after ``EPOCH_DAY``: instant number k falls on anchor + 7k days."""
    return EPOCH_DAY + dt.timedelta(days=(weekday - EPOCH_DAY.weekday()) % 7)


def instant_number(day: ir.DateValue, anchor: dt.date) -> ir.IntegerValue:
    """Weeks from ``anchor`` to ``day``, for a ``day`` on the anchor's weekday."""
    return days_between(day, ibis.literal(anchor)) // 7


def first_instant_at_or_after(moment: ir.TimestampValue, anchor: dt.date, at: str) -> ir.IntegerValue:
    """The number k of the first instant (the anchor's weekday at ``at``, week k) with instant >= ``moment``.

    Exact on every engine, in integers and timestamp comparisons only: with d = days from the anchor to
    the moment's date, the instants before that date are those of weeks < ceil(d / 7); when the date is
    itself an instant's date (d divisible by 7), that instant counts as >= ``moment`` only when the
    moment is at or before ``at`` on that date. ``instant_k >= x`` iff ``k >= first(x)`` and
    ``instant_k < x`` iff ``k < first(x)``, so a condition on a timestamp becomes a range of k.
    """
    day = moment.date()
    days = days_between(day, ibis.literal(anchor))
    same_day_instant = day.cast("timestamp") + ibis.interval(minutes=_minutes(at))
    later = ((days % 7 == 0) & (moment > same_day_instant)).cast("int64")
    return (days + 6) // 7 + later


def measurement_instants(sources: Sources, slots: ir.Table, query: Query, *, weekday: int, at: str) -> ir.Table:
    """Instants ``instant`` (timestamp) with ``instant_day`` and ``_k`` (its week number from the
    anchor): every ``weekday`` at ``at`` local time in the query's range that the slot extract can
    describe."""
    calendar = sources.calendar()
    days = calendar.filter(calendar.day.day_of_week.index() == weekday)
    days = restrict_dates(days, days.day, query)
    instants = days.select(
        instant_day=days.day,
        instant=days.day.cast("timestamp") + ibis.interval(minutes=_minutes(at)),
    )
    extent = slots.aggregate(
        _first=slots.starts_at.min(),
        _published=slots.published_at.max(),
        _booked=slots.booked_at.max(),
        _cancelled=slots.cancelled_at.max(),
    )
    extent = extent.select(
        _first=extent._first,
        _as_of=ibis.greatest(
            extent._published,
            extent._booked.fill_null(extent._published),
            extent._cancelled.fill_null(extent._published),
        ),
    )
    instants = instants.cross_join(extent)
    instants = instants.filter(instants.instant >= instants._first, instants.instant <= instants._as_of)
    return instants.select("instant", "instant_day", _k=instant_number(instants.instant_day, _anchor_day(weekday)))


def offsets(sources: Sources, longest: int) -> ir.Table:
    """``_offset`` = 0 .. longest - 1, numbered from the calendar table (a table every backend already
    holds for the whole run; an Ibis memtable would be registered per query on Spark and is gone when a
    cached stage that read it is used later)."""
    calendar = sources.calendar()
    numbered = calendar.select(_offset=ibis.row_number().over(order_by=calendar.day))
    return numbered.filter(numbered._offset < longest)


def _expand(rows: ir.Table, low: ir.IntegerValue, high: ir.IntegerValue, keep: list[str], offsets: ir.Table) -> ir.Table:
    """One row per k in [low, high) for each row (none when the range is empty), with ``keep``.

    ``offsets`` holds 0 .. n - 1 with n at least the longest high - low. The rows are joined to that
    small table (a few dozen rows, broadcast by every engine) rather than unnesting a generated array:
    Ibis compiles an integer range for Spark into several nested SEQUENCE calls per row, which Spark's
    code generator cannot compile for this query.
    """
    ranged = rows.mutate(_low=low, _span=high - low)
    ranged = ranged.filter(ranged._span > 0)
    joined = ranged.join(offsets, offsets._offset < ranged._span)
    return joined.select(*keep, _k=joined._low + joined._offset)


def measured_professionals(
    sources: Sources, instants: ir.Table, slots: ir.Table, within_days: int, *, weekday: int, at: str,
    units: ir.Table | None = None,
) -> ir.Table:
    """(instant, instant_day, _k, pool, professional) for professionals with any slot in (t, t + within_days].
    With ``units`` (``unit_codes``), also each row's unit code ``_unit``.

    Slots are first reduced to one row per professional and day with the day's first and last start:
    the window (t, t + within_days] is longer than a day, so a day has a slot inside it exactly when
    its last start is after t and its first start is at most t + within_days. Those two conditions are a
    range of instant numbers per professional-day, which is expanded and joined to the instants on the
    number (an equi-join) instead of a range join of instants to slots.
    """
    anchor = _anchor_day(weekday)
    days = slots.group_by([*POOL_KEYS, "professional_id", slots.starts_at.date().name("_slot_day")]).aggregate(
        _first_start=slots.starts_at.min(), _last_start=slots.starts_at.max()
    )
    low = first_instant_at_or_after(days._first_start - ibis.interval(days=within_days), anchor, at)
    high = first_instant_at_or_after(days._last_start, anchor, at)  # instant < last start
    # [low, high) spans at most within_days + 1 days of instants, one a week: within_days // 7 + 2 numbers
    people = [*POOL_KEYS, "professional_id"]
    ks = _expand(days, low, high, people, offsets(sources, within_days // 7 + 2))
    ks = ks.distinct()
    measured = ks.view().join(instants, "_k").select("instant", "instant_day", "_k", *people)
    return measured if units is None else _with_unit(measured, units)


def unit_codes(slots: ir.Table, keys: tuple[str, ...]) -> ir.Table:
    """(*keys, ``_unit``): each distinct ``keys`` tuple of ``slots`` and its rank in key order.

    The per-professional T3 counts and ranks the free slots per (instant, professional): partitioning
    and sorting by one integer instead of three string columns took that population from 6.55–6.77 s
    to 5.83–6.00 s at 7.2 M slots (docs/performance.md, stop 19). The code is attached after the first
    reduction of the slots (to 0.5–0.9 M rows), not to the slots themselves (stop 17 measured that:
    the join cost more than it saved). Every key column of ``slots`` is required, so no slot lacks a unit.
    """
    units = slots.select(*keys).distinct()
    return units.mutate(_unit=ibis.row_number().over(order_by=[units[k] for k in keys]))


def _with_unit(rows: ir.Table, units: ir.Table) -> ir.Table:
    """``rows`` with the ``_unit`` of their key columns (attached after the first reduction of the
    slots, so the join reads a fraction of their rows)."""
    keys = [c for c in units.columns if c != "_unit"]
    right = units.rename({f"_u_{k}": k for k in keys})
    joined = rows.join(right, [rows[k] == right[f"_u_{k}"] for k in keys])
    return joined.drop(*[f"_u_{k}" for k in keys])


def free_slot_days(
    sources: Sources, instants: ir.Table, slots: ir.Table, keys: list[str], horizon_days: int, *, weekday: int,
    at: str, units: ir.Table | None = None,
) -> ir.Table:
    """Free slots per instant number ``_k``, ``keys`` and slot date: ``_free`` = how many. With
    ``units`` (``unit_codes`` of the keys other than ``_k``), per ``_k``, ``_unit`` and slot date.

    At instant t a slot is free when it is non-urgent, published by t, starts in (t, t + horizon],
    and is neither booked nor withdrawn by t. Each condition bounds t from one side, so a slot is free
    at the instants of one contiguous range of week numbers [low, high): slots with the same pool,
    professional, date and range are counted together, the ranges are expanded to one row per week
    number and joined to the measurement instants on it. Only the *date* of the n-th free slot matters
    (days are counted between dates), so counting per date keeps the ranking step small.
    """
    anchor = _anchor_day(weekday)
    non_urgent = slots.filter(slots.slot_type == "non_urgent")

    def first(moment):
        return first_instant_at_or_after(moment, anchor, at)

    low = ibis.greatest(
        first(non_urgent.published_at), first(non_urgent.starts_at - ibis.interval(days=horizon_days))
    )
    starts = first(non_urgent.starts_at)  # instants before the start; a null booking or withdrawal: no bound
    high = ibis.least(
        starts, first(non_urgent.booked_at).fill_null(starts), first(non_urgent.cancelled_at).fill_null(starts)
    )
    pool_keys = [k for k in keys if k != "_k"]
    ranges = non_urgent.select(*pool_keys, _slot_day=non_urgent.starts_at.date(), _low=low, _high=high)
    ranges = ranges.filter(ranges._high > ranges._low)
    counted = ranges.group_by([*pool_keys, "_slot_day", "_low", "_high"]).aggregate(_n=lambda t: t.count())
    if units is not None:
        counted = _with_unit(counted, units).drop(*pool_keys)
        pool_keys = ["_unit"]
    expanded = _expand(
        counted, counted._low, counted._high, [*pool_keys, "_slot_day", "_n"], offsets(sources, horizon_days // 7 + 2)
    )
    present = expanded.view().join(instants.select("_k"), "_k")
    return present.group_by(["_k", *pool_keys, "_slot_day"]).aggregate(_free=lambda t: t._n.sum())


def _nth_free_day(free_days: ir.Table, keys: list[str], rank: int) -> ir.Table:
    """Date of the ``rank``-th earliest free slot per ``keys``: the first date at which the running
    count of free slots reaches ``rank``."""
    running = ibis.window(group_by=keys, order_by=[free_days._slot_day], preceding=None, following=0)
    counted = free_days.mutate(_running=free_days._free.sum().over(running))
    reached = counted.filter(counted._running >= rank)
    return reached.group_by(keys).aggregate(_nth_day=reached._slot_day.min())


def _with_nth_day(measured: ir.Table, nth: ir.Table, keys: list[str], horizon_days: int) -> ir.Table:
    """``t3`` days for each measured row; ``horizon_days`` when it has no ``rank``-th free slot."""
    right = nth.rename({f"_r_{k}": k for k in keys})
    joined = measured.left_join(right, [measured[k] == right[f"_r_{k}"] for k in keys])
    joined = joined.drop(*[f"_r_{k}" for k in keys])
    t3 = ibis.ifelse(
        joined._nth_day.isnull(), ibis.literal(horizon_days, "int64"),
        days_between(joined._nth_day, joined.instant_day).cast("int64"),
    )
    return joined.mutate(t3=t3).drop("_nth_day")


def instant_values(
    sources: Sources, query: Query, *, weekday: int, at: str, within_days: int, horizon_days: int, rank: int,
    pooled: bool,
) -> ir.Table:
    """(instant_day, station_id, profession, value, professionals): T3 of each pool at each instant in
    the query's date range. Neither the period kind nor the breakdown enters, so within a
    materialisation run this is a shared stage (``common.stage``) for every T3 combination."""
    slots = sources.table("slots")
    instants = measurement_instants(sources, slots, query, weekday=weekday, at=at)
    pool = ["_k", *POOL_KEYS]
    if pooled:
        # a few hundred pools: ranked by their string keys (an integer code measured slower here)
        pools = measured_professionals(sources, instants, slots, within_days, weekday=weekday, at=at)
        pools = pools.group_by(["_k", "instant_day", *POOL_KEYS]).aggregate(professionals=lambda t: t.count())
        free = free_slot_days(sources, instants, slots, pool, horizon_days, weekday=weekday, at=at)
        pools = _with_nth_day(pools, _nth_free_day(free, pool, rank), pool, horizon_days)
        pools = pools.mutate(value=pools.t3.cast("float64")).drop("t3")
    else:
        # thousands of professionals: their free slots are ranked per integer code (``unit_codes``)
        units = unit_codes(slots, (*POOL_KEYS, "professional_id"))
        measured = measured_professionals(
            sources, instants, slots, within_days, weekday=weekday, at=at, units=units
        )
        person = ["_k", *POOL_KEYS, "professional_id"]
        free = free_slot_days(sources, instants, slots, person, horizon_days, weekday=weekday, at=at, units=units)
        unit = ["_k", "_unit"]
        per_professional = _with_nth_day(measured, _nth_free_day(free, unit, rank), unit, horizon_days)
        pools = exact_median(per_professional, "t3", ["_k", "instant_day", *POOL_KEYS])
        pools = pools.rename(professionals="n")
    return pools.select("instant_day", *POOL_KEYS, "value", "professionals")



def pool_values_key(parameters: dict, query: Query) -> tuple:
    """The ``common.stage`` key of ``t3_pool_values``: the population id, its parameters and the date
    range (neither the period kind nor the breakdown enters)."""
    return ("t3_pool_values", tuple(sorted(parameters.items())), query.start, query.end)


def shared_pool_values(sources: Sources, query: Query, **parameters) -> ir.Table:
    """``instant_values``, computed once per materialisation run and parameter set (``common.stage``)."""
    return stage(sources, pool_values_key(parameters, query), lambda: instant_values(sources, query, **parameters))


def _default_instants(sources: Sources, query: Query | None = None) -> ir.Table:
    """The ``t3_measurement_instants`` population with the registry's parameters (Monday 08:00)."""
    return measurement_instants(sources, sources.table("slots"), query or Query(), weekday=MONDAY, at=MEASURED_AT)


def _default_pool_values(sources: Sources, query: Query | None = None, *, pooled: bool = False) -> ir.Table:
    """The ``t3_pool_values`` population with the registry's parameters (per-professional median)."""
    return instant_values(
        sources, query or Query(), weekday=MONDAY, at=MEASURED_AT, within_days=MEASURED_WITHIN_DAYS,
        horizon_days=HORIZON_DAYS, rank=SLOT_RANK, pooled=pooled,
    )


T3_INSTANTS_DEFINITION = (
    "Measurement instants t: every Monday at 08:00 Helsinki time within the period (and within the slot "
    "extract: from the start of its first slot to its latest published_at/booked_at/cancelled_at)."
)
T3_FREE_SLOT_RULE = (
    "At t a slot is free when slot_type = non_urgent, published_at <= t, starts_at > t, booked_at is null or "
    "> t and cancelled_at is null or > t. A professional (per station and profession) is measured at t when "
    "they have any slot (any type, any state) with t < starts_at <= t + 14 days. Days are counted between "
    "the Helsinki dates of t and of the slot; 'within 182 days' means starts_at <= t + 182 days. An instant "
    "at which no professional of the (station, profession) is measured gives no value."
)

T3_MEASUREMENT_INSTANTS = register(
    Population(
        id="t3_measurement_instants",
        title="T3 measurement instants",
        definition=T3_INSTANTS_DEFINITION,
        spec="indicators.md, t3_days",
        grain="one instant (a Monday 08:00)",
        columns={
            "instant": "the instant t (naive Helsinki wall-clock timestamp)",
            "instant_day": "the date of t",
            "_k": "the instant's week number from the anchor Monday (the equi-join key of slots to instants)",
        },
        build=_default_instants,
        used_by=("t3_days", "t3_days_pooled"),
    )
)

T3_POOL_VALUES = register(
    Population(
        id="t3_pool_values",
        title="T3 per pool and instant",
        definition=f"From slots. {T3_INSTANTS_DEFINITION} {T3_FREE_SLOT_RULE} Per measured professional: days "
        "between t and their third-earliest free slot (182 when fewer than three free slots start within 182 "
        "days); the pool's value at t is the median over its measured professionals (mean of the two middle "
        "values for an even count). Pooled variant: days between t and the third-earliest free slot of the "
        "whole pool (free slots of all its professionals, measured or not).",
        spec="indicators.md, t3_days",
        grain="one (instant, station_id, profession) with at least one measured professional",
        columns={
            "instant_day": "the date of the instant t",
            "station_id": "the station of the pool",
            "profession": "the profession of the pool",
            "value": "T3 of the pool at t, days",
            "professionals": "measured professionals of the pool at t",
        },
        build=_default_pool_values,
        used_by=("t3_days", "t3_days_pooled"),
    )
)
