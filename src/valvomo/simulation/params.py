"""Typed parameters of the county model: everything a run depends on, in one immutable object.

``ModelParams`` is what calibration (``calibrate.py``) produces from the
warehouse and what a scenario (``scenario.py``) changes; the model
(``model.py``) reads nothing else. It is plain frozen dataclasses so that it can
be pickled to the worker processes, hashed into the result-cache key
(``results.py``) and printed by ``valvomo simulate calibrate``.

Units: rates are needs per day on an average day of the calibration window;
capacity is appointment slots per open day; shares are fractions 0-1.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Literal

PROFESSIONS: tuple[str, ...] = (
    "physician",
    "nurse",
    "public_health_nurse",
    "physiotherapist",
    "mental_health_nurse",
    "psychologist",
    "social_worker",
)
URGENCIES: tuple[str, ...] = ("urgent", "non_urgent")
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Policy = Literal["earliest_slot", "named_professional", "pooled"]
POLICIES: tuple[str, ...] = ("earliest_slot", "named_professional", "pooled")


@dataclass(frozen=True)
class DemandStream:
    """Needs of one kind arriving at a station: routed to ``profession`` by the care-need assessment."""

    profession: str
    urgency: str
    channel: str
    need_type: str
    daily_rate: float
    origin: str = ""  # the profession a scenario moved these needs from (task shift, direct access)

    @property
    def key(self) -> str:
        """Names the stream's random numbers: a moved stream keeps its own, the rest keep theirs."""
        base = f"{self.profession}/{self.urgency}/{self.channel}/{self.need_type}"
        return f"{base}<-{self.origin}" if self.origin else base


@dataclass(frozen=True)
class Capacity:
    """Appointment capacity of one profession at one station.

    Slots per open day = ``fte * slots_per_fte_day * guarantee_share`` (times the
    month's capacity factor). ``guarantee_share`` is the part of the calendar that
    serves new needs (first visits) rather than follow-ups, groups and reserved
    time; calibration fits it so that the simulated 7-day share matches history.
    """

    fte: float
    slots_per_fte_day: float
    guarantee_share: float
    professionals: int

    def slots_per_day(self) -> float:
        return self.fte * self.slots_per_fte_day * self.guarantee_share


@dataclass(frozen=True)
class LaterBooking:
    """Needs booked later than the earliest free slot (own choice, visits planned ahead): the
    ``share`` of non-urgent needs that do, and their added delay in days (``delays`` with
    probabilities ``weights``). Measured from the warehouse (``later.py``); none in M/M/c."""

    share: float
    delays: tuple[int, ...]
    weights: tuple[float, ...]


@dataclass(frozen=True)
class StationParams:
    station_id: str
    name: str
    demand: tuple[DemandStream, ...]
    capacity: dict[str, Capacity]
    remote_resolution: float  # share of assessed needs resolved at the first (remote) contact, no slot
    no_show: float  # share of booked visits that do not take place (the slot is lost)
    regular_share: dict[str, float] = field(default_factory=dict)  # non-urgent needs of listed regulars
    later: dict[str, LaterBooking] = field(default_factory=dict)  # per profession: booked later by choice
    profile: Profiles | None = None  # the station's own demand profile (weekday, month, holiday); None: the county's

    def professions(self) -> tuple[str, ...]:
        return tuple(p for p in PROFESSIONS if p in self.capacity)


@dataclass(frozen=True)
class Profiles:
    """Multiplicative demand and capacity profiles (county-wide; 1.0 = an average day)."""

    weekday: tuple[float, ...] = (1.0,) * 7  # Monday first
    month: tuple[float, ...] = (1.0,) * 12
    holiday: float = 1.0  # demand on a Finnish public holiday relative to its weekday
    capacity_month: tuple[float, ...] = (1.0,) * 12  # summer holidays of staff


@dataclass(frozen=True)
class ModelParams:
    """Everything the county model reads."""

    stations: tuple[StationParams, ...]
    profiles: Profiles
    start: dt.date
    days: int = 365
    warmup_days: int = 56
    open_weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    policy: Policy = "earliest_slot"
    named_fallback_days: int = 14  # a regular customer waits for the named professional at most this long
    demand_scale: float = 1.0
    snapshot_id: str = ""

    def station(self, station_id: str) -> StationParams:
        for station in self.stations:
            if station.station_id == station_id:
                return station
        raise KeyError(station_id)

    def replace(self, **changes) -> ModelParams:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return _plain(dataclasses.asdict(self))

    def fingerprint(self) -> str:
        """A stable hash of every parameter (part of the result-cache key)."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 10)
    return value


def params_from_dict(data: dict) -> ModelParams:
    """Inverse of ``ModelParams.to_dict`` (stored calibrations)."""
    stations = tuple(
        StationParams(
            station_id=s["station_id"],
            name=s["name"],
            demand=tuple(DemandStream(**d) for d in s["demand"]),
            capacity={p: Capacity(**c) for p, c in s["capacity"].items()},
            remote_resolution=s["remote_resolution"],
            no_show=s["no_show"],
            regular_share=dict(s.get("regular_share", {})),
            later={
                p: LaterBooking(b["share"], tuple(b["delays"]), tuple(b["weights"])) for p, b in s.get("later", {}).items()
            },
            profile=_profiles(s["profile"]) if s.get("profile") else None,
        )
        for s in data["stations"]
    )
    profiles = _profiles(data["profiles"])
    rest = {k: v for k, v in data.items() if k not in ("stations", "profiles")}
    rest["start"] = dt.date.fromisoformat(rest["start"])
    rest["open_weekdays"] = tuple(rest["open_weekdays"])
    return ModelParams(stations=stations, profiles=profiles, **rest)


def _profiles(data: dict) -> Profiles:
    return Profiles(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
