"""T3, the third next available appointment: how far ahead the calendar is full.

Definition: indicators.md, "t3_days" (the IHI measure "third next available
appointment"). Waiting times from contacts show how long patients *did* wait;
T3 shows, from the appointment calendar (``slots``), how long a new patient
*would* wait if they called on a Monday morning. The third slot rather than the
first ignores the odd free slot left by a late cancellation.

How it is computed, as one Ibis expression on any backend:

1. Measurement instants: every Monday 08:00 (parameters ``weekday``, ``time``)
   from the calendar table, inside the query's date range and inside what the
   slot extract can describe: from the start of its first slot (before it the
   calendar is unknown) to its *as-of* moment, the latest ``published_at`` /
   ``booked_at`` / ``cancelled_at`` it holds (after it bookings are unknown, so
   free slots would be overcounted and T3 would look too good).
2. Measured professionals: a range join of instants to slots of any type and
   state with ``t < starts_at <= t + 14 days`` (a professional on leave for the
   next two weeks is not measured).
3. Free slots: a range join of instants to non-urgent slots with
   ``published_at <= t < starts_at <= t + 182 days``, then the booking and
   withdrawal state at ``t``. Only the date of the third free slot matters, so
   free slots are counted per date and a running count finds the first date at
   which it reaches three (a window over dates, not over slots).
4. Per (station, profession) and instant: the exact median of the measured
   professionals' values (mean of the two middle values for an even count),
   from integer row numbers so DuckDB and PySpark pick the same elements.
5. Per period: the mean of the instant values.

A professional is identified within a pool, i.e. by (station_id, profession,
professional_id): a physician working at two stations is measured at each with
that station's calendar.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from valvomo.indicators.common import days_between, exact_median, group_keys, period_label, restrict_dates
from valvomo.indicators.registry import Indicator, Query, UnsupportedQueryError, register
from valvomo.warehouse.sources import Sources

T3_GRAIN = frozenset({"station", "profession", "municipality"})
POOL_KEYS = ("station_id", "profession")

MONDAY = 0  # Ibis day_of_week.index(): Monday = 0 … Sunday = 6
MEASURED_AT = "08:00"
MEASURED_WITHIN_DAYS = 14
HORIZON_DAYS = 182
SLOT_RANK = 3


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def measurement_instants(sources: Sources, slots: ir.Table, query: Query, *, weekday: int, at: str) -> ir.Table:
    """Instants ``instant`` (timestamp) with ``instant_day`` and ``period``: every ``weekday`` at
    ``at`` local time in the query's range that the slot extract can describe."""
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
    return instants.select(
        "instant",
        "instant_day",
        period=period_label(instants.instant_day, query.period),
    )


def measured_professionals(instants: ir.Table, slots: ir.Table, within_days: int) -> ir.Table:
    """(instant, pool, professional) for professionals with any slot in (t, t + within_days].

    Slots are first reduced to one row per professional and day with the day's first and last start:
    the window (t, t + within_days] is longer than a day, so a day has a slot inside it exactly when
    its last start is after t and its first start is at most t + within_days. This keeps the range
    join small (professional-days rather than slots).
    """
    days = slots.group_by([*POOL_KEYS, "professional_id", slots.starts_at.date().name("_slot_day")]).aggregate(
        _first_start=slots.starts_at.min(), _last_start=slots.starts_at.max()
    )
    window_end = instants.instant + ibis.interval(days=within_days)
    joined = instants.join(
        days,
        [
            days._slot_day >= instants.instant_day,
            days._slot_day <= instants.instant_day + ibis.interval(days=within_days),
            days._last_start > instants.instant,
            days._first_start <= window_end,
        ],
    )
    return joined.select("instant", "instant_day", "period", *POOL_KEYS, "professional_id").distinct()


def free_slot_days(instants: ir.Table, slots: ir.Table, keys: list[str], horizon_days: int) -> ir.Table:
    """Free slots per instant, ``keys`` and slot date: ``_free`` = how many.

    At instant t a slot is free when it is non-urgent, published by t, starts in (t, t + horizon],
    and is neither booked nor withdrawn by t. Only the *date* of the n-th free slot matters (days are
    counted between dates), so counting per date keeps the ranking step small.
    """
    non_urgent = slots.filter(slots.slot_type == "non_urgent").select(
        *POOL_KEYS,
        "professional_id",
        _starts="starts_at",
        _published="published_at",
        _booked="booked_at",
        _cancelled="cancelled_at",
    )
    horizon_end = instants.instant + ibis.interval(days=horizon_days)
    joined = instants.join(
        non_urgent,
        [
            non_urgent._published <= instants.instant,
            non_urgent._starts > instants.instant,
            non_urgent._starts <= horizon_end,
        ],
    )
    free = joined.filter(
        joined._booked.isnull() | (joined._booked > joined.instant),
        joined._cancelled.isnull() | (joined._cancelled > joined.instant),
    )
    return free.group_by([*keys, free._starts.date().name("_slot_day")]).aggregate(_free=lambda t: t.count())


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


def _add_station_dimensions(pools: ir.Table, sources: Sources, query: Query) -> ir.Table:
    """``municipality`` is the station's (slots describe no patients)."""
    if "municipality" not in query.by:
        return pools
    if not sources.has("stations"):
        raise UnsupportedQueryError("T3 by municipality needs the stations table (the station's municipality)")
    stations = sources.table("stations").select(_sid="station_id", municipality="municipality")
    joined = pools.left_join(stations, pools.station_id == stations._sid)
    return joined.drop("_sid")


