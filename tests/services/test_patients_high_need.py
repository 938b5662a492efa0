"""High-need list of a station (services.patients) on a hand-built county."""

from __future__ import annotations

import datetime as dt

import pytest

from valvomo.services.patients import high_need_patients, window_for


def contact(cid, patient, day, cost, *, station="S1", contact_type="R10", **extra):
    row = {
        "contact_id": cid,
        "patient_id": patient,
        "station_id": station,
        "professional_id": "X",
        "profession": "nurse",
        "contact_type": contact_type,
        "service_type": "T11",
        "nature": "SH",
        "urgency": "non_urgent",
        "started_at": dt.datetime.fromisoformat(day).replace(hour=9),
        "cost_eur": cost,
    }
    row.update(extra)
    return row


CONTACTS = [
    contact("c01a", "P01", "2024-03-01", 300.0),
    contact("c01b", "P01", "2024-06-01", 200.0, contact_type="R52"),  # remote
    contact("c01x", "P01", "2024-07-01", 9999.0, cancelled_at=dt.datetime(2024, 6, 30, 8)),  # cancelled
    contact("c02", "P02", "2024-04-01", 400.0),
    contact("c02x", "P02", "2024-04-02", 777.0, contact_type="R60"),  # not a patient contact
    contact("c03", "P03", "2024-05-01", 400.0),  # ties with P02: P02 ranks first by patient_id
    contact("c03old", "P03", "2022-05-01", 5000.0),  # outside the window
    *[contact(f"c{i:02d}", f"P{i:02d}", "2024-05-01", 100.0) for i in range(4, 11)],
    # P20: two contacts at S2, one at S1 -> S2's patient (majority)
    contact("c20a", "P20", "2024-02-01", 400.0, station="S2"),
    contact("c20b", "P20", "2024-03-01", 400.0, station="S2"),
    contact("c20c", "P20", "2024-04-01", 200.0),
    # P21: one at S1, one at S2 -> tie, smallest station_id S1; both contacts count
    contact("c21a", "P21", "2024-02-01", 50.0),
    contact("c21b", "P21", "2024-12-15", 50.0, station="S2"),  # the latest contact: window end
    # P30: at S1 without cost -> not a user
    contact("c30", "P30", "2024-05-01", None),
]


def test_window_is_twelve_months_ending_on_the_end_date():
    assert window_for(dt.date(2024, 12, 15)) == (dt.date(2023, 12, 16), dt.date(2024, 12, 15))
    # 29 Feb 2024 - 12 months -> 28 Feb 2023 (clamped); the window starts the day after
    assert window_for(dt.date(2024, 2, 29)) == (dt.date(2023, 3, 1), dt.date(2024, 2, 29))


def test_top_decile_by_cost_with_majority_station(make_sources):
    sources = make_sources({"contacts": CONTACTS})
    result = high_need_patients(sources, "S1")
    assert (result.window_start, result.window_end) == (dt.date(2023, 12, 16), dt.date(2024, 12, 15))
    # users of S1: P01..P10 and P21 = 11; top ceil(0.1 x 11) = 2
    assert result.users == 11
    # cost: P01 500 + P02 400 + P03 400 + P04..P10 7 x 100 + P21 100 = 2100
    assert result.total_cost_eur == pytest.approx(2100.0)
    assert [(p.rank, p.patient_id, p.contacts, p.cost_eur) for p in result.patients] == [
        (1, "P01", 2, 500.0),
        (2, "P02", 1, 400.0),
    ]
    first = result.patients[0]
    assert (first.physical_contacts, first.remote_contacts) == (1, 1)
    assert first.last_contact == dt.date(2024, 6, 1)
    # (500 + 400) / 2100
    assert result.list_cost_share == pytest.approx(900 / 2100)


def test_home_station_overrides_the_majority(make_sources):
    patients = [
        {
            "patient_id": f"P{i:02d}",
            "birth_year": 1970,
            "sex": "F",
            "municipality": "638",
            "home_station_id": None,
        }
        for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 21, 30)
    ] + [
        {"patient_id": "P20", "birth_year": 1950, "sex": "M", "municipality": "638", "home_station_id": "S1"}
    ]
    sources = make_sources({"contacts": CONTACTS, "patients": patients})
    result = high_need_patients(sources, "S1", end=dt.date(2024, 12, 31))
    # P20 now belongs to S1 with 400 + 400 + 200 = 1000: users 12, top ceil(1.2) = 2
    assert result.users == 12
    assert [(p.patient_id, p.cost_eur, p.contacts) for p in result.patients] == [
        ("P20", 1000.0, 3),
        ("P01", 500.0, 2),
    ]


def test_station_without_patients_gives_an_empty_list(make_sources):
    sources = make_sources({"contacts": CONTACTS})
    result = high_need_patients(sources, "S9")
    assert result.users == 0
    assert result.patients == []
    assert result.list_cost_share is None
