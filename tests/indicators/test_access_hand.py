"""The care-guarantee family (access.py) on hand-computed cases: population, exclusions, holidays,
local dates, periods and breakdowns (indicators.md, "Access")."""

from __future__ import annotations

import pytest
from access_rows import STATIONS, contact, values

from valvomo.indicators import Query, compute

BASE = "2024-03-01 10:00"  # assessed on Fri 1 Mar 2024

CARE_GUARANTEE = [
    # access events (waiting days in the comment)
    contact("c01", BASE, "2024-03-08 09:00"),  # 7
    contact("c02", BASE, "2024-03-09 09:00"),  # 8
    contact("c03", BASE, "2024-03-15 09:00"),  # 14
    contact("c04", "2024-01-02 10:00", "2024-03-31 23:59"),  # 29 + 29 + 31 = 89 (2024 is a leap year)
    contact("c05", "2023-12-01 10:00", "2024-03-01 08:00"),  # 31 + 31 + 29 = 91
    contact("c06", BASE, "2024-03-01 15:00"),  # 0
    contact("i01", BASE, "2024-03-04 09:00", profession="practical_nurse", licensed=True),  # 3: override
    contact("i02", BASE, "2024-03-02 09:00", care_plan=False, certificate_only=False),  # 1: false is not true
    # one assessment, one access event: the earliest realised contact by started_at counts
    contact("d1", "2024-03-04 09:00", "2024-03-20 09:00", patient_id="P"),
    contact("d2", "2024-03-04 09:00", "2024-03-06 09:00", patient_id="P"),  # 2
    contact("d3", "2024-03-11 09:00", "2024-03-12 09:00", patient_id="P"),  # 1: a second assessment
    contact("q1", "2024-03-05 09:00", "2024-03-07 10:00", patient_id="Q", cancelled_at="2024-03-06 12:00"),
    contact("q2", "2024-03-05 09:00", "2024-03-25 10:00", patient_id="Q"),  # 20: the cancelled one is not counted
    contact("r_b", "2024-03-06 08:00", "2024-03-06 10:00", patient_id="R"),
    contact("r_a", "2024-03-06 08:00", "2024-03-06 10:00", patient_id="R", station_id="S2"),  # 0: tie -> contact_id
    # exclusions: each breaks exactly one rule
    contact("x01", BASE, "2024-03-02 09:00", care_plan=True),
    contact("x02", BASE, "2024-03-02 09:00", certificate_only=True),
    contact("x03", BASE, "2024-03-02 09:00", specialty="cardiology"),
    *[contact(f"x-{code}", BASE, "2024-03-02 09:00", contact_type=code) for code in ("R60", "R71", "R72", "R80", "R90")],
    contact("x09", BASE, "2024-03-02 09:00", profession="practical_nurse"),
    contact("x10", BASE, "2024-03-02 09:00", profession="social_counsellor"),
    contact("x11", BASE, "2024-03-02 09:00", profession="other"),
    contact("x12", BASE, "2024-03-02 09:00", licensed=False),
    contact("x13", BASE, "2024-03-02 09:00", cancelled_at="2024-03-01 12:00"),
    contact("x14", BASE, "2024-03-02 09:00", service_type="T21"),
    contact("x15", BASE, "2024-03-02 09:00", nature="TH"),
    contact("x16", BASE, "2024-03-02 09:00", urgency="urgent"),
    contact("x17", None, "2024-03-02 09:00"),
    contact("x18", "2024-03-03 10:00", "2024-03-02 09:00"),  # assessed after the visit
]
# Waiting days of the 12 access events, sorted: 0 0 1 1 2 3 7 8 14 20 89 91


@pytest.fixture
def care_guarantee(make_sources):
    return make_sources({"contacts": CARE_GUARANTEE, "stations": STATIONS})


