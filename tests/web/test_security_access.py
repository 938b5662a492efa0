"""Who sees patient-level data, and whose view may run without disclosure control."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from valvomo.web.auth.sessions import SessionState
from valvomo.web.auth.users import Principal
from valvomo.web.deps import can_see_patient_level, disclosure_profile_for


def principal(role: str, stations=()) -> Principal:
    return Principal(1, "u", role, tuple(stations), "fi")


@pytest.mark.parametrize(
    ("role", "stations", "station", "allowed"),
    [
        ("station_manager", ["ST-A"], "ST-A", True),
        ("station_manager", ["ST-A"], "ST-B", False),
        ("station_manager", ["ST-A"], None, False),  # county-wide lists are not theirs
        ("analyst", [], "ST-B", True),
        ("analyst", [], None, True),
        ("viewer", [], "ST-A", False),
        ("admin", [], "ST-A", False),  # admins manage accounts, not care data
    ],
)
def test_patient_level_access(role, stations, station, allowed):
    assert can_see_patient_level(principal(role, stations), station) is allowed


def test_anonymous_never_sees_patient_level():
    assert can_see_patient_level(None, "ST-A") is False


def _request(profile: str, disclosure_off: bool):
    state = SimpleNamespace(web_session=SessionState("h", 1, "t", disclosure_off))
    app = SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(disclosure_profile=profile)))
    return SimpleNamespace(state=state, app=app)


@pytest.mark.parametrize(
    ("role", "switched_off", "expected"),
    [
        ("analyst", True, "none"),
        ("analyst", False, "threshold5"),
        ("viewer", True, "threshold5"),  # a stale flag on a non-analyst session is ignored
        ("station_manager", True, "threshold5"),
        ("admin", True, "threshold5"),
    ],
)
def test_disclosure_profile_for(role, switched_off, expected):
    assert disclosure_profile_for(principal(role), _request("threshold5", switched_off)) == expected
