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
from valvomo.indicators.registry import DIMENSIONS, PERIOD_KINDS, UnsupportedQueryError
from valvomo.indicators.runner import stage_cache
from valvomo.warehouse.sources import MemorySources

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


def query_plan(indicator) -> list[Query]:
    """Every period kind the indicator is defined for at least once and every dimension of its grain
    at least once: the grain's dimensions are dealt round-robin to its period kinds (so a query may
    combine several), and a period kind that got none runs without a breakdown."""
    grain = [d for d in DIMENSIONS if d in indicator.grain]
    dealt: dict[str, list[str]] = {kind: [] for kind in indicator.periods}
    for i, dimension in enumerate(grain):
        dealt[indicator.periods[i % len(indicator.periods)]].append(dimension)
    return [Query(period=kind, by=tuple(dims)) for kind, dims in dealt.items()]


def test_every_indicator_agrees_on_duckdb_and_pyspark(county_tables, duckdb_backend, spark_backend):
    tables, manifest = county_tables
    duck = MemorySources(tables, backend=duckdb_backend, manifest=manifest)
    spark = MemorySources(tables, backend=spark_backend, manifest=manifest)
    empty, unsupported, differences = [], [], []
    # Staged on both engines, as materialisation runs the registry (and faster on Spark, where each stage
    # is computed once instead of once per entry and query). An entry that reads no stage runs its plain
    # expression either way; that staged rows equal the plain expression's rows is checked on each engine,
    # for an entry of every stage, by tests/services/test_materialise_stages.py.
    with stage_cache(duck), stage_cache(spark):
        compared = _compare_every_entry(duck, spark, empty, unsupported, differences)
    assert not unsupported, "refused although the grain and periods allow it:\n" + "\n".join(unsupported)
    assert not empty, "no rows on the synthetic county, so nothing was compared:\n" + "\n".join(empty)
    assert compared == sum(len(query_plan(i)) for i in REGISTRY), f"only {compared} queries compared"
    assert not differences, "DuckDB and PySpark disagree on:\n" + "\n".join(differences)


def _compare_every_entry(duck, spark, empty, unsupported, differences) -> int:
    compared = 0
    for indicator in REGISTRY:
        for query in query_plan(indicator):
            where = f"{indicator.id} {query.period} by {','.join(query.by) or '-'}"
            try:
                expected = compute(indicator, duck, query)
            except UnsupportedQueryError as error:  # the plan follows the grain: this is a bug
                unsupported.append(f"{where}: {error}")
                continue
            if not expected:
                empty.append(where)
                continue
            actual = compute(indicator, spark, query)
            compared += 1
            if _normalise(expected) != _normalise(actual):
                differences.append(where)
    return compared


def test_the_plan_covers_every_period_kind_and_every_dimension_of_each_grain():
    for indicator in REGISTRY:
        plan = query_plan(indicator)
        assert {q.period for q in plan} == set(indicator.periods), indicator.id
        assert set(indicator.periods) <= set(PERIOD_KINDS), indicator.id
        assert {d for q in plan for d in q.by} == set(indicator.grain), indicator.id
