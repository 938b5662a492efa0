"""Professionals of each station and the residents' usual (named) professionals.

Continuity indicators (COCI, UPC, SECON) can only tell stations apart if patients
meet identifiable professionals. Each station gets a staff sized by the residents
listed there (understaffed stations get fewer per resident), with ids such as
``ST-NASI-PHY-03``. Each resident gets a usual physician and a usual nurse at the
home station; part of them are recorded as *named* (omalääkäri, hoitovastaava) in
``patients``. Stations with poor continuity also employ rotating locum physicians,
who are nobody's usual physician.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valvomo.schema import codes
from valvomo.synth.county import STATIONS, Replica, StationStory
from valvomo.synth.demography import Residents
from valvomo.synth.rng import Stream, stream

PROFESSION = {name: i for i, name in enumerate(codes.PROFESSIONS)}
ABBREVIATION = {
    "physician": "PHY",
    "nurse": "NUR",
    "public_health_nurse": "PHN",
    "practical_nurse": "PRN",
    "physiotherapist": "PHT",
    "occupational_therapist": "OCT",
    "psychologist": "PSY",
    "mental_health_nurse": "MHN",
    "social_worker": "SWK",
    "social_counsellor": "SCO",
    "dentist": "DEN",
    "dental_hygienist": "DHY",
    "other": "OTH",
}
LICENSED = np.array([p not in codes.UNLICENSED_PROFESSIONS for p in codes.PROFESSIONS])

# Residents listed per professional, for the professions whose numbers do not vary by story.
RESIDENTS_PER = {
    "public_health_nurse": 2_500,
    "practical_nurse": 5_000,
    "physiotherapist": 6_000,
    "occupational_therapist": 25_000,
    "psychologist": 15_000,
    "mental_health_nurse": 8_000,
    "social_worker": 20_000,
}
NURSE_LED_PROFESSIONS = ("physician", "nurse", "public_health_nurse", "practical_nurse")


@dataclass
class Staff:
    """Professionals of a replica, contiguous per (station, profession): permanent first, locums last."""

    ids: list[str]
    station: np.ndarray
    profession: np.ndarray
    pool_start: np.ndarray  # [station, profession]
    pool_size: np.ndarray  # [station, profession], locums included
    permanent_size: np.ndarray  # [station, profession]

    def __len__(self) -> int:
        return len(self.ids)

    def pick(self, rng: np.random.Generator, station: np.ndarray, profession: np.ndarray) -> np.ndarray:
        """A random professional of each (station, profession) pair; -1 where the pool is empty."""
        size = self.pool_size[station, profession]
        offset = np.floor(rng.random(len(station)) * size).astype(np.int64)
        return np.where(size > 0, self.pool_start[station, profession] + offset, -1)


def _head_count(story: StationStory, profession: str, listed: int, replica_residents: int) -> tuple[int, int]:
    """(permanent, locum) head count of one profession at one station."""
    if story.kind == "guidance_unit":
        return (
            (max(2, round(replica_residents / story.residents_per_nurse)), 0)
            if profession == "nurse"
            else (0, 0)
        )
    if story.kind == "nurse_led_station" and profession not in NURSE_LED_PROFESSIONS:
        return 0, 0
    if profession == "physician":
        permanent = max(1, round(listed / story.residents_per_physician))
        return permanent, round(permanent * story.locum_physician_share)
    if profession == "nurse":
        return max(1, round(listed / story.residents_per_nurse)), 0
    if profession in RESIDENTS_PER:
        return max(1, round(listed / RESIDENTS_PER[profession])), 0
    return 0, 0


def build_staff(replica: Replica, residents: Residents) -> Staff:
    listed = np.bincount(residents.station, minlength=len(STATIONS))
    n_prof = len(codes.PROFESSIONS)
    pool_start = np.zeros((len(STATIONS), n_prof), dtype=np.int64)
    pool_size = np.zeros_like(pool_start)
    permanent_size = np.zeros_like(pool_start)
    ids: list[str] = []
    station: list[int] = []
    profession: list[int] = []
    for s, story in enumerate(STATIONS):
        station_id = replica.station_ids[s]
        for p, name in enumerate(codes.PROFESSIONS):
            permanent, locums = _head_count(story, name, int(listed[s]), replica.residents)
            pool_start[s, p] = len(ids)
            pool_size[s, p] = permanent + locums
            permanent_size[s, p] = permanent
            for number in range(1, permanent + locums + 1):
                ids.append(f"{station_id}-{ABBREVIATION[name]}-{number:02d}")
                station.append(s)
                profession.append(p)
    return Staff(
        ids=ids,
        station=np.array(station, dtype=np.int64),
        profession=np.array(profession, dtype=np.int64),
        pool_start=pool_start,
        pool_size=pool_size,
        permanent_size=permanent_size,
    )


def assign_usual_professionals(seed: int, replica: Replica, residents: Residents, staff: Staff) -> None:
    """Give each resident a usual physician and nurse at the home station; mark the named ones."""
    rng = stream(seed, Stream.STAFF, replica.index)
    n = len(residents)
    for profession, target in (("physician", "usual_physician"), ("nurse", "usual_nurse")):
        p = PROFESSION[profession]
        size = staff.permanent_size[residents.station, p]
        chosen = staff.pool_start[residents.station, p] + np.floor(rng.random(n) * size).astype(np.int64)
        setattr(residents, target, np.where(size > 0, chosen, -1))
    # Regular customers (chronic conditions, older people) are the first to get named professionals.
    regular = residents.diabetes | residents.hypertension | residents.high_need | (residents.age >= 75)
    weight = np.where(regular, 1.8, 0.75)
    nurse_share = np.array([s.named_nurse_share for s in STATIONS])[residents.station]
    physician_share = np.array([s.named_physician_share for s in STATIONS])[residents.station]
    residents.named_nurse = (rng.random(n) < np.minimum(0.97, nurse_share * weight)) & (
        residents.usual_nurse >= 0
    )
    residents.named_physician = (rng.random(n) < np.minimum(0.95, physician_share * weight)) & (
        residents.usual_physician >= 0
    )
