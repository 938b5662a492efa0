"""Backend connection factory: DuckDB by default, PySpark by configuration.

The only module that knows how to open an Ibis backend, so that engines stay
backend-agnostic (architecture.md).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    from valvomo.config import Settings


def engine_errors() -> tuple[type[Exception], ...]:
    """The exceptions an analytics engine raises for a query that cannot run on the data at hand
    (DuckDB, Ibis compilation, Arrow conversion and, when installed, PySpark and its JVM gateway).

    A batch boundary (materialisation, a programme report) catches these and reports them per item;
    anything else is a programming error and propagates."""
    import duckdb
    import pyarrow as pa
    from ibis.common.exceptions import IbisError

    errors: list[type[Exception]] = [duckdb.Error, IbisError, pa.ArrowException]
    try:
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException
    except ImportError:  # the spark extra is not installed
        pass
    else:
        errors += [PySparkException, Py4JError]
    return tuple(errors)


def connect_duckdb(
    database: Path | str = ":memory:",
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    preserve_insertion_order: bool | None = None,
    temp_directory: Path | str | None = None,
) -> ibis.BaseBackend:
    """A DuckDB connection; the keyword settings come from ``Settings.duckdb_*`` (None: DuckDB's default).

    ``memory_limit`` bounds DuckDB's buffer pool (hash tables, sorts); above it, operators spill to
    ``temp_directory``. ``preserve_insertion_order=False`` lets DuckDB drop the bookkeeping that keeps
    unordered results in input order, which lowers peak memory on large group-bys and window passes;
    every indicator expression ends in an explicit ORDER BY, so results are unchanged.
    """
    con = ibis.duckdb.connect(str(database))
    con.raw_sql("SET TimeZone = 'UTC'")  # stored timestamps are naive Helsinki wall clock; never shift them
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    if memory_limit:
        con.raw_sql(f"SET memory_limit = {_sql_text(memory_limit.strip())}")
    if preserve_insertion_order is not None:
        con.raw_sql(f"SET preserve_insertion_order = {'true' if preserve_insertion_order else 'false'}")
    if temp_directory is not None:
        # DuckDB creates only the last level of the spill directory, and only once it spills
        Path(temp_directory).mkdir(parents=True, exist_ok=True)
        con.raw_sql(f"SET temp_directory = {_sql_text(str(temp_directory))}")
    return con


def duckdb_options(settings: Settings) -> dict:
    """``connect_duckdb`` keyword arguments from the typed settings (README, configuration)."""
    return {
        "threads": settings.duckdb_threads,
        "memory_limit": settings.duckdb_memory_limit,
        "preserve_insertion_order": settings.duckdb_preserve_insertion_order,
        "temp_directory": settings.duckdb_spill_dir,
    }


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_SPARK = None


def spark_session(
    master: str = "local[2]",
    *,
    driver_memory: str = "4g",
    executor_memory: str = "1g",
    executor_cores: int | None = None,
    shuffle_partitions: int = 4,
):
    """One Spark session per process, configured as engine-notes.md advises.

    ``master`` is ``local[N]`` or a cluster URL (``spark://host:7077``, ``yarn``, ``k8s://...``);
    executor memory and cores only matter on a cluster (docs/deployment-spark.md). Spark allows one
    active session per JVM, so asking for a different master later in the same process is an error
    rather than silently reusing the first one.
    """
    global _SPARK
    if _SPARK is not None:
        running = _SPARK.sparkContext.master
        if running != master:
            raise RuntimeError(
                f"this process already runs a Spark session on {running!r}; cannot also connect to {master!r} "
                "(one Spark session per process: use a separate process for another master)"
            )
        return _SPARK
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName("valvomo")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.ansi.enabled", "false")
    )
    if not master.startswith("local"):
        builder = builder.config("spark.executor.memory", executor_memory)
        if executor_cores:
            builder = builder.config("spark.executor.cores", str(executor_cores)).config(
                "spark.cores.max", str(executor_cores)
            )
    _SPARK = builder.getOrCreate()
    _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def spark_options(settings: Settings) -> dict:
    """``connect_pyspark`` keyword arguments from the typed settings."""
    return {
        "master": settings.spark_master,
        "driver_memory": settings.spark_driver_memory,
        "executor_memory": settings.spark_executor_memory,
        "executor_cores": settings.spark_executor_cores,
        "shuffle_partitions": settings.spark_shuffle_partitions,
    }


def connect_pyspark(master: str = "local[2]", **options) -> ibis.BaseBackend:
    return ibis.pyspark.connect(spark_session(master, **options))


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
