"""Backend connection factory: DuckDB by default, PySpark by configuration.

The only module that knows how to open an Ibis backend, so that engines stay
backend-agnostic (architecture.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import ibis


def connect_duckdb(database: Path | str = ":memory:", *, threads: int | None = None) -> ibis.BaseBackend:
    con = ibis.duckdb.connect(str(database))
    con.raw_sql("SET TimeZone = 'UTC'")  # stored timestamps are naive Helsinki wall clock; never shift them
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    return con


_SPARK = None


def spark_session(master: str = "local[2]"):
    """One local Spark session per process, configured as engine-notes.md advises."""
    global _SPARK
    if _SPARK is None:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
        from pyspark.sql import SparkSession

        _SPARK = (
            SparkSession.builder.master(master)
            .appName("valvomo")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.driver.memory", "4g")
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate()
        )
        _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def connect_pyspark(master: str = "local[2]") -> ibis.BaseBackend:
    return ibis.pyspark.connect(spark_session(master))


def connect_backend(kind: str = "duckdb", **kwargs) -> ibis.BaseBackend:
    if kind == "duckdb":
        return connect_duckdb(**kwargs)
    if kind == "pyspark":
        return connect_pyspark(**kwargs)
    raise ValueError(f"unknown analytics backend {kind!r}; expected 'duckdb' or 'pyspark'")


def register_arrow(con: ibis.BaseBackend, name: str, data) -> ibis.Table:
    """Expose an Arrow table to ``con`` as a session-scoped table named ``name``.

    DuckDB copies it into a temporary table; Spark gets a temporary view (a
    managed table would leave files under ./spark-warehouse).
    """
    if con.name == "pyspark":
        frame = con._session.createDataFrame(data)
        frame.createOrReplaceTempView(name)
        return con.table(name)
    return con.create_table(name, data, temp=True, overwrite=True)
