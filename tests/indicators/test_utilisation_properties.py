"""Generative check of the top-decile cost and contact shares against a plain-Python reading.

Reference: per (year, station) collect users, add their costs exactly (Decimal),
sort by total descending then patient_id, take the first ceil(users / 10) and
divide. Costs have whole cents, as euro amounts do, so exact sums are what the
registry's integer-cent sums must reproduce; many equal costs make ties common.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valvomo.indicators import Query, compute
from valvomo.warehouse.sources import MemorySources

PATIENT_CODES = {"R10", "R20", "R30", "R40", "R41", "R50", "R51", "R52", "R55", "R56"}


@st.composite
def counties(draw):
    contacts = []
    for i in range(draw(st.integers(0, 60))):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=draw(st.integers(0, 2 * 365 - 1)))
        cents = draw(st.one_of(st.none(), st.sampled_from([0, 10, 20, 30, 1999]), st.integers(0, 50_000)))
        contacts.append(
            {
                "contact_id": f"C{i}",
                "patient_id": f"P{draw(st.integers(0, 24)):02d}",
                "station_id": draw(st.sampled_from(["S0", "S1"])),
                "profession": "nurse",
                "contact_type": draw(st.sampled_from(["R10", "R50", "R52", "R60", "R72"])),
                "service_type": "T11",
                "nature": "SH",
                "urgency": "non_urgent",
                "started_at": dt.datetime.combine(day, dt.time(10)),
                "cancelled_at": draw(st.sampled_from([None, None, None, dt.datetime(2022, 12, 1)])),
                "cost_eur": None if cents is None else cents / 100,
            }
        )
    return contacts


def top_share(totals: dict[str, Decimal | int]):
    users = sorted(totals, key=lambda pid: (-totals[pid], pid))
    top = users[: math.ceil(len(users) / 10)]
    whole = sum(totals.values())
    value = None if whole == 0 else float(Decimal(sum(totals[p] for p in top)) / Decimal(whole))
    return len(users), value


def reference(contacts):
    cost = defaultdict(lambda: defaultdict(Decimal))
    count = defaultdict(lambda: defaultdict(int))
    for c in contacts:
        if c["cancelled_at"] is not None:
            continue
        key = (str(c["started_at"].year), c["station_id"])
        if c["cost_eur"] is not None:
            cost[key][c["patient_id"]] += Decimal(str(c["cost_eur"]))
        if c["contact_type"] in PATIENT_CODES:
            count[key][c["patient_id"]] += 1
    return (
        {key: top_share(totals) for key, totals in cost.items()},
        {key: top_share(totals) for key, totals in count.items()},
    )


def _compare(got, expected):
    assert got.keys() == expected.keys()
    for key, (users, value) in expected.items():
        assert got[key][0] == users
        if value is None:
            assert got[key][1] is None
        else:
            assert abs(got[key][1] - value) < 1e-9, (key, got[key], value)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counties())
def test_top_decile_shares_match_reference(duckdb_backend, contacts):
    sources = MemorySources({"contacts": contacts}, backend=duckdb_backend)
    query = Query(period="year", by=("station",))
    expected_cost, expected_contacts = reference(contacts)
    for indicator, expected in (
        ("top_decile_cost_share", expected_cost),
        ("top_decile_contact_share", expected_contacts),
    ):
        rows = compute(indicator, sources, query)
        _compare({(r["period"], r["station_id"]): (r["n"], r["value"]) for r in rows}, expected)
