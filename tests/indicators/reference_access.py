"""A deliberately simple reference implementation of indicators.md, "Access".

Plain loops over dicts, written from the text of indicators.md and data-model.md
only (nothing from ``valvomo.indicators``); working days come from
``valvomo.workdays``, the one shared definition. Property-based tests compare the
registry's Ibis expressions with these functions on random small datasets.

Each function returns ``{key: row}`` where ``key`` = (period, *dimension values[, bin])
and ``row`` holds ``value`` and ``numerator``/``denominator`` or ``n``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from valvomo.workdays import is_working_day, next_working_day

PHYSICAL = {"R10", "R20", "R30", "R40", "R41"}
REMOTE = {"R50", "R51", "R52", "R55", "R56"}
UNLICENSED = {"practical_nurse", "social_counsellor", "other"}
WAITING_BINS = (("0", 0, 0), ("1-7", 1, 7), ("8-14", 8, 14), ("15-28", 15, 28), ("29-90", 29, 90), (">90", 91, 10**9))


# --- shared definitions ----------------------------------------------------------------------------


def day_of(value: dt.datetime | dt.date) -> dt.date:
    """The Helsinki date of a stored (Helsinki wall-clock) timestamp."""
    return value.date() if isinstance(value, dt.datetime) else value


def period_of(day: dt.date, kind: str) -> str:
    if kind == "year":
        return str(day.year)
    if kind == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def age_band(age: int) -> str:
    if age >= 85:
        return "85+"
    low = max(age, 0) // 5 * 5
    return f"{low}-{low + 4}"


def in_range(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


def realised_patient_contact(c: dict) -> bool:
    return c.get("cancelled_at") is None and (c["contact_type"] in PHYSICAL or c["contact_type"] in REMOTE)


def licensed(c: dict) -> bool:
    if c.get("licensed") is not None:
        return c["licensed"]
    return c["profession"] not in UNLICENSED


def first_per_assessment(contacts: list[dict]) -> list[dict]:
    """Earliest contact (started_at, then contact_id) within each (patient_id, assessed_at)."""
    best: dict[tuple, dict] = {}
    for c in contacts:
        key = (c["patient_id"], c["assessed_at"])
        if key not in best or (c["started_at"], c["contact_id"]) < (best[key]["started_at"], best[key]["contact_id"]):
            best[key] = c
    return list(best.values())


class Dimensions:
    """The values of the requested dimensions for one contact-like event."""

    def __init__(self, by: tuple[str, ...], patients: list[dict] | None, stations: list[dict] | None):
        self.by = by
        self.patients = {p["patient_id"]: p for p in patients} if patients is not None else None
        self.stations = {s["station_id"]: s for s in stations or []}
        self.station_rows = stations

    def values(self, event: dict, day: dt.date) -> tuple:
        out = []
        patient = (self.patients or {}).get(event.get("patient_id"))
        for dim in self.by:
            if dim == "station":
                out.append(event["station_id"])
            elif dim == "profession":
                out.append(event["profession"])
            elif dim == "contact_class":
                out.append("physical" if event["contact_type"] in PHYSICAL else "remote")
            elif dim == "age_band":
                out.append(age_band(day.year - patient["birth_year"]) if patient else None)
            elif dim == "language":
                out.append(patient.get("language") if patient else None)
            elif dim == "municipality":
                if self.patients is not None:
                    out.append(patient["municipality"] if patient else None)
                else:
                    station = self.stations.get(event["station_id"])
                    out.append(station["municipality"] if station else None)
            else:
                raise ValueError(dim)
        return tuple(out)


def shares(events: list[tuple[tuple, bool]]) -> dict:
    """``[(key, met)]`` -> {key: numerator, denominator, value}."""
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for key, met in events:
        counts[key][0] += bool(met)
        counts[key][1] += 1
    return {k: {"numerator": n, "denominator": d, "value": n / d} for k, (n, d) in counts.items()}


def median(values: list[float]) -> float:
    ordered = sorted(values)
    size = len(ordered)
    middle = size // 2
    if size % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def nearest_rank(values: list[int], num: int, den: int) -> float:
    ordered = sorted(values)
    rank = -(-len(ordered) * num // den)  # ceil(p * N), 1-based
    return float(ordered[rank - 1])


# --- care guarantee ---------------------------------------------------------------------------------


CARE_STATION_KINDS = {"health_station", "nurse_led_station"}


def at_care_station(c: dict, stations: list[dict] | None) -> bool:
    """The care guarantee counts contacts at health and nurse-led stations only; a unit missing from
    the stations table (unknown kind), or any unit when there is no stations table, counts."""
    if stations is None:
        return True
    kind = {s["station_id"]: s.get("kind") for s in stations}.get(c["station_id"])
    return kind is None or kind in CARE_STATION_KINDS


def access_events(contacts: list[dict], stations: list[dict] | None = None) -> list[dict]:
    population = [
        c
        for c in contacts
        if realised_patient_contact(c)
        and at_care_station(c, stations)
        and c["service_type"] == "T11"
        and c["nature"] == "SH"
        and c["urgency"] == "non_urgent"
        and licensed(c)
        and c.get("assessed_at") is not None
        and c["assessed_at"] <= c["started_at"]
        and c.get("care_plan") is not True
        and c.get("certificate_only") is not True
        and c.get("specialty") is None
    ]
    return first_per_assessment(population)


def waiting_days(c: dict) -> int:
    return (day_of(c["started_at"]) - day_of(c["assessed_at"])).days


def _keyed(events, reference, query, dims: Dimensions):
    """(key, event) for events whose reference date lies in the query's range."""
    period, start, end = query
    for e in events:
        day = day_of(e[reference])
        if in_range(day, start, end):
            yield (period_of(day, period), *dims.values(e, day)), e


