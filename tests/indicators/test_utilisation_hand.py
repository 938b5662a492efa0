"""Utilisation and cost indicators on hand-computed cases (indicators.md, "Utilisation and cost")."""

from __future__ import annotations

import datetime as dt

import pytest

from valvomo.indicators import REGISTRY, Query, compute
from valvomo.indicators.registry import UnsupportedQueryError

YEAR = Query(period="year")


def contact(cid, patient, day="2024-03-01", contact_type="R10", *, station="S1", profession="nurse", **extra):
    row = {
        "contact_id": cid,
        "patient_id": patient,
        "station_id": station,
        "professional_id": "X",
        "profession": profession,
        "contact_type": contact_type,
        "service_type": "T11",
        "nature": "SH",
        "urgency": "non_urgent",
        "started_at": dt.datetime.fromisoformat(day).replace(hour=10),
    }
    row.update(extra)
    return row


def patient(pid, municipality, birth_year, language="fi", home=None):
    return {
        "patient_id": pid,
        "birth_year": birth_year,
        "sex": "F",
        "municipality": municipality,
        "language": language,
        "home_station_id": home,
    }


def population_row(year, municipality, band, sex, language, residents):
    return {"year": year, "municipality": municipality, "age_band": band, "sex": sex, "language": language,
            "residents": residents}  # fmt: skip


POPULATION = [
    # 2024: 638 has 3 + 2 + 5 = 10 residents, 018 has 4: 14 in all.
    population_row(2024, "638", "20-24", "F", "fi", 3),
    population_row(2024, "638", "20-24", "M", "sv", 2),
    population_row(2024, "638", "70-74", "F", "fi", 5),
    population_row(2024, "018", "20-24", "F", "fi", 4),
    # 2023 has residents but no contacts: no 2023 row.
    population_row(2023, "638", "20-24", "F", "fi", 100),
]

PATIENTS = [
    patient("P1", "638", 2000, home="H1"),  # 24 in 2024
    patient("P2", "638", 1950, home="H1"),  # 74 in 2024
    patient("P3", "018", 2001, "sv", home="H2"),
    patient("P4", "091", 1990),  # Helsinki: outside the population's municipality set
    patient("P5", "638", 1980, home="H2"),  # resident without contacts
]

CONTACTS = [
    contact("c1", "P1", profession="physician", cost_eur=10.10, referral_specialised=True),
    contact("c2", "P1", "2024-05-01", cost_eur=20.20),
    contact("c3", "P2", contact_type="R50", cost_eur=5.00),
    contact("c4", "P2", cost_eur=99.0, referral_specialised=True, cancelled_at=dt.datetime(2024, 2, 1)),
    contact(
        "c5", "P3", contact_type="R60", cost_eur=7.05, referral_specialised=True
    ),  # not a patient contact
    contact("c6", "P4", profession="practical_nurse", cost_eur=100.0),
]


@pytest.fixture
def county(make_sources):
    def build(*, patients=True, manifest=None):
        tables = {"contacts": CONTACTS, "population": POPULATION}
        if patients:
            tables["patients"] = PATIENTS
        return make_sources(tables, manifest=manifest)

    return build


def _rows(indicator, sources, query=YEAR, dims=()):
    return {
        tuple(r[d] for d in ("period", *dims)): (r.get("numerator"), r.get("denominator"), r["value"])
        for r in compute(indicator, sources, query)
    }


def test_coverage_total_and_by_patient_dimensions(county):
    sources = county()
    # Users in the municipality set: P1 and P2 (P3 only had an R60, P4 lives in 091): 2 / 14.
    assert _rows("coverage", sources) == {("2024",): (2, 14, pytest.approx(2 / 14))}
    by_mun = _rows("coverage", sources, Query(period="year", by=("municipality",)), ("municipality",))
    # 638: 2 / 10; 018: no users, 0 / 4.
    assert by_mun == {("2024", "638"): (2, 10, 0.2), ("2024", "018"): (0, 4, 0.0)}
    by_age = _rows("coverage", sources, Query(period="year", by=("age_band",)), ("age_band",))
    # 20-24: P1 / (3 + 2 + 4); 70-74: P2 / 5.
    assert by_age == {("2024", "20-24"): (1, 9, pytest.approx(1 / 9)), ("2024", "70-74"): (1, 5, 0.2)}
    by_lang = _rows("coverage", sources, Query(period="year", by=("language",)), ("language",))
    # fi: 3 + 5 + 4 = 12 residents, P1 and P2 users; sv: 2 residents, no users.
    assert by_lang == {("2024", "fi"): (2, 12, pytest.approx(2 / 12)), ("2024", "sv"): (0, 2, 0.0)}


