"""Demand profiles per station: a station's own weekday/month/holiday profile where it has enough needs,
else the county's (docs/simulation.md, "Calibration")."""

from __future__ import annotations

import dataclasses

import numpy as np

from valvomo.simulation.calendar import build_calendar
from valvomo.simulation.calibrate import PROFILE_MIN_DAILY
from valvomo.simulation.model import CountyModel
from valvomo.simulation.params import Profiles, params_from_dict

NO_MONDAYS = Profiles(weekday=(0.0, 1.25, 1.25, 1.25, 1.25, 0.0, 0.0))


def test_a_station_profile_shapes_its_own_demand_only(small_params) -> None:
    own = dataclasses.replace(small_params.station("ST-A"), profile=NO_MONDAYS)
    params = small_params.replace(stations=tuple(own if s.station_id == "ST-A" else s for s in small_params.stations))
    calendar = build_calendar(params)
    np.testing.assert_array_equal(calendar.demand_for(None), calendar.demand_factor)
    mondays = calendar.weekday == 0
    assert mondays.any() and not calendar.demand_for(NO_MONDAYS)[mondays].any()
    model = CountyModel(params, 5, 0)
    arrivals = {(u.station.station_id, u.profession): u.arrivals["non_urgent"] + u.arrivals["urgent"] for u in model.units}
    assert arrivals["ST-A", "nurse"].sum() > 0 and arrivals["ST-A", "nurse"][mondays].sum() == 0
    assert arrivals["ST-B", "nurse"][mondays].sum() > 0  # the county profile: Mondays are ordinary days
    # The other stations draw exactly what they drew before (their own random streams and profile).
    before = {(u.station.station_id, u.profession): u.arrivals["non_urgent"] for u in CountyModel(small_params, 5, 0).units}
    after = {(u.station.station_id, u.profession): u.arrivals["non_urgent"] for u in model.units}
    others = [key for key in before if key[0] != "ST-A"]
    assert others
    for key in others:
        np.testing.assert_array_equal(before[key], after[key])


def test_calibration_fits_own_profiles_for_large_stations_only(county_calibration) -> None:
    params = county_calibration.params
    own = {s.station_id for s in params.stations if s.profile is not None}
    daily = {s.station_id: sum(d.daily_rate for d in s.demand) for s in params.stations}
    assert own and own != set(daily)  # both kinds exist in the synthetic county
    assert own == {sid for sid, rate in daily.items() if rate >= PROFILE_MIN_DAILY - 1e-9}
    for station in params.stations:
        if station.profile is not None:
            weekday = station.profile.weekday
            assert max(weekday[5:]) < 0.5 < min(weekday[:5]) and station.profile.month[6] < 1.0
    stored = params.to_dict()  # stored calibrations keep the profiles and the later booking
    assert params_from_dict(stored).to_dict() == stored and any(s["profile"] for s in stored["stations"])
