"""The care-guarantee populations on their own (populations/access.py, docs/populations.md): which
contacts are in, and the values of their columns, on hand-built tables."""

from __future__ import annotations

import datetime as dt

import pytest
from access_rows import STATIONS, contact

from valvomo.indicators.populations.access import (
    access_events,
    assessment_timeliness_events,
    care_guarantee_contacts,
    urgent_access_events,
)
from valvomo.indicators.populations.contacts import realised_contacts


def rows(expr) -> dict[str, dict]:
    return {r["contact_id"]: r for r in expr.to_pyarrow().to_pylist()}


CONTACTS = [
    contact("ok", "2024-03-01 10:00", "2024-03-08 09:00"),  # 7 days
    # one assessment, several contacts: the earliest start wins; on a tie, the smaller contact_id
    contact("p_late", "2024-03-04 09:00", "2024-03-20 09:00", patient_id="P"),
    contact("p_early", "2024-03-04 09:00", "2024-03-06 09:00", patient_id="P"),  # 2 days
    contact("r_b", "2024-03-06 08:00", "2024-03-06 10:00", patient_id="R"),
    contact("r_a", "2024-03-06 08:00", "2024-03-06 10:00", patient_id="R", station_id="S2"),  # 0: tie
    contact("late_assessment", "2024-03-03 10:00", "2024-03-02 09:00"),  # assessed after the visit
    contact("unassessed", None, "2024-03-02 09:00"),
    contact("guidance", "2024-03-01 10:00", "2024-03-01 11:00", station_id="G1"),  # guidance unit: out
    contact("unknown_unit", "2024-03-01 10:00", "2024-03-05 11:00", station_id="X9"),  # kind unknown: in
    contact("cancelled", "2024-03-01 10:00", "2024-03-05 11:00", cancelled_at="2024-03-04 12:00"),
    contact("letter", "2024-03-01 10:00", "2024-03-05 11:00", contact_type="R71"),
    contact("urgent", "2024-03-01 10:00", "2024-03-01 11:00", urgency="urgent"),
    contact("unlicensed", "2024-03-01 10:00", "2024-03-05 11:00", profession="practical_nurse"),
    contact("care_plan", "2024-03-01 10:00", "2024-03-05 11:00", care_plan=True),
]


@pytest.fixture
def sources(make_sources):
    return make_sources({"contacts": CONTACTS, "stations": STATIONS})


def test_realised_contacts_drop_cancelled_and_non_patient_contacts(sources):
    assert set(rows(realised_contacts(sources))) == {c["contact_id"] for c in CONTACTS} - {"cancelled", "letter"}


def test_care_guarantee_contacts_are_non_urgent_licensed_t11_at_care_stations(sources):
    got = set(rows(care_guarantee_contacts(sources)))
    assert got == {
        "ok", "p_late", "p_early", "r_b", "r_a", "late_assessment", "unassessed", "unknown_unit", "care_plan",
    }  # fmt: skip


def test_access_events_one_per_assessment_with_waiting_days(sources):
    got = rows(access_events(sources))
    assert {k: r["waiting_days"] for k, r in got.items()} == {"ok": 7, "p_early": 2, "r_a": 0, "unknown_unit": 4}
    assert got["r_a"]["station_id"] == "S2"  # r_a and r_b start together: contact_id decides


def test_without_a_stations_table_no_unit_is_left_out(make_sources):
    got = rows(access_events(make_sources({"contacts": CONTACTS})))
    assert set(got) == {"ok", "p_early", "r_a", "unknown_unit", "guidance"}
    assert got["guidance"]["waiting_days"] == 0


def test_urgent_events_carry_the_next_working_day_across_easter(make_sources):
    # Thu 28 Mar 2024; Good Friday 29 Mar, the weekend and Easter Monday 1 Apr are not working days
    urgent = [
        contact("u1", "2024-03-28 15:00", "2024-04-02 09:00", urgency="urgent", service_type="T21", station_id="G1",
                patient_id="U"),
        contact("u2", "2024-03-28 15:00", "2024-04-03 09:00", urgency="urgent", patient_id="U"),  # same assessment, later
        contact("u3", "2024-03-26 09:00", "2024-03-26 10:00", urgency="urgent"),
        contact("u4", None, "2024-03-26 10:00", urgency="urgent"),  # no assessment: out
        contact("n1", "2024-03-26 09:00", "2024-03-27 10:00"),  # non-urgent: out
    ]
    got = rows(urgent_access_events(make_sources({"contacts": urgent, "stations": STATIONS})))
    assert {k: (r["assessed_day"], r["next_working_day"]) for k, r in got.items()} == {
        "u1": (dt.date(2024, 3, 28), dt.date(2024, 4, 2)),
        "u3": (dt.date(2024, 3, 26), dt.date(2024, 3, 27)),
    }


def test_assessment_timeliness_events_know_whether_the_contact_day_is_a_working_day(make_sources):
    assessed = [
        contact("a1", "2024-04-02 09:00", "2024-04-05 09:00", contacted_at="2024-03-29 12:00"),  # Good Friday
        contact("a2", "2024-03-27 09:00", "2024-03-28 09:00", contacted_at="2024-03-27 08:00", station_id="G1"),
        contact("a3", "2024-03-27 09:00", "2024-03-28 09:00"),  # no contacted_at: out
    ]
    got = rows(assessment_timeliness_events(make_sources({"contacts": assessed, "stations": STATIONS})))
    assert {k: (r["contact_day"], r["contact_day_is_working"], r["next_working_day"]) for k, r in got.items()} == {
        "a1": (dt.date(2024, 3, 29), False, dt.date(2024, 4, 2)),
        "a2": (dt.date(2024, 3, 27), True, dt.date(2024, 3, 28)),
    }