def access_share(contacts, max_days, query, dims):
    return shares([(k, waiting_days(e) <= max_days) for k, e in _keyed(access_events(contacts, dims.station_rows), "started_at", query, dims)])


def waiting_distribution(contacts, query, dims):
    totals: dict[tuple, int] = defaultdict(int)
    cells: dict[tuple, int] = defaultdict(int)
    for key, e in _keyed(access_events(contacts, dims.station_rows), "started_at", query, dims):
        totals[key] += 1
        w = waiting_days(e)
        label = next(lbl for lbl, lo, hi in WAITING_BINS if lo <= w <= hi)
        cells[(*key, label)] += 1
    return {
        k: {"numerator": n, "denominator": totals[k[:-1]], "n": n, "value": n / totals[k[:-1]]}
        for k, n in cells.items()
    }


def waiting_percentile(contacts, num, den, query, dims):
    groups: dict[tuple, list[int]] = defaultdict(list)
    for key, e in _keyed(access_events(contacts, dims.station_rows), "started_at", query, dims):
        groups[key].append(waiting_days(e))
    return {k: {"value": nearest_rank(v, num, den), "n": len(v)} for k, v in groups.items()}


def urgent_next_working_day(contacts, query, dims):
    population = [
        c for c in contacts if realised_patient_contact(c) and c["urgency"] == "urgent" and c.get("assessed_at")
    ]
    out = []
    for key, e in _keyed(first_per_assessment(population), "started_at", query, dims):
        assessed, started = day_of(e["assessed_at"]), day_of(e["started_at"])
        out.append((key, started == assessed or started <= next_working_day(assessed)))
    return shares(out)


def assessment_same_day(contacts, query, dims):
    # The registry reads "contacts" as realised patient contacts (access.py); the reference follows it.
    population = [
        c for c in contacts if realised_patient_contact(c) and c.get("contacted_at") and c.get("assessed_at")
    ]
    out = []
    for key, e in _keyed(first_per_assessment(population), "contacted_at", query, dims):
        contacted, assessed = day_of(e["contacted_at"]), day_of(e["assessed_at"])
        if is_working_day(contacted):
            out.append((key, assessed == contacted))
        else:
            out.append((key, assessed <= next_working_day(contacted)))
    return shares(out)


def first_contact_resolution(contacts, query, dims):
    recorded = [c for c in contacts if realised_patient_contact(c) and c.get("resolved_first_contact") is not None]
    assessed = first_per_assessment([c for c in recorded if c.get("assessed_at") is not None])
    unassessed = [c for c in recorded if c.get("assessed_at") is None]
    return shares([(k, e["resolved_first_contact"]) for k, e in _keyed(assessed + unassessed, "started_at", query, dims)])


# --- customer guidance ------------------------------------------------------------------------------


