"""The channel, continuity, utilisation, quality and feedback indicators give identical rows on
DuckDB and PySpark (architecture.md: one expression, every backend).

One fixed, seeded county of a few hundred contacts exercises every path:
windows across a year end, ties, listed and unlisted patients, missing costs,
cancelled and non-patient contacts. Rows are compared exactly, floats included.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from valvomo.indicators import Query, compute
from valvomo.warehouse.backends import connect_duckdb
from valvomo.warehouse.sources import MemorySources

pytestmark = pytest.mark.spark

STATIONS = ("S1", "S2", "S3")
MUNICIPALITIES = ("638", "018")
BANDS = ("15-19", "20-24", "40-44", "70-74")


def county() -> tuple[dict[str, list[dict]], dict]:
    rng = random.Random(20240601)
    stations = [
        {"station_id": s, "name_fi": s, "municipality": MUNICIPALITIES[i % 2], "county": "Itä-Uusimaa",
         "kind": "health_station"}
        for i, s in enumerate(STATIONS)
    ]  # fmt: skip
    patients = [
        {
            "patient_id": f"P{i:02d}",
            "birth_year": rng.choice([1950, 1980, 2003, 2004, 2006]),
            "sex": rng.choice(["F", "M"]),
            "municipality": rng.choice(MUNICIPALITIES),
            "language": rng.choice(["fi", "sv", None]),
            "home_station_id": rng.choice([None, *STATIONS]),
            "named_nurse_id": rng.choice([None, "N1"]),
        }
        for i in range(30)
    ]
    population = [
        {"year": year, "municipality": m, "age_band": band, "sex": sex, "language": lang,
         "residents": rng.randint(1, 9)}
        for year in (2023, 2024) for m in MUNICIPALITIES for band in BANDS for sex in ("F", "M")
        for lang in ("fi", "sv")
    ]  # fmt: skip
    contacts = []
    for i in range(400):
        started = dt.datetime(2023, 1, 2, 8) + dt.timedelta(
            days=rng.randrange(730), hours=rng.choice([0, 0, 4])
        )
        profession = rng.choice(["physician", "physician", "nurse", "public_health_nurse", "practical_nurse"])
        contacts.append(
            {
                "contact_id": f"C{i:04d}",
                "patient_id": f"P{rng.randrange(30):02d}",
                "station_id": rng.choice(STATIONS),
                "professional_id": rng.choice(["D1", "D2", "D3", "N1", None]),
                "profession": profession,
                "contact_type": rng.choice(["R10", "R10", "R20", "R50", "R52", "R56", "R60", "R72"]),
                "service_type": rng.choice(["T11", "T11", "T11", "T20"]),
                "nature": rng.choice(["SH", "SH", "TH"]),
                "urgency": rng.choice(["non_urgent", "non_urgent", "urgent"]),
                "first_visit": rng.choice([True, False, None]),
                "assessed_at": rng.choice([None, started - dt.timedelta(days=rng.randrange(20))]),
                "started_at": started,
                "cancelled_at": rng.choice([None, None, None, None, started - dt.timedelta(days=1)]),
                "referral_specialised": rng.choice([True, False, None]),
                "cost_eur": rng.choice([None, 0.0, 12.35, 80.1, round(rng.uniform(0, 400), 2)]),
            }
        )
    feedback = [
        {"response_id": f"F{i}", "station_id": rng.choice(STATIONS), "score": rng.randint(0, 10),
         "answered_at": dt.datetime(2023, 1, 1) + dt.timedelta(days=rng.randrange(730))}
        for i in range(80)
    ]  # fmt: skip
    tables = {
        "stations": stations,
        "patients": patients,
        "population": population,
        "contacts": contacts,
        "feedback": feedback,
    }
    return tables, {"patients_are_all_residents": True}


QUARTER_BY_STATION = Query(period="quarter", by=("station",))
YEAR_BY_STATION = Query(period="year", by=("station",))
CASES = [
    ("remote_share_20plus", QUARTER_BY_STATION),
    ("channel_mix", QUARTER_BY_STATION),
    ("channel_mix_code", Query(period="year", by=("contact_class",))),
    ("coci", QUARTER_BY_STATION),
    ("coci", Query(period="month", by=("municipality", "age_band"))),
    ("upc", QUARTER_BY_STATION),
    ("secon", QUARTER_BY_STATION),
    ("mmci", QUARTER_BY_STATION),
    ("coci_nurse", YEAR_BY_STATION),
    ("coci_share_continuous", QUARTER_BY_STATION),
    ("named_professional_coverage", QUARTER_BY_STATION),
    ("coverage", YEAR_BY_STATION),
    ("coverage", Query(period="year", by=("municipality", "age_band", "language"))),
    ("contacts_per_resident", Query(period="year", by=("profession",))),
    ("referrals_per_1000", Query(period="year", by=("municipality",))),
    ("cost_per_resident", YEAR_BY_STATION),
    ("cost_per_patient", QUARTER_BY_STATION),
    ("physician_share", QUARTER_BY_STATION),
    ("top_decile_cost_share", QUARTER_BY_STATION),
    ("top_decile_contact_share", Query(period="year", by=("municipality",))),
    ("assessment_recording", QUARTER_BY_STATION),
    ("field_completeness", YEAR_BY_STATION),
    ("nps", QUARTER_BY_STATION),
]


@pytest.fixture(scope="module")
def engines(spark_backend):
    """The county on a private DuckDB connection and on the session's Spark, registered once.

    MemorySources registers fixed table names on its backend, so a private DuckDB connection keeps
    other modules' sources from replacing these tables; Spark tests run one module at a time.
    """
    tables, manifest = county()
    duck = MemorySources(tables, backend=connect_duckdb(), manifest=manifest)
    spark = MemorySources(tables, backend=spark_backend, manifest=manifest)
    return duck, spark


@pytest.mark.parametrize(
    ("indicator", "query"), CASES, ids=[f"{i}-{q.period}-{'-'.join(q.by)}" for i, q in CASES]
)
def test_duckdb_and_pyspark_give_identical_rows(engines, indicator, query):
    duck, spark = engines
    duck_rows = compute(indicator, duck, query)
    spark_rows = compute(indicator, spark, query)
    assert duck_rows, f"{indicator}: the fixture should give rows"
    assert spark_rows == duck_rows
