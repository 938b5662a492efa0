"""Generative check of COCI, UPC, SECON and MMCI against a plain-Python reading of indicators.md.

The reference below is deliberately naive (loops over dicts, nothing from
valvomo.indicators): for each period it builds the 12-month window, orders each
patient's visits, computes the four indices and averages them per station.
Hypothesis draws small random counties (ties in start time, cancelled and
non-patient contacts, nurses, missing professionals, listed and unlisted
patients) and the registry must agree on DuckDB to 1e-9.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valvomo.indicators import Query, compute
from valvomo.indicators.runner import stage_cache
from valvomo.warehouse.sources import MemorySources

START = dt.date(2023, 1, 1)
DAYS = 730  # two years, so quarterly and monthly windows cross a year end

PHYSICAL = {"R10", "R20", "R30", "R40", "R41"}
REMOTE = {"R50", "R51", "R52", "R55", "R56"}


@st.composite
def counties(draw):
    n_patients = draw(st.integers(1, 6))
    patients = [
        {
            "patient_id": f"P{i}",
            "birth_year": 1960,
            "sex": "F",
            "municipality": "638",
            "home_station_id": draw(st.sampled_from([None, None, "S0", "S2"])),
        }
        for i in range(n_patients)
    ]
    contacts = []
    for i in range(draw(st.integers(0, 40))):
        day = START + dt.timedelta(days=draw(st.integers(0, DAYS - 1)))
        contacts.append(
            {
                "contact_id": f"C{draw(st.integers(0, 99)):02d}-{i}",
                "patient_id": f"P{draw(st.integers(0, n_patients - 1))}",
                "station_id": draw(st.sampled_from(["S0", "S1", "S2"])),
                "professional_id": draw(st.sampled_from(["D0", "D1", "D2", "D3", None])),
                "profession": draw(st.sampled_from(["physician", "physician", "physician", "nurse"])),
                "contact_type": draw(st.sampled_from(["R10", "R50", "R52", "R60"])),
                "service_type": draw(st.sampled_from(["T11", "T11", "T11", "T20"])),
                "nature": "SH",
                "urgency": "non_urgent",
                # Few distinct hours: equal start times happen and contact_id orders them.
                "started_at": dt.datetime.combine(day, dt.time(draw(st.sampled_from([8, 8, 12])))),
                "cancelled_at": draw(st.sampled_from([None, None, None, None, dt.datetime(2022, 12, 1)])),
            }
        )
    period = draw(st.sampled_from(["month", "quarter", "year"]))
    with_patients = draw(st.booleans())
    return contacts, patients, period, with_patients


def period_of(day: dt.date, kind: str) -> tuple[str, int]:
    """Label and month index (year * 12 + month - 1) of the period's last month."""
    if kind == "year":
        return str(day.year), day.year * 12 + 11
    if kind == "quarter":
        quarter = (day.month - 1) // 3 + 1
        return f"{day.year}Q{quarter}", day.year * 12 + quarter * 3 - 1
    return f"{day.year}-{day.month:02d}", day.year * 12 + day.month - 1


def indices(sequence: list[str]) -> dict[str, float]:
    n = len(sequence)
    counts = Counter(sequence)
    k = len(counts)
    pairs = sum(1 for a, b in zip(sequence, sequence[1:], strict=False) if a == b)
    return {
        "coci": (sum(c * c for c in counts.values()) - n) / (n * (n - 1)),
        "upc": max(counts.values()) / n,
        "secon": pairs / (n - 1),
        "mmci": (1 - k / (n + 0.1)) / (1 - 1 / (n + 0.1)),
    }


def reference(contacts, patients, kind, with_patients):
    """{index: {(period, station): (mean, n_patients)}} straight from indicators.md."""
    home = {p["patient_id"]: p["home_station_id"] for p in patients} if with_patients else {}
    visits = [
        c
        for c in contacts
        if c["cancelled_at"] is None
        and c["contact_type"] in PHYSICAL | REMOTE
        and c["service_type"] == "T11"
        and c["professional_id"] is not None
        and c["profession"] == "physician"
    ]
    periods = {period_of(c["started_at"].date(), kind) for c in visits}
    result: dict[str, dict] = {name: {} for name in ("coci", "upc", "secon", "mmci")}
    for label, last in periods:
        by_patient = defaultdict(list)
        for c in visits:
            day = c["started_at"].date()
            if last - 11 <= day.year * 12 + day.month - 1 <= last:
                by_patient[c["patient_id"]].append(c)
        per_station = defaultdict(list)
        for pid, own in by_patient.items():
            if len(own) < 2:
                continue
            own.sort(key=lambda c: (c["started_at"], c["contact_id"]))
            stations = Counter(c["station_id"] for c in own)
            majority = sorted(stations, key=lambda s: (-stations[s], s))[0]
            station = home.get(pid) or majority
            per_station[station].append(indices([c["professional_id"] for c in own]))
        for station, values in per_station.items():
            for name in result:
                result[name][(label, station)] = (sum(v[name] for v in values) / len(values), len(values))
    return result


COMPARED = ("coci", "upc", "secon", "mmci")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counties())
def test_registry_matches_reference(duckdb_backend, county):
    contacts, patients, kind, with_patients = county
    tables = {"contacts": contacts}
    if with_patients:
        tables["patients"] = patients
    sources = MemorySources(tables, backend=duckdb_backend)
    expected = reference(contacts, patients, kind, with_patients)
    # The four read one staged continuity population, as materialisation computes them (the plain
    # expressions are compared with the staged rows in tests/services/test_materialise_stages.py).
    with stage_cache(sources):
        computed = {name: compute(name, sources, Query(period=kind, by=("station",))) for name in COMPARED}
    for name in COMPARED:
        rows = computed[name]
        got = {(r["period"], r["station_id"]): (r["value"], r["n"]) for r in rows}
        assert got.keys() == expected[name].keys(), name
        for key, (value, n) in expected[name].items():
            assert abs(got[key][0] - value) < 1e-9, (name, key, got[key], value)
            assert got[key][1] == n
