"""Calibration: the county model's parameters from the warehouse, and how well they fit.

Everything read from the warehouse is an Ibis expression that reduces to small
aggregates (counts per station, profession, day ...) before it leaves the
backend, so calibration runs the same on DuckDB and PySpark. The populations
are the indicator definitions themselves (``valvomo.indicators``):

- non-urgent demand = the care-guarantee access events (``access.access_events``)
  by assessment date, station, profession, channel (``contact_class``) and need
  type (main diagnosis: ICPC-2 L / ICD-10 M musculoskeletal, ICPC-2 P /
  ICD-10 F mental, else other);
- urgent demand = realised urgent T11 curative contacts, first per assessment
  (``common.first_per_assessment``);
- remote resolution = first contacts (``resolution.first_contacts``) that were
  remote and resolved the need;
- no-shows = cancelled among booked non-urgent T11 contacts;
- booked later than the earliest free slot = access events against the slots table's earliest
  free slot in the assessment's week (``later.later_booking``);
- demand profiles = daily counts of the demand, county-wide and per station with enough needs;
- capacity = the slots table: FTE on duty per working day (professional-days /
  working days), slots per FTE-day, and a monthly capacity factor (staff summer
  holidays);
- the historical 7-day share and mean wait = the same access events by visit
  date, as ``access_7d`` counts them.

One parameter per (station, profession) cannot be read from the tables: the
share of the calendar that serves new needs rather than follow-ups and groups
(``Capacity.guarantee_share``). It is fitted by bisection so that the simulated
7-day share matches the historical one; the goodness of fit is then measured on
other random numbers (``CHECK_SEED``), and the mean wait is a check, not a
target (docs/simulation.md, "Calibration").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np

from valvomo.indicators.access import access_events
from valvomo.indicators.common import (
    contact_class,
    first_per_assessment,
)
from valvomo.indicators.populations.contacts import realised_patient_contacts
from valvomo.indicators.resolution import first_contacts
from valvomo.schema import codes
from valvomo.simulation import metrics
from valvomo.simulation.later import later_booking
from valvomo.simulation.params import (
    PROFESSIONS,
    Capacity,
    DemandStream,
    ModelParams,
    Profiles,
    StationParams,
)
from valvomo.simulation.runner import RunSpec, replication_pool, run_replications
from valvomo.warehouse.sources import Sources
from valvomo.workdays import is_holiday, is_working_day

WINDOW_DAYS = 365
EXCLUDED_KINDS = ("guidance_unit",)  # guidance answers at once: no appointment calendar to simulate
FIT_REPLICATIONS = 16
FIT_STEPS = 10
FIT_SEED = 7
CHECK_SEED = 8  # the goodness of fit is measured on other random numbers than the fit used
CHECK_REPLICATIONS = 20
SHARE_RANGE = (0.02, 3.0)
PROFILE_MIN_DAILY = 10.0  # needs per average day for a station's own demand profile (month means from ~200 needs)
# Stated tolerances of the back-test (docs/simulation.md, tests/simulation/test_calibration_backtest.py).
TOLERANCE_7D = 0.05  # absolute difference of the 7-day share (checked on other random numbers than the fit)
TOLERANCE_MEAN_WAIT_DAYS = 1.0  # absolute difference of the mean wait, or
TOLERANCE_MEAN_WAIT_RELATIVE = 0.20  # relative difference, whichever is larger


class CalibrationError(ValueError):
    """The warehouse does not hold what calibration needs."""


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Fit:
    """Historical versus simulated 7-day share and mean wait of one station."""

    station_id: str
    historical_7d: float
    simulated_7d: float
    historical_mean_wait: float
    simulated_mean_wait: float
    visits: int

    @property
    def within_tolerance(self) -> bool:
        wait_tol = max(TOLERANCE_MEAN_WAIT_DAYS, TOLERANCE_MEAN_WAIT_RELATIVE * self.historical_mean_wait)
        return (
            abs(self.simulated_7d - self.historical_7d) <= TOLERANCE_7D
            and abs(self.simulated_mean_wait - self.historical_mean_wait) <= wait_tol
        )


@dataclass
class Calibration:
    params: ModelParams
    window: Window
    fits: list[Fit] = field(default_factory=list)
    history: dict[tuple[str, str], tuple[float, float, int]] = field(default_factory=dict)


def _need_type(system: ir.StringValue, code: ir.StringValue) -> ir.StringValue:
    first = code.upper().left(1)
    return ibis.cases(
        (((system == "icpc2") & (first == "L")) | ((system == "icd10") & (first == "M")), "musculoskeletal"),
        (((system == "icpc2") & (first == "P")) | ((system == "icd10") & (first == "F")), "mental"),
        else_="other",
    )


def _with_need_type(sources: Sources, events: ir.Table) -> ir.Table:
    if not sources.has("diagnoses"):
        return events.mutate(need_type=ibis.literal("other"))
    d = sources.table("diagnoses")
    main = d.filter(d.position == 1)
    main = main.select(_cid=main.contact_id, _need=_need_type(main.system, main.code))
    main = main.group_by("_cid").aggregate(_need=main._need.min())
    joined = events.left_join(main, events.contact_id == main._cid)
    return joined.mutate(need_type=joined._need.fill_null("other")).drop("_cid", "_need")


def _urgent_events(sources: Sources) -> ir.Table:
    contacts = realised_patient_contacts(sources.table("contacts"))
    events = contacts.filter(
        contacts.urgency == "urgent",
        contacts.service_type == codes.CARE_GUARANTEE_SERVICE_TYPE,
        contacts.nature == "SH",
        contacts.assessed_at.notnull(),
    )
    return first_per_assessment(events)


def _window(sources: Sources) -> Window:
    events = access_events(sources)
    last = events.aggregate(last=events.started_at.max()).to_pyarrow().column("last")[0].as_py()
    if last is None:
        raise CalibrationError(
            "the warehouse holds no care-guarantee access events (non-urgent T11 visits with assessed_at); "
            "calibration needs at least some months of them"
        )
    end = last.date()
    return Window(end - dt.timedelta(days=WINDOW_DAYS - 1), end)


def _rows(expr: ir.Table) -> list[dict]:
    return expr.to_pyarrow().to_pylist()


def _in_window(day: ir.DateValue, window: Window) -> ir.BooleanValue:
    return (day >= ibis.literal(window.start)) & (day <= ibis.literal(window.end))


def calibrate(sources: Sources, *, fit: bool = True, snapshot_id: str = "", workers: int = 1,
              start_method: str | None = None) -> Calibration:  # fmt: skip
    """Fit the county model to the warehouse (``fit=False`` skips the capacity-share fit).

    ``workers`` > 1 runs the fit's replications in a process pool; the result is the same."""
    window = _window(sources)
    stations = _rows(sources.table("stations").select("station_id", "name_fi", "kind")) if sources.has("stations") else []
    excluded = {s["station_id"] for s in stations if s["kind"] in EXCLUDED_KINDS}
    names = {s["station_id"]: s["name_fi"] for s in stations}

    access = access_events(sources)
    access = access.filter(_in_window(access.assessed_at.date(), window), ~access.station_id.isin(list(excluded) or [""]))
    access = _with_need_type(sources, access)
    access = access.mutate(channel=contact_class(access.contact_type), urgency=ibis.literal("non_urgent"))
    urgent = _urgent_events(sources)
    urgent = urgent.filter(_in_window(urgent.assessed_at.date(), window), ~urgent.station_id.isin(list(excluded) or [""]))
    urgent = _with_need_type(sources, urgent).mutate(channel=contact_class(urgent.contact_type))
    keys = ["station_id", "profession", "urgency", "channel", "need_type"]
    demand = access.select(*keys, day=access.assessed_at.date()).union(urgent.select(*keys, day=urgent.assessed_at.date()))
    demand = demand.filter(demand.profession.isin(list(PROFESSIONS)))
    streams = _rows(demand.group_by(keys).aggregate(n=demand.count()).order_by(keys))
    daily = _rows(demand.group_by("day").aggregate(n=demand.count()).order_by("day"))
    profiles_demand = _demand_profiles(daily, window)
    station_daily = _rows(demand.group_by(["station_id", "day"]).aggregate(n=demand.count()).order_by(["station_id", "day"]))
    station_profiles = _station_profiles(station_daily, window)

    capacity, capacity_month = _capacity(sources, window, excluded)
    resolution = _remote_resolution(sources, window)
    no_show = _no_show(sources, window)
    regular = _regular_shares(sources, access)
    later = later_booking(sources, access, window.start, window.end)
    history = _history(sources, window, excluded)

    station_params = []
    for sid in sorted({s["station_id"] for s in streams}):
        rows = [s for s in streams if s["station_id"] == sid]
        profs = sorted({r["profession"] for r in rows}, key=PROFESSIONS.index)
        caps = {p: capacity[sid, p] for p in profs if (sid, p) in capacity}
        if not caps:
            continue
        station_params.append(
            StationParams(
                station_id=sid,
                name=names.get(sid, sid),
                demand=tuple(
                    DemandStream(r["profession"], r["urgency"], r["channel"], r["need_type"], r["n"] / window.days)
                    for r in rows
                    if r["profession"] in caps
                ),
                capacity=caps,
                remote_resolution=resolution.get(sid, 0.0),
                no_show=no_show.get(sid, 0.0),
                regular_share={p: regular.get((sid, p), 0.0) for p in caps},
                later={p: later[sid, p] for p in caps if (sid, p) in later},
                profile=station_profiles.get(sid),
            )
        )
    if not station_params:
        raise CalibrationError("no station has both care-guarantee demand and appointment slots in the last 12 months")
    params = ModelParams(
        stations=tuple(station_params),
        profiles=Profiles(**profiles_demand, capacity_month=capacity_month),
        start=window.start,
        days=window.days,
        snapshot_id=snapshot_id,
    )
    calibration = Calibration(params=params, window=window, history=history)
    with replication_pool(RunSpec(replications=2, workers=workers, start_method=start_method)) as pool:
        if fit:
            calibration.params = fit_guarantee_shares(params, history, pool)
        calibration.fits = goodness_of_fit(calibration.params, history, pool)
    return calibration


