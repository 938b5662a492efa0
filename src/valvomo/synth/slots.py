"""Appointment calendars of physicians and nurses, from which T3 is measured.

T3 ("third next available appointment", indicators.md) looks at the calendar on
Monday mornings and counts the days to the third free non-urgent slot. Its value is
set by how far ahead free slots get booked: at a station where non-urgent slots are
typically booked τ days before they start, the calendar is full for the next ~τ
days and T3 comes out close to τ. So each station's ``t3_physician_days`` /
``t3_nurse_days`` becomes that booking lead (varied by professional and season),
and the rest of the calendar follows common practice: calendars published in
four-week blocks several weeks ahead, same-day urgent slots, follow-up slots booked
at the previous visit, holidays and four summer weeks off, occasional sick days.

The calendar is a snapshot at the end of the period: nothing published, booked or
cancelled after that moment is in it, but slots already published for the weeks
after the period are, so that T3 near the end of the period is measured correctly.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from valvomo.schema import codes
from valvomo.synth import columns
from valvomo.synth.county import STATIONS, Replica
from valvomo.synth.ids import IdFormat
from valvomo.synth.staff import PROFESSION, Staff
from valvomo.synth.timeline import NAT, Timeline

CALENDAR_PROFESSIONS = ("physician", "nurse")
# Daily slot start times (minutes after midnight) and slot length per profession.
DAY_PLAN = {
    "physician": (np.array([480, 510, 540, 570, 600, 630, 660, 750, 780, 810, 840, 870]), 30),
    "nurse": (np.array([480, 500, 520, 540, 560, 580, 600, 620, 760, 780, 800, 820, 840, 860]), 20),
}
REMOTE_SHARE = {"physician": 0.25, "nurse": 0.35}
SLOT_TYPE = {name: i for i, name in enumerate(codes.SLOT_TYPES)}
SLOT_TYPE_SHARE = np.array([0.48, 0.25, 0.17, 0.02, 0.08])  # codes.SLOT_TYPES order
ATTENDANCE = 0.88  # share of working days a professional holds a reception
SICK_DAY = 0.02
SLOT_WITHDRAWN = 0.01
BLOCK_DAYS = 28
HORIZON_AFTER_DAYS = 70


def booking_lead_days(t3_days: float) -> float:
    """The typical booking lead τ that gives a T3 of about ``t3_days``.

    With ~5 non-urgent slots per working day and leads spread evenly over
    [0.75τ, 1.25τ], the third free slot is found at about 0.75τ + sqrt(0.86τ) days;
    this inverts that relation.
    """
    root = (-np.sqrt(0.86) + np.sqrt(0.86 + 3.0 * t3_days)) / 1.5
    return max(0.5, float(root**2))


def _vacation(rng: np.random.Generator, tl: Timeline, days: np.ndarray, people: int) -> np.ndarray:
    """[person, day] True on the four summer weeks each professional is away."""
    away = np.zeros((people, len(days)), dtype=bool)
    dates = tl.days[days]
    years = np.unique(dates.astype("datetime64[Y]"))
    for year in years:
        june = year.astype("datetime64[D]") + 152  # about 1 June
        first = june + 7 * rng.integers(0, 8, people)
        for person in range(people):
            in_year = (dates >= first[person]) & (dates < first[person] + 28)
            away[person] |= in_year
    return away


def _grid(rng: np.random.Generator, tl: Timeline, staff: Staff, station: int, profession: str) -> dict | None:
    """One row per slot of a station's professionals of one profession: who, which day, when, sick day."""
    p = PROFESSION[profession]
    first, size = int(staff.pool_start[station, p]), int(staff.pool_size[station, p])
    story = STATIONS[station]
    if size == 0 or story.kind == "guidance_unit":  # guidance nurses answer calls; no appointment book
        return None
    days = np.arange(tl.start_index, min(tl.end_index + HORIZON_AFTER_DAYS, len(tl.days) - 1))
    days = days[tl.working[days]]
    if story.kind == "nurse_led_station" and profession == "physician":
        # The visiting physician holds reception on Tuesdays and Thursdays.
        present = np.broadcast_to(np.isin(tl.weekday[days], (1, 3)), (size, len(days)))
    else:
        present = rng.random((size, len(days))) < ATTENDANCE
    present = present & ~_vacation(rng, tl, days, size)
    sick = rng.random((size, len(days))) < SICK_DAY
    person, day_position = np.nonzero(present)
    times, _ = DAY_PLAN[profession]
    day = np.repeat(days[day_position], len(times))
    return {
        "person": np.repeat(person, len(times)),
        "professional": first + np.repeat(person, len(times)),
        "day": day,
        "starts": tl.at(day, np.tile(times, len(day_position))),
        "sick": np.repeat(sick[present], len(times)),
    }


