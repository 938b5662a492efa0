"""T3, the third next available appointment: how far ahead the calendar is full.

Definition: indicators.md, "t3_days" (the IHI measure "third next available
appointment"). Waiting times from contacts show how long patients *did* wait;
T3 shows, from the appointment calendar (``slots``), how long a new patient
*would* wait if they called on a Monday morning. The third slot rather than the
first ignores the odd free slot left by a late cancellation.

The instants and the per-pool values are the shared populations ``t3_measurement_instants`` and
``t3_pool_values`` (``indicators/populations/t3.py``, docs/populations.md); this module is their
period mean. How they are computed, as one Ibis expression on any backend:

1. Measurement instants: every Monday 08:00 (parameters ``weekday``, ``time``)
   from the calendar table, inside the query's date range and inside what the
   slot extract can describe: from the start of its first slot (before it the
   calendar is unknown) to its *as-of* moment, the latest ``published_at`` /
   ``booked_at`` / ``cancelled_at`` it holds (after it bookings are unknown, so
   free slots would be overcounted and T3 would look too good).
2. Measured professionals: those with a slot of any type and state with
   ``t < starts_at <= t + 14 days`` (a professional on leave for the next two
   weeks is not measured).
3. Free slots: non-urgent slots with ``published_at <= t < starts_at <= t + 182
   days``, neither booked nor withdrawn by ``t``. Only the date of the third
   free slot matters, so free slots are counted per date and a running count
   finds the first date at which it reaches three (a window over dates, not
   over slots).

   Steps 2 and 3 use no range join of instants to slots: every condition bounds
   t from one side, so a slot (or a professional-day) qualifies at the instants
   of one contiguous range of week numbers, computed exactly per slot
   (``first_instant_at_or_after``); the ranges are expanded to one row per week
   number and equi-joined to the instants (docs/performance.md, issue 9).
4. Per (station, profession) and instant: the exact median of the measured
   professionals' values (mean of the two middle values for an even count),
   from integer row numbers so DuckDB and PySpark pick the same elements.
5. Per period: the mean of the instant values. The per-instant values depend
   on neither the period kind nor the breakdown: within a materialisation run
   they are a shared stage (``common.stage``).

A professional is identified within a pool, i.e. by (station_id, profession,
professional_id): a physician working at two stations is measured at each with
that station's calendar.
"""

from __future__ import annotations

import ibis.expr.types as ir

from valvomo.indicators.common import group_keys, period_label
from valvomo.indicators.populations.t3 import (  # noqa: F401  (read by the capacity simulation)
    HORIZON_DAYS,
    MEASURED_AT,
    MEASURED_WITHIN_DAYS,
    MONDAY,
    SLOT_RANK,
    T3_FREE_SLOT_RULE,
    T3_INSTANTS_DEFINITION,
    free_slot_days,
    measurement_instants,
    shared_pool_values,
)
from valvomo.indicators.registry import Indicator, Query, UnsupportedQueryError, register
from valvomo.warehouse.sources import Sources

T3_GRAIN = frozenset({"station", "profession", "municipality"})


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
    pools = pools.mutate(period=period_label(pools.instant_day, query.period))
    pools = _add_station_dimensions(pools, sources, query)
    return pools.group_by(group_keys(query)).aggregate(
        value=pools.value.mean(),
        n=pools.count(),
        denominator=pools.professionals.sum(),
    )


def _build_t3(*, weekday: int, at: str, within_days: int, horizon_days: int, rank: int, pooled: bool):
    parameters = dict(
        weekday=weekday, at=at, within_days=within_days, horizon_days=horizon_days, rank=rank, pooled=pooled
    )

    def build(sources: Sources, query: Query) -> ir.Table:
        return _period_mean(shared_pool_values(sources, query, **parameters), sources, query)

    return build


T3_PARAMETERS = {
    "weekday": "Monday",
    "time": MEASURED_AT,
    "measured_within_days": MEASURED_WITHIN_DAYS,
    "horizon_days": HORIZON_DAYS,
    "slot_rank": SLOT_RANK,
}

T3_COMMON = f"From slots. {T3_INSTANTS_DEFINITION} {T3_FREE_SLOT_RULE} "
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
