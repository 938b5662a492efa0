"""The simulated calendar: which days are open and how busy each day is expected to be.

Open days are the scenario's opening weekdays minus Finnish public holidays
(``valvomo.workdays``, the one source of holidays). Demand on a day is the
weekday factor times the month factor (summer dip) times the holiday factor, from
the station's own profile where calibration fitted one, else the county's;
capacity on an open day is the month's capacity factor (staff summer holidays).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from valvomo.simulation.params import ModelParams, Profiles
from valvomo.workdays import is_holiday

T3_HORIZON_DAYS = 182


@dataclass(frozen=True)
class SimCalendar:
    """Arrays over simulated days ``-warmup .. days + T3 horizon - 1`` (index 0 = first warm-up day)."""

    first_day: dt.date
    warmup: int
    days: int
    weekday: np.ndarray
    open: np.ndarray
    demand_factor: np.ndarray  # the county's demand profile
    capacity_factor: np.ndarray
    month: np.ndarray
    holiday: np.ndarray

    def index(self, t: int) -> int:
        return t + self.warmup

    def demand_for(self, profile: Profiles | None) -> np.ndarray:
        """Demand factor of a station with its own ``profile`` (None: the county's)."""
        if profile is None:
            return self.demand_factor
        return _demand(profile, self.weekday, self.month, self.holiday)

    def mondays(self) -> np.ndarray:
        """Simulated times (0-based from the start) of the Mondays in the horizon."""
        t = np.arange(self.days)
        return t[self.weekday[self.warmup : self.warmup + self.days] == 0]


def build_calendar(params: ModelParams) -> SimCalendar:
    total = params.warmup_days + params.days + T3_HORIZON_DAYS
    first = params.start - dt.timedelta(days=params.warmup_days)
    dates = [first + dt.timedelta(days=i) for i in range(total)]
    weekday = np.array([d.weekday() for d in dates])
    holiday = np.array([is_holiday(d) for d in dates])
    month = np.array([d.month - 1 for d in dates])
    opening = np.isin(weekday, params.open_weekdays) & ~holiday
    profiles = params.profiles
    demand = _demand(profiles, weekday, month, holiday)
    capacity = np.where(opening, np.asarray(profiles.capacity_month)[month], 0.0)
    return SimCalendar(first, params.warmup_days, params.days, weekday, opening, demand, capacity, month, holiday)


def _demand(profiles: Profiles, weekday: np.ndarray, month: np.ndarray, holiday: np.ndarray) -> np.ndarray:
    demand = np.asarray(profiles.weekday)[weekday] * np.asarray(profiles.month)[month]
    return np.where(holiday, demand * profiles.holiday, demand)
