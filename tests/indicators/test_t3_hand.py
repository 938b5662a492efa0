"""T3 (third next available appointment) on hand-computed calendars (indicators.md, t3_days)."""

from __future__ import annotations

import datetime as dt

import pytest
from access_rows import STATIONS, slot, values

from valvomo.indicators import REGISTRY, Query, compute
from valvomo.indicators.registry import UnsupportedQueryError
from valvomo.warehouse.sources import MissingTableError

# Instants: Mon 8 Jan 2024 08:00 (t1) and Mon 15 Jan 2024 08:00 (t2). The extract starts with slot
# a0 (Fri 5 Jan 09:00), so Mon 1 Jan (New Year's Day) 08:00 is before it and not an instant; its
# latest recorded moment is a7's publication on Tue 16 Jan 12:00, so Mon 22 Jan is not an instant.
JANUARY = [
    # Nurse A at S1
    slot("a0", "A", "2024-01-05 09:00", "2023-12-01 09:00", slot_type="urgent"),
    slot("a1", "A", "2024-01-09 09:00", "2024-01-01 09:00"),
    slot("a2", "A", "2024-01-10 09:00", "2024-01-01 09:00", booked_at="2024-01-05 10:00"),
    slot("a3", "A", "2024-01-11 09:00", "2024-01-01 09:00"),
    slot("a4", "A", "2024-01-12 09:00", "2024-01-01 09:00", cancelled_at="2024-01-09 10:00"),
    slot("a5", "A", "2024-01-15 10:00", "2024-01-01 09:00"),
    slot("a6", "A", "2024-01-16 09:00", "2024-01-01 09:00"),
    slot("a7", "A", "2024-01-24 09:00", "2024-01-16 12:00"),
    slot("a8", "A", "2024-01-25 09:00", "2024-01-01 09:00"),
    # Nurse B at S1: a booked follow-up makes B measured at t1; one free slot only
    slot("b1", "B", "2024-01-10 09:00", "2024-01-01 09:00", slot_type="follow_up", booked_at="2024-01-02 09:00"),
    slot("b2", "B", "2024-01-22 09:00", "2024-01-01 09:00"),
    # Nurse C at S1: c1 starts exactly at t1 (not after it); the rest is more than 14 days after t1
    slot("c1", "C", "2024-01-08 08:00", "2024-01-01 09:00"),
    slot("c2", "C", "2024-01-25 09:00", "2024-01-01 09:00"),
    slot("c3", "C", "2024-01-26 09:00", "2024-01-01 09:00"),
    slot("c4", "C", "2024-01-29 09:00", "2024-01-01 09:00"),
    # Physician E at S1: measured at t2 only; the third free slot is beyond the 182-day horizon
    slot("e1", "E", "2024-01-23 09:00", "2024-01-01 09:00", profession="physician", slot_type="urgent"),
    slot("e3", "E", "2024-02-01 09:00", "2024-01-01 09:00", profession="physician"),
    slot("e4", "E", "2024-02-02 09:00", "2024-01-01 09:00", profession="physician"),
    slot("e2", "E", "2024-07-20 09:00", "2024-01-01 09:00", profession="physician"),
    # Nurse F at S2: three free slots in the first week, nothing after t2
    slot("f1", "F", "2024-01-10 09:00", "2024-01-01 09:00", station_id="S2"),
    slot("f2", "F", "2024-01-11 09:00", "2024-01-01 09:00", station_id="S2"),
    slot("f3", "F", "2024-01-12 09:00", "2024-01-01 09:00", station_id="S2"),
]
# Per professional (days from the instant's date to the third free slot's date):
#   t1: A free a1(9.1) a3(11.1) a4(12.1, cancelled only on 9.1) a5 a6 a8 -> 12.1 - 8.1 = 4
#       B free b2 only -> 182;  C not measured (c1 is not after t1, c2 is 17 days later)
#       E not measured (e1 is 15 days after t1);  F free 10.1, 11.1, 12.1 -> 4
#   t2: A free a5(15.1) a6(16.1) a8(25.1) (a7 not yet published) -> 25.1 - 15.1 = 10
#       B -> 182;  C free 25.1, 26.1, 29.1 -> 14;  E free e3, e4 within 182 days (e2 is 187 days) -> 182
#       F not measured
# Median per (station, profession) and instant:
#   S1 nurse t1 median(4, 182) = 93, t2 median(10, 14, 182) = 14;  S1 physician t2 = 182;  S2 nurse t1 = 4
T3_BY_POOL = {
    ("2024-01", "S1", "nurse"): 53.5,  # (93 + 14) / 2
    ("2024-01", "S1", "physician"): 182.0,
    ("2024-01", "S2", "nurse"): 4.0,
}


