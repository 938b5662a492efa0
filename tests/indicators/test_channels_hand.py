"""Remote share of adults and channel mix on hand-computed cases (indicators.md, "Channels")."""

from __future__ import annotations

import datetime as dt

import pytest

from valvomo.indicators import REGISTRY, Query, compute
from valvomo.indicators.channels import remote_share_indicator


def contact(cid, patient, day, contact_type="R10", *, station="S1", profession="nurse", **extra):
    row = {
        "contact_id": cid,
        "patient_id": patient,
        "station_id": station,
        "professional_id": "X1",
        "profession": profession,
        "contact_type": contact_type,
        "service_type": "T11",
        "nature": "SH",
        "urgency": "non_urgent",
        "started_at": dt.datetime.fromisoformat(day).replace(hour=10),
    }
    row.update(extra)
    return row


def patient(pid, birth_year, language="fi"):
    return {
        "patient_id": pid,
        "birth_year": birth_year,
        "sex": "M",
        "municipality": "638",
        "language": language,
    }


@pytest.fixture
def channel_sources(make_sources):
    contacts = [
        # Adult A (born 1980): R10, R50, R52, R56 counted; cancelled R51 and R60 are not contacts.
        contact("a1", "A", "2024-02-01", "R10"),
        contact("a2", "A", "2024-02-02", "R50"),
        contact("a3", "A", "2024-02-03", "R52", service_type="T20"),  # all service types count
        contact("a4", "A", "2024-02-04", "R56"),
        contact("a5", "A", "2024-02-05", "R51", cancelled_at=dt.datetime(2024, 2, 4, 12)),
        contact("a6", "A", "2024-02-06", "R60"),
        # B born 2004: 2024 - 2004 = 20 -> counted (boundary).
        contact("b1", "B", "2024-03-01", "R20"),
        # C born 2005: 19 in 2024 -> not counted; 20 in 2025 -> counted.
        contact("c1", "C", "2024-12-31", "R55"),
        contact("c2", "C", "2025-01-01", "R55"),
    ]
    patients = [patient("A", 1980), patient("B", 2004, "sv"), patient("C", 2005)]
    return make_sources({"contacts": contacts, "patients": patients})


def test_remote_share_of_adults(channel_sources):
    rows = compute("remote_share_20plus", channel_sources, Query(period="year"))
    # 2024: A's R10, R50, R52, R56 and B's R20 -> 3 remote / 5; C (19) is left out.
    # 2025: C's R55 (age 20) -> 1/1.
    assert [(r["period"], r["numerator"], r["denominator"], r["value"]) for r in rows] == [
        ("2024", 3, 5, 0.6),
        ("2025", 1, 1, 1.0),
    ]


def test_remote_share_by_age_band_and_language(channel_sources):
    rows = compute("remote_share_20plus", channel_sources, Query(period="year", by=("age_band", "language")))
    got = {(r["period"], r["age_band"], r["language"]): (r["numerator"], r["denominator"]) for r in rows}
    # A is 44 in 2024 (40-44, fi), B is 20 (20-24, sv), C is 20 in 2025 (20-24, fi).
    assert got == {
        ("2024", "40-44", "fi"): (3, 4),
        ("2024", "20-24", "sv"): (0, 1),
        ("2025", "20-24", "fi"): (1, 1),
    }


def test_remote_codes_are_a_parameter(channel_sources):
    electronic_only = remote_share_indicator(("R51", "R52", "R55", "R56"), id="remote_share_electronic")
    rows = compute(electronic_only, channel_sources, Query(period="year"))
    # Without R50 (phone) the phone call stays in the denominator: 2024 -> R52, R56 = 2/5.
    assert [(r["period"], r["numerator"], r["denominator"]) for r in rows] == [("2024", 2, 5), ("2025", 1, 1)]
    with pytest.raises(ValueError, match="subset"):
        remote_share_indicator(("R10",))


def test_remote_share_targets_and_baseline():
    entry = REGISTRY.get("remote_share_20plus")
    assert {(t.value, t.deadline, t.scope) for t in entry.targets} == {
        (0.33, "2024Q2", "national"),
        (0.35, "2025Q4", "national"),
    }
    assert entry.parameters["baseline"] == 0.299
    assert "R50" in entry.parameters["remote"]
    assert entry.requires == ("contacts", "patients")


def test_channel_mix_by_class(channel_sources):
    rows = compute("channel_mix", channel_sources, Query(period="year"))
    got = [(r["period"], r["bin"], r["n"], r["denominator"], r["value"]) for r in rows]
    # All ages: 2024 has R10, R50, R52, R56, R20, R55 (C at 19 counts here) -> physical 2, remote 4.
    assert got == [
        ("2024", "physical", 2, 6, pytest.approx(2 / 6)),
        ("2024", "remote", 4, 6, pytest.approx(4 / 6)),
        ("2025", "remote", 1, 1, 1.0),
    ]


def test_channel_mix_by_code_within_class(channel_sources):
    rows = compute("channel_mix_code", channel_sources, Query(period="year", by=("contact_class",)))
    got = {(r["period"], r["contact_class"], r["bin"]): (r["n"], r["denominator"]) for r in rows}
    assert got == {
        ("2024", "physical", "R10"): (1, 2),
        ("2024", "physical", "R20"): (1, 2),
        ("2024", "remote", "R50"): (1, 4),
        ("2024", "remote", "R52"): (1, 4),
        ("2024", "remote", "R55"): (1, 4),
        ("2024", "remote", "R56"): (1, 4),
        ("2025", "remote", "R55"): (1, 1),
    }
    # Bins come in the code order of the registry entry.
    assert [r["bin"] for r in rows if r["period"] == "2024"][:2] == ["R10", "R20"]
