"""The dependency pins of engine-notes.md, checked by behaviour.

Ibis 12.0.0 breaks with DuckDB 2 (no fetch_arrow_table) and sqlglot >= 30.18
(DROP loses its object name). If someone loosens a pin before Ibis ships the
fixes, these tests fail loudly instead of the warehouse failing at run time.
"""

from __future__ import annotations

from importlib.metadata import version

import ibis
import pyarrow as pa
from packaging.version import Version


def test_pinned_versions_are_the_working_set():
    if Version(version("ibis-framework")) == Version("12.0.0"):
        assert Version(version("duckdb")) < Version("2"), "Ibis 12.0.0 cannot list tables on DuckDB 2"
        assert Version(version("sqlglot")) < Version("30.18"), "Ibis 12.0.0 emits broken DROP with sqlglot >= 30.18"


def test_overwrite_drop_and_list_tables_work_on_duckdb():
    con = ibis.duckdb.connect()
    data = pa.table({"x": [1, 2, 3]})
    con.create_table("pin_check", data)
    con.create_table("pin_check", data, overwrite=True)  # emits DROP ... IF EXISTS
    assert "pin_check" in con.list_tables()
    assert con.table("pin_check").x.sum().execute() == 6
    con.drop_table("pin_check")
    assert "pin_check" not in con.list_tables()
    batches = list(con.create_table("batches_check", data).to_pyarrow_batches())
    assert sum(b.num_rows for b in batches) == 3