@pytest.fixture
def january(make_sources):
    return make_sources({"slots": JANUARY, "stations": STATIONS})


def test_t3_per_station_and_profession(january):
    rows = compute("t3_days", january, Query(period="month", by=("station", "profession")))
    assert values(rows, ("station", "profession")) == T3_BY_POOL
    counts = {(r["station_id"], r["profession"]): (r["n"], r["denominator"]) for r in rows}
    # n = instant values averaged; denominator = professional-instants measured (2 + 3 at S1 nurse)
    assert counts == {("S1", "nurse"): (2, 5), ("S1", "physician"): (1, 1), ("S2", "nurse"): (1, 1)}


def test_t3_pooled_uses_the_whole_pool_calendar(january):
    rows = compute("t3_days_pooled", january, Query(period="month", by=("station", "profession")))
    # S1 nurse pool t1: free 9.1, 11.1, 12.1, ... (C's slots count although C is not measured) -> 4;
    #               t2: free 15.1, 16.1, 22.1 (b2), 25.1 ... -> 22.1 - 15.1 = 7;  mean (4 + 7) / 2 = 5.5
    assert values(rows, ("station", "profession")) == {
        ("2024-01", "S1", "nurse"): 5.5,
        ("2024-01", "S1", "physician"): 182.0,
        ("2024-01", "S2", "nurse"): 4.0,
    }


def test_t3_groups_without_profession_average_the_pool_instants(january):
    # Values per (instant, pool): S1 nurse 93 and 14, S1 physician 182, S2 nurse 4
    by_station = compute("t3_days", january, Query(period="quarter", by=("station",)))
    assert values(by_station, ("station",)) == pytest.approx({("2024Q1", "S1"): (93 + 14 + 182) / 3, ("2024Q1", "S2"): 4.0})
    county = compute("t3_days", january, Query(period="year"))
    assert values(county) == {("2024",): (93 + 14 + 182 + 4) / 4}
    assert (county[0]["n"], county[0]["denominator"]) == (4, 7)
    by_profession = compute("t3_days", january, Query(period="year", by=("profession",)))
    assert values(by_profession, ("profession",)) == {("2024", "nurse"): (93 + 14 + 4) / 3, ("2024", "physician"): 182.0}
    by_municipality = compute("t3_days", january, Query(period="year", by=("municipality",)))
    # the station's municipality: S1 Porvoo 638, S2 Sipoo 753
    assert values(by_municipality, ("municipality",)) == pytest.approx(
        {("2024", "638"): (93 + 14 + 182) / 3, ("2024", "753"): 4.0}
    )


def test_t3_date_range_selects_instants(january):
    rows = compute("t3_days", january, Query(period="month", by=("station", "profession"), start=dt.date(2024, 1, 10)))
    # only t2 (15 Jan) is in range: S1 nurse 14, S1 physician 182; S2 nurse has no measured professional
    assert values(rows, ("station", "profession")) == {("2024-01", "S1", "nurse"): 14.0, ("2024-01", "S1", "physician"): 182.0}


