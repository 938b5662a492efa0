"""Continuity indices on hand-computed cases (indicators.md, "Continuity").

The worked examples A, B, E and G of indicators.md are checked to 4 decimals;
the other cases cover the 12-month window (also across year ends), the visit
filter, the patient's station and the named-professional coverage.
"""

from __future__ import annotations

import datetime as dt

import pytest

from valvomo.indicators import Query, compute
from valvomo.indicators.continuity import patient_continuity
from valvomo.indicators.registry import UnsupportedQueryError


def ts(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour)


def contact(cid, patient, day, professional="D1", *, station="S1", profession="physician", hour=9, **extra):
    row = {
        "contact_id": cid,
        "patient_id": patient,
        "station_id": station,
        "professional_id": professional,
        "profession": profession,
        "contact_type": "R10",
        "service_type": "T11",
        "nature": "SH",
        "urgency": "non_urgent",
        "started_at": ts(day, hour),
    }
    row.update(extra)
    return row


def patient(pid, *, home=None, birth_year=1970, municipality="638", language="fi", named_nurse=None):
    return {
        "patient_id": pid,
        "birth_year": birth_year,
        "sex": "F",
        "municipality": municipality,
        "language": language,
        "home_station_id": home,
        "named_nurse_id": named_nurse,
    }


def sequence(pid, professionals: str, *, year=2024, station="S1"):
    """One visit a month from January, to the professionals in order."""
    return [
        contact(f"{pid}-{i:02d}", pid, f"{year}-{i + 1:02d}-10", d, station=station)
        for i, d in enumerate(professionals.split())
    ]


WORKED = {
    "A": "D1 D1 D2 D1 D3 D1",
    "B": "D1 D2 D1 D2",
    "E": "D1 D2 D3 D4 D5",
    "G": "D1 D1 D1 D2 D2",
}
# indicators.md: UPC, COCI, SECON, MMCI of each sequence.
EXPECTED = {
    "A": {"upc": 0.6667, "coci": 0.4000, "secon": 0.2000, "mmci": 0.6078},
    "B": {"upc": 0.5000, "coci": 0.3333, "secon": 0.0000, "mmci": 0.6774},
    "E": {"upc": 0.2000, "coci": 0.0000, "secon": 0.0000, "mmci": 0.0244},
    "G": {"upc": 0.6000, "coci": 0.4000, "secon": 0.7500, "mmci": 0.7561},
}


@pytest.fixture
def worked_sources(make_sources):
    contacts = [row for pid, seq in WORKED.items() for row in sequence(pid, seq)]
    # Each patient is listed at a station of their own, so a station row is one patient.
    patients = [patient(pid, home=f"S{pid}") for pid in WORKED]
    return make_sources({"contacts": contacts, "patients": patients})


@pytest.mark.parametrize("index", ["upc", "coci", "secon", "mmci"])
def test_worked_examples_to_four_decimals(worked_sources, index):
    rows = compute(index, worked_sources, Query(period="year", by=("station",)))
    got = {r["station_id"][1:]: round(r["value"], 4) for r in rows}
    assert got == {pid: EXPECTED[pid][index] for pid in WORKED}
    assert all(r["n"] == 1 and r["period"] == "2024" for r in rows)


def test_worked_examples_mean_over_patients(worked_sources):
    rows = compute("coci", worked_sources, Query(period="year"))
    # (0.4 + 1/3 + 0 + 0.4) / 4 = 0.283333...
    assert rows == [
        {"indicator": "coci", "period": "2024", "value": pytest.approx(0.2833333333, abs=1e-9), "n": 4,
         "unit": "index", "suppressed": False}
    ]  # fmt: skip


