"""Issue 9: ingest memory is bounded by the batch and row-group size, not the row count — Parquet is
read one row group at a time in bounded batches, and the set-wide checks run under a DuckDB memory
limit (the figures are in docs/performance.md, "Ingest", measured with bench/ingest.py)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from valvomo.ingest.checks import CHECK_MEMORY_LIMIT, SetChecks
from valvomo.ingest.errors import ErrorCollector
from valvomo.ingest.readers import parquet_batches


def test_parquet_batches_keep_every_row_in_order_within_the_batch_size(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": list(range(2500))}), path, row_group_size=1000)  # 3 row groups
    batches = list(parquet_batches(pq.ParquetFile(path), batch_size=400))
    assert [b.num_rows for b in batches] == [400, 400, 200, 400, 400, 200, 400, 100]
    assert pa.Table.from_batches(batches).column("id").to_pylist() == list(range(2500))


def _limit(checks: SetChecks) -> int:
    return checks.con.execute(
        "SELECT memory_limit FROM (SELECT current_setting('memory_limit') AS memory_limit)").fetchone()[0]


def test_set_checks_run_under_a_memory_limit(tmp_path):
    default = SetChecks({}, ErrorCollector(10), tmp_path / "a")
    chosen = SetChecks({}, ErrorCollector(10), tmp_path / "b", memory_limit="300MB", threads=1)
    try:
        assert CHECK_MEMORY_LIMIT == "256MB"
        assert "244" in str(_limit(default)) or "256" in str(_limit(default))  # DuckDB shows MiB
        assert "286" in str(_limit(chosen)) or "300" in str(_limit(chosen))
        assert chosen.con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
    finally:
        default.close()
        chosen.close()
