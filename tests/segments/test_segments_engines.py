"""DuckDB and PySpark give identical rows for every segment and care-gap output (and the patient list)."""

from __future__ import annotations

import json
import math
import shutil

import pyarrow.parquet as pq
import pytest

from valvomo.indicators.registry import Query
from valvomo.indicators.runner import compute, stage_cache
from valvomo.segments.caregaps import data_range, gap_patients, load_rules
from valvomo.segments.registry import SEGMENT_REGISTRY
from valvomo.warehouse.sources import MemorySources

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def county_tables(tmp_path_factory):
    from valvomo import synth

    out = tmp_path_factory.mktemp("segcounty")
    synth.generate(out, population=1500, years=2, fmt="parquet", progress=False)
    tables = {p.stem: pq.read_table(p) for p in out.glob("*.parquet")}
    manifest = json.loads((out / "manifest.json").read_text())
    yield tables, manifest
    shutil.rmtree(out, ignore_errors=True)


def _normalise(rows):
    out = []
    for row in rows:
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else round(v, 9) if isinstance(v, float) else v)
                 for k, v in row.items()}  # fmt: skip
        out.append(clean)
    return sorted(out, key=lambda r: tuple(str(v) for v in r.values()))


QUERY = Query(period="quarter", by=("station",))


def test_every_segment_output_agrees_on_duckdb_and_pyspark(county_tables, duckdb_backend, spark_backend):
    """Staged on both engines, as the segment pages and materialisation compute them (the per-patient
    segments once, read by every output); staged rows equal plain rows on DuckDB by
    test_segments_staged.py, and on Spark by the next test for an output of the per-patient stage."""
    tables, manifest = county_tables
    duck = MemorySources(tables, backend=duckdb_backend, manifest=manifest)
    spark = MemorySources(tables, backend=spark_backend, manifest=manifest)
    compared = []
    with stage_cache(duck, period_kinds=(QUERY.period,)), stage_cache(spark, period_kinds=(QUERY.period,)):
        for entry in SEGMENT_REGISTRY:
            expected = compute(entry, duck, QUERY, registry=SEGMENT_REGISTRY)
            actual = compute(entry, spark, QUERY, registry=SEGMENT_REGISTRY)
            assert expected, f"{entry.id} gave no rows on the synthetic county"
            assert _normalise(expected) == _normalise(actual), entry.id
            compared.append(entry.id)
    assert len(compared) == len(SEGMENT_REGISTRY) == 11


def test_a_segment_output_computed_live_on_pyspark_gives_the_duckdb_rows(county_tables, duckdb_backend, spark_backend):
    """The plain (unstaged) expression on Spark, as a live query on a Spark deployment runs it."""
    tables, manifest = county_tables
    duck = MemorySources(tables, backend=duckdb_backend, manifest=manifest)
    spark = MemorySources(tables, backend=spark_backend, manifest=manifest)
    expected = compute("utilisation_segment_mix", duck, QUERY, registry=SEGMENT_REGISTRY)
    actual = compute("utilisation_segment_mix", spark, QUERY, registry=SEGMENT_REGISTRY)
    assert expected
    assert _normalise(expected) == _normalise(actual)


def test_the_care_gap_list_agrees_on_duckdb_and_pyspark(county_tables, duckdb_backend, spark_backend):
    tables, manifest = county_tables
    duck = MemorySources(tables, backend=duckdb_backend, manifest=manifest)
    spark = MemorySources(tables, backend=spark_backend, manifest=manifest)
    _, last = data_range(duck)
    expected = duck.backend.to_pyarrow(gap_patients(duck, load_rules(), last)).to_pylist()
    actual = spark.backend.to_pyarrow(gap_patients(spark, load_rules(), last)).to_pylist()
    assert len(expected) > 10
    assert _normalise(expected) == _normalise(actual)
