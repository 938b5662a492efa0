"""The county model: one replication of a year of care-need assessments and appointments.

Time runs in days inside a SimPy environment. Each (station, profession) is a
SimPy process that, every simulated day:

1. receives the day's assessed needs: urgent and non-urgent, per demand stream
   (channel x need type), drawn from the station's own random streams;
2. turns the profession's staffing into the day's appointment slots (zero on
   closed days: weekends unless opened, Finnish public holidays);
3. serves urgent needs first from the same-day slots (what is left over waits
   for the next open day, still first in line);
4. books non-urgent needs by policy: ``earliest_slot`` (first come first served
   in the station's own calendar), ``named_professional`` (a regular customer
   waits for their named professional, falling back to anyone after
   ``named_fallback_days``), ``pooled`` (one waiting line per profession across
   all stations, served by whatever same-day capacity each station has left;
   booked half a day later by a separate process so that the order in which
   stations are processed cannot matter). Under every policy the measured share
   of needs booked later than the earliest free slot (``LaterBooking``) joins
   the line only after its added delay, its wait counted from the assessment.

Booking in order of assessment into the earliest free slot is the same as
waiting in a first-come-first-served line served as slots appear, which is how
``CohortQueue`` computes it: a day's needs are one cohort, so a year for a
county costs a few hundred thousand cheap steps rather than one process per
patient (docs/performance.md). Waits are counted for visits that take place in
the horizon, as the access indicators count visits by their date; the warm-up
fills the calendar before the horizon starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from valvomo.simulation.calendar import T3_HORIZON_DAYS, SimCalendar, build_calendar
from valvomo.simulation.params import ModelParams, StationParams
from valvomo.simulation.queue import CohortQueue, WaitLog
from valvomo.simulation.rng import poisson_by_inversion, stochastic_round, stream

MAX_WAIT_DAYS = 400  # histogram length; longer waits are counted in the last bin
T3_RANK = 3


@dataclass
class StationOutcome:
    """What one replication measured at one station (plain arrays: cheap to pickle)."""

    station_id: str
    wait_hist: np.ndarray  # non-urgent visits in the horizon by waiting days
    wait_hist_by_profession: dict[str, np.ndarray]
    urgent_hist: np.ndarray
    needs: int  # non-urgent needs assessed in the horizon (needing a visit)
    urgent_needs: int
    resolved_remote: int  # needs resolved at the first contact, no visit
    served: dict[str, int]  # visits per profession (urgent + non-urgent)
    slots: dict[str, float]  # slots offered per profession
    backlog: np.ndarray  # non-urgent needs waiting at the start of each day, all professions
    t3: dict[str, np.ndarray]  # per profession: T3 in days at each Monday 08:00
    regular_visits: dict[str, int]
    named_visits: dict[str, int]
    professionals: dict[str, int]

    @property
    def events(self) -> int:
        return int(self.wait_hist.sum() + self.urgent_hist.sum() + self.resolved_remote)


@dataclass
class ReplicationOutcome:
    seed: int
    replication: int
    stations: dict[str, StationOutcome]

    @property
    def events(self) -> int:
        return sum(s.events for s in self.stations.values())


class _Unit:
    """One profession at one station: its queues, its daily slots and what it measured."""

    def __init__(self, station: StationParams, profession: str, origin: int, params: ModelParams,
                 calendar: SimCalendar, seed: int, replication: int):  # fmt: skip
        self.station, self.profession, self.origin = station, profession, origin
        capacity = station.capacity[profession]
        self.slots = capacity.slots_per_day() * calendar.capacity_factor
        self.bookable = self.slots * (1.0 - station.no_show)
        self.urgent = CohortQueue()
        self.queue = CohortQueue()
        self.professionals = max(capacity.professionals, 1)
        self.named = [CohortQueue() for _ in range(self.professionals)] if params.policy == "named_professional" else []
        self.regular_share = station.regular_share.get(profession, 0.0) if self.named else 0.0
        total = len(calendar.demand_factor)
        factor = calendar.demand_for(station.profile)
        self.arrivals = {"urgent": np.zeros(total, np.int64), "non_urgent": np.zeros(total, np.int64)}
        self.expected_urgent = np.zeros(total)
        for demand in station.demand:
            if demand.profession != profession:
                continue
            rate = demand.daily_rate * params.demand_scale * factor
            u = stream(seed, replication, station.station_id, f"demand:{demand.key}").random(total)
            self.arrivals[demand.urgency] += poisson_by_inversion(u, rate)
            if demand.urgency == "urgent":
                self.expected_urgent += rate
        self.regular_rng = stream(seed, replication, station.station_id, f"regular:{profession}")
        self.later = station.later.get(profession)
        # Deferred needs: (day joining the line, day assessed, count), sorted; ``next_deferred`` = the next one.
        self.deferred: tuple[list[int], list[int], list[int]] = ([], [], [])
        self.next_deferred = 0
        self.joining = self.arrivals["non_urgent"].copy()  # non-urgent needs joining the line on their day
        if self.later is not None:
            self._defer(stream(seed, replication, station.station_id, f"later:{profession}"), calendar.warmup)
        self.backlog = np.zeros(total, np.int64)
        self.served = 0
        self.offered = 0.0
        self.named_visits = 0
        self.regular_visits = 0
        self.carry = 0.0

    def waiting(self) -> int:
        return len(self.queue) + sum(len(q) for q in self.named)

    def _defer(self, rng: np.random.Generator, warmup: int) -> None:
        """Needs booked later than the earliest free slot: drawn for the whole run at once (one
        binomial and one multinomial per day, from their own stream), they leave the day's arrivals
        and join the line after their added delay; their wait still counts from the assessment."""
        later = self.later
        chosen = rng.binomial(self.arrivals["non_urgent"], later.share)
        split = rng.multinomial(chosen, np.asarray(later.weights) / sum(later.weights))
        self.joining -= chosen
        days, which = np.nonzero(split)
        assessed = days - warmup
        joins = assessed + np.asarray(later.delays, dtype=np.int64)[which]
        order = np.lexsort((assessed, joins))  # by the day they join the line, then by assessment
        self.deferred = (joins[order].tolist(), assessed[order].tolist(), split[days, which][order].tolist())


class CountyModel:
    """Build with parameters, seed and replication number; ``run()`` gives the outcome."""

    def __init__(self, params: ModelParams, seed: int, replication: int):
        self.params, self.seed, self.replication = params, seed, replication
        self.calendar = build_calendar(params)
        self.env = simpy.Environment(initial_time=-params.warmup_days)
        # Stations in id order: ``origin`` numbers and the pooled line's tie order never depend
        # on the order the caller listed them in.
        self.stations = sorted(params.stations, key=lambda s: s.station_id)
        self.units: list[_Unit] = []
        for origin, station in enumerate(self.stations):
            for profession in station.professions():
                self.units.append(_Unit(station, profession, origin, params, self.calendar, seed, replication))
        self.logs = {(u.origin, u.profession): WaitLog() for u in self.units}
        self.urgent_logs = {origin: WaitLog() for origin in range(len(self.stations))}
        self.pooled = params.policy == "pooled"
        self.pool_queues: dict[str, CohortQueue] = {}
        self.pool_slots: dict[str, list[tuple[int, _Unit]]] = {}
        self.pool_logs: dict[str, WaitLog] = {}
        self.resolved = {}
        for origin, station in enumerate(self.stations):
            self.resolved[origin] = self._resolved_remote(station)

    def _resolved_remote(self, station: StationParams) -> int:
        r = station.remote_resolution
        if r <= 0:
            return 0
        rate = sum(d.daily_rate for d in station.demand if d.urgency == "non_urgent") * r / max(1.0 - r, 1e-9)
        cal = self.calendar
        horizon = cal.demand_for(station.profile)[cal.warmup : cal.warmup + cal.days] * rate * self.params.demand_scale
        u = stream(self.seed, self.replication, station.station_id, "resolved").random(len(horizon))
        return int(poisson_by_inversion(u, horizon).sum())

    # -- the processes -----------------------------------------------------------------

    def _day(self, unit: _Unit):
        cal, env = self.calendar, self.env
        fallback = self.params.named_fallback_days
        while True:
            t = int(round(env.now))
            if t >= cal.days:
                return
            i = cal.index(t)
            in_horizon = t >= 0
            unit.urgent.push(t, int(unit.arrivals["urgent"][i]), unit.origin)
            arriving = int(unit.joining[i])
            line = self.pool_queues.setdefault(unit.profession, CohortQueue()) if self.pooled else unit.queue
            joins, assessed_days, counts = unit.deferred
            while unit.next_deferred < len(joins) and joins[unit.next_deferred] <= t:
                k = unit.next_deferred
                unit.next_deferred += 1
                assessed, count = assessed_days[k], counts[k]
                if self.pooled:
                    self._pool_arrivals.setdefault(unit.profession, []).append((unit.station.station_id, assessed, count, unit.origin))
                else:
                    line.push(assessed, count, unit.origin)
            if unit.named and arriving:
                regulars = int(unit.regular_rng.binomial(arriving, unit.regular_share))
                split = unit.regular_rng.multinomial(regulars, [1 / unit.professionals] * unit.professionals)
                for queue, count in zip(unit.named, split, strict=True):
                    queue.push(t, int(count), unit.origin, 1)
                arriving -= regulars
            if not self.pooled:
                line.push(t, arriving, unit.origin)
            unit.backlog[i] = unit.waiting()
            slots, unit.carry = stochastic_round(unit.bookable[i], unit.carry)
            if in_horizon:
                unit.offered += unit.slots[i]
            log_u = self.urgent_logs[unit.origin] if in_horizon else None
            log_n = self.logs[unit.origin, unit.profession] if in_horizon else None
            used = unit.urgent.serve(slots, t, log_u)
            slots -= used
            if unit.named:
                for queue in unit.named:
                    unit.queue.push_front(queue.take_older_than(t - fallback))
                shares = np.full(unit.professionals, slots // unit.professionals)
                shares[: slots % unit.professionals] += 1
                for queue, share in zip(unit.named, np.roll(shares, t), strict=True):
                    named = queue.serve(int(share), t, log_n)
                    slots -= named
                    if in_horizon:
                        unit.named_visits += named
                        unit.regular_visits += named
                        used += named
                regulars_before = unit.queue.count_tagged(1)
            if self.pooled:
                if arriving:
                    self._pool_arrivals.setdefault(unit.profession, []).append((unit.station.station_id, t, arriving, unit.origin))
                self.pool_slots.setdefault(unit.profession, []).append((slots, unit))
            else:
                served = line.serve(slots, t, log_n)
                used += served
                if unit.named and in_horizon:
                    regulars_after = unit.queue.count_tagged(1)
                    unit.regular_visits += regulars_before - regulars_after
            if in_horizon:
                unit.served += used
            yield env.timeout(1)

    def _pool(self):
        """Half a day after the stations: book the pooled lines from the capacity left over."""
        env, cal = self.env, self.calendar
        yield env.timeout(0.5)
        while True:
            t = int(round(env.now - 0.5))
            if t >= cal.days:
                return
            in_horizon = t >= 0
            for profession in sorted(self.pool_slots):
                queue = self.pool_queues.setdefault(profession, CohortQueue())
                for _, assessed, count, origin in sorted(self._pool_arrivals.get(profession, [])):
                    queue.push(assessed, count, origin)
                log = self.pool_logs.setdefault(profession, WaitLog())
                offers = sorted(self.pool_slots[profession], key=lambda item: item[1].station.station_id)
                # Each station's backlog is its own needs in the shared line (for the backlog series and T3).
                waiting = queue.waiting_by_origin()
                i = cal.index(t)
                for _, unit in offers:
                    unit.backlog[i] = waiting.get(unit.origin, 0)
                for slots, unit in offers:
                    if slots <= 0:
                        continue
                    served = queue.serve(slots, t, log if in_horizon else None)
                    if in_horizon:
                        unit.served += served
            self._pool_arrivals = {}
            self.pool_slots = {}
            yield env.timeout(1)

    def run(self) -> ReplicationOutcome:
        self._pool_arrivals: dict[str, list] = {}
        for unit in self.units:
            self.env.process(self._day(unit))
        if self.pooled:
            self.env.process(self._pool())
        self.env.run()
        return self._outcome()

    # -- measuring ---------------------------------------------------------------------

    def _t3(self, unit: _Unit) -> np.ndarray:
        """Days from each Monday 08:00 to the third free slot: the slots left after the needs already
        waiting and the day's expected urgent needs are booked (indicators.md, t3_days)."""
        cal = self.calendar
        free = np.maximum(unit.bookable - unit.expected_urgent, 0.0)
        values = []
        for t in cal.mondays():
            i = cal.index(int(t))
            ahead = np.cumsum(free[i : i + T3_HORIZON_DAYS + 1])
            day = int(np.searchsorted(ahead, unit.backlog[i] + T3_RANK - 1e-9))
            values.append(min(day, T3_HORIZON_DAYS))
        return np.asarray(values, dtype=np.float64)

    def _outcome(self) -> ReplicationOutcome:
        cal = self.calendar
        for profession, log in self.pool_logs.items():
            for wait, weight, origin in zip(*log.arrays(), strict=True):
                self.logs.setdefault((int(origin), profession), WaitLog()).add(wait, weight, int(origin))
        outcomes = {}
        for origin, station in enumerate(self.stations):
            units = [u for u in self.units if u.origin == origin]
            horizon = slice(cal.warmup, cal.warmup + cal.days)
            hists = {u.profession: _histogram(self.logs.get((origin, u.profession), WaitLog())) for u in units}
            outcomes[station.station_id] = StationOutcome(
                station_id=station.station_id,
                wait_hist=np.sum([hists[u.profession] for u in units], axis=0) if units else _histogram(WaitLog()),
                wait_hist_by_profession=hists,
                urgent_hist=_histogram(self.urgent_logs[origin]),
                needs=int(sum(u.arrivals["non_urgent"][horizon].sum() for u in units)),
                urgent_needs=int(sum(u.arrivals["urgent"][horizon].sum() for u in units)),
                resolved_remote=self.resolved[origin],
                served={u.profession: int(u.served) for u in units},
                slots={u.profession: float(u.offered) for u in units},
                backlog=np.sum([u.backlog[horizon] for u in units], axis=0) if units else np.zeros(cal.days),
                t3={u.profession: self._t3(u) for u in units},
                regular_visits={u.profession: u.regular_visits for u in units},
                named_visits={u.profession: u.named_visits for u in units},
                professionals={u.profession: u.professionals for u in units},
            )
        return ReplicationOutcome(self.seed, self.replication, outcomes)


def _histogram(log: WaitLog) -> np.ndarray:
    waits, weights, _ = log.arrays()
    days = np.minimum(np.round(waits).astype(np.int64), MAX_WAIT_DAYS)
    return np.bincount(days, weights=weights, minlength=MAX_WAIT_DAYS + 1)


def simulate(params: ModelParams, seed: int, replication: int) -> ReplicationOutcome:
    """One replication of the county model (deterministic in ``seed`` and ``replication``)."""
    return CountyModel(params, seed, replication).run()
