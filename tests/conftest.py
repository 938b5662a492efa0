"""Shared fixtures: canonical in-memory sources on each analytics backend.

Indicator tests take ``make_sources`` and run on DuckDB; tests marked ``spark``
(or parametrised with ``backend_name``) run the same expressions on PySpark in
local mode, following Ibis's shared backend test suite.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

# The Spark tests run a hundred queries or more on a few thousand rows each, where compiling every stage
# to Java (whole-stage code generation) costs more than the query: without it the Spark tests of a run
# took ~15 % less time (README, "Development"). Results do not depend on it. Spark reads
# this file at JVM start (also in the cluster test's job process); a SPARK_CONF_DIR of your own wins.
SPARK_TEST_DEFAULTS = {"spark.sql.codegen.wholeStage": "false"}
SPARK_TEST_SHUFFLE_PARTITIONS = 1  # a few thousand rows: one partition per shuffle
if "SPARK_CONF_DIR" not in os.environ:
    _conf_dir = Path(tempfile.mkdtemp(prefix="valvomo-spark-conf-"))
    (_conf_dir / "spark-defaults.conf").write_text("".join(f"{k} {v}\n" for k, v in SPARK_TEST_DEFAULTS.items()))
    os.environ["SPARK_CONF_DIR"] = str(_conf_dir)
    atexit.register(shutil.rmtree, _conf_dir, ignore_errors=True)

# Under pytest-xdist (scripts/test.sh runs two workers) each worker gets a home of its own, so that
# nothing a test writes to the default home can meet another worker's.
if os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get("VALVOMO_HOME"):
    _worker_home = Path(os.environ["VALVOMO_HOME"]) / os.environ["PYTEST_XDIST_WORKER"]
    _worker_home.mkdir(parents=True, exist_ok=True)
    os.environ["VALVOMO_HOME"] = str(_worker_home)


@pytest.fixture
def postgres_to_ourselves():
    """Hold an exclusive lock on the test PostgreSQL database for the test: the PostgreSQL tests empty
    its schema first, and with two xdist workers two of them could otherwise do so at once."""
    url = os.environ.get("VALVOMO_TEST_POSTGRES_URL", "")
    lock = Path(tempfile.gettempdir()) / "valvomo-test-postgres.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield url


@pytest.fixture(scope="session")
def duckdb_backend():
    from valvomo.warehouse.backends import connect_duckdb

    return connect_duckdb()


@pytest.fixture(scope="session")
def spark_backend():
    from valvomo.warehouse.backends import connect_pyspark

    return connect_pyspark(shuffle_partitions=SPARK_TEST_SHUFFLE_PARTITIONS)


@pytest.fixture
def make_sources(duckdb_backend):
    """Build ``MemorySources`` on DuckDB from ``{table: rows}``."""
    from valvomo.warehouse.sources import MemorySources

    def build(tables, manifest=None, backend=None):
        return MemorySources(tables, backend=backend or duckdb_backend, manifest=manifest)

    return build


# The longest modules (seconds in a two-worker run, 4 December 2026), started first so that none is left
# for the end, when it would keep one worker busy while the other idles. scripts/test.sh passes
# --no-loadscope-reorder, so that xdist hands out the modules in this order (by default it sorts them
# by their number of tests).
LONGEST_FIRST = (
    "test_warehouse_spark_cluster",  # 123 s: a standalone cluster and a job on it
    "test_registry_engines",  # 113 s
    "test_materialise_stages",  # 84 s
    "test_api_schemathesis",  # 64 s
    "test_segments_engines",  # 55 s
    "test_access_property",  # 54 s
    "test_calibration_engines",  # 40 s
)


def pytest_collection_modifyitems(config, items):
    """The modules of ``LONGEST_FIRST`` first, then the other modules with Spark tests, then the rest,
    keeping each module's tests together and in order."""
    spark_modules = {item.module.__name__ for item in items if item.get_closest_marker("spark")}

    def rank(item) -> tuple[int, int]:
        name = item.module.__name__.rpartition(".")[2]
        if name in LONGEST_FIRST:
            return (0, LONGEST_FIRST.index(name))
        return (1 if item.module.__name__ in spark_modules else 2, 0)

    items.sort(key=rank)