def _period_mean(pools: ir.Table, sources: Sources, query: Query) -> ir.Table:
    """Mean of the (instant, pool) values per period and requested dimensions.

    ``n`` = number of (instant, pool) values averaged (the number of instants when the query is by
    station and profession); ``denominator`` = professional-instants measured.
    """
    pools = _add_station_dimensions(pools, sources, query)
    return pools.group_by(group_keys(query)).aggregate(
        value=pools.value.mean(),
        n=pools.count(),
        denominator=pools.professionals.sum(),
    )


def _build_t3(*, weekday: int, at: str, within_days: int, horizon_days: int, rank: int, pooled: bool):
    def build(sources: Sources, query: Query) -> ir.Table:
        slots = sources.table("slots")
        instants = measurement_instants(sources, slots, query, weekday=weekday, at=at)
        measured = measured_professionals(instants, slots, within_days)
        pool = ["instant", *POOL_KEYS]
        if pooled:
            pools = measured.group_by(["instant", "instant_day", "period", *POOL_KEYS]).aggregate(
                professionals=lambda t: t.count()
            )
            nth = _nth_free_day(free_slot_days(instants, slots, pool, horizon_days), pool, rank)
            pools = _with_nth_day(pools, nth, pool, horizon_days)
            pools = pools.mutate(value=pools.t3.cast("float64")).drop("t3")
        else:
            person = [*pool, "professional_id"]
            nth = _nth_free_day(free_slot_days(instants, slots, person, horizon_days), person, rank)
            per_professional = _with_nth_day(measured, nth, person, horizon_days)
            pools = exact_median(per_professional, "t3", ["instant", "period", *POOL_KEYS])
            pools = pools.rename(professionals="n")
        return _period_mean(pools, sources, query)

    return build


T3_PARAMETERS = {
    "weekday": "Monday",
    "time": MEASURED_AT,
    "measured_within_days": MEASURED_WITHIN_DAYS,
    "horizon_days": HORIZON_DAYS,
    "slot_rank": SLOT_RANK,
}

T3_COMMON = (
    "From slots. Measurement instants t: every Monday at 08:00 Helsinki time within the period (and within "
    "the slot extract: from the start of its first slot to its latest published_at/booked_at/cancelled_at). At t "
    "a slot is free when slot_type = non_urgent, published_at <= t, starts_at > t, booked_at is null or > t "
    "and cancelled_at is null or > t. A professional (per station and profession) is measured at t when they "
    "have any slot (any type, any state) with t < starts_at <= t + 14 days. Days are counted between the "
    "Helsinki dates of t and of the slot; 'within 182 days' means starts_at <= t + 182 days. An instant at "
    "which no professional of the (station, profession) is measured gives no value. "
)
T3_AGGREGATION = (
    "T3 for a period = mean of the instant values of each (station, profession) in the period; when the "
    "query is not by station and profession, the mean runs over all (instant, station, profession) values "
    "of the requested group (unweighted). n = number of values averaged; denominator = professional-"
    "instants measured. By municipality: the station's municipality. Direction: lower is better. "
    "(indicators.md, t3_days)"
)

register(
    Indicator(
        id="t3_days",
        names={
            "fi": "Kolmas vapaa aika (T3), vrk",
            "sv": "Tredje lediga tid (T3), dygn",
            "en": "Third next available appointment (T3), days",
        },
        definition=T3_COMMON
        + "For each measured professional: days between t and their third-earliest free slot; 182 when they "
        "have fewer than three free slots starting within 182 days after t. T3 of a (station, profession) at "
        "t = median over its measured professionals (for an even count, the mean of the two middle values). "
        + T3_AGGREGATION,
        unit="days",
        direction="lower",
        family="access",
        grain=T3_GRAIN,
        requires=("slots",),
        optional=("stations",),
        build=_build_t3(
            weekday=MONDAY, at=MEASURED_AT, within_days=MEASURED_WITHIN_DAYS, horizon_days=HORIZON_DAYS,
            rank=SLOT_RANK, pooled=False,
        ),
        disclosure="capacity",
        parameters=T3_PARAMETERS,
    )
)

register(
    Indicator(
        id="t3_days_pooled",
        names={
            "fi": "Kolmas vapaa aika (T3), koko ammattiryhmä, vrk",
            "sv": "Tredje lediga tid (T3), hela yrkesgruppen, dygn",
            "en": "Third next available appointment (T3), whole pool, days",
        },
        definition=T3_COMMON
        + "Pooled: at t, days between t and the third-earliest free slot of the whole (station, profession) "
        "pool (free slots of all its professionals, measured or not); 182 when the pool has "
        "fewer than three free slots starting within 182 days after t. "
        + T3_AGGREGATION,
        unit="days",
        direction="lower",
        family="access",
        grain=T3_GRAIN,
        requires=("slots",),
        optional=("stations",),
        build=_build_t3(
            weekday=MONDAY, at=MEASURED_AT, within_days=MEASURED_WITHIN_DAYS, horizon_days=HORIZON_DAYS,
            rank=SLOT_RANK, pooled=True,
        ),
        disclosure="capacity",
        parameters=T3_PARAMETERS,
    )
)