def _demand_profiles(daily: list[dict], window: Window) -> dict:
    counts = {r["day"]: r["n"] for r in daily}
    days = [window.start + dt.timedelta(days=i) for i in range(window.days)]
    values = np.array([counts.get(d, 0) for d in days], dtype=float)
    holiday = np.array([is_holiday(d) for d in days])
    weekday = np.array([d.weekday() for d in days])
    month = np.array([d.month - 1 for d in days])
    ordinary = ~holiday
    base = values[ordinary].mean() or 1.0
    wd = tuple(float(values[ordinary & (weekday == w)].mean() / base) if (ordinary & (weekday == w)).any() else 1.0 for w in range(7))
    deseason = values / np.asarray(wd)[weekday].clip(min=1e-9)
    mo = tuple(
        float(deseason[ordinary & (month == m)].mean() / deseason[ordinary].mean()) if (ordinary & (month == m)).any() else 1.0
        for m in range(12)
    )
    expected = np.asarray(wd)[weekday] * np.asarray(mo)[month]
    hol = float(values[holiday].sum() / expected[holiday].sum() / base) if holiday.any() and expected[holiday].sum() else 1.0
    # Scale so that the profile averages 1 over the window: rates are then needs per average day.
    factor = np.where(holiday, expected * hol, expected)
    scale = factor.mean() or 1.0
    return {"weekday": tuple(w / scale for w in wd), "month": mo, "holiday": hol}


