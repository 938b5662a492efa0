"""Benchmark: the whole indicator registry versus a plain DuckDB scan (issue 2, item 8).

Generates a synthetic county with at least 10 million contacts (or reuses one),
ingests it into a throw-away warehouse, then, in one run:

* times the whole registry by station x quarter (every indicator whose grain
  allows station; the rest county x quarter), repeated, median reported;
* times a plain DuckDB scan that only reads and sums the columns those
  indicators use (found by walking their Ibis expressions), repeated, median;
* reports their ratio, rows per second and the process's peak memory.

Not part of the test suite: `python bench/indicators.py [--population N] [--repeat R]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

import ibis
import ibis.expr.operations as ops
import psutil
from rich.console import Console
from rich.table import Table

from valvomo.config import Settings
from valvomo.indicators import REGISTRY, Query
from valvomo.indicators.registry import UnsupportedQueryError
from valvomo.indicators.runner import expression
from valvomo.warehouse.sources import MissingTableError

console = Console()


class PeakMemory:
    """Samples this process's resident set size in a thread; ``peak`` in bytes."""

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._proc = psutil.Process()

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def registry_expressions(warehouse) -> dict[str, ibis.Table]:
    exprs = {}
    for indicator in REGISTRY:
        by = ("station",) if "station" in indicator.grain else ()
        try:
            exprs[indicator.id] = expression(indicator, warehouse, Query(period="quarter", by=by))
        except (MissingTableError, UnsupportedQueryError) as error:
            console.print(f"[yellow]skipped {indicator.id}: {error}[/yellow]")
    return exprs


def used_columns(exprs: dict[str, ibis.Table]) -> dict[str, set[str]]:
    """Columns of the stored tables that the indicator expressions read, per table."""
    used: dict[str, set[str]] = {}
    for expr in exprs.values():
        for field in expr.op().find(ops.Field):
            rel = field.rel
            if isinstance(rel, (ops.DatabaseTable, ops.UnboundTable)):
                used.setdefault(rel.name, set()).add(field.name)
    return used


def scan_sql(table_name: str, columns: set[str], types: dict[str, str]) -> str:
    parts = []
    for col in sorted(columns):
        kind = types[col].lower()
        if "timestamp" in kind or kind == "date":
            parts.append(f"sum(epoch({col}))")
        elif kind.startswith("varchar") or kind == "string":
            parts.append(f"sum(length({col}))")
        elif kind == "boolean":
            parts.append(f"sum({col}::int)")
        else:
            parts.append(f"sum({col})")
    return f"SELECT count(*), {', '.join(parts)} FROM {table_name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=int, default=1_100_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "valvomo-bench-county")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()

    from valvomo.ingest import ingest_folder
    from valvomo.synth import generate
    from valvomo.warehouse.store import Warehouse

    marker = args.data / ".complete"
    wanted = f"{args.population}:{args.years}"
    if not marker.exists() or marker.read_text() != wanted:
        t0 = time.perf_counter()
        generate(args.data, population=args.population, years=args.years, fmt="parquet", progress=True)
        marker.write_text(wanted)
        console.print(f"generated in {time.perf_counter() - t0:.1f} s")

    home = Path(tempfile.mkdtemp(prefix="valvomo-bench-home-"))
    settings = Settings(home=home)
    with PeakMemory() as ingest_memory:
        t0 = time.perf_counter()
        result = ingest_folder(settings, args.data, progress=True)
        ingest_seconds = time.perf_counter() - t0
    warehouse = Warehouse(settings)
    contacts = warehouse.table("contacts").count().execute()
    total_rows = sum(result.row_counts.values()) if hasattr(result, "row_counts") else contacts
    console.print(f"ingest: {total_rows:,} rows in {ingest_seconds:.1f} s = {total_rows / ingest_seconds:,.0f} rows/s")

    exprs = registry_expressions(warehouse)
    used = used_columns(exprs)
    con = warehouse.backend
    scans = []
    for name, columns in used.items():
        schema = warehouse.table(name).schema()
        physical = warehouse.table(name).op().name
        types = {c: str(schema[c]) for c in columns}
        scans.append(scan_sql(physical, columns, {c: "varchar" if t == "string" else t for c, t in types.items()}))

    def run_registry():
        for expr in exprs.values():
            con.to_pyarrow(expr)

    def run_scan():
        for sql in scans:
            con.raw_sql(sql).fetchall()

    run_scan()  # warm the file cache once for both
    registry_times, scan_times = [], []
    with PeakMemory() as memory:
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            run_scan()
            scan_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            run_registry()
            registry_times.append(time.perf_counter() - t0)
    per_indicator = {}
    for indicator_id, expr in exprs.items():
        t0 = time.perf_counter()
        con.to_pyarrow(expr)
        per_indicator[indicator_id] = time.perf_counter() - t0

    registry_median = statistics.median(registry_times)
    scan_median = statistics.median(scan_times)
    figures = {
        "contacts": contacts,
        "indicators": len(exprs),
        "repeat": args.repeat,
        "registry_median_s": round(registry_median, 3),
        "scan_median_s": round(scan_median, 3),
        "ratio": round(registry_median / scan_median, 2),
        "contacts_per_second_registry": round(contacts / registry_median),
        "peak_rss_mb": round(memory.peak / 2**20),
        "ingest_seconds": round(ingest_seconds, 1),
        "ingest_rows_per_second": round(total_rows / ingest_seconds),
        "ingest_peak_rss_mb": round(ingest_memory.peak / 2**20),
        "per_indicator_s": {k: round(v, 3) for k, v in sorted(per_indicator.items(), key=lambda kv: -kv[1])},
    }
    table = Table(title="Indicator registry vs plain scan (medians)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        if key != "per_indicator_s":
            table.add_row(key, f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)
    slow = Table(title="Slowest indicators (one run)")
    slow.add_column("indicator")
    slow.add_column("seconds", justify="right")
    for key, value in list(figures["per_indicator_s"].items())[:10]:
        slow.add_row(key, f"{value:.2f}")
    console.print(slow)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