def test_per_patient_helper_gives_the_counts_behind_the_indices(make_sources):
    sources = make_sources({"contacts": sequence("A", WORKED["A"])})
    table = sources.backend.to_pyarrow(patient_continuity(sources, Query(period="year"))).to_pylist()
    (row,) = table
    # A = D1 D1 D2 D1 D3 D1: N = 6, n = (4, 1, 1): sum n^2 = 18, max 4, k = 3, one D1-D1 pair.
    assert (row["visits"], row["sum_squares"], row["max_visits"], row["professionals"], row["same_pairs"]) == (
        6, 18, 4, 3, 1
    )  # fmt: skip
    assert row["_majority_station"] == "S1"


@pytest.fixture
def window_sources(make_sources):
    # One patient: D1 Apr 2023, D2 May 2023, D2 Dec 2023, D2 Jan 2024, D2 Apr 2024.
    visits = [
        contact("w1", "P", "2023-04-15", "D1"),
        contact("w2", "P", "2023-05-15", "D2"),
        contact("w3", "P", "2023-12-20", "D2"),
        contact("w4", "P", "2024-01-10", "D2"),
        contact("w5", "P", "2024-04-03", "D2"),
    ]
    return make_sources({"contacts": visits})


def _by_period(indicator, sources, period):
    return {
        r["period"]: (round(r["value"], 6), r["n"]) for r in compute(indicator, sources, Query(period=period))
    }


def test_quarterly_windows_cross_the_year_end(window_sources):
    coci = _by_period("coci", window_sources, "quarter")
    # 2023Q2 window Jul 2022-Jun 2023: D1 D2 -> (1+1-2)/(2*1) = 0.
    # 2023Q4 window Jan-Dec 2023: D1 D2 D2 -> (1+4-3)/(3*2) = 1/3.
    # 2024Q1 window Apr 2023-Mar 2024: D1 D2 D2 D2 -> (1+9-4)/(4*3) = 0.5.
    # 2024Q2 window Jul 2023-Jun 2024: D2 D2 D2 -> (9-3)/(3*2) = 1.
    assert coci == {"2023Q2": (0.0, 1), "2023Q4": (0.333333, 1), "2024Q1": (0.5, 1), "2024Q2": (1.0, 1)}


def test_secon_ignores_the_predecessor_outside_the_window(window_sources):
    secon = _by_period("secon", window_sources, "quarter")
    # 2024Q1: D1 D2 D2 D2 -> pairs D1D2 no, D2D2 yes, D2D2 yes -> 2/3.
    # 2024Q2: the Dec 2023 visit's predecessor (D2, May 2023) is outside the window, so the pairs are
    # Dec-Jan and Jan-Apr only: 2/2 = 1 (counting the outside pair would give 3/2).
    assert secon["2024Q1"] == (0.666667, 1)
    assert secon["2024Q2"] == (1.0, 1)


def test_annual_and_monthly_windows(window_sources):
    # 2023: D1 D2 D2 -> 1/3; 2024: D2 D2 -> 1.
    assert _by_period("coci", window_sources, "year") == {"2023": (0.333333, 1), "2024": (1.0, 1)}
    monthly = _by_period("coci", window_sources, "month")
    # 2023-04 has one visit in its window (N < 2): no patient, no row. 2024-01: Feb 2023-Jan 2024 holds
    # D1 D2 D2 D2 -> 0.5. 2024-04: May 2023-Apr 2024 holds D2 x4 -> 1.
    assert "2023-04" not in monthly
    assert monthly["2023-05"] == (0.0, 1)
    assert monthly["2024-01"] == (0.5, 1)
    assert monthly["2024-04"] == (1.0, 1)


def test_query_range_selects_periods_but_not_the_window(window_sources):
    query = Query(period="quarter", start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30))
    rows = compute("coci", window_sources, query)
    # Only 2024Q2 is reported, but its window still reaches back to July 2023: D2 D2 D2 -> 1.
    assert [(r["period"], r["value"], r["n"]) for r in rows] == [("2024Q2", 1.0, 1)]