def _station_profiles(rows: list[dict], window: Window) -> dict[str, Profiles]:
    """A station's own weekday, month and holiday demand profile where it has enough needs to estimate
    one (``PROFILE_MIN_DAILY`` on an average day); the others keep the county's profile."""
    by_station: dict[str, list[dict]] = {}
    for r in rows:
        by_station.setdefault(r["station_id"], []).append(r)
    out = {}
    for sid, daily in by_station.items():
        if sum(r["n"] for r in daily) / window.days >= PROFILE_MIN_DAILY:
            out[sid] = Profiles(**_demand_profiles(daily, window))
    return out


def _capacity(sources: Sources, window: Window, excluded: set[str]) -> tuple[dict, tuple[float, ...]]:
    if not sources.has("slots"):
        raise CalibrationError("calibration needs the slots table (appointment calendar) for capacity")
    slots = sources.table("slots")
    slots = slots.filter(
        slots.slot_type.isin(["non_urgent", "urgent"]),
        slots.cancelled_at.isnull(),
        _in_window(slots.starts_at.date(), window),
        ~slots.station_id.isin(list(excluded) or [""]),
    )
    slots = slots.mutate(day=slots.starts_at.date())
    per_day = slots.group_by(["station_id", "profession", "professional_id", "day"]).aggregate(n=slots.count())
    totals = _rows(
        per_day.group_by(["station_id", "profession"]).aggregate(
            professional_days=per_day.count(), slots=per_day.n.sum(), professionals=per_day.professional_id.nunique()
        )
    )
    monthly = _rows(per_day.group_by(month=per_day.day.month()).aggregate(professional_days=per_day.count()))
    days = [window.start + dt.timedelta(days=i) for i in range(window.days)]
    working = [d for d in days if is_working_day(d)]
    capacity = {}
    for row in totals:
        fte = row["professional_days"] / max(len(working), 1)
        capacity[row["station_id"], row["profession"]] = Capacity(
            fte=round(fte, 4),
            slots_per_fte_day=round(row["slots"] / row["professional_days"], 4),
            guarantee_share=1.0,
            professionals=int(row["professionals"]),
        )
    working_per_month = {m: sum(1 for d in working if d.month == m) for m in range(1, 13)}
    per_month = {r["month"]: r["professional_days"] / working_per_month[r["month"]] for r in monthly if working_per_month[r["month"]]}
    mean = sum(r["professional_days"] for r in monthly) / max(len(working), 1)
    capacity_month = tuple(round(per_month.get(m, mean) / mean, 4) if mean else 1.0 for m in range(1, 13))
    return capacity, capacity_month


