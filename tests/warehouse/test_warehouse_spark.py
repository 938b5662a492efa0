"""The PySpark backend reads the same warehouse files and sees the same values as DuckDB."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))

from ingest_helpers import STATION_ROWS, contact, ingest, make_settings, write_folder  # noqa: E402

from valvomo.warehouse.store import Warehouse  # noqa: E402


@pytest.mark.spark
def test_pyspark_reads_the_warehouse(tmp_path, spark_backend):
    settings = make_settings(tmp_path)
    rows = [
        contact(
            "C1",
            assessed_at="2024-03-10T23:30:00Z",
            contacted_at="",
            started_at="2024-03-11T08:00",
            cost_eur="12.5",
        ),
        contact("C2", station_id="S2", profession="practical_nurse", first_visit="kyllä"),
    ]
    ingest(settings, write_folder(tmp_path / "in", {"stations": STATION_ROWS, "contacts": rows}))

    on_duckdb = Warehouse(settings)
    on_spark = Warehouse(settings, backend=spark_backend)
    assert on_spark.backend.name == "pyspark"
    for name in ("stations", "contacts"):
        expected = on_duckdb.table(name).order_by(on_duckdb.table(name).columns[0]).to_pyarrow().to_pylist()
        got = on_spark.table(name).order_by(on_spark.table(name).columns[0]).to_pyarrow().to_pylist()
        assert got == expected
    # 23:30Z on 10 March is 01:30 on 11 March in Helsinki (UTC+2): the date is 11 March on both engines.
    contacts = on_spark.table("contacts")
    days = contacts.filter(contacts.contact_id == "C1").select(day=contacts.assessed_at.date()).to_pyarrow()
    assert days["day"].to_pylist() == [dt.date(2024, 3, 11)]
    assert on_spark.calendar().count().execute() > 0