@pytest.mark.parametrize(
    ("indicator", "numerator"),
    [("access_7d", 7), ("access_14d", 9), ("access_3m", 11)],  # <= 7: 0 0 1 1 2 3 7; +8 14; +20 89
)
def test_access_shares_count_one_event_per_assessment(care_guarantee, indicator, numerator):
    [row] = compute(indicator, care_guarantee, Query(period="quarter"))
    assert (row["period"], row["numerator"], row["denominator"]) == ("2024Q1", numerator, 12)
    assert row["value"] == pytest.approx(numerator / 12)


def test_access_by_station_follows_the_tie_break(care_guarantee):
    rows = compute("access_7d", care_guarantee, Query(period="quarter", by=("station",)))
    # R's two contacts start at the same moment; r_a (S2) wins on contact_id. S1: 6 of 11 within 7 days
    assert {(r["station_id"], r["numerator"], r["denominator"]) for r in rows} == {("S1", 6, 11), ("S2", 1, 1)}


def test_waiting_days_distribution_bins(care_guarantee):
    rows = compute("waiting_days_distribution", care_guarantee, Query(period="quarter"))
    assert [(r["bin"], r["n"]) for r in rows] == [
        ("0", 2), ("1-7", 5), ("8-14", 2), ("15-28", 1), ("29-90", 1), (">90", 1),
    ]  # fmt: skip
    assert all(r["denominator"] == 12 for r in rows)
    assert rows[1]["value"] == pytest.approx(5 / 12)


def test_waiting_days_nearest_rank_percentiles(care_guarantee):
    [median] = compute("waiting_days_median", care_guarantee, Query(period="quarter"))
    [p90] = compute("waiting_days_p90", care_guarantee, Query(period="quarter"))
    # N = 12: median rank ceil(6) = 6 -> 3 days; p90 rank ceil(10.8) = 11 -> 89 days
    assert (median["value"], median["n"]) == (3.0, 12)
    assert (p90["value"], p90["n"]) == (89.0, 12)


def test_dates_are_the_stored_helsinki_wall_clock(make_sources):
    sources = make_sources(
        {
            "contacts": [
                # 01:00 on 1 Jan local (23:00 UTC on 31 Dec): 7 days to 8 Jan, not 8
                contact("tz1", "2024-01-01 01:00", "2024-01-08 12:00"),
                # 00:30 on Easter Monday local (21:30 UTC on 31 Mar): in April and in Q2
                contact("tz2", "2024-03-28 12:00", "2024-04-01 00:30"),
            ]
        }
    )
    assert values(compute("access_7d", sources, Query(period="month"))) == {("2024-01",): 1.0, ("2024-04",): 1.0}
    assert {r["period"] for r in compute("access_7d", sources, Query(period="quarter"))} == {"2024Q1", "2024Q2"}


def test_period_labels(make_sources):
    sources = make_sources({"contacts": [contact("p1", "2024-11-14 10:00", "2024-11-15 10:00")]})
    labels = {kind: compute("access_7d", sources, Query(period=kind))[0]["period"] for kind in ("month", "quarter", "year")}
    assert labels == {"month": "2024-11", "quarter": "2024Q4", "year": "2024"}