def test_coverage_without_patients_counts_every_user(county):
    # No patient municipality to check: P1, P2 and P4 -> 3 / 14.
    assert _rows("coverage", county(patients=False)) == {("2024",): (3, 14, pytest.approx(3 / 14))}
    with pytest.raises(UnsupportedQueryError, match="patients"):
        compute("coverage", county(patients=False), Query(period="year", by=("municipality",)))


def test_coverage_is_annual(county):
    with pytest.raises(UnsupportedQueryError, match="per year"):
        compute("coverage", county(), Query(period="quarter"))


def test_coverage_by_station_needs_a_full_listing(county):
    with pytest.raises(UnsupportedQueryError, match="patients_are_all_residents"):
        compute("coverage", county(), Query(period="year", by=("station",)))
    sources = county(manifest={"patients_are_all_residents": True})
    by_station = _rows("coverage", sources, Query(period="year", by=("station",)), ("station_id",))
    # H1 lists P1 and P2, both users: 2 / 2. H2 lists P3 (R60 only) and P5: 0 / 2.
    assert by_station == {("2024", "H1"): (2, 2, 1.0), ("2024", "H2"): (0, 2, 0.0)}


def test_contacts_per_resident(county):
    sources = county()
    # Realised patient contacts of residents of the set: c1, c2 (P1), c3 (P2) = 3 / 14.
    assert _rows("contacts_per_resident", sources) == {("2024",): (3, 14, pytest.approx(3 / 14))}
    by_prof = _rows(
        "contacts_per_resident", sources, Query(period="year", by=("profession",)), ("profession",)
    )
    assert by_prof == {
        ("2024", "physician"): (1, 14, pytest.approx(1 / 14)),
        ("2024", "nurse"): (2, 14, pytest.approx(2 / 14)),
    }
    by_mun = _rows(
        "contacts_per_resident", sources, Query(period="year", by=("municipality",)), ("municipality",)
    )
    assert by_mun == {("2024", "638"): (3, 10, 0.3), ("2024", "018"): (0, 4, 0.0)}


def test_referrals_per_1000(county):
    by_mun = _rows(
        "referrals_per_1000", county(), Query(period="year", by=("municipality",)), ("municipality",)
    )
    # Realised contacts of any type with a referral: c1 (638) and c5 (R60, 018); c4 is cancelled.
    # 638: 1000 x 1 / 10 = 100; 018: 1000 x 1 / 4 = 250.
    assert by_mun == {("2024", "638"): (1, 10, 100.0), ("2024", "018"): (1, 4, 250.0)}
    assert REGISTRY.get("referrals_per_1000").unit == "rate_per_1000"


def test_cost_per_resident_and_per_patient(county):
    sources = county()
    # Realised contacts of residents of the set: 10.10 + 20.20 + 5.00 + 7.05 (R60 counts) = 42.35 / 14.
    total = _rows("cost_per_resident", sources)
    assert total == {("2024",): (pytest.approx(42.35), 14, pytest.approx(42.35 / 14))}
    by_mun = _rows(
        "cost_per_resident", sources, Query(period="year", by=("municipality",)), ("municipality",)
    )
    # 638: 35.30 / 10 = 3.53; 018: 7.05 / 4 = 1.7625.
    assert by_mun == {
        ("2024", "638"): (pytest.approx(35.30), 10, pytest.approx(3.53)),
        ("2024", "018"): (pytest.approx(7.05), 4, pytest.approx(1.7625)),
    }
    (row,) = compute("cost_per_patient", sources, YEAR)
    # All realised contacts: 42.35 + 100.00 = 142.35 over P1, P2, P3, P4 = 35.5875.
    assert (row["numerator"], row["n"], row["value"]) == (pytest.approx(142.35), 4, pytest.approx(35.5875))


def test_physician_share(county):
    (row,) = compute("physician_share", county(), YEAR)
    # Physician/nurse patient contacts: c1 physician, c2 and c3 nurse (c6 practical nurse, c5 R60 out).
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 3, pytest.approx(1 / 3))
    assert [(t.value, t.scope) for t in REGISTRY.get("physician_share").targets] == [(0.40, "regional")]


