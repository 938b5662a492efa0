"""When a contact was asked for, assessed, booked and cancelled: the care-guarantee timing.

The care guarantee is measured from the care-need assessment (``assessed_at``) to
the start of the visit (``started_at``). Each station has a target share of
non-urgent visits within 7 days (``StationStory.access_7d``): a visit's wait is
drawn from a short-wait part (0-7 days) with that probability and otherwise from a
long tail beyond day 7 whose mean is the station's ``slow_wait_mean``. Urgent needs
are seen the same or the next working day. Times are built backwards from the visit
so that ``contacted_at <= assessed_at <= booked_at <= started_at`` always holds.

One station records the assessment incompletely (``assessment_recorded``): the
visit happened, but ``assessed_at`` is missing, as in health centres where
real-time care-guarantee monitoring did not yet work (seed 002, investment 3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valvomo.synth.county import STATIONS
from valvomo.synth.timeline import NAT, Timeline

# Distribution of the wait within the short part (0..7 days). Moving a weekend
# assessment to the previous working day lengthens few waits beyond 7 days.
SHORT_WAIT_WEIGHTS = np.array([0.26, 0.17, 0.15, 0.13, 0.11, 0.08, 0.06, 0.04])
SHORT_WAIT_CUMULATIVE = np.cumsum(SHORT_WAIT_WEIGHTS / SHORT_WAIT_WEIGHTS.sum())
LONGEST_WAIT_DAYS = 150

ACCESS_7D = np.array([s.access_7d for s in STATIONS])
SLOW_WAIT_MEAN = np.array([s.slow_wait_mean for s in STATIONS])
RECORDED = np.array([s.assessment_recorded for s in STATIONS])
SAME_DAY = np.array([s.assessment_same_day for s in STATIONS])


@dataclass
class Timing:
    contacted: np.ndarray
    assessed: np.ndarray
    booked: np.ndarray
    cancelled: np.ndarray


def _minutes_between(rng: np.random.Generator, low: np.ndarray | int, high: np.ndarray | int) -> np.ndarray:
    low = np.asarray(low, dtype=np.int64)
    high = np.maximum(np.asarray(high, dtype=np.int64), low)
    return low + np.floor(rng.random(np.broadcast(low, high).shape) * (high - low + 1)).astype(np.int64)


def _assessment_days(
    rng: np.random.Generator, tl: Timeline, day: np.ndarray, station: np.ndarray, urgent: np.ndarray
) -> np.ndarray:
    n = len(day)
    fast = rng.random(n) < ACCESS_7D[station]
    short = np.searchsorted(SHORT_WAIT_CUMULATIVE, rng.random(n), side="right")
    long = 8 + np.floor(rng.exponential(1.0, n) * SLOW_WAIT_MEAN[station]).astype(np.int64)
    wait = np.where(fast, np.minimum(short, 7), np.minimum(long, LONGEST_WAIT_DAYS))
    assessed = day - wait
    # Most assessments are made on working days; a few are digital (Omaolo) at weekends.
    to_working = ~tl.working[assessed] & (rng.random(n) < 0.85)
    assessed = np.where(to_working, tl.previous_working[assessed], assessed)

    u = rng.random(n)
    urgent_day = np.where(
        u < 0.80, day, np.where(u < 0.97, tl.previous_working[day - 1], tl.previous_working[day - 2])
    )
    urgent_day = np.where(tl.working[day], urgent_day, np.where(u < 0.9, day, urgent_day))
    return np.where(urgent, urgent_day, assessed)


def care_guarantee_timing(
    rng: np.random.Generator,
    tl: Timeline,
    day: np.ndarray,
    started: np.ndarray,
    station: np.ndarray,
    urgent: np.ndarray,
    assessed_visit: np.ndarray,
    booked_visit: np.ndarray,
    guidance: np.ndarray,
) -> Timing:
    """Timestamps for every contact.

    ``assessed_visit``: first T11 visits at a station (the care-guarantee population).
    ``booked_visit``: other contacts that were booked in advance (follow-ups, clinics).
    ``guidance``: contacts of the central guidance unit, assessed and handled at once.
    """
    n = len(day)
    start_minute = tl.minute_of(started)

    assessed_day = _assessment_days(rng, tl, day, station, urgent)
    same_day = assessed_day == day
    assessed_minute = np.where(
        same_day,
        _minutes_between(rng, 450, start_minute - 5),
        np.where(tl.working[assessed_day], _minutes_between(rng, 480, 930), _minutes_between(rng, 600, 1200)),
    )
    assessed = np.minimum(tl.at(assessed_day, assessed_minute), started)

    contact_same_day = rng.random(n) < np.where(urgent, 0.97, SAME_DAY[station])
    earlier = tl.previous_working[np.maximum(assessed_day - rng.integers(1, 4, n), 0)]
    contacted = np.where(
        contact_same_day,
        assessed - (_minutes_between(rng, 1, 120) * 60).astype("timedelta64[s]"),
        tl.at(earlier, _minutes_between(rng, 480, 960)),
    )
    # A same-day contact is never before 07:00 (nor after the assessment).
    seven = np.minimum(assessed, tl.at(assessed_day, np.full(n, 420)))
    contacted = np.where(contact_same_day, np.maximum(contacted, seven), contacted)
    booked = np.minimum(assessed + (_minutes_between(rng, 1, 20) * 60).astype("timedelta64[s]"), started)

    queue = (_minutes_between(rng, 0, 90) * 60).astype("timedelta64[s]")
    guidance_contacted = started - queue

    lead_days = 1 + np.minimum(np.floor(rng.exponential(12.0, n)), 89).astype(np.int64)
    booked_other = tl.at(day - lead_days, _minutes_between(rng, 480, 960))

    recorded = rng.random(n) < np.where(urgent, 1.0 - (1.0 - RECORDED[station]) * 0.5, RECORDED[station])

    contacted_at = np.where(assessed_visit, contacted, np.where(guidance, guidance_contacted, NAT))
    assessed_at = np.where(assessed_visit & recorded, assessed, np.where(guidance, started, NAT))
    booked_at = np.where(assessed_visit, booked, np.where(booked_visit, booked_other, NAT))
    return Timing(contacted=contacted_at, assessed=assessed_at, booked=booked_at, cancelled=np.full(n, NAT))


def cancel(
    rng: np.random.Generator,
    tl: Timeline,
    timing: Timing,
    day: np.ndarray,
    started: np.ndarray,
    mask: np.ndarray,
) -> None:
    """Mark contacts as cancelled, in the daytime, between booking and the planned start."""
    n = len(day)
    booked = np.where(np.isnat(timing.booked), started - np.timedelta64(86_400, "s"), timing.booked)
    booked_day = tl.day_of(booked)
    cancel_day = booked_day + np.floor(rng.uniform(0.3, 0.98, n) * (day - booked_day)).astype(np.int64)
    moment = tl.at(cancel_day, rng.integers(7 * 60, 22 * 60, n))
    moment = np.minimum(np.maximum(moment, booked), started)
    timing.cancelled = np.where(mask, moment, NAT)
