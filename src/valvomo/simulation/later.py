"""Later booking: how much later than the earliest free slot patients are booked, from the warehouse.

Why: in a first-come-first-served line every need of a period waits about as
long as the others, but the records show a mix of quick visits and a long tail.
Much of the tail is not the queue: patients choose a later time than the
earliest one offered (work, travel, wanting their own professional), and
some first visits are booked ahead on purpose. Without that the simulated
mean wait runs short of history.

How it is measured, as Ibis expressions reduced to small aggregates (any
backend): for every care-guarantee access event the *free-slot wait* is the
days from the assessment to the earliest free non-urgent slot of its station
and profession, as the calendar stood at the Monday 08:00 of the assessment's
week (the instants and free-slot rule of the T3 indicator,
``valvomo.indicators.t3``, with rank 1 instead of 3). A visit is *booked
later* when its wait exceeds the free-slot wait by more than
``SLACK_DAYS`` (slots are freed and taken between Monday and the
assessment); its *added delay* is the excess. Per station and profession the
result is the share booked later and the distribution of the added delay
(``LaterBooking``); the model (``model.py``) lets that share of needs join the
line only after their delay.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from valvomo.indicators.common import days_between
from valvomo.indicators.registry import Query
from valvomo.indicators.t3 import HORIZON_DAYS, MEASURED_AT, MONDAY, free_slot_days, measurement_instants
from valvomo.simulation.params import LaterBooking
from valvomo.warehouse.sources import Sources

SLACK_DAYS = 2
MAX_DELAY_DAYS = 120  # longer added delays are counted at this value (the model's delays stay bounded)
MIN_EVENTS = 30  # fewer access events of a (station, profession) than this: no later-booking part


def _instants(sources: Sources, start: dt.date, end: dt.date) -> ir.Table:
    """Every Monday 08:00 in [start, end] that the slot extract can describe (as T3 measures)."""
    query = Query(period="year", start=start, end=end)
    return measurement_instants(sources, sources.table("slots"), query, weekday=MONDAY, at=MEASURED_AT)


def earliest_free_day(sources: Sources, instants: ir.Table) -> ir.Table:
    """(instant_day, station_id, profession, first_free_day) for the pools with a free slot."""
    keys = ["_k", "station_id", "profession"]  # _k: the instant's week number (one instant a week)
    free = free_slot_days(
        sources, instants, sources.table("slots"), keys, HORIZON_DAYS, weekday=MONDAY, at=MEASURED_AT
    )
    free = free.join(instants.select("_k", "instant_day"), "_k")
    return free.group_by(["instant_day", "station_id", "profession"]).aggregate(first_free_day=free._slot_day.min())


def later_booking(sources: Sources, access: ir.Table, start: dt.date, end: dt.date, *,
                  min_events: int = MIN_EVENTS) -> dict[tuple[str, str], LaterBooking]:  # fmt: skip
    """Per (station, profession): share of access events booked later than the earliest free slot
    and the distribution of the added delay in days. ``access`` = the access events to measure;
    events whose week the slot extract cannot describe are not measured; a pool without any free
    slot in the horizon has a free-slot wait of the whole horizon (nobody chose to wait longer)."""
    if not sources.has("slots"):
        return {}
    day = access.assessed_at.date()
    events = access.select(
        "station_id",
        "profession",
        "waiting_days",
        _day=day,
        _monday=day - day.day_of_week.index().as_interval("D"),
    )
    instants = _instants(sources, start - dt.timedelta(days=7), end)
    weeks = instants.select(_week=instants.instant_day)
    events = events.join(weeks, events._monday == weeks._week).drop("_week")
    free = earliest_free_day(sources, instants)
    free = free.rename(_f_station="station_id", _f_profession="profession", _f_day="instant_day")
    joined = events.left_join(
        free,
        [events._monday == free._f_day, events.station_id == free._f_station, events.profession == free._f_profession],
    )
    free_wait = ibis.ifelse(
        joined.first_free_day.isnull(),
        ibis.literal(HORIZON_DAYS, "int64"),
        ibis.greatest(days_between(joined.first_free_day, joined._day), 0).cast("int64"),
    )
    excess = (joined.waiting_days.cast("int64") - free_wait).cast("int64")
    measured = joined.select("station_id", "profession", _excess=excess)
    later = measured._excess > SLACK_DAYS
    totals = measured.group_by(["station_id", "profession"]).aggregate(n=measured.count(), later=measured.count(where=later))
    delays = measured.filter(later)
    delays = delays.mutate(_delay=ibis.least(delays._excess, MAX_DELAY_DAYS))
    delays = delays.group_by(["station_id", "profession", "_delay"]).aggregate(n=delays.count())
    counts = {(r["station_id"], r["profession"]): (r["n"], r["later"]) for r in totals.to_pyarrow().to_pylist()}
    by_unit: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for r in delays.order_by(["station_id", "profession", "_delay"]).to_pyarrow().to_pylist():
        by_unit.setdefault((r["station_id"], r["profession"]), []).append((int(r["_delay"]), int(r["n"])))
    out = {}
    for key, (n, n_later) in sorted(counts.items()):
        if n < min_events or not n_later:
            continue
        pairs = by_unit.get(key, [])
        total = sum(c for _, c in pairs)
        out[key] = LaterBooking(
            share=round(n_later / n, 4),
            delays=tuple(d for d, _ in pairs),
            weights=tuple(round(c / total, 6) for _, c in pairs),
        )
    return out
