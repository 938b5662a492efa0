"""Calibration parameters are identical on DuckDB and PySpark (the Ibis expressions agree), and with one
worker process or two."""

from __future__ import annotations

import pytest

from valvomo.simulation.calibrate import calibrate
from valvomo.warehouse.sources import MemorySources


@pytest.mark.spark
def test_calibration_is_identical_on_duckdb_and_pyspark(county_tables, duckdb_backend, spark_backend) -> None:
    on_duckdb = calibrate(MemorySources(county_tables, backend=duckdb_backend), fit=False)
    on_spark = calibrate(MemorySources(county_tables, backend=spark_backend), fit=False)
    assert on_duckdb.params.stations  # the compared parameters exist
    assert on_duckdb.window == on_spark.window
    assert on_duckdb.history == on_spark.history
    assert on_duckdb.params.to_dict() == on_spark.params.to_dict()


@pytest.mark.slow
def test_calibration_with_two_workers_is_the_serial_calibration(county_tables, duckdb_backend, county_calibration) -> None:
    parallel = calibrate(MemorySources(county_tables, backend=duckdb_backend), workers=2)
    assert parallel.params.to_dict() == county_calibration.params.to_dict()
    assert [f.__dict__ for f in parallel.fits] == [f.__dict__ for f in county_calibration.fits]
