"""Utilisation segments and their outputs on hand-computed cases (docs/utilisation-segments.md)."""

from __future__ import annotations

import pytest
from segment_rows import contact, diagnosis, patient

from valvomo.indicators.registry import Query
from valvomo.indicators.runner import compute
from valvomo.segments import outputs
from valvomo.segments.config_files import ConfigFileError, parse_config
from valvomo.segments.registry import SEGMENT_REGISTRY
from valvomo.segments.utilisation import UtilisationSpec, _check, patient_segments

YEAR = Query(period="year")


def placed(sources, query=YEAR):
    rows = sources.backend.to_pyarrow(patient_segments(sources, query)).to_pylist()
    return {(r["period"], r["patient_id"]): r["segment"] for r in rows}


def many(patient_id, n, *, first=0, cost=None, **kw):
    return [contact(f"{patient_id}-{first + i}", patient_id, f"2024-{1 + (i % 12):02d}-10", cost=cost, **kw) for i in range(n)]


def test_episodic_regular_boundary_and_chronic_diagnosis(make_sources):
    # 40 users so that the top decile (4 patients) are the heavy users H1..H4, not the cases below.
    contacts = [
        *many("E2", 2),  # 2 contacts, no chronic diagnosis: episodic
        *many("R3", 3),  # 3 contacts: regular
        contact("D1", "D1"),  # 1 contact, with E11.9: regular
        contact("K1", "K1"),  # 1 contact, with K86 (ICPC-2): regular
        contact("N1", "N1"),  # 1 contact with a non-chronic code: episodic
        contact("X1", "X1", cancelled=True),  # cancelled only: not a user at all
        contact("X2", "X2", contact_type="R60"),  # a non-patient contact: not a user
        *[c for h in range(4) for c in many(f"H{h}", 10)],
        *[contact(f"F{i}", f"F{i}") for i in range(30)],
    ]
    diagnoses = [diagnosis("D1", "E11.9"), diagnosis("K1", "K86", "icpc2"), diagnosis("N1", "J06.9")]
    segments = placed(make_sources({"contacts": contacts, "diagnoses": diagnoses}))
    assert segments[("2024", "E2")] == "episodic"
    assert segments[("2024", "R3")] == "regular"
    assert segments[("2024", "D1")] == "regular"
    assert segments[("2024", "K1")] == "regular"
    assert segments[("2024", "N1")] == "episodic"
    assert ("2024", "X1") not in segments and ("2024", "X2") not in segments
    assert {p for (_, p), s in segments.items() if s == "high_need"} == {"H0", "H1", "H2", "H3"}
    assert len(segments) == 39


def test_top_decile_by_cost_breaks_ties_by_patient_id(make_sources):
    # 12 users: ceil(12 / 10) = 2 high-need. P03, P07 and P11 tie on the highest cost: P03 and P07 win.
    contacts = []
    for i in range(12):
        cost = 500.0 if i in (3, 7, 11) else 10.0 + i
        contacts.append(contact(f"C{i}", f"P{i:02d}", cost=cost))
    segments = placed(make_sources({"contacts": contacts}))
    assert sorted(p for (_, p), s in segments.items() if s == "high_need") == ["P03", "P07"]
    assert segments[("2024", "P11")] == "episodic"


def test_without_any_cost_the_top_decile_is_by_contacts(make_sources):
    contacts = [*many("A", 5), *many("B", 4), *[contact(f"S{i}", f"S{i}") for i in range(8)]]  # 10 users
    segments = placed(make_sources({"contacts": contacts}))
    assert [p for (_, p), s in segments.items() if s == "high_need"] == ["A"]
    assert segments[("2024", "B")] == "regular"


def test_the_window_is_the_12_months_ending_with_the_period(make_sources):
    contacts = [
        contact("old", "P1", "2023-06-30"),  # in 2023Q2's window (2022-07..2023-06), not in 2024Q3's
        contact("a", "P1", "2024-07-01"),
        contact("b", "P1", "2024-09-30"),
    ]
    segments = placed(make_sources({"contacts": contacts}), Query(period="quarter"))
    assert segments[("2023Q2", "P1")] == "high_need"  # the only user is the top decile
    sources = make_sources({"contacts": contacts})
    rows = sources.backend.to_pyarrow(patient_segments(sources, Query(period="quarter"))).to_pylist()
    counts = {r["period"]: r["contacts"] for r in rows}
    assert counts == {"2023Q2": 1, "2024Q3": 2}  # 2024Q3's window is 2023-10 .. 2024-09


def test_mix_remote_share_and_station_attribution(make_sources):
    contacts = [
        *many("A", 3, contact_type="R50", station="S2"),  # listed at S1 (home station) though seen at S2
        contact("B1", "B", station="S2"),
        contact("B2", "B", station="S2", contact_type="R56"),
        *[contact(f"C{i}", f"C{i}", station="S2") for i in range(8)],
    ]
    patients = [patient("A", home="S1"), patient("B", home=None)] + [patient(f"C{i}", home=None) for i in range(8)]
    sources = make_sources({"contacts": contacts, "patients": patients})
    query = Query(period="year", by=("station",))
    mix = {(r["station_id"], r["bin"]): (r["numerator"], r["denominator"])
           for r in compute("utilisation_segment_mix", sources, query, registry=SEGMENT_REGISTRY)}  # fmt: skip
    # 10 users: one high-need (A has the most contacts), the rest episodic.
    assert mix == {("S1", "high_need"): (1, 1), ("S2", "episodic"): (9, 9)}
    remote = {(r["station_id"], r["bin"]): (r["numerator"], r["denominator"])
              for r in compute("segment_remote_share", sources, query, registry=SEGMENT_REGISTRY)}  # fmt: skip
    assert remote == {("S1", "high_need"): (3, 3), ("S2", "episodic"): (1, 10)}


