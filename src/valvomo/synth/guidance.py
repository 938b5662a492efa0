"""Guidance requests: phone calls, call-backs, e-forms, chat and walk-ins.

The seeds set the bar for central guidance (asiakasohjaus): 80 % of customers
reached the same day and the rest the next working day (Keusote, seed 004). Most
requests go to the central guidance unit, the rest to the stations. A request is
answered the same day with the unit's probability when it arrives in time (on a
working day before mid-afternoon); otherwise on the next working day or a little
later; a few are never reached.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from valvomo.schema import codes
from valvomo.synth import columns
from valvomo.synth.county import STATIONS, Replica
from valvomo.synth.ids import IdFormat
from valvomo.synth.rng import choose_n, cumulative_table
from valvomo.synth.timeline import NAT, Timeline, minutes

REQUESTS_PER_RESIDENT_YEAR = 0.9
GUIDANCE_UNIT_SHARE = 0.78
CHANNEL = {name: i for i, name in enumerate(codes.GUIDANCE_CHANNELS)}
UNIT_CHANNELS = {
    "guidance_unit": {
        "phone": 0.40,
        "callback": 0.30,
        "e_form": 0.12,
        "chat": 0.10,
        "digital_assessment": 0.08,
    },
    "station": {"phone": 0.45, "callback": 0.20, "walk_in": 0.25, "e_form": 0.10},
}
DIGITAL = np.array([c in ("e_form", "digital_assessment") for c in codes.GUIDANCE_CHANNELS])
# Minutes to the first reply when answered the same day: (low, high) per channel.
SAME_DAY_DELAY = {
    "phone": (1, 20),
    "callback": (20, 240),
    "e_form": (30, 300),
    "chat": (1, 30),
    "walk_in": (0, 30),
    "digital_assessment": (30, 300),
}
OUTCOMES = {
    "advice": 0.45,
    "booked": 0.35,
    "referred_third_sector": 0.05,
    "referred_other_service": 0.09,
    "emergency": 0.02,
    "other": 0.04,
}
SERVICE_AREAS = {
    "health": 0.68,
    "social": 0.08,
    "mental_health": 0.09,
    "family": 0.07,
    "older_people": 0.06,
    "oral_health": 0.02,
}
SAME_DAY = np.array([s.guidance_same_day for s in STATIONS])
UNREACHED = np.array([s.guidance_unreached for s in STATIONS])
IS_GUIDANCE_UNIT = np.array([s.kind == "guidance_unit" for s in STATIONS])


def _channel_table() -> np.ndarray:
    rows = np.zeros((len(STATIONS), len(codes.GUIDANCE_CHANNELS)))
    for s in range(len(STATIONS)):
        for name, weight in UNIT_CHANNELS["guidance_unit" if IS_GUIDANCE_UNIT[s] else "station"].items():
            rows[s, CHANNEL[name]] = weight
    return cumulative_table(rows)


CHANNEL_CUMULATIVE = _channel_table()


def _units(rng: np.random.Generator, listed: np.ndarray, n: int) -> np.ndarray:
    weights = np.where(IS_GUIDANCE_UNIT, 0.0, listed.astype(float))
    weights = weights / max(weights.sum(), 1.0) * (1.0 - GUIDANCE_UNIT_SHARE)
    weights[IS_GUIDANCE_UNIT] = GUIDANCE_UNIT_SHARE
    return choose_n(rng, weights, n)


def _received(rng: np.random.Generator, tl: Timeline, channel: np.ndarray) -> np.ndarray:
    n = len(channel)
    office_day = tl.sample_days(rng, tl.appointment_weights(), n)
    span = slice(tl.start_index, tl.end_index)
    any_day_weight = np.where(tl.working[span], 1.0, 0.35)
    digital_day = tl.sample_days(rng, any_day_weight, n)
    digital = DIGITAL[channel]
    day = np.where(digital, digital_day, office_day)
    minute = np.where(digital, minutes(rng, n, 6 * 60, 23 * 60 + 59), minutes(rng, n, 8 * 60, 15 * 60 + 59))
    return tl.at(day, minute)


def _first_responses(
    rng: np.random.Generator, tl: Timeline, unit: np.ndarray, channel: np.ndarray, received: np.ndarray
) -> np.ndarray:
    n = len(unit)
    day = tl.day_of(received)
    minute = tl.minute_of(received)
    in_time = tl.working[day] & (minute < 15 * 60 + 30)
    same = in_time & (rng.random(n) < SAME_DAY[unit])
    low = np.array([SAME_DAY_DELAY[c][0] for c in codes.GUIDANCE_CHANNELS])[channel]
    high = np.array([SAME_DAY_DELAY[c][1] for c in codes.GUIDANCE_CHANNELS])[channel]
    delay = low + np.floor(rng.random(n) * (high - low + 1)).astype(np.int64)
    same_day_reply = np.minimum(minute + delay, np.maximum(minute, 16 * 60 + 25))
    later_day = tl.next_working[day]
    late = rng.random(n) < 0.15
    later_day = np.where(late, tl.next_working[tl.next_working[later_day]], later_day)
    reply = np.where(same, tl.at(day, same_day_reply), tl.at(later_day, minutes(rng, n, 8 * 60, 12 * 60)))
    unreached = rng.random(n) < UNREACHED[unit]
    reply = np.where(unreached | (reply >= tl.extract_instant), NAT, reply)
    return reply


def generate_guidance(
    rng: np.random.Generator,
    tl: Timeline,
    replica: Replica,
    listed: np.ndarray,
    ids: IdFormat,
    first_number: int,
) -> tuple[dict[str, pa.Array], np.ndarray, np.ndarray]:
    """Requests of one replica over the period, ordered by arrival.

    Returns the table columns and, for feedback, each request's unit index and time.
    """
    n = int(rng.poisson(REQUESTS_PER_RESIDENT_YEAR * replica.residents * tl.period_days / 365.25))
    unit = _units(rng, listed, n)
    channel = (rng.random(n)[:, None] >= CHANNEL_CUMULATIVE[unit][:, :-1]).sum(axis=1)
    received = _received(rng, tl, channel)
    order = np.argsort(received, kind="stable")
    unit, channel, received = unit[order], channel[order], received[order]
    reply = _first_responses(rng, tl, unit, channel, received)

    outcome = choose_n(rng, np.array(list(OUTCOMES.values())), n)
    outcome_names = list(OUTCOMES) + ["unreached"]
    outcome = np.where(np.isnat(reply), len(outcome_names) - 1, outcome)
    outcome = np.where(~np.isnat(reply) & (rng.random(n) < 0.03), -1, outcome)
    has_patient = rng.random(n) < 0.85
    patient = replica.first_patient + rng.integers(0, max(replica.residents, 1), n)
    area = choose_n(rng, np.array(list(SERVICE_AREAS.values())), n)
    table = {
        "request_id": ids.events("G", first_number, n),
        "unit_id": columns.pick_strings(replica.station_ids, unit),
        "channel": columns.pick_strings(codes.GUIDANCE_CHANNELS, channel),
        "received_at": columns.timestamps(received),
        "first_response_at": columns.timestamps(reply),
        "patient_id": pc.if_else(pa.array(has_patient), ids.patients(patient), pa.scalar(None, pa.string())),
        "service_area": columns.pick_strings(list(SERVICE_AREAS), area),
        "outcome": columns.pick_strings(outcome_names, outcome),
    }
    return table, unit, received