def test_visit_filter(make_sources):
    base = sequence("P", "D1 D1")  # COCI 1 from the two counted visits
    noise = [
        contact("x1", "P", "2024-05-10", "D2", cancelled_at=ts("2024-05-09")),  # cancelled
        contact("x2", "P", "2024-05-11", "D2", contact_type="R60"),  # not a patient contact
        contact("x3", "P", "2024-05-12", "D2", service_type="T20"),  # not T11
        contact("x4", "P", "2024-05-13", None),  # no professional
        contact("x5", "P", "2024-05-14", "N1", profession="nurse"),  # not a physician
    ]
    sources = make_sources({"contacts": base + noise})
    assert _by_period("coci", sources, "year") == {"2024": (1.0, 1)}
    assert _by_period("upc", sources, "year") == {"2024": (1.0, 1)}


def test_nurse_variant_counts_nurses_and_public_health_nurses(make_sources):
    rows = [
        contact("n1", "P", "2024-01-10", "N1", profession="nurse"),
        contact("n2", "P", "2024-02-10", "N1", profession="nurse"),
        contact("n3", "P", "2024-03-10", "N2", profession="public_health_nurse"),
        contact("n4", "P", "2024-04-10", "D1"),  # physician: not in the nurse variant
        contact("n5", "P", "2024-05-10", "N3", profession="practical_nurse"),  # not in the set
    ]
    sources = make_sources({"contacts": rows})
    # N1 N1 N2 -> (4+1-3)/(3*2) = 1/3.
    assert _by_period("coci_nurse", sources, "year") == {"2024": (0.333333, 1)}
    # Physician COCI: one physician visit only -> no patient with N >= 2.
    assert compute("coci", sources, Query(period="year")) == []


@pytest.fixture
def station_sources(make_sources):
    contacts = [
        # P1 is listed at H although all visits are at S2: D1 D1 -> COCI 1.
        contact("a1", "P1", "2024-01-10", "D1", station="S2"),
        contact("a2", "P1", "2024-02-10", "D1", station="S2"),
        # P2 has no listing; S2 twice, S1 once -> S2. D1 D2 D1 -> (4+1-3)/6 = 1/3.
        contact("b1", "P2", "2024-01-10", "D1", station="S2"),
        contact("b2", "P2", "2024-02-10", "D2", station="S1"),
        contact("b3", "P2", "2024-03-10", "D1", station="S2"),
        # P3 has no listing; S1 and S2 once each -> tie -> smallest id S1. D1 D2 -> 0.
        contact("c1", "P3", "2024-01-10", "D1", station="S2"),
        contact("c2", "P3", "2024-02-10", "D2", station="S1"),
        # P4 has no listing; S1 twice. D1 D1 -> 1.
        contact("d1", "P4", "2024-01-10", "D1", station="S1"),
        contact("d2", "P4", "2024-02-10", "D1", station="S1"),
    ]
    patients = [
        patient("P1", home="H", birth_year=2004, municipality="018", language="sv"),
        patient("P2", birth_year=2005, municipality="638"),
        patient("P3", birth_year=1950, municipality="638"),
        patient("P4", birth_year=1950, municipality="018", language="sv"),
    ]
    stations = [
        {"station_id": s, "name_fi": s, "municipality": m, "county": "X", "kind": "health_station"}
        for s, m in (("H", "434"), ("S1", "638"), ("S2", "753"))
    ]
    return make_sources({"contacts": contacts, "patients": patients, "stations": stations})


def test_station_is_home_station_else_majority_with_ties_to_smallest_id(station_sources):
    rows = compute("coci", station_sources, Query(period="year", by=("station",)))
    got = {r["station_id"]: (round(r["value"], 6), r["n"]) for r in rows}
    # H: P1 (1.0). S1: P3 (0) and P4 (1) -> 0.5. S2: P2 (1/3).
    assert got == {"H": (1.0, 1), "S1": (0.5, 2), "S2": (0.333333, 1)}


