"""The registry on a real Spark standalone cluster (master + one worker on 127.0.0.1) gives DuckDB's rows,
and a county materialised on Spark is served by the default DuckDB store without Spark.

The cluster is started from the pip-installed pyspark (``spark_cluster.StandaloneCluster``) and the job
runs in its own process (``cluster_job.py``), configured only through ``VALVOMO_*`` variables: a Spark
session is per process, so it cannot collide with the local-mode session of the other spark tests. The
executors read the warehouse Parquet files from the same local path the driver sees.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from valvomo import synth
from valvomo.config import Settings
from valvomo.indicators.registry import Query
from valvomo.indicators.runner import compute
from valvomo.ingest import ingest_folder
from valvomo.services.results import MANIFEST_FILE, ResultStore, clear_cache
from valvomo.warehouse.store import Warehouse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from cluster_job import LIVE, MATERIALISED_IDS, key  # noqa: E402

from spark_cluster import StandaloneCluster  # noqa: E402

pytestmark = pytest.mark.spark
SRC = HERE.parents[1] / "src"


@pytest.fixture(scope="module")
def on_cluster(tmp_path_factory):
    """(settings, what the job wrote): a 300-resident county computed and materialised on the cluster."""
    root = tmp_path_factory.mktemp("spark-cluster")
    synth.generate(root / "source", population=300, years=2, fmt="parquet", progress=False)
    settings = Settings(home=root / "home")
    ingest_folder(settings, root / "source", progress=False)
    out = root / "job.json"
    with StandaloneCluster(root / "cluster", cores=1, memory="1g") as cluster:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "VALVOMO_HOME": str(settings.home),
            "VALVOMO_BACKEND": "pyspark",
            "VALVOMO_SPARK_MASTER": cluster.url,
            "VALVOMO_SPARK_DRIVER_MEMORY": "1g",
            "VALVOMO_SPARK_EXECUTOR_MEMORY": "768m",
            "VALVOMO_SPARK_EXECUTOR_CORES": "1",
            "VALVOMO_SPARK_SHUFFLE_PARTITIONS": "1",
        }
        job = subprocess.run(
            [sys.executable, str(HERE / "cluster_job.py"), str(out)],
            env=env, capture_output=True, text=True, timeout=600,
        )
        assert job.returncode == 0, job.stderr[-4000:]
        assert cluster.state()["completedapps"], "the job did not run as an application on the cluster"
    assert cluster.processes() == []  # no JVM left behind
    result = json.loads(out.read_text())
    print("seconds on the cluster:", result["seconds"])
    return settings, result


def test_the_job_ran_on_the_cluster_executors(on_cluster):
    _, result = on_cluster
    assert result["backend"] == "pyspark" and result["master"].startswith("spark://127.0.0.1:")
    assert result["executors"] >= 1
    assert result["failed"] == [] and result["combinations"] > 0


def test_cluster_rows_equal_duckdb(on_cluster):
    settings, result = on_cluster
    duckdb = Warehouse(settings)
    assert duckdb.backend.name == "duckdb"
    for indicator_id, period, by in LIVE:
        expected = compute(indicator_id, duckdb, Query(period=period, by=by))
        got = result["rows"][key(indicator_id, period, by)]
        assert expected, (indicator_id, period, by)  # a comparison of nothing proves nothing
        assert got == expected, (indicator_id, period, by)


def test_spark_materialised_results_are_served_by_the_duckdb_store(on_cluster):
    settings, _ = on_cluster
    clear_cache()  # read what the job wrote, not this process's memory
    store = ResultStore(settings)  # default settings: DuckDB, no Spark session in this process
    assert store.is_materialised()
    manifest = json.loads((store.snapshot_dir() / MANIFEST_FILE).read_text())
    stored = {c["key"]: c for c in manifest["combinations"]}
    assert {c["indicator"] for c in stored.values()} == set(MATERIALISED_IDS)
    duckdb = Warehouse(settings)
    for spec in stored.values():
        by = tuple(spec["by"])
        rows = store.unprotected_rows(store.registry.get(spec["indicator"]), spec["period"], by)
        assert rows == compute(spec["indicator"], duckdb, Query(period=spec["period"], by=by)), spec["key"]
        assert len(rows) == spec["rows"]
