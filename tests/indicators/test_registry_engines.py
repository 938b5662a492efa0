"""Cross-engine agreement: every registry entry gives identical rows on DuckDB and PySpark.

Following ehrQL's generative tests and Ibis's shared backend suite: the same
expressions, built once from the registry, run on both engines over one small
synthetic county; any difference is a portability bug in an indicator.
"""

from __future__ import annotations

import math
import shutil

import pyarrow.parquet as pq
import pytest

from valvomo.indicators import REGISTRY, Query, compute
from valvomo.indicators.registry import UnsupportedQueryError
from valvomo.warehouse.sources import MemorySources, MissingTableError

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def county_tables(tmp_path_factory):
    synth = pytest.importorskip("valvomo.synth")
    out = tmp_path_factory.mktemp("county")
    synth.generate(out, population=1500, years=1, fmt="parquet", progress=False)
    tables = {p.stem: pq.read_table(p) for p in out.glob("*.parquet")}
    manifest = __import__("json").loads((out / "manifest.json").read_text())
    yield tables, manifest
    shutil.rmtree(out, ignore_errors=True)


def _normalise(rows):
    out = []
    for row in rows:
        clean = {}
        for key, value in row.items():
            if isinstance(value, float):
                clean[key] = None if math.isnan(value) else round(value, 9)
            else:
                clean[key] = value
        out.append(clean)
    return sorted(out, key=lambda r: tuple(str(v) for v in r.values()))


def test_every_indicator_agrees_on_duckdb_and_pyspark(county_tables, duckdb_backend, spark_backend):
    tables, manifest = county_tables
    duck = MemorySources(tables, backend=duckdb_backend, manifest=manifest)
    spark = MemorySources(tables, backend=spark_backend, manifest=manifest)
    compared, differences = 0, []
    for indicator in REGISTRY:
        by = ("station",) if "station" in indicator.grain else ()
        query = Query(period="quarter", by=by)
        try:
            expected = compute(indicator, duck, query)
        except (MissingTableError, UnsupportedQueryError):
            continue
        actual = compute(indicator, spark, query)
        compared += 1
        if _normalise(expected) != _normalise(actual):
            differences.append(indicator.id)
    assert compared >= 30, f"only {compared} indicators could be compared"
    assert not differences, f"DuckDB and PySpark disagree on: {differences}"
