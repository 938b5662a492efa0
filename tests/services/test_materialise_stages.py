"""The fast materialisation path (shared stages, stored breakdowns) gives exactly the rows of plain compute.

``ResultStore.materialise`` computes shared intermediate tables once per run
(``valvomo.indicators.common.stage_cache``); a live query builds every indicator
from the raw tables. On a small synthetic county both must give identical rows for
every stored combination, and the run must leave no temporary table behind.
"""

from __future__ import annotations

import pytest

from valvomo import synth
from valvomo.config import Settings
from valvomo.indicators.common import stage, stage_cache, staged_period_kinds, staging
from valvomo.indicators.populations import POPULATIONS
from valvomo.indicators.registry import PERIOD_KINDS, REGISTRY, Query
from valvomo.indicators.runner import compute
from valvomo.ingest import ingest_folder
from valvomo.services.results import (
    BY_COMBINATIONS,
    MATERIALISED,
    ResultStore,
    clear_cache,
    is_materialised_breakdown,
)
from valvomo.warehouse.store import Warehouse

# Indicators whose builders read a shared stage (access.py, continuity.py, channels.py, t3.py), and two that
# do not, as a control.
STAGED = (
    "access_7d",
    "access_3m",
    "waiting_days_distribution",
    "waiting_days_median",
    "waiting_days_p90",
    "urgent_next_working_day",
    "assessment_same_day",
    *(i for i in POPULATIONS["continuity_windows"].used_by if i in REGISTRY),  # every continuity indicator
    "remote_share_20plus",
    "t3_days",
    "t3_days_pooled",
)
CONTROLS = ("channel_mix", "coverage")


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A 300-resident, two-year synthetic county, ingested and materialised (staged) once."""
    root = tmp_path_factory.mktemp("staged-county")
    synth.generate(root / "source", population=300, years=2, fmt="parquet", progress=False)
    settings = Settings(home=root / "home")
    ingest_folder(settings, root / "source", progress=False)
    clear_cache()
    warehouse = Warehouse(settings)
    report = ResultStore(settings, warehouse=warehouse).materialise(
        progress=False, indicators=STAGED + CONTROLS
    )
    yield settings, warehouse, report
    clear_cache()


def test_stored_rows_equal_plain_compute(county):
    settings, warehouse, report = county
    assert not report.failed
    assert not staging(warehouse)  # the stage cache ended with the run
    store = ResultStore(settings, warehouse=warehouse)
    checked = 0
    for spec in report_specs(report, settings):
        indicator = REGISTRY.get(spec["indicator"])
        query = Query(period=spec["period"], by=tuple(spec["by"]))
        stored = store.unprotected_rows(indicator, query.period, query.by)
        live = compute(indicator, warehouse, query)  # outside stage_cache: built from the raw tables
        assert stored == live, (spec["indicator"], spec["period"], spec["by"])
        checked += bool(live)
    # every stored combination has rows: access family 7 x 8 (4 breakdowns by quarter, 2 by month,
    # 2 by year) + continuity 7 x 6 (no profession in the grain) + remote share 8 + channel mix 8 +
    # coverage 2 (yearly only) + T3 2 x 8 = 56 + 42 + 8 + 8 + 2 + 16 = 132
    assert checked == 132


def report_specs(report, settings):
    import json

    manifest = json.loads((report.path / "manifest.json").read_text(encoding="utf-8"))
    return manifest["combinations"]


def test_no_temporary_tables_remain(county):
    _, warehouse, _ = county
    leftovers = [name for name in warehouse.backend.list_tables() if name.startswith("ibis_cache")]
    assert leftovers == []


def test_stage_is_built_once_inside_the_cache_and_every_time_outside(county):
    _, warehouse, _ = county
    builds = []

    def build():
        builds.append(1)
        contacts = warehouse.table("contacts")
        return contacts.filter(contacts.profession == "physician").select("contact_id")

    stage(warehouse, "probe", build)
    stage(warehouse, "probe", build)
    assert len(builds) == 2  # no cache outside stage_cache
    with stage_cache(warehouse):
        assert staging(warehouse)
        first = stage(warehouse, "probe", build)
        second = stage(warehouse, "probe", build)
        assert first is second and len(builds) == 3
        name = first.op().name
        assert name in warehouse.backend.list_tables()
    assert name not in warehouse.backend.list_tables()


def test_materialised_breakdowns_are_what_the_dashboard_reads():
    # every breakdown by quarter; county and station by month and year
    assert MATERIALISED["quarter"] == BY_COMBINATIONS
    assert set(MATERIALISED) == set(PERIOD_KINDS)
    assert is_materialised_breakdown("month", "station") and is_materialised_breakdown("year", ())
    assert not is_materialised_breakdown("month", "profession")
    assert is_materialised_breakdown("quarter", "profession,station")


def test_stages_for_fewer_period_kinds_give_the_same_rows(county):
    # a run that asks only for quarters computes continuity windows for quarters only
    _, warehouse, _ = county
    quarter = Query(period="quarter", by=("station",))
    with stage_cache(warehouse, period_kinds=["quarter"]):
        assert staged_period_kinds(warehouse, quarter) == ("quarter",)
        assert staged_period_kinds(warehouse, Query(period="month")) == ("month", "quarter")
        staged = {i: compute(i, warehouse, quarter) for i in ("coci", "named_professional_coverage")}
    assert staged_period_kinds(warehouse, quarter) == ("quarter",)  # outside: the query's own
    for indicator_id, rows in staged.items():
        assert rows and rows == compute(indicator_id, warehouse, quarter), indicator_id


@pytest.mark.spark
def test_stages_on_pyspark_give_the_plain_rows(county, spark_backend):
    # the same stages as Spark temporary views: cached, read by several indicators, then dropped
    import pyarrow.parquet as pq

    from valvomo.warehouse.sources import MemorySources

    _, warehouse, _ = county
    names = ("contacts", "patients", "stations", "slots")
    tables = {name: pq.read_table(warehouse.path(name)) for name in names}
    spark = MemorySources(tables, backend=spark_backend, manifest=warehouse.manifest)
    quarter = Query(period="quarter", by=("station",))
    ids = ("access_7d", "waiting_days_median", "coci", "coci_share_continuous", "remote_share_20plus", "t3_days")
    with stage_cache(spark, period_kinds=["month", "quarter"]):
        staged = {i: compute(i, spark, quarter) for i in ids}
        staged["t3_days|year"] = compute("t3_days", spark, Query(period="year"))  # the T3 stage read again
        views = set(spark_backend.list_tables())
    # access events, the continuity windows and their visit days, adult contacts, T3 per-instant values
    assert len(views - set(spark_backend.list_tables())) == 5
    for indicator_id in ids:
        assert staged[indicator_id] and staged[indicator_id] == compute(indicator_id, spark, quarter), indicator_id
    assert staged["t3_days|year"] and staged["t3_days|year"] == compute("t3_days", spark, Query(period="year"))