def test_without_patients_the_majority_station_counts(station_sources, make_sources):
    contacts = station_sources.backend.to_pyarrow(station_sources.table("contacts"))
    sources = make_sources({"contacts": contacts})
    rows = compute("coci", sources, Query(period="year", by=("station",)))
    got = {r["station_id"]: (round(r["value"], 6), r["n"]) for r in rows}
    # P1 now goes to S2 (both visits there): S2 = mean(1, 1/3) = 2/3; S1 = mean(0, 1) = 0.5.
    assert got == {"S1": (0.5, 2), "S2": (0.666667, 2)}
    with pytest.raises(UnsupportedQueryError, match="patients"):
        compute("coci", sources, Query(period="year", by=("age_band",)))


def test_patient_dimensions(station_sources):
    by_municipality = compute("coci", station_sources, Query(period="year", by=("municipality",)))
    # 018: P1 (1), P4 (1) -> 1. 638: P2 (1/3), P3 (0) -> 1/6.
    assert {r["municipality"]: round(r["value"], 6) for r in by_municipality} == {"018": 1.0, "638": 0.166667}
    by_age = compute("coci", station_sources, Query(period="year", by=("age_band",)))
    # Age = 2024 - birth year: P1 20 -> 20-24, P2 19 -> 15-19, P3 and P4 74 -> 70-74 (mean 0.5).
    assert {r["age_band"]: (round(r["value"], 6), r["n"]) for r in by_age} == {
        "15-19": (0.333333, 1), "20-24": (1.0, 1), "70-74": (0.5, 2)
    }  # fmt: skip
    by_language = compute("coci", station_sources, Query(period="year", by=("language",)))
    assert {r["language"]: r["n"] for r in by_language} == {"fi": 2, "sv": 2}


def test_continuity_grain_excludes_contact_dimensions(station_sources):
    with pytest.raises(UnsupportedQueryError, match="profession"):
        compute("coci", station_sources, Query(period="year", by=("profession",)))


def test_share_of_continuous_patients(make_sources):
    contacts = [
        *sequence("A", WORKED["A"]),  # COCI 0.4 -> not continuous
        *sequence("G", WORKED["G"]),  # 0.4 -> not
        *sequence("H", "D1 D1 D1 D2"),  # (9+1-4)/(4*3) = 0.5 exactly -> continuous (>= 0.5)
        *sequence("K", "D1 D1"),  # 1.0 -> continuous
        *sequence("L", "D1"),  # N = 1: not a patient of the index
    ]
    rows = compute("coci_share_continuous", make_sources({"contacts": contacts}), Query(period="year"))
    assert [(r["numerator"], r["denominator"], r["value"]) for r in rows] == [(2, 4, 0.5)]


def test_named_professional_coverage(make_sources):
    def visits(pid, count, **extra):
        return [contact(f"{pid}-{i}", pid, f"2024-0{i + 1}-10", None, profession="nurse", **extra)
                for i in range(count)]  # fmt: skip

    contacts = [
        *visits("P1", 4),  # 4 contacts, named nurse -> numerator
        *visits("P2", 5),  # 5 contacts, no named nurse
        *visits("P3", 3),  # 3 contacts: not in the population
        *visits("P4", 3),
        contact("P4-x", "P4", "2024-06-10", None, cancelled_at=ts("2024-06-01")),  # cancelled: P4 has 3
        *visits("P5", 4, service_type="T20"),  # not T11
    ]
    patients = [
        patient("P1", named_nurse="N1"),
        patient("P2"),
        patient("P3", named_nurse="N1"),
        patient("P4", named_nurse="N1"),
        patient("P5", named_nurse="N1"),
    ]
    rows = compute("named_professional_coverage", make_sources({"contacts": contacts, "patients": patients}),
                   Query(period="year"))  # fmt: skip
    # P1 and P2 qualify; P1 has a named nurse: 1/2.
    assert [(r["period"], r["numerator"], r["denominator"], r["value"]) for r in rows] == [
        ("2024", 1, 2, 0.5)
    ]
