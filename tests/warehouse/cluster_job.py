"""Run in its own process by test_warehouse_spark_cluster.py: the registry subset on the Spark cluster.

Configured only through the environment, as a deployment would be (``VALVOMO_BACKEND=pyspark``,
``VALVOMO_SPARK_MASTER=spark://...``, ``VALVOMO_HOME``). Computes each (indicator, period, breakdown)
of ``LIVE`` and materialises ``MATERIALISED_IDS`` (their shared stages as Spark views) (whose results are written as Parquet under the
home), then writes the rows and what Spark ran on as JSON to the file named by argv[1].
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from valvomo.config import Settings
from valvomo.indicators.registry import Query
from valvomo.indicators.runner import compute
from valvomo.services.results import ResultStore
from valvomo.warehouse.store import Warehouse

# Every family at least once, several period kinds and breakdowns (also dimensions from patients and
# stations); the shared stages run inside materialise.
LIVE = (
    ("access_7d", "quarter", ("station",)),
    ("waiting_days_distribution", "month", ()),
    ("t3_days", "quarter", ("station", "profession")),
    ("first_contact_resolution", "quarter", ("age_band",)),
    ("coci", "quarter", ("station",)),
    ("named_professional_coverage", "year", ()),
    ("remote_share_20plus", "quarter", ("language",)),
    ("top_decile_cost_share", "year", ("station",)),
    ("contacts_per_resident", "year", ("municipality",)),
    ("field_completeness", "quarter", ("station",)),
    ("nps", "quarter", ("station",)),
    ("guidance_same_day", "month", ("station",)),
)
MATERIALISED_IDS = ("access_7d",)


def key(indicator_id: str, period: str, by: tuple[str, ...]) -> str:
    return f"{indicator_id}|{period}|{','.join(by)}"


def main(out: Path) -> None:
    settings = Settings()
    warehouse = Warehouse(settings)
    spark = warehouse.backend._session
    rows, seconds = {}, {}
    for indicator_id, period, by in LIVE:
        began = time.perf_counter()
        rows[key(indicator_id, period, by)] = compute(indicator_id, warehouse, Query(period=period, by=by))
        seconds[key(indicator_id, period, by)] = round(time.perf_counter() - began, 2)
    began = time.perf_counter()
    report = ResultStore(settings, warehouse=warehouse).materialise(progress=False, indicators=MATERIALISED_IDS)
    seconds["materialise"] = round(time.perf_counter() - began, 2)
    executors = spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size() - 1  # minus the driver
    out.write_text(json.dumps({
        "backend": warehouse.backend.name, "master": spark.sparkContext.master, "executors": executors,
        "rows": rows, "combinations": report.combinations, "failed": report.failed,
        "seconds": seconds,
    }))  # fmt: skip


if __name__ == "__main__":
    main(Path(sys.argv[1]))