def _remote_resolution(sources: Sources, window: Window) -> dict[str, float]:
    first = first_contacts(sources)
    first = first.filter(_in_window(first.started_at.date(), window))
    resolved = first.resolved_first_contact & first.contact_type.isin(list(codes.REMOTE_CONTACT_TYPES))
    rows = _rows(first.group_by("station_id").aggregate(n=first.count(), resolved=first.count(where=resolved)))
    return {r["station_id"]: round(r["resolved"] / r["n"], 4) for r in rows if r["n"]}


def _no_show(sources: Sources, window: Window) -> dict[str, float]:
    c = sources.table("contacts")
    booked = c.filter(
        c.service_type == codes.CARE_GUARANTEE_SERVICE_TYPE,
        c.urgency == "non_urgent",
        c.booked_at.notnull(),
        c.contact_type.isin(list(codes.PHYSICAL_CONTACT_TYPES + codes.REMOTE_CONTACT_TYPES)),
        _in_window(c.started_at.date(), window),
    )
    rows = _rows(booked.group_by("station_id").aggregate(n=booked.count(), lost=booked.count(where=booked.cancelled_at.notnull())))
    return {r["station_id"]: round(r["lost"] / r["n"], 4) for r in rows if r["n"]}


def _regular_shares(sources: Sources, access: ir.Table) -> dict[tuple[str, str], float]:
    """Share of non-urgent needs from patients with a named professional of that profession."""
    if not sources.has("patients"):
        return {}
    p = sources.table("patients").select(_pid="patient_id", _nurse="named_nurse_id", _physician="named_physician_id")
    joined = access.left_join(p, access.patient_id == p._pid)
    named = ibis.cases(
        (joined.profession == "physician", joined._physician.notnull()),
        (joined.profession.isin(["nurse", "public_health_nurse"]), joined._nurse.notnull()),
        else_=False,
    )
    rows = _rows(joined.group_by(["station_id", "profession"]).aggregate(n=joined.count(), regular=joined.count(where=named)))
    return {(r["station_id"], r["profession"]): round(r["regular"] / r["n"], 4) for r in rows if r["n"]}