URGENT = [
    contact("u01", "2024-03-28 15:00", "2024-04-02 09:00", urgency="urgent"),  # Thu -> Tue after Easter: met
    contact("u02", "2024-03-28 16:00", "2024-04-03 09:00", urgency="urgent"),  # Wed: not met
    contact("u03", "2024-03-29 10:00", "2024-04-02 09:00", urgency="urgent"),  # Good Friday -> Tue: met
    contact("u04", "2024-03-30 10:00", "2024-03-30 12:00", urgency="urgent"),  # Saturday, same day: met
    contact("u05", "2024-12-23 12:00", "2024-12-27 09:00", urgency="urgent"),  # Mon -> Fri (24-26 off): met
    contact("u06", "2024-12-23 13:00", "2024-12-30 09:00", urgency="urgent"),  # not met
    contact("u07", "2024-12-31 10:00", "2025-01-02 09:00", urgency="urgent"),  # New Year -> Thu: met (2025)
    contact("u08", "2024-12-31 11:00", "2025-01-03 09:00", urgency="urgent"),  # not met (2025)
    contact("u09", "2024-06-20 10:00", "2024-06-24 09:00", urgency="urgent"),  # Midsummer Eve off: met
    contact("u10", "2024-06-20 11:00", "2024-06-25 09:00", urgency="urgent"),  # not met
    contact("u11", "2024-03-04 08:00", "2024-03-05 09:00", urgency="urgent", service_type="T21"),  # any service: met
    contact("u12", "2024-03-04 09:00", "2024-03-04 10:00", urgency="urgent", cancelled_at="2024-03-04 09:30"),
    contact("u13", "2024-03-04 10:00", "2024-03-08 09:00", urgency="urgent", patient_id="U"),
    contact("u14", "2024-03-04 10:00", "2024-03-05 09:00", urgency="urgent", patient_id="U"),  # first: met
    contact("u15", None, "2024-03-05 09:00", urgency="urgent"),  # no assessment
    contact("u16", "2024-03-04 10:00", "2024-03-05 09:00"),  # non-urgent
]


def test_urgent_next_working_day_over_holidays(make_sources):
    rows = compute("urgent_next_working_day", make_sources({"contacts": URGENT}), Query(period="year"))
    # 2024: u01 u03 u04 u05 u09 u11 u14 met; u02 u06 u10 not -> 7/10;  2025: u07 met, u08 not -> 1/2
    assert {(r["period"], r["numerator"], r["denominator"]) for r in rows} == {("2024", 7, 10), ("2025", 1, 2)}


SAME_DAY = [
    contact("a01", "2024-03-28 11:00", "2024-04-10 09:00", contacted_at="2024-03-28 09:00"),  # working day: met
    contact("a02", "2024-04-02 09:00", "2024-04-10 09:00", contacted_at="2024-03-28 15:00"),  # not met
    contact("a03", "2024-04-02 09:00", "2024-04-10 09:00", contacted_at="2024-03-29 10:00"),  # Good Friday: met
    contact("a04", "2024-04-03 09:00", "2024-04-10 09:00", contacted_at="2024-03-30 10:00"),  # Sat -> Wed: not
    contact("a05", "2024-12-27 09:00", "2025-01-10 09:00", contacted_at="2024-12-24 10:00"),  # Christmas Eve: met
    contact("a06", "2024-12-30 09:00", "2025-01-10 09:00", contacted_at="2024-12-29 10:00"),  # Sunday: met
    contact("a07", "2025-01-01 00:10", "2025-01-10 09:00", contacted_at="2024-12-31 23:30"),  # working day: not
    contact("a08", "2024-06-24 09:00", "2024-06-30 09:00", contacted_at="2024-06-21 10:00"),  # Midsummer Eve: met
    contact("a09", "2024-06-24 09:00", "2024-06-30 09:00"),  # no contacted_at
    contact("a10", "2024-04-02 09:00", "2024-04-10 09:00", contacted_at="2024-04-01 10:00"),  # Easter Monday: met
]


def test_assessment_same_day_over_holidays(make_sources):
    rows = compute("assessment_same_day", make_sources({"contacts": SAME_DAY}), Query(period="month"))
    # reference date contacted_at: 2024-03 a01 a03 met of 4; 2024-04 a10; 2024-06 a08; 2024-12 a05 a06 of 3
    assert {(r["period"], r["numerator"], r["denominator"]) for r in rows} == {
        ("2024-03", 2, 4), ("2024-04", 1, 1), ("2024-06", 1, 1), ("2024-12", 2, 3),
    }  # fmt: skip


