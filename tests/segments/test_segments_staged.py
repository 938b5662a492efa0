"""Every segment output gives the same rows staged (inside ``stage_cache``, as the segment pages and
materialisation compute them) as its plain expression, for every period kind, on DuckDB."""

from __future__ import annotations

import pytest

from synthetic_county import county_tables
from valvomo.indicators.registry import PERIOD_KINDS, Query
from valvomo.indicators.runner import compute, stage_cache
from valvomo.segments.registry import SEGMENT_REGISTRY
from valvomo.warehouse.sources import MemorySources


@pytest.fixture(scope="module")
def county(tmp_path_factory, duckdb_backend):
    tables, manifest = county_tables(tmp_path_factory.mktemp("segstaged"), population=1500, years=2)
    return MemorySources(tables, backend=duckdb_backend, manifest=manifest)


@pytest.mark.parametrize("period", PERIOD_KINDS)
def test_staged_segment_outputs_equal_their_plain_rows(county, period):
    query = Query(period=period, by=("station",))
    plain = {entry.id: compute(entry, county, query, registry=SEGMENT_REGISTRY) for entry in SEGMENT_REGISTRY}
    with stage_cache(county, period_kinds=PERIOD_KINDS):
        staged = {entry.id: compute(entry, county, query, registry=SEGMENT_REGISTRY) for entry in SEGMENT_REGISTRY}
    assert len(plain) == len(SEGMENT_REGISTRY) == 11
    for entry_id, rows in plain.items():
        assert rows, f"{entry_id} by {period} gave no rows, so nothing was compared"
        assert staged[entry_id] == rows, f"{entry_id} by {period}"
