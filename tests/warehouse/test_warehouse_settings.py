"""The warehouse's DuckDB connection takes its performance settings from the typed settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from valvomo.config import Settings
from valvomo.warehouse.store import Warehouse


def setting(con, name: str):
    return con.raw_sql(f"SELECT current_setting('{name}')").fetchone()[0]


def test_duckdb_settings_reach_the_connection(tmp_path):
    spill = tmp_path / "spill"
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


def test_defaults_spill_under_home_and_drop_insertion_order(tmp_path):
    con = Warehouse(Settings(home=tmp_path)).backend
    assert setting(con, "preserve_insertion_order") is False
    assert setting(con, "temp_directory") == str(tmp_path / "tmp" / "duckdb")


@pytest.mark.parametrize("field, value", [("duckdb_memory_limit", "lots"), ("duckdb_threads", 0)])
def test_bad_settings_are_rejected_with_the_field_named(tmp_path, field, value):
    with pytest.raises(ValidationError, match=field):
        Settings(home=tmp_path, **{field: value})