def _booking_leads(rng: np.random.Generator, tl: Timeline, grid: dict, t3_days: float) -> np.ndarray:
    """Typical booking lead (days) of each slot: the station's, varied by professional and season."""
    # Professionals differ, but the station's median professional books at the station's lead.
    factors = rng.lognormal(0.0, 0.2, int(grid["person"].max()) + 1)
    personal = (factors / np.median(factors))[grid["person"]]
    dates = tl.days[grid["day"]]
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(np.int64)
    season = 1.0 + 0.12 * np.sin(2 * np.pi * (day_of_year - 30) / 365.25)
    return booking_lead_days(t3_days) * personal * season


def _publication(tl: Timeline, day: np.ndarray, lead: np.ndarray) -> np.ndarray:
    """Calendars open in four-week blocks (Mondays 07:30), far enough ahead that free
    slots beyond the booking lead are visible."""
    anchor = tl.start_index - tl.weekday[tl.start_index]
    block_start = anchor + BLOCK_DAYS * ((day - anchor) // BLOCK_DAYS)
    weeks_ahead = max(6, int(np.ceil((1.25 * lead.max() + 28) / 7)))
    return tl.at(block_start - 7 * weeks_ahead, np.full(len(day), 450))


def _daytime(rng: np.random.Generator, tl: Timeline, day: np.ndarray) -> np.ndarray:
    """A moment between 07:00 and 21:59 on each day (bookings, withdrawals)."""
    return tl.at(day, rng.integers(7 * 60, 22 * 60, len(day)))


def _bookings(
    rng: np.random.Generator,
    tl: Timeline,
    day: np.ndarray,
    starts: np.ndarray,
    published: np.ndarray,
    slot_type: np.ndarray,
    lead_days: np.ndarray,
    never_booked: float,
) -> np.ndarray:
    """When each slot was booked (NaT = still free at the end), by slot type."""
    n = len(starts)
    lead = np.select(
        [
            slot_type == SLOT_TYPE["non_urgent"],
            slot_type == SLOT_TYPE["follow_up"],
            slot_type == SLOT_TYPE["group"],
            slot_type == SLOT_TYPE["reserved"],
        ],
        [
            lead_days * (0.75 + 0.5 * rng.random(n)),
            rng.uniform(14, 56, n),
            rng.uniform(3, 40, n),
            rng.uniform(1, 10, n),
        ],
        0.0,
    )
    booked = _daytime(rng, tl, day - np.floor(lead).astype(np.int64))
    same_day = starts - (rng.integers(10, 180, n) * 60).astype("timedelta64[s]")
    booked = np.where(slot_type == SLOT_TYPE["urgent"], same_day, np.minimum(booked, same_day))
    booked = np.maximum(booked, published + np.timedelta64(600, "s"))
    unbooked = np.select(
        [
            slot_type == SLOT_TYPE["non_urgent"],
            slot_type == SLOT_TYPE["urgent"],
            slot_type == SLOT_TYPE["follow_up"],
            slot_type == SLOT_TYPE["group"],
        ],
        [never_booked, 0.15, 0.10, 0.30],
        0.60,
    )
    return np.where(rng.random(n) < unbooked, NAT, booked)


def _cancellations(rng: np.random.Generator, tl: Timeline, grid: dict, published: np.ndarray) -> np.ndarray:
    """Whole days cancelled for sickness (at 07:00) and single slots withdrawn after publication."""
    n = len(grid["day"])
    published_day = tl.day_of(published)
    withdrawn_day = published_day + np.floor(rng.random(n) * (grid["day"] - published_day)).astype(np.int64)
    latest = grid["starts"] - np.timedelta64(3600, "s")
    withdrawn_at = np.maximum(np.minimum(_daytime(rng, tl, withdrawn_day), latest), published)
    withdrawn = rng.random(n) < SLOT_WITHDRAWN
    sick_at = tl.at(grid["day"], np.full(n, 420))
    return np.where(grid["sick"], sick_at, np.where(withdrawn, withdrawn_at, NAT))


def _profession_calendar(
    rng: np.random.Generator, tl: Timeline, staff: Staff, station: int, profession: str
) -> dict | None:
    grid = _grid(rng, tl, staff, station, profession)
    if grid is None:
        return None
    story = STATIONS[station]
    n = len(grid["day"])
    t3_days = story.t3_physician_days if profession == "physician" else story.t3_nurse_days
    lead = _booking_leads(rng, tl, grid, t3_days)
    published = _publication(tl, grid["day"], lead)
    slot_type = (rng.random(n)[:, None] >= np.cumsum(SLOT_TYPE_SHARE)[:-1]).sum(axis=1)
    booked = _bookings(
        rng, tl, grid["day"], grid["starts"], published, slot_type, lead, story.slot_never_booked
    )
    cancelled = _cancellations(rng, tl, grid, published)
    booked = np.where(~np.isnat(cancelled) & (booked > cancelled), NAT, booked)
    return {
        "professional": grid["professional"],
        "profession": np.full(n, PROFESSION[profession]),
        "slot_type": slot_type,
        "starts": grid["starts"],
        "duration": np.where(slot_type == SLOT_TYPE["group"], 60, DAY_PLAN[profession][1]),
        "published": published,
        "booked": booked,
        "cancelled": cancelled,
        "remote": rng.random(n) < REMOTE_SHARE[profession],
    }


def generate_slots(
    rng: np.random.Generator,
    tl: Timeline,
    staff: Staff,
    replica: Replica,
    ids: IdFormat,
    station: int,
    first_number: int,
) -> dict[str, pa.Array] | None:
    """The calendars of one station's physicians and nurses, ordered by professional and start.

    The calendar is the state at the end of the period (the extract).
    """
    parts = [_profession_calendar(rng, tl, staff, station, p) for p in CALENDAR_PROFESSIONS]
    parts = [part for part in parts if part is not None]
    if not parts:
        return None
    slots = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    extract = tl.extract_instant
    booked = np.where(slots["booked"] <= extract, slots["booked"], NAT)
    cancelled = np.where(slots["cancelled"] <= extract, slots["cancelled"], NAT)
    order = np.lexsort((slots["starts"], slots["professional"]))
    order = order[slots["published"][order] <= extract]
    n = len(order)
    return {
        "slot_id": ids.events("S", first_number, n),
        "station_id": pa.array([replica.station_ids[station]] * n, pa.string()),
        "professional_id": columns.pick_strings(staff.ids, slots["professional"][order]),
        "profession": columns.pick_strings(codes.PROFESSIONS, slots["profession"][order]),
        "slot_type": columns.pick_strings(codes.SLOT_TYPES, slots["slot_type"][order]),
        "starts_at": columns.timestamps(slots["starts"][order]),
        "duration_min": pa.array(slots["duration"][order], pa.int64()),
        "published_at": columns.timestamps(slots["published"][order]),
        "booked_at": columns.timestamps(booked[order]),
        "cancelled_at": columns.timestamps(cancelled[order]),
        "remote": pa.array(slots["remote"][order]),
    }
