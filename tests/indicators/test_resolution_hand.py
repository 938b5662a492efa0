"""First-contact resolution on hand-computed contacts (indicators.md, first_contact_resolution)."""

from __future__ import annotations

from access_rows import STATIONS, contact

from valvomo.indicators import Query, compute

CONTACTS = [
    # one assessment, two recorded contacts: only the earliest (f2) is the first contact
    contact("f1", "2024-04-02 09:00", "2024-04-10 09:00", patient_id="P", resolved_first_contact=True),
    contact("f2", "2024-04-02 09:00", "2024-04-03 09:00", patient_id="P", resolved_first_contact=False),
    # same start: contact_id decides (g_a, resolved)
    contact("g_b", "2024-04-02 10:00", "2024-04-04 09:00", patient_id="G", resolved_first_contact=False),
    contact("g_a", "2024-04-02 10:00", "2024-04-04 09:00", patient_id="G", resolved_first_contact=True),
    # without assessed_at each recorded contact is its own first contact (both count)
    contact("u1", None, "2024-04-05 09:00", patient_id="U", resolved_first_contact=True, contact_type="R50"),
    contact("u2", None, "2024-04-06 09:00", patient_id="U", resolved_first_contact=True, contact_type="R56"),
    # not counted: nothing recorded, cancelled, not a patient contact
    contact("n1", "2024-04-02 11:00", "2024-04-05 09:00", resolved_first_contact=None),
    contact("n2", "2024-04-02 12:00", "2024-04-05 09:00", resolved_first_contact=True, cancelled_at="2024-04-04 12:00"),
    contact("n3", "2024-04-02 13:00", "2024-04-05 09:00", resolved_first_contact=True, contact_type="R60"),
    # a recorded contact whose earlier sibling has no record: it is the first recorded one -> counts
    contact("s1", "2024-05-02 09:00", "2024-05-03 09:00", patient_id="S"),
    contact("s2", "2024-05-02 09:00", "2024-05-06 09:00", patient_id="S", resolved_first_contact=False,
            station_id="S2"),
]  # fmt: skip
# April: f2 (no), g_a (yes), u1 (yes), u2 (yes) -> 3/4;  May: s2 (no) -> 0/1


def test_first_contact_resolution(make_sources):
    sources = make_sources({"contacts": CONTACTS, "stations": STATIONS})
    rows = compute("first_contact_resolution", sources, Query(period="month"))
    assert {(r["period"], r["numerator"], r["denominator"]) for r in rows} == {("2024-04", 3, 4), ("2024-05", 0, 1)}


def test_first_contact_resolution_by_contact_class_and_station(make_sources):
    sources = make_sources({"contacts": CONTACTS, "stations": STATIONS})
    by_class = compute("first_contact_resolution", sources, Query(period="year", by=("contact_class",)))
    # physical: f2 no, g_a yes, s2 no -> 1/3; remote: u1 u2 yes -> 2/2
    assert {(r["contact_class"], r["numerator"], r["denominator"]) for r in by_class} == {
        ("physical", 1, 3), ("remote", 2, 2),
    }  # fmt: skip
    by_station = compute("first_contact_resolution", sources, Query(period="year", by=("station",)))
    assert {(r["station_id"], r["numerator"], r["denominator"]) for r in by_station} == {("S1", 3, 4), ("S2", 0, 1)}
