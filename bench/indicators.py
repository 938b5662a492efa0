"""Benchmark: the whole indicator registry versus a plain DuckDB scan (issue "Foundation", item 8).

Generates a synthetic county with at least 10 million contacts (or reuses one),
ingests it into a throw-away warehouse, then, in one run:

* times the whole registry by station x quarter (every indicator whose grain
  allows station; the rest county x quarter; per-resident rates, defined per year
  only, by year), repeated, median reported, in two ways:
  - staged: as ``ResultStore.materialise`` runs it, inside one ``stage_cache`` so that
    stages shared by several indicators (access events, per-patient continuity rows)
    are computed once; the time includes building every expression and the stages;
  - plain: each indicator's expression from the raw tables, as a live query runs it;
* times a plain DuckDB scan that only reads and sums the columns those
  indicators use (found by walking their Ibis expressions), repeated, median;
* times four indicators (7-day share, COCI, remote share, top-decile cost share, by station x
  quarter) in Valvomo and in the pandas and Polars peer baselines of ``bench/peers.py`` (each peer in
  its own process, on the same warehouse Parquet files, median of the repeats), checks that the
  peers' rows equal Valvomo's, and reports the ratios;
* reports the ratios, contacts per second, ingest rows per second, the
  process's peak memory, CPU time, and each indicator's time (slowest first).

Not part of the test suite:

    python bench/indicators.py [--population N] [--years Y] [--repeat R] [--data DIR] [--json FILE]

The measured figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import ibis
import ibis.expr.operations as ops
import psutil
from rich.console import Console
from rich.table import Table

from valvomo.config import Settings
from valvomo.indicators import REGISTRY, Query
from valvomo.indicators.registry import Indicator, UnsupportedQueryError
from valvomo.indicators.runner import compute, expression, stage_cache
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


def cpu_seconds() -> float:
    """User + system CPU time of this process (all DuckDB threads included)."""
    times = psutil.Process().cpu_times()
    return times.user + times.system


def runnable(warehouse) -> list[tuple[Indicator, Query]]:
    """Every indicator the warehouse's tables allow, by station when its grain allows, by quarter
    (per-resident rates are defined per year only: by year)."""
    entries = []
    for indicator in REGISTRY:
        by = ("station",) if "station" in indicator.grain else ()
        for period in ("quarter", "year"):
            query = Query(period=period, by=by)
            try:
                expression(indicator, warehouse, query)
            except (MissingTableError, UnsupportedQueryError) as error:
                reason = error
                continue
            entries.append((indicator, query))
            break
        else:
            console.print(f"[yellow]skipped {indicator.id}: {reason}[/yellow]")
    return entries


def used_columns(exprs: list[ibis.Table]) -> dict[str, set[str]]:
    """Columns of the stored tables that the indicator expressions read, per table."""
    used: dict[str, set[str]] = {}
    for expr in exprs:
        for field in expr.op().find(ops.Field):
            rel = field.rel
            if isinstance(rel, (ops.DatabaseTable, ops.UnboundTable)):
                used.setdefault(rel.name, set()).add(field.name)
    return used


def scan_sql(table_name: str, schema: ibis.Schema, columns: set[str]) -> str:
    """One pass over ``columns``, touching every value (so no column is pruned)."""
    parts = []
    for col in sorted(columns):
        dtype = schema[col]
        if dtype.is_timestamp() or dtype.is_date():
            parts.append(f'sum(epoch("{col}"))')
        elif dtype.is_string():
            parts.append(f'sum(length("{col}"))')
        elif dtype.is_boolean():
            parts.append(f'sum("{col}"::int)')
        else:
            parts.append(f'sum("{col}")')
    return f'SELECT count(*), {", ".join(parts)} FROM "{table_name}"'


def timed(fn: Callable[[], None]) -> tuple[float, float]:
    cpu, wall = cpu_seconds(), time.perf_counter()
    fn()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def ensure_county(folder: Path, population: int, years: int) -> None:
    """Generate the synthetic county into ``folder`` unless the same size is there already (generation
    takes minutes at a million residents; every benchmark reuses the folder)."""
    from valvomo.synth import generate

    marker = folder / ".complete"
    wanted = f"{population}:{years}"
    if not marker.exists() or marker.read_text() != wanted:
        t0 = time.perf_counter()
        generate(folder, population=population, years=years, fmt="parquet", progress=True)
        marker.write_text(wanted)
        console.print(f"generated in {time.perf_counter() - t0:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "valvomo-bench-county")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--no-plain", action="store_true", help="time only the staged registry run")
    parser.add_argument("--no-peers", action="store_true", help="skip the pandas/Polars peer baselines")
    parser.add_argument(
        "--peers", default="polars,pandas",
        help="which peer baselines to run (comma-separated; pandas needs ~1 GB per million contacts)",
    )
    parser.add_argument(
        "--duckdb-memory-limit", help="VALVOMO_DUCKDB_MEMORY_LIMIT for the indicator queries, e.g. 1200MB"
    )
    parser.add_argument(
        "--home", type=Path,
        help="keep the warehouse here and reuse it on the next run (its ingest figures are the first run's)",
    )
    args = parser.parse_args()

    from valvomo.ingest import ingest_folder
    from valvomo.warehouse.store import Warehouse

    ensure_county(args.data, args.population, args.years)

    home = args.home or Path(tempfile.mkdtemp(prefix="valvomo-bench-home-"))
    try:
        figures = run(args, home, ingest_folder, Warehouse)
    finally:
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


def run(args, home: Path, ingest_folder, warehouse_class) -> dict:
    settings = Settings(home=home)
    ingested = home / "bench-ingest.json"  # with --home: the warehouse and its ingest figures are kept
    if ingested.exists() and json.loads(ingested.read_text())["data"] == str(args.data.resolve()):
        kept = json.loads(ingested.read_text())
        ingest_seconds, ingest_peak, row_counts = kept["seconds"], kept["peak"], kept["row_counts"]
        console.print(f"reusing the warehouse in {home} (ingested earlier)")
    else:
        with PeakMemory() as ingest_memory:
            t0 = time.perf_counter()
            row_counts = ingest_folder(settings, args.data, progress=True).row_counts
            ingest_seconds = time.perf_counter() - t0
        ingest_peak = ingest_memory.peak
        if args.home is not None:
            ingested.write_text(json.dumps({"data": str(args.data.resolve()), "seconds": ingest_seconds,
                                            "peak": ingest_peak, "row_counts": dict(row_counts)}))
    # the indicator queries run with the configured DuckDB settings (ingest has its own connection)
    warehouse = warehouse_class(Settings(home=home, duckdb_memory_limit=args.duckdb_memory_limit))
    contacts = warehouse.row_counts()["contacts"]
    total_rows = sum(row_counts.values())
    console.print(f"ingest: {total_rows:,} rows in {ingest_seconds:.1f} s = {total_rows / ingest_seconds:,.0f} rows/s")

    indicators = runnable(warehouse)
    plain_exprs = {i.id: expression(i, warehouse, query) for i, query in indicators}
    con = warehouse.backend
    scans = []
    for name, columns in used_columns(list(plain_exprs.values())).items():
        if name.startswith("wh_calendar"):
            continue  # the working-day calendar is generated in memory, not read from the warehouse
        scans.append(scan_sql(name, con.table(name).schema(), columns))

    def run_scan():
        for sql in scans:
            con.raw_sql(sql).fetchall()

    staged_last: dict[str, float] = {}

    def run_staged():
        # What materialise does for one period and breakdown: build and run every indicator inside one
        # stage cache; the first indicator reading a shared stage pays for computing it.
        with stage_cache(warehouse, period_kinds={query.period for _, query in indicators}):
            for indicator, query in indicators:
                t0 = time.perf_counter()
                try:
                    con.to_pyarrow(expression(indicator, warehouse, query))
                except Exception:
                    console.print(f"[red]failed: {indicator.id} ({query.period}, by {query.by})[/]")
                    raise
                staged_last[indicator.id] = time.perf_counter() - t0

    def run_plain():
        for expr in plain_exprs.values():
            con.to_pyarrow(expr)

    run_scan()  # warm the file cache once for all
    scan_times, scan_cpu, staged_times, plain_times, staged_cpu, plain_cpu = [], [], [], [], [], []
    with PeakMemory() as memory:
        for _ in range(args.repeat):
            wall, cpu = timed(run_scan)
            scan_times.append(wall)
            scan_cpu.append(cpu)
            wall, cpu = timed(run_staged)
            staged_times.append(wall)
            staged_cpu.append(cpu)
            if not args.no_plain:
                wall, cpu = timed(run_plain)
                plain_times.append(wall)
                plain_cpu.append(cpu)
    per_indicator = {}
    if not args.no_plain:
        for indicator_id, expr in plain_exprs.items():
            t0 = time.perf_counter()
            con.to_pyarrow(expr)
            per_indicator[indicator_id] = time.perf_counter() - t0

    four_times, four_cpu = [], []
    four = [(i, q) for i, q in indicators if i.id in PEER_INDICATORS]
    for _ in range(args.repeat):
        wall, cpu = timed(lambda: [compute(i, warehouse, Query(period="quarter", by=("station",))) for i, _ in four])
        four_times.append(wall)
        four_cpu.append(cpu)
    valvomo_four = {i.id: compute(i, warehouse, Query(period="quarter", by=("station",))) for i, _ in four}
    peer_figures = {} if args.no_peers else run_peers(warehouse, args.repeat, valvomo_four, args.peers.split(","))

    scan_median = statistics.median(scan_times)
    staged_median = statistics.median(staged_times)
    figures = {
        "contacts": contacts,
        "table_rows": dict(warehouse.row_counts()),
        "indicators": len(indicators),
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "scan_median_s": round(scan_median, 3),
        "scan_times_s": [round(t, 3) for t in scan_times],
        "registry_median_s": round(staged_median, 3),
        "registry_times_s": [round(t, 3) for t in staged_times],
        "registry_cpu_median_s": round(statistics.median(staged_cpu), 1),
        "ratio": round(staged_median / scan_median, 1),
        "scan_cpu_median_s": round(statistics.median(scan_cpu), 2),
        # CPU time varies much less than wall time with the machine's load (other jobs)
        "cpu_ratio": round(statistics.median(staged_cpu) / max(statistics.median(scan_cpu), 1e-3), 1),
        "contacts_per_second_registry": round(contacts / staged_median),
        "peak_rss_mb": round(memory.peak / 2**20),
        "duckdb_memory_limit": args.duckdb_memory_limit or "default (80 % of RAM)",
        "ingest_rows": total_rows,
        "ingest_seconds": round(ingest_seconds, 1),
        "ingest_rows_per_second": round(total_rows / ingest_seconds),
        "ingest_peak_rss_mb": round(ingest_peak / 2**20),
        "per_indicator_staged_s": {
            k: round(v, 3) for k, v in sorted(staged_last.items(), key=lambda kv: -kv[1])
        },
    }
    four_median = statistics.median(four_times)
    figures.update(
        four_indicators_valvomo_median_s=round(four_median, 3),
        four_indicators_valvomo_cpu_median_s=round(statistics.median(four_cpu), 1),
    )
    for peer, result in peer_figures.items():
        figures.update({
            f"four_indicators_{peer}_median_s": result["median_s"],
            f"four_indicators_{peer}_cpu_median_s": result["cpu_median_s"],
            f"four_indicators_{peer}_peak_rss_mb": result["peak_rss_mb"],
            f"ratio_{peer}_to_valvomo": round(result["median_s"] / four_median, 1),
        })  # fmt: skip
    if plain_times:
        plain_median = statistics.median(plain_times)
        figures.update(
            plain_registry_median_s=round(plain_median, 3),
            plain_registry_times_s=[round(t, 3) for t in plain_times],
            plain_registry_cpu_median_s=round(statistics.median(plain_cpu), 1),
            plain_ratio=round(plain_median / scan_median, 1),
            per_indicator_plain_s={
                k: round(v, 3) for k, v in sorted(per_indicator.items(), key=lambda kv: -kv[1])
            },
        )
    return figures


PEER_INDICATORS = ("access_7d", "coci", "remote_share_20plus", "top_decile_cost_share")


def run_peers(
    warehouse, repeat: int, valvomo_rows: dict[str, list[dict]], which: list[str]
) -> dict[str, dict]:
    """Each peer baseline in its own process on the warehouse's Parquet files; their rows must equal
    Valvomo's (``peers.same_rows``), or the benchmark stops: a ratio to a different figure means nothing."""
    import subprocess
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import peers

    assert set(peers.INDICATORS) == set(PEER_INDICATORS)
    results = {}
    for peer in which:
        out = Path(tempfile.mkstemp(prefix=f"valvomo-peer-{peer}-", suffix=".json")[1])
        command = [sys.executable, str(Path(peers.__file__)), peer, str(warehouse.path("contacts")),
                   str(warehouse.path("patients")), "--stations", str(warehouse.path("stations")),
                   "--repeat", str(repeat), "--out", str(out)]  # fmt: skip
        console.print(f"peer baseline: {peer} ...")
        subprocess.run(command, check=True)
        result = json.loads(out.read_text())
        out.unlink()
        for indicator_id in PEER_INDICATORS:
            problems = peers.same_rows(valvomo_rows[indicator_id], result["rows"][indicator_id])
            if problems or not valvomo_rows[indicator_id]:
                raise SystemExit(f"{peer} disagrees with Valvomo on {indicator_id}: {problems[:5]}")
        console.print(f"{peer}: {result['median_s']:.1f} s (median), rows equal Valvomo's")
        results[peer] = result
    return results


def report(figures: dict) -> None:
    table = Table(title="Indicator registry by station x quarter vs plain scan (medians)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        if not key.startswith("per_indicator") and not isinstance(value, (dict, list)):
            table.add_row(key, f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)
    for key, title in (("per_indicator_plain_s", "plain, one run"), ("per_indicator_staged_s", "staged, last run")):
        if key not in figures:
            continue
        slow = Table(title=f"Slowest indicators ({title})")
        slow.add_column("indicator")
        slow.add_column("seconds", justify="right")
        for indicator_id, seconds in list(figures[key].items())[:12]:
            slow.add_row(indicator_id, f"{seconds:.2f}")
        console.print(slow)


if __name__ == "__main__":
    main()
