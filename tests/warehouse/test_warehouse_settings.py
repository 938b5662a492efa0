"""The warehouse's DuckDB connection takes its performance settings from the typed settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from valvomo.config import Settings
from valvomo.warehouse.store import Warehouse


def setting(con, name: str):
    return con.raw_sql(f"SELECT current_setting('{name}')").fetchone()[0]


def test_duckdb_settings_reach_the_connection(tmp_path):
    spill = tmp_path / "not" / "yet" / "spill"
    settings = Settings(
        home=tmp_path,
        duckdb_threads=1,
        duckdb_memory_limit="512MB",
        duckdb_preserve_insertion_order=True,
        duckdb_temp_directory=spill,
    )
    con = Warehouse(settings).backend
    assert setting(con, "threads") == 1
    assert setting(con, "memory_limit") in {"488.2 MiB", "512.0 MB", "512.0 MiB"}  # DuckDB prints bytes its way
    assert setting(con, "preserve_insertion_order") is True
    assert setting(con, "temp_directory") == str(spill)
    assert spill.is_dir()  # DuckDB itself would create only the last level, when it first spills


def test_queries_spill_within_a_small_memory_limit(tmp_path):
    con = Warehouse(Settings(home=tmp_path, duckdb_memory_limit="64MB", duckdb_threads=1)).backend
    rows = con.raw_sql(
        "SELECT count(*) FROM (SELECT i % 3000000 AS k, count(*) FROM range(6000000) t(i) GROUP BY k ORDER BY k)"
    ).fetchone()
    assert rows == (3000000,)


def test_defaults_spill_under_home_and_drop_insertion_order(tmp_path):
    con = Warehouse(Settings(home=tmp_path)).backend
    assert setting(con, "preserve_insertion_order") is False
    assert setting(con, "temp_directory") == str(tmp_path / "tmp" / "duckdb")


@pytest.mark.parametrize("field, value", [("duckdb_memory_limit", "lots"), ("duckdb_threads", 0)])
def test_bad_settings_are_rejected_with_the_field_named(tmp_path, field, value):
    with pytest.raises(ValidationError, match=field):
        Settings(home=tmp_path, **{field: value})


@pytest.mark.spark
def test_a_second_spark_master_in_one_process_is_refused(spark_backend):
    from valvomo.warehouse.backends import spark_options, spark_session

    assert spark_session(**spark_options(Settings())) is spark_backend._session  # the same master: reused
    with pytest.raises(RuntimeError, match=r"already runs a Spark session on 'local\[2\]'.*spark://127.0.0.1:1"):
        spark_session("spark://127.0.0.1:1")
