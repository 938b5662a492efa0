"""Generative check of remote_share_20plus against a plain-Python reading of indicators.md.

Reference: loop over the contacts, keep realised patient contacts of patients
aged >= 20 in the contact's year, count remote codes per (quarter, station).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valvomo.indicators import Query, compute
from valvomo.warehouse.sources import MemorySources

PHYSICAL = {"R10", "R20", "R30", "R40", "R41"}
REMOTE = {"R50", "R51", "R52", "R55", "R56"}
CODES = sorted(PHYSICAL | REMOTE) + ["R60", "R72", "R90"]


@st.composite
def counties(draw):
    n_patients = draw(st.integers(1, 6))
    # Birth years around the 20-year boundary for contacts in 2023-2025.
    patients = [
        {
            "patient_id": f"P{i}",
            "birth_year": draw(st.integers(2002, 2006)),
            "sex": "M",
            "municipality": "638",
        }
        for i in range(n_patients)
    ]
    contacts = []
    for i in range(draw(st.integers(0, 40))):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=draw(st.integers(0, 3 * 365)))
        contacts.append(
            {
                "contact_id": f"C{i}",
                "patient_id": f"P{draw(st.integers(0, n_patients - 1))}",
                "station_id": draw(st.sampled_from(["S0", "S1"])),
                "profession": "nurse",
                "contact_type": draw(st.sampled_from(CODES)),
                "service_type": draw(st.sampled_from(["T11", "T20", "T40"])),
                "nature": "SH",
                "urgency": "non_urgent",
                "started_at": dt.datetime.combine(day, dt.time(10)),
                "cancelled_at": draw(st.sampled_from([None, None, None, dt.datetime(2022, 12, 1)])),
            }
        )
    return contacts, patients


def reference(contacts, patients):
    birth = {p["patient_id"]: p["birth_year"] for p in patients}
    counts = defaultdict(lambda: [0, 0])
    for c in contacts:
        day = c["started_at"].date()
        if c["cancelled_at"] is not None or c["contact_type"] not in PHYSICAL | REMOTE:
            continue
        if day.year - birth[c["patient_id"]] < 20:
            continue
        key = (f"{day.year}Q{(day.month - 1) // 3 + 1}", c["station_id"])
        counts[key][1] += 1
        counts[key][0] += c["contact_type"] in REMOTE
    return {key: (num, den, num / den) for key, (num, den) in counts.items()}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counties())
def test_remote_share_matches_reference(duckdb_backend, county):
    contacts, patients = county
    sources = MemorySources({"contacts": contacts, "patients": patients}, backend=duckdb_backend)
    rows = compute("remote_share_20plus", sources, Query(period="quarter", by=("station",)))
    got = {(r["period"], r["station_id"]): (r["numerator"], r["denominator"], r["value"]) for r in rows}
    expected = reference(contacts, patients)
    assert got.keys() == expected.keys()
    for key, (num, den, value) in expected.items():
        assert got[key][:2] == (num, den)
        assert abs(got[key][2] - value) < 1e-9