def test_coci_by_segment_reuses_the_continuity_definition(make_sources):
    # R: 4 physician T11 visits with professionals D1, D1, D1, D2: COCI = (3^2 + 1^2 - 4) / (4 * 3) = 0.5
    visits = [contact(f"R{i}", "R", profession="physician", professional=p) for i, p in enumerate(["D1", "D1", "D1", "D2"])]
    filler = [contact(f"F{i}", f"F{i}", cost=1.0) for i in range(9)]
    sources = make_sources({"contacts": [*visits, *filler]})
    rows = compute("segment_coci", sources, YEAR, registry=SEGMENT_REGISTRY)
    # The fillers have cost and R has none, so R (4 contacts) is regular, not high-need.
    assert [(r["bin"], r["value"], r["n"]) for r in rows] == [("regular", 0.5, 1)]


def test_lorenz_gini_and_top_decile_share_of_contacts(make_sources):
    # contacts 1, 1, 2, 4 (n = 4, total 8). Ranks ascending: P1(1) P2(1) P3(2) P4(4).
    # Gini = 2 (1*1 + 2*1 + 3*2 + 4*4) / (4 * 8) - 5/4 = 50/32 - 1.25 = 0.3125.
    # Deciles ceil(10 r / 4): 3, 5, 8, 10 -> Lorenz points 30: 1/8, 50: 2/8, 80: 4/8, 100: 1.
    # Top decile: ceil(4 / 10) = 1 patient, P4: 4 / 8.
    contacts = [*many("P1", 1), *many("P2", 1), *many("P3", 2), *many("P4", 4)]
    sources = make_sources({"contacts": contacts})
    gini = compute("gini_contacts", sources, YEAR, registry=SEGMENT_REGISTRY)
    assert [(r["value"], r["n"]) for r in gini] == [(0.3125, 4)]
    lorenz = compute("lorenz_contacts", sources, YEAR, registry=SEGMENT_REGISTRY)
    assert [(r["bin"], r["value"]) for r in lorenz] == [("30", 0.125), ("50", 0.25), ("80", 0.5), ("100", 1.0)]
    top = compute("top_decile_contacts_share_12m", sources, YEAR, registry=SEGMENT_REGISTRY)
    assert [(r["value"], r["numerator"], r["denominator"], r["n"]) for r in top] == [(0.5, 4, 8, 4)]


def test_cost_outputs_count_cents_and_skip_windows_without_cost(make_sources):
    contacts = [contact("a", "P1", cost=10.0), contact("b", "P2", cost=30.0), contact("c", "P2", cost=0.5)]
    sources = make_sources({"contacts": contacts})
    # Gini of cents 1000, 3050: 2 (1*1000 + 2*3050) / (2 * 4050) - 3/2 = 14200/8100 - 1.5
    gini = compute("gini_cost", sources, YEAR, registry=SEGMENT_REGISTRY)
    assert gini[0]["value"] == pytest.approx(14200 / 8100 - 1.5, abs=1e-12)
    top = compute("top_decile_cost_share_12m", sources, YEAR, registry=SEGMENT_REGISTRY)
    assert (top[0]["numerator"], top[0]["denominator"]) == (30.5, 40.5)
    no_cost = make_sources({"contacts": [contact("a", "P1"), contact("b", "P2")]})
    assert compute("gini_cost", no_cost, YEAR, registry=SEGMENT_REGISTRY) == []
    assert len(compute("gini_contacts", no_cost, YEAR, registry=SEGMENT_REGISTRY)) == 1


def test_the_lorenz_points_of_ten_patients_are_every_decile(make_sources):
    contacts = [c for i in range(10) for c in many(f"P{i}", i + 1)]  # 1..10 contacts, total 55
    sources = make_sources({"contacts": contacts})
    lorenz = compute("lorenz_contacts", sources, YEAR, registry=SEGMENT_REGISTRY)
    expected = [round(sum(range(1, k + 1)) / 55, 12) for k in range(1, 11)]
    assert [r["bin"] for r in lorenz] == list(outputs.LORENZ_BINS)
    assert [r["value"] for r in lorenz] == expected


def test_a_bad_chronic_code_is_refused_with_its_place():
    text = "regular_min_contacts: 3\nchronic_conditions:\n  - id: diabetes\n    names: {fi: a, sv: b, en: c}\n    icd10: [E11, E1X]\n"
    with pytest.raises(ConfigFileError, match=r"county.yaml:5: chronic_conditions\[0\].icd10\[1\]: unknown icd10 code 'E1X'"):
        parse_config(text, UtilisationSpec, "county.yaml", _check)
