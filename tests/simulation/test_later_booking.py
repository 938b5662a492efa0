"""Booked later than the earliest free slot: measured by hand on a tiny calendar, applied by the model.

Calendar (nurse A at S1, all published 1 Jan 2024): free slots on Fri 5 Jan (the extract's first),
Tue 9 Jan and Tue 16 Jan; a slot on Wed 10 Jan booked only after Monday 08:00; a slot on 30 Jan booked
on Sat 20 Jan (the extract's latest moment, so Mon 22 Jan is not a measurement instant).
Earliest free slot at Mon 8 Jan 08:00: Tue 9 Jan; at Mon 15 Jan: Tue 16 Jan.

Access events (non-urgent nurse visits at S1 unless said otherwise):
  c1 assessed Tue 9.1, visit 10.1: wait 1, free-slot wait 0 -> excess 1 (within the 2-day slack)
  c2 assessed Mon 8.1, visit 19.1: wait 11, free-slot wait 1 -> booked later, delay 10
  c3 assessed Wed 17.1, visit 20.1: wait 3, free-slot wait 0 (16.1 is past) -> booked later, delay 3
  c4 assessed Thu 11.1, visit 12.1: wait 1 -> not later
  c5 assessed Mon 22.1: not a measurement instant -> not measured
  c6 physician, assessed 9.1, visit 30.1: no free physician slot in the horizon -> free-slot wait 182,
     not later (so the physician has no later-booking part)
So the nurse at S1: 4 measured, 2 booked later: share 0.5, delays 3 and 10 with weight 0.5 each.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from valvomo.indicators.access import access_events
from valvomo.simulation import metrics
from valvomo.simulation.later import later_booking
from valvomo.simulation.model import simulate
from valvomo.simulation.params import (
    Capacity,
    DemandStream,
    LaterBooking,
    ModelParams,
    Profiles,
    StationParams,
)


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _slot(slot_id: str, starts: str, **fields) -> dict:
    row = {"slot_id": slot_id, "station_id": "S1", "professional_id": "A", "profession": "nurse",
           "slot_type": "non_urgent", "starts_at": _ts(starts), "duration_min": 20,
           "published_at": _ts("2024-01-01 09:00"), "booked_at": None, "cancelled_at": None}  # fmt: skip
    row.update({k: _ts(v) for k, v in fields.items()})
    return row


def _contact(contact_id: str, assessed: str, started: str, profession: str = "nurse") -> dict:
    return {"contact_id": contact_id, "patient_id": f"p-{contact_id}", "station_id": "S1",
            "profession": profession, "contact_type": "R10", "service_type": "T11", "nature": "SH",
            "urgency": "non_urgent", "assessed_at": _ts(assessed), "started_at": _ts(started)}  # fmt: skip


SLOTS = [
    _slot("s1", "2024-01-05 09:00"),
    _slot("s2", "2024-01-09 09:00"),
    _slot("s3", "2024-01-10 09:00", booked_at="2024-01-08 12:00"),
    _slot("s4", "2024-01-16 09:00"),
    _slot("s5", "2024-01-30 09:00", booked_at="2024-01-20 10:00"),
]
CONTACTS = [
    _contact("c1", "2024-01-09 10:00", "2024-01-10 09:00"),
    _contact("c2", "2024-01-08 10:00", "2024-01-19 09:00"),
    _contact("c3", "2024-01-17 10:00", "2024-01-20 09:00"),
    _contact("c4", "2024-01-11 10:00", "2024-01-12 09:00"),
    _contact("c5", "2024-01-22 10:00", "2024-01-23 09:00"),
    _contact("c6", "2024-01-09 10:00", "2024-01-30 09:00", profession="physician"),
]


def test_later_booking_by_hand(make_sources) -> None:
    sources = make_sources({"slots": SLOTS, "contacts": CONTACTS})
    measured = later_booking(sources, access_events(sources), dt.date(2024, 1, 1), dt.date(2024, 1, 31), min_events=1)
    assert measured == {("S1", "nurse"): LaterBooking(share=0.5, delays=(3, 10), weights=(0.5, 0.5))}


def test_later_booking_needs_enough_events(make_sources) -> None:
    sources = make_sources({"slots": SLOTS, "contacts": CONTACTS})
    assert later_booking(sources, access_events(sources), dt.date(2024, 1, 1), dt.date(2024, 1, 31), min_events=5) == {}


def _params(later: dict[str, LaterBooking], policy: str = "earliest_slot") -> ModelParams:
    # Ample capacity, open every day, no Finnish holiday in September-October 2024: a need booked at
    # the earliest slot waits 0 days, one booked later waits exactly its added delay.
    station = StationParams(
        station_id="S1", name="S1",
        demand=(DemandStream("nurse", "non_urgent", "physical", "other", 6.0),),
        capacity={"nurse": Capacity(fte=5, slots_per_fte_day=10, guarantee_share=1.0, professionals=2)},
        remote_resolution=0.0, no_show=0.0, later=later,
    )  # fmt: skip
    return ModelParams(stations=(station,), profiles=Profiles(), start=dt.date(2024, 9, 2), days=42,
                       warmup_days=14, open_weekdays=tuple(range(7)), policy=policy)  # fmt: skip


@pytest.mark.parametrize("policy", ["earliest_slot", "named_professional", "pooled"])
def test_every_need_booked_ten_days_later_waits_ten_days(policy) -> None:
    outcome = simulate(_params({"nurse": LaterBooking(1.0, (10,), (1.0,))}, policy), 3, 0).stations["S1"]
    hist = outcome.wait_hist
    assert hist.sum() > 200 and hist[10] == hist.sum()
    assert metrics.mean_wait(hist) == 10.0 and metrics.access_7d(hist) == 0.0


def test_half_booked_later_splits_the_waits() -> None:
    outcome = simulate(_params({"nurse": LaterBooking(0.5, (4, 20), (0.5, 0.5))}), 3, 0).stations["S1"]
    hist = outcome.wait_hist
    assert set(np.flatnonzero(hist)) == {0, 4, 20}
    assert 0.4 < hist[0] / hist.sum() < 0.6 and 0.15 < hist[20] / hist.sum() < 0.35


def test_no_later_booking_is_the_earliest_slot_model() -> None:
    """A zero share draws nothing that changes the waits: the model without the part (and M/M/c) is unchanged."""
    plain = simulate(_params({}), 3, 0).stations["S1"].wait_hist
    zero = simulate(_params({"nurse": LaterBooking(0.0, (10,), (1.0,))}), 3, 0).stations["S1"].wait_hist
    np.testing.assert_array_equal(plain, zero)
    assert plain.sum() > 200 and plain[0] == plain.sum()
