"""Assessment recording and field completeness on hand-computed cases (indicators.md, "Quality")."""

from __future__ import annotations

import datetime as dt

import pytest

from valvomo.indicators import REGISTRY, Query, compute
from valvomo.indicators.quality import COMPLETENESS_COLUMNS


def contact(cid, *, station="S1", assessed=True, **extra):
    started = dt.datetime(2024, 3, 5, 10)
    row = {
        "contact_id": cid,
        "patient_id": "P" + cid,
        "station_id": station,
        "professional_id": "X",
        "profession": "nurse",
        "contact_type": "R10",
        "service_type": "T11",
        "nature": "SH",
        "urgency": "non_urgent",
        "first_visit": True,
        "started_at": started,
        "assessed_at": started - dt.timedelta(days=2) if assessed else None,
    }
    row.update(extra)
    return row


@pytest.fixture
def recording_sources(make_sources):
    contacts = [
        contact("1"),
        contact("2", assessed=False),
        contact("3", assessed=False, contact_type="R52"),  # remote patient contacts count too
        contact("4", station="S2"),
        # Outside the population (each would lower S1's share if counted):
        contact("5", assessed=False, first_visit=False),
        contact("6", assessed=False, first_visit=None),
        contact("7", assessed=False, urgency="urgent"),
        contact("8", assessed=False, nature="TH"),
        contact("9", assessed=False, service_type="T20"),
        contact("10", assessed=False, profession="practical_nurse"),  # not licensed by default
        contact("11", assessed=False, cancelled_at=dt.datetime(2024, 3, 1)),
        contact("12", assessed=False, contact_type="R72"),
    ]
    return make_sources({"contacts": contacts})


def test_assessment_recording_by_station(recording_sources):
    rows = compute("assessment_recording", recording_sources, Query(period="quarter", by=("station",)))
    got = {r["station_id"]: (r["numerator"], r["denominator"], r["value"]) for r in rows}
    # S1: contacts 1, 2, 3 -> 1 of 3 recorded; S2: contact 4 -> 1 of 1.
    assert got == {"S1": (1, 3, pytest.approx(1 / 3)), "S2": (1, 1, 1.0)}
    assert {r["period"] for r in rows} == {"2024Q1"}


def test_assessment_recording_target_is_every_health_centre():
    (target,) = REGISTRY.get("assessment_recording").targets
    assert (target.value, target.deadline, target.scope) == (1.0, "2025Q4", "national")


def test_field_completeness(make_sources):
    contacts = [
        contact("1", cost_eur=12.5, booked_at=dt.datetime(2024, 3, 1)),
        contact("2", assessed=False, cost_eur=3.0),
        contact("3", assessed=False, cancelled_at=dt.datetime(2024, 3, 1)),  # cancelled rows count too
        contact("4", assessed=False, professional_id=None),
    ]
    rows = compute("field_completeness", make_sources({"contacts": contacts}), Query(period="year"))
    got = {r["bin"]: (r["numerator"], r["denominator"], r["value"]) for r in rows}
    assert list(got) == list(COMPLETENESS_COLUMNS)  # one row per optional column, in schema order
    assert "licensed" not in got  # filled from the profession in the warehouse
    assert got["assessed_at"] == (1, 4, 0.25)
    assert got["cost_eur"] == (2, 4, 0.5)
    assert got["booked_at"] == (1, 4, 0.25)
    assert got["professional_id"] == (3, 4, 0.75)
    assert got["first_visit"] == (4, 4, 1.0)
    assert got["cancelled_at"] == (1, 4, 0.25)
    assert got["specialty"] == (0, 4, 0.0)


def test_field_completeness_per_station(make_sources):
    contacts = [contact("1", cost_eur=1.0), contact("2", station="S2")]
    rows = compute(
        "field_completeness", make_sources({"contacts": contacts}), Query(period="year", by=("station",))
    )
    cost = {r["station_id"]: r["value"] for r in rows if r["bin"] == "cost_eur"}
    assert cost == {"S1": 1.0, "S2": 0.0}


def test_assessment_recording_counts_only_health_and_nurse_led_stations(make_sources):
    """The recording share is about health centres (RRP investment 3), as the care guarantee is: a
    guidance-unit contact without an assessment does not lower the county figure; a unit missing from
    the stations table has an unknown kind and counts."""
    stations = [
        {"station_id": "S1", "name_fi": "Näsi", "municipality": "638", "county": "X", "kind": "health_station"},
        {"station_id": "G1", "name_fi": "Ohjaus", "municipality": "638", "county": "X", "kind": "guidance_unit"},
    ]
    contacts = [contact("1"), contact("2", station="G1", assessed=False), contact("3", station="X9", assessed=False)]
    [row] = compute("assessment_recording", make_sources({"contacts": contacts, "stations": stations}), Query())
    assert (row["numerator"], row["denominator"]) == (1, 2)
    assert REGISTRY.get("assessment_recording").applies_to_station_kind("guidance_unit") is False