def _users(station, costs, *, prefix=None):
    prefix = prefix or station
    return [
        contact(f"{prefix}-{i}", f"{prefix}-p{i:02d}", station=station, cost_eur=cost)
        for i, cost in enumerate(costs)
    ]


@pytest.fixture
def decile_sources(make_sources):
    contacts = [
        *_users("N1", [5.0]),  # 1 user: top ceil(0.1) = 1 -> 5 / 5
        *_users("N9", [float(c) for c in range(1, 10)]),  # 9 users: top 1 -> 9 / 45
        *_users("N10", [float(c) for c in range(1, 11)]),  # 10 users: top 1 -> 10 / 55
        *_users("N11", [float(c) for c in range(1, 12)]),  # 11 users: top 2 -> (11 + 10) / 66
        # 10 users plus one with no cost and one with a cancelled costed contact: still 10 users.
        *_users("M10", [float(c) for c in range(1, 11)]),
        contact("M10-nocost", "M10-x", station="M10"),
        contact("M10-cancel", "M10-y", station="M10", cost_eur=500.0, cancelled_at=dt.datetime(2024, 2, 1)),
        # 11 users with a three-way tie at the top: top 2 take 50 + 50 whatever the tie-break -> 100 / 158.
        *_users("T", [50.0, 50.0, 50.0, *[1.0] * 8]),
    ]
    return make_sources({"contacts": contacts})


def test_top_decile_cost_share_uses_integer_ceiling(decile_sources):
    rows = compute("top_decile_cost_share", decile_sources, Query(period="year", by=("station",)))
    got = {r["station_id"]: (r["n"], r["numerator"], r["denominator"], r["value"]) for r in rows}
    assert got == {
        "N1": (1, 5.0, 5.0, 1.0),
        "N9": (9, 9.0, 45.0, pytest.approx(9 / 45)),
        "N10": (10, 10.0, 55.0, pytest.approx(10 / 55)),
        "N11": (11, 21.0, 66.0, pytest.approx(21 / 66)),
        "M10": (10, 10.0, 55.0, pytest.approx(10 / 55)),
        "T": (11, 100.0, 158.0, pytest.approx(100 / 158)),
    }


def test_top_decile_contact_share(make_sources):
    contacts = [contact(f"x{i}", "X", f"2024-01-{i + 1:02d}") for i in range(5)]  # 5 contacts
    contacts += [contact(f"y{i}", "Y", f"2024-01-{i + 1:02d}") for i in range(3)]  # 3 contacts
    contacts += [contact(f"z{i}", f"Z{i}") for i in range(9)]  # 9 users with 1 contact each
    contacts += [
        contact("x-r60", "X", contact_type="R60"),  # not a patient contact
        contact("w-cancel", "W", cancelled_at=dt.datetime(2024, 2, 1)),  # W is not a user
    ]
    (row,) = compute("top_decile_contact_share", make_sources({"contacts": contacts}), YEAR)
    # 11 users -> top (11 + 9) // 10 = 2: X and Y with 5 + 3 = 8 of 17 contacts.
    assert (row["n"], row["numerator"], row["denominator"], row["value"]) == (
        11,
        8,
        17,
        pytest.approx(8 / 17),
    )


def test_top_decile_ranks_within_each_period(make_sources):
    contacts = _users("S1", [1.0, 2.0]) + [
        contact("late", "S1-p00", "2024-07-01", station="S1", cost_eur=10.0)
    ]
    rows = compute("top_decile_cost_share", make_sources({"contacts": contacts}), Query(period="quarter"))
    # 2024Q1: two users (1, 2) -> top 1 = 2 / 3. 2024Q3: one user (10) -> 1.
    assert [(r["period"], r["n"], r["value"]) for r in rows] == [("2024Q1", 2, pytest.approx(2 / 3)),
                                                                  ("2024Q3", 1, 1.0)]  # fmt: skip


def test_cost_in_cents_makes_float_ties_exact(make_sources):
    # A: 0.10 + 0.20 (0.30000000000000004 in floats) ties with B: 0.30 -> tie broken by patient_id: A.
    contacts = [
        contact("a1", "A", cost_eur=0.10),
        contact("a2", "A", cost_eur=0.20),
        contact("b1", "B", cost_eur=0.30),
    ]
    (row,) = compute("top_decile_cost_share", make_sources({"contacts": contacts}), YEAR)
    assert (row["n"], row["numerator"], row["denominator"], row["value"]) == (2, 0.3, 0.6, 0.5)
