"""Benchmark: the same registry subset on Spark local[2] and on a standalone cluster on loopback.

Generates a synthetic county (or reuses one), ingests it, then runs ``tests/warehouse/cluster_job.py``
(every indicator family, several breakdowns, plus a materialisation of two indicators) twice, each in
its own process configured only by ``VALVOMO_*`` variables: once with ``VALVOMO_SPARK_MASTER=local[N]``
and once against a master + one worker (N cores) started from the pip-installed pyspark
(``tests/warehouse/spark_cluster.py``). Reports wall time of the whole job (Spark start included) and
the sum of the per-query times, and checks that both runs gave the same rows.

    python bench/spark_cluster.py [--population N] [--years Y] [--cores N] [--data DIR]

The measured figures are recorded in docs/deployment-spark.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "warehouse"))
from spark_cluster import StandaloneCluster  # noqa: E402

console = Console()


def run_job(home: Path, master: str, cores: int, out: Path) -> tuple[float, dict]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "VALVOMO_HOME": str(home),
        "VALVOMO_BACKEND": "pyspark",
        "VALVOMO_SPARK_MASTER": master,
        "VALVOMO_SPARK_DRIVER_MEMORY": "2g",
        "VALVOMO_SPARK_EXECUTOR_MEMORY": "2g",
        "VALVOMO_SPARK_EXECUTOR_CORES": str(cores),
    }
    began = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "tests" / "warehouse" / "cluster_job.py"), str(out)], env=env,
                   check=True, capture_output=True, timeout=3600)  # fmt: skip
    return time.perf_counter() - began, json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "valvomo-spark-bench")
    args = parser.parse_args()

    from valvomo.config import Settings
    from valvomo.ingest import ingest_folder
    from valvomo.synth import generate

    source, home = args.data / "source", args.data / "home"
    marker = args.data / ".complete"
    wanted = f"{args.population}:{args.years}"
    if not marker.exists() or marker.read_text() != wanted:
        generate(source, population=args.population, years=args.years, fmt="parquet", progress=True)
        ingest_folder(Settings(home=home), source, progress=True)
        marker.write_text(wanted)
    figures = {"population": args.population, "cores": args.cores}
    local_wall, local = run_job(home, f"local[{args.cores}]", args.cores, args.data / "local.json")
    with StandaloneCluster(args.data / "cluster", cores=args.cores, memory="3g") as cluster:
        cluster_wall, remote = run_job(home, cluster.url, args.cores, args.data / "cluster.json")
    if local["rows"] != remote["rows"] or not any(local["rows"].values()):
        raise SystemExit("local and cluster rows differ (or are empty)")
    for name, wall, result in (("local", local_wall, local), ("cluster", cluster_wall, remote)):
        seconds = result["seconds"]
        figures[name] = {
            "master": result["master"], "job_wall_s": round(wall, 1),
            "queries_s": round(sum(v for k, v in seconds.items() if k != "materialise"), 1),
            "materialise_s": seconds["materialise"], "executors": result["executors"],
        }  # fmt: skip
    figures["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    console.print_json(json.dumps(figures))


if __name__ == "__main__":
    main()
