"""The access-section indicators give identical rows on DuckDB and PySpark.

One fixed, seeded dataset (contacts, slots, guidance requests, interventions) around
Easter, Midsummer and Christmas 2024; one Spark session; a handful of queries per
indicator, so that the module stays well under a minute and a half.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest
from access_rows import HOLIDAY_ANCHORS, MINUTES, STATIONS, WAITS

from valvomo.indicators import REGISTRY, Query, compute
from valvomo.warehouse.sources import MemorySources

pytestmark = pytest.mark.spark

ACCESS_FAMILY = (
    "access_7d", "access_14d", "access_3m", "waiting_days_distribution", "waiting_days_median", "waiting_days_p90",
    "urgent_next_working_day", "assessment_same_day",
)  # fmt: skip
OURS = (
    "t3_days", "t3_days_pooled", "guidance_same_day", "guidance_next_working_day", "guidance_response_hours_median",
    "guidance_resolved", "intervention_wait_days", "intervention_wait_days_median", "intervention_wait_days_min",
    "intervention_wait_days_max", "first_contact_resolution",
)  # fmt: skip


def _at(rng: random.Random, anchor: dt.date, first_day: int, last_day: int) -> dt.datetime:
    day = anchor + dt.timedelta(days=rng.randint(first_day, last_day))
    return dt.datetime.combine(day, dt.time(0, 0)) + dt.timedelta(minutes=rng.choice(MINUTES))


def fixed_dataset() -> dict[str, list[dict]]:
    rng = random.Random(20240329)
    patients = [
        {"patient_id": f"p{i}", "birth_year": rng.choice((1939, 1950, 1980, 2008)), "sex": rng.choice("FM"),
         "municipality": rng.choice(("638", "753")), "language": rng.choice(("fi", "sv", "other"))}
        for i in range(12)
    ]  # fmt: skip
    contacts = []
    for i in range(160):
        anchor = rng.choice(HOLIDAY_ANCHORS)
        assessed = _at(rng, anchor, -2, 10)
        started = max(assessed, dt.datetime.combine(assessed.date() + dt.timedelta(days=rng.choice(WAITS)), dt.time(9)))
        contacts.append(
            {
                "contact_id": f"c{i:03d}",
                "patient_id": f"p{rng.randrange(12)}",
                "station_id": rng.choice(("S1", "S2")),
                "profession": rng.choice(("nurse", "nurse", "physician", "practical_nurse")),
                "licensed": rng.choice((None, None, None, False, True)),
                "contact_type": rng.choice(("R10", "R10", "R50", "R52", "R60")),
                "service_type": rng.choice(("T11", "T11", "T11", "T21")),
                "nature": rng.choice(("SH", "SH", "TH")),
                "urgency": rng.choice(("non_urgent", "non_urgent", "urgent")),
                "contacted_at": assessed - dt.timedelta(minutes=rng.choice((0, 45, 1440, 2880))),
                "assessed_at": assessed if rng.random() < 0.8 else None,
                "started_at": started,
                "cancelled_at": started - dt.timedelta(hours=3) if rng.random() < 0.1 else None,
                "care_plan": rng.choice((None, None, None, True)),
                "resolved_first_contact": rng.choice((None, True, False)),
            }
        )
    slots = []
    for i in range(240):
        station, profession, professional = rng.choice(
            (("S1", "nurse", "A"), ("S1", "nurse", "B"), ("S1", "physician", "C"), ("S2", "nurse", "D"))
        )
        starts = _at(rng, dt.date(2024, 3, 18), 0, 40)
        published = starts - dt.timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 12))
        booked = published + dt.timedelta(days=rng.randint(0, 30)) if rng.random() < 0.4 else None
        slots.append(
            {
                "slot_id": f"s{i:03d}", "station_id": station, "professional_id": professional,
                "profession": profession, "slot_type": rng.choice(("non_urgent", "non_urgent", "urgent", "follow_up")),
                "starts_at": starts, "duration_min": 20, "published_at": published,
                "booked_at": None if booked is None else min(booked, starts),
                "cancelled_at": starts - dt.timedelta(days=1) if rng.random() < 0.05 else None,
            }
        )  # fmt: skip
    requests = []
    for i in range(120):
        received = _at(rng, rng.choice(HOLIDAY_ANCHORS), -2, 10)
        wait = rng.choice((None, 5, 60, 300, 1440, 2000, 5000))
        requests.append(
            {
                "request_id": f"r{i:03d}", "unit_id": rng.choice(("G1", "S1")), "channel": "phone",
                "received_at": received,
                "first_response_at": None if wait is None else received + dt.timedelta(minutes=wait),
                "outcome": rng.choice((None, "advice", "booked", "unreached")),
            }
        )  # fmt: skip
    interventions = []
    for i in range(30):
        recommended = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 360))
        interventions.append(
            {
                "intervention_id": f"i{i:02d}", "patient_id": f"p{rng.randrange(12)}",
                "station_id": rng.choice(("S1", "S2")), "method": rng.choice(("IPC", "CoolKids")),
                "recommended_on": recommended,
                "first_session_on": recommended + dt.timedelta(days=rng.randint(0, 45)) if rng.random() < 0.9 else None,
            }
        )  # fmt: skip
    return {
        "stations": STATIONS, "patients": patients, "contacts": contacts, "slots": slots,
        "guidance_requests": requests, "interventions": interventions,
    }  # fmt: skip


def _queries(indicator_id: str) -> list[Query]:
    grain = REGISTRY.get(indicator_id).grain
    if indicator_id == "t3_days":  # its own grain; one query, Spark's range joins are slow
        return [Query(period="month", by=("station", "profession"))]
    queries = [Query(period="quarter", by=("station",) if "station" in grain else ())]
    if indicator_id == "access_7d":
        queries.append(Query(period="month", by=("age_band", "contact_class"), start=dt.date(2024, 4, 1)))
    elif indicator_id == "intervention_wait_days_median":
        queries.append(Query(period="year", by=("municipality",)))
    return queries


def _normalise(rows: list[dict]) -> list[tuple]:
    out = []
    for row in rows:
        out.append(tuple((k, round(v, 9) if isinstance(v, float) and not math.isnan(v) else v) for k, v in row.items()))
    return sorted(out, key=str)


@pytest.fixture(scope="module")
def engines(duckdb_backend, spark_backend):
    tables = fixed_dataset()
    return MemorySources(tables, backend=duckdb_backend), MemorySources(tables, backend=spark_backend)


@pytest.mark.parametrize("indicator_id", ACCESS_FAMILY + OURS)
def test_duckdb_and_pyspark_agree(engines, indicator_id):
    duck, spark = engines
    for query in _queries(indicator_id):
        expected = compute(indicator_id, duck, query)
        assert expected, f"{indicator_id} {query}: the fixed dataset should give rows"
        assert _normalise(compute(indicator_id, spark, query)) == _normalise(expected), f"{indicator_id} {query}"