def _history(sources: Sources, window: Window, excluded: set[str]) -> dict[tuple[str, str], tuple[float, float, int]]:
    """(station, profession or "*") -> (7-day share, mean wait, visits) by visit date, as access_7d counts."""
    events = access_events(sources)
    events = events.filter(_in_window(events.started_at.date(), window), ~events.station_id.isin(list(excluded) or [""]))
    events = events.filter(events.profession.isin(list(PROFESSIONS)))
    out = {}
    for keys in (["station_id", "profession"], ["station_id"]):
        rows = _rows(
            events.group_by(keys).aggregate(
                n=events.count(), within=events.count(where=events.waiting_days <= 7), days=events.waiting_days.sum()
            )
        )
        for r in rows:
            out[r["station_id"], r.get("profession", "*")] = (r["within"] / r["n"], r["days"] / r["n"], int(r["n"]))
    return out


def _with_shares(params: ModelParams, shares: dict[tuple[str, str], float]) -> ModelParams:
    stations = []
    for s in params.stations:
        caps = {
            p: Capacity(c.fte, c.slots_per_fte_day, round(shares.get((s.station_id, p), c.guarantee_share), 5), c.professionals)
            for p, c in s.capacity.items()
        }
        stations.append(StationParams(s.station_id, s.name, s.demand, caps, s.remote_resolution, s.no_show, s.regular_share, s.later, s.profile))
    return params.replace(stations=tuple(stations))


def _replications(params: ModelParams, seed: int, count: int, pool) -> list:
    spec = RunSpec(seed=seed, replications=count, workers=2 if pool is not None else 1)
    return run_replications(params, spec, None, pool)


def _simulated_units(params: ModelParams, pool=None) -> dict[tuple[str, str], tuple[float, float]]:
    reps = _replications(params, FIT_SEED, FIT_REPLICATIONS, pool)
    out = {}
    for s in params.stations:
        for p in s.capacity:
            hist = np.sum([rep.stations[s.station_id].wait_hist_by_profession[p] for rep in reps], axis=0)
            out[s.station_id, p] = (metrics.access_7d(hist), metrics.mean_wait(hist))
    return out


def fit_guarantee_shares(params: ModelParams, history: dict, pool=None) -> ModelParams:
    """Bisection per (station, profession) on the calendar share serving new needs, all units at once
    (under the earliest-slot policy units do not interact): the smallest share whose simulated
    7-day share reaches the historical one."""
    low = {(s.station_id, p): SHARE_RANGE[0] for s in params.stations for p in s.capacity}
    high = {key: SHARE_RANGE[1] for key in low}
    fitting = params.replace(policy="earliest_slot")
    for _ in range(FIT_STEPS):
        mid = {key: (low[key] + high[key]) / 2 for key in low}
        simulated = _simulated_units(_with_shares(fitting, mid), pool)
        for key in low:
            target = history.get(key, (np.nan,))[0]
            share_7d = simulated[key][0]
            if np.isnan(target) or np.isnan(share_7d) or share_7d >= target:
                high[key] = mid[key]
            else:
                low[key] = mid[key]
    return _with_shares(params, high)


def goodness_of_fit(params: ModelParams, history: dict, pool=None) -> list[Fit]:
    reps = _replications(params.replace(policy="earliest_slot"), CHECK_SEED, CHECK_REPLICATIONS, pool)
    fits = []
    for s in params.stations:
        if (s.station_id, "*") not in history:
            continue
        hist = np.sum([rep.stations[s.station_id].wait_hist for rep in reps], axis=0)
        h7, hw, n = history[s.station_id, "*"]
        fits.append(Fit(s.station_id, h7, metrics.access_7d(hist), hw, metrics.mean_wait(hist), n))
    return fits