EASTER = [
    slot("x0", "A", "2024-03-25 07:30", "2024-03-01 09:00", slot_type="urgent"),  # opens the extract
    slot("x1", "A", "2024-03-26 09:00", "2024-03-25 08:00"),  # published exactly at t: free
    slot("x2", "A", "2024-03-27 09:00", "2024-03-01 09:00", booked_at="2024-03-25 08:00"),  # booked at t
    slot("x3", "A", "2024-03-28 09:00", "2024-03-01 09:00", booked_at="2024-03-25 08:01"),  # booked after t
    slot("x4", "A", "2024-03-28 10:00", "2024-03-01 09:00", cancelled_at="2024-03-25 08:00"),  # withdrawn at t
    slot("x5", "A", "2024-04-02 09:00", "2024-03-01 09:00"),  # the Tuesday after Easter Monday
    slot("x6", "A", "2024-04-03 09:00", "2024-03-01 09:00", slot_type="urgent", booked_at="2024-04-01 12:00"),
]


def test_t3_slot_state_at_the_instant_and_easter_monday(make_sources):
    sources = make_sources({"slots": EASTER})
    rows = compute("t3_days", sources, Query(period="month"))
    # Mon 25.3 08:00: free x1 (26.3), x3 (28.3), x5 (2.4); x2 booked and x4 withdrawn at t -> 2.4 - 25.3 = 8 days.
    # Mon 1.4 (Easter Monday, still a Monday instant) 08:00: free x5 only -> 182. The extract's last
    # recorded moment is x6's booking on 1.4 12:00, so 8.4 is not an instant.
    assert values(rows) == {("2024-03",): 8.0, ("2024-04",): 182.0}
    quarters = compute("t3_days", sources, Query(period="quarter"))
    assert values(quarters) == {("2024Q1",): 8.0, ("2024Q2",): 182.0}


MIDSUMMER = [
    slot("m0", "A", "2024-06-17 07:00", "2024-06-01 09:00", slot_type="urgent"),
    slot("m1", "A", "2024-06-17 10:00", "2024-06-01 09:00"),
    slot("m2", "A", "2024-06-17 23:30", "2024-06-01 09:00"),
    slot("m3", "A", "2024-06-18 00:15", "2024-06-17 08:00"),
    slot("m4", "A", "2024-06-19 09:00", "2024-06-20 12:00"),  # published after t: sets the extract's end
    slot("m5", "X", "2024-07-01 08:00", "2024-06-01 09:00", slot_type="reserved"),  # exactly t + 14 days
    slot("m6", "Y", "2024-07-01 08:01", "2024-06-01 09:00"),  # one minute too late to be measured
]


def test_t3_counts_days_between_local_dates_and_the_14_day_window(make_sources):
    sources = make_sources({"slots": MIDSUMMER})
    rows = compute("t3_days", sources, Query(period="month"))
    # Mon 17.6 08:00: A's third free slot is Tue 18.6 00:15, only 16 h later but on the next date -> 1 day.
    # X (slot exactly at t + 14 d) is measured with no free slot -> 182; Y is not measured.
    # median(1, 182) = 91.5
    assert values(rows) == {("2024-06",): 91.5}
    assert rows[0]["denominator"] == 2


def test_t3_registry_entry():
    entry = REGISTRY.get("t3_days")
    assert (entry.unit, entry.direction, entry.disclosure) == ("days", "lower", "capacity")
    assert entry.parameters["weekday"] == "Monday" and entry.parameters["time"] == "08:00"
    assert REGISTRY.get("t3_days_pooled").disclosure == "capacity"


def test_t3_needs_slots_and_a_station_grain(make_sources):
    sources = make_sources({"slots": JANUARY})
    with pytest.raises(UnsupportedQueryError):
        compute("t3_days", sources, Query(by=("age_band",)))
    with pytest.raises(MissingTableError):
        compute("t3_days", make_sources({"stations": STATIONS}), Query())


def test_t3_of_an_empty_calendar_has_no_rows(make_sources):
    assert compute("t3_days", make_sources({"slots": []}), Query()) == []