PATIENTS = [
    {"patient_id": "pa", "birth_year": 1980, "sex": "F", "municipality": "638", "language": "fi"},
    {"patient_id": "pb", "birth_year": 2010, "sex": "M", "municipality": "434", "language": "sv"},
    {"patient_id": "pc", "birth_year": 1939, "sex": "F", "municipality": "753", "language": "other"},
    {"patient_id": "pd", "birth_year": 1944, "sex": "M", "municipality": "638", "language": "fi"},
]
BREAKDOWN = [
    contact("b1", "2024-05-06 09:00", "2024-05-09 09:00", patient_id="pa"),  # 3, nurse R10 S1
    contact("b2", "2024-05-06 09:00", "2024-05-16 09:00", patient_id="pb", profession="physician", contact_type="R50"),
    contact("b3", "2024-05-06 09:00", "2024-05-06 13:00", patient_id="pc", contact_type="R52", station_id="S2"),
    contact("b4", "2024-05-06 09:00", "2024-05-26 09:00", patient_id="pd", profession="physician", station_id="S2"),
]  # waiting days 3, 10, 0, 20: b1 and b3 within 7 days


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        (("profession",), {("2024", "nurse"): 1.0, ("2024", "physician"): 0.0}),
        (("contact_class",), {("2024", "physical"): 0.5, ("2024", "remote"): 0.5}),
        # age = 2024 - birth year: 44, 14, 85, 80
        (("age_band",), {("2024", "40-44"): 1.0, ("2024", "10-14"): 0.0, ("2024", "85+"): 1.0, ("2024", "80-84"): 0.0}),
        (("municipality",), {("2024", "638"): 0.5, ("2024", "434"): 0.0, ("2024", "753"): 1.0}),  # the patient's
        (("language",), {("2024", "fi"): 0.5, ("2024", "sv"): 0.0, ("2024", "other"): 1.0}),
        (("station", "profession"), {("2024", "S1", "nurse"): 1.0, ("2024", "S1", "physician"): 0.0,
                                     ("2024", "S2", "nurse"): 1.0, ("2024", "S2", "physician"): 0.0}),
    ],
)  # fmt: skip
def test_access_breakdowns(make_sources, by, expected):
    sources = make_sources({"contacts": BREAKDOWN, "patients": PATIENTS, "stations": STATIONS})
    assert values(compute("access_7d", sources, Query(period="year", by=by)), by) == expected


def test_municipality_without_patients_is_the_stations(make_sources):
    sources = make_sources({"contacts": BREAKDOWN, "stations": STATIONS})
    rows = compute("access_7d", sources, Query(period="year", by=("municipality",)))
    # S1 (638): b1 met, b2 not; S2 (753): b3 met, b4 not
    assert values(rows, ("municipality",)) == {("2024", "638"): 0.5, ("2024", "753"): 0.5}


def test_a_guidance_unit_contact_is_not_in_the_county_7_day_share_nor_the_median_wait(make_sources):
    """Issue 11: the care guarantee is about health stations. The guidance unit G1 answers the same day,
    and counted among the stations it would lift the county's 7-day share (4/5) and pull its median wait
    down (0); only S1's contacts (waits 3 and 10) count."""
    contacts = [
        contact("s1", BASE, "2024-03-04 09:00"),  # 3 days
        contact("s2", BASE, "2024-03-11 09:00"),  # 10 days
        *[contact(f"g{i}", BASE, "2024-03-01 11:00", station_id="G1") for i in range(3)],  # 0 days
    ]
    sources = make_sources({"contacts": contacts, "stations": STATIONS})
    [share] = compute("access_7d", sources, Query(period="quarter"))
    assert (share["numerator"], share["denominator"]) == (1, 2)
    [median] = compute("waiting_days_median", sources, Query(period="quarter"))
    assert (median["value"], median["n"]) == (3.0, 2)  # nearest rank ceil(2 / 2) = 1 of (3, 10)
    by_station = compute("access_7d", sources, Query(period="quarter", by=("station",)))
    assert {r["station_id"] for r in by_station} == {"S1"}
    # without the stations table the kinds are unknown and nothing is left out
    [unscoped] = compute("access_7d", make_sources({"contacts": contacts}), Query(period="quarter"))
    assert (unscoped["numerator"], unscoped["denominator"]) == (4, 5)