def _guidance_keyed(requests, query, by):
    period, start, end = query
    for r in requests:
        day = day_of(r["received_at"])
        if in_range(day, start, end):
            yield (period_of(day, period), *([r["unit_id"]] if "station" in by else [])), r


def guidance_same_day(requests, query, by):
    return shares(
        [
            (k, r.get("first_response_at") is not None and day_of(r["first_response_at"]) == day_of(r["received_at"]))
            for k, r in _guidance_keyed(requests, query, by)
        ]
    )


def guidance_next_working_day(requests, query, by):
    return shares(
        [
            (
                k,
                r.get("first_response_at") is not None
                and day_of(r["first_response_at"]) <= next_working_day(day_of(r["received_at"])),
            )
            for k, r in _guidance_keyed(requests, query, by)
        ]
    )


def guidance_response_hours_median(requests, query, by):
    groups: dict[tuple, list[float]] = defaultdict(list)
    for k, r in _guidance_keyed(requests, query, by):
        if r.get("first_response_at") is not None:
            # wall-clock hours between the stored Helsinki local times, whole seconds
            seconds = (r["first_response_at"].replace(microsecond=0) - r["received_at"].replace(microsecond=0))
            groups[k].append(seconds.total_seconds() / 3600)
    return {k: {"value": median(v), "n": len(v)} for k, v in groups.items()}


def guidance_resolved(requests, query, by):
    return shares(
        [(k, r["outcome"] == "advice") for k, r in _guidance_keyed(requests, query, by) if r.get("outcome") is not None]
    )


# --- T3 ---------------------------------------------------------------------------------------------


def t3_instants(slots: list[dict], start: dt.date | None, end: dt.date | None) -> list[dt.datetime]:
    """Mondays 08:00 from the first slot's start to the extract's latest recorded moment."""
    if not slots:
        return []
    first = min(s["starts_at"] for s in slots)
    as_of = max(
        v for s in slots for v in (s["published_at"], s.get("booked_at"), s.get("cancelled_at")) if v is not None
    )
    instants = []
    day = first.date()
    while day <= as_of.date():
        t = dt.datetime.combine(day, dt.time(8, 0))
        if day.weekday() == 0 and first <= t <= as_of and in_range(day, start, end):
            instants.append(t)
        day += dt.timedelta(days=1)
    return instants


def is_free(slot: dict, t: dt.datetime) -> bool:
    return (
        slot["slot_type"] == "non_urgent"
        and slot["published_at"] <= t
        and slot["starts_at"] > t
        and (slot.get("booked_at") is None or slot["booked_at"] > t)
        and (slot.get("cancelled_at") is None or slot["cancelled_at"] > t)
    )


def third_free_days(free: list[dict], t: dt.datetime) -> int:
    """Days from t to the third-earliest free slot within 182 days, else 182."""
    horizon = t + dt.timedelta(days=182)
    starts = sorted(s["starts_at"] for s in free if s["starts_at"] <= horizon)
    if len(starts) < 3:
        return 182
    return (starts[2].date() - t.date()).days


def t3(slots, query, by, stations, *, pooled: bool):
    """Instant values per (station, profession), then the mean per period and requested group."""
    period, start, end = query
    municipality = {s["station_id"]: s["municipality"] for s in stations or []}
    values: dict[tuple, list[tuple[float, int]]] = defaultdict(list)
    for t in t3_instants(slots, start, end):
        measured: dict[tuple, set[str]] = defaultdict(set)
        for s in slots:
            if t < s["starts_at"] <= t + dt.timedelta(days=14):
                measured[(s["station_id"], s["profession"])].add(s["professional_id"])
        for (station, profession), professionals in measured.items():
            pool_free = [
                s for s in slots if s["station_id"] == station and s["profession"] == profession and is_free(s, t)
            ]
            if pooled:
                value = float(third_free_days(pool_free, t))
            else:
                value = median(
                    [third_free_days([s for s in pool_free if s["professional_id"] == p], t) for p in professionals]
                )
            dims = {"station": station, "profession": profession, "municipality": municipality.get(station)}
            key = (period_of(t.date(), period), *(dims[d] for d in by))
            values[key].append((value, len(professionals)))
    return {
        k: {"value": sum(v for v, _ in vs) / len(vs), "n": len(vs), "denominator": sum(p for _, p in vs)}
        for k, vs in values.items()
    }
