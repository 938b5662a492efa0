"""Benchmark: every segment and care-gap output on the 10 M-contact county versus a plain scan (issue 7).

Generates a synthetic county of 1 000 000 residents over two years (about 10
million contacts) or reuses one, ingests it into a throw-away warehouse, then:

* times every output of the segment registry (utilisation segment mix, remote share
  and COCI by segment, Lorenz, Gini, top-decile shares, questionnaire mix, care-gap
  counts) by station x quarter inside one ``stage_cache`` (the per-patient segment
  rows are a shared stage, as when the dashboard asks for several outputs), repeated,
  median reported; and the care-gap patient list of one station at the latest day;
* times a plain DuckDB scan that reads and sums only the columns those outputs use
  (found by walking their Ibis expressions, ``bench/indicators.py``), repeated, median;
* reports the ratio, the process's peak memory and each output's time.

Not part of the test suite:

    python bench/segments.py [--population N] [--years Y] [--repeat R] [--data DIR] [--json FILE]

The measured figures are recorded in docs/performance.md ("Segments and care gaps").
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from indicators import PeakMemory, console, cpu_seconds, ensure_county, scan_sql, timed, used_columns  # noqa: E402
from valvomo.config import Settings  # noqa: E402
from valvomo.indicators.registry import Query  # noqa: E402
from valvomo.indicators.runner import expression, stage_cache  # noqa: E402
from valvomo.segments.caregaps import data_range, gap_patients  # noqa: E402
from valvomo.segments.registry import SEGMENT_REGISTRY, configured_rules  # noqa: E402
from valvomo.warehouse.sources import MissingTableError  # noqa: E402

LIST_STATION = "ST-LOVIISA"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bench-county-seg")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()

    from valvomo.ingest import ingest_folder
    from valvomo.warehouse.store import Warehouse

    ensure_county(args.data, args.population, args.years)
    home = Path(tempfile.mkdtemp(prefix="valvomo-bench-seg-home-"))
    try:
        settings = Settings(home=home)
        ingest_folder(settings, args.data, progress=True)
        figures = run(args, Warehouse(settings))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    console.print_json(json.dumps(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


def run(args, warehouse) -> dict:
    query = Query(period="quarter", by=("station",))
    entries = []
    for entry in SEGMENT_REGISTRY:
        try:
            expression(entry, warehouse, query)
        except MissingTableError as error:
            console.print(f"[yellow]skipped {entry.id}: {error}[/yellow]")
            continue
        entries.append(entry)
    con = warehouse.backend
    plain = [expression(e, warehouse, query) for e in entries]
    _, last = data_range(warehouse)
    rules = configured_rules()
    plain.append(gap_patients(warehouse, rules, last, station_ids=[LIST_STATION]))
    scans = [scan_sql(name, con.table(name).schema(), columns)
             for name, columns in used_columns(plain).items() if not name.startswith("wh_calendar")]  # fmt: skip

    def run_scan():
        for sql in scans:
            con.raw_sql(sql).fetchall()

    last_times: dict[str, float] = {}

    def run_outputs():
        with stage_cache(warehouse, period_kinds=("quarter",)):
            for entry in entries:
                t0 = time.perf_counter()
                con.to_pyarrow(expression(entry, warehouse, query))
                last_times[entry.id] = time.perf_counter() - t0
        t0 = time.perf_counter()
        con.to_pyarrow(gap_patients(warehouse, rules, last, station_ids=[LIST_STATION]))
        last_times["care_gap_list"] = time.perf_counter() - t0

    run_scan()  # warm the file cache
    scan_times, output_times, output_cpu = [], [], []
    cpu0 = cpu_seconds()
    with PeakMemory() as memory:
        for _ in range(args.repeat):
            scan_times.append(timed(run_scan)[0])
            wall, cpu = timed(run_outputs)
            output_times.append(wall)
            output_cpu.append(cpu)
    scan_median, output_median = statistics.median(scan_times), statistics.median(output_times)
    return {
        "contacts": warehouse.row_counts()["contacts"],
        "table_rows": dict(warehouse.row_counts()),
        "outputs": len(entries) + 1,
        "repeat": args.repeat,
        "scan_median_s": round(scan_median, 3),
        "outputs_median_s": round(output_median, 3),
        "outputs_times_s": [round(t, 3) for t in output_times],
        "outputs_cpu_median_s": round(statistics.median(output_cpu), 1),
        "ratio": round(output_median / scan_median, 1),
        "peak_rss_mb": round(memory.peak / 2**20),
        "cpu_s_total": round(cpu_seconds() - cpu0, 1),
        "per_output_s": {k: round(v, 3) for k, v in sorted(last_times.items(), key=lambda kv: -kv[1])},
    }


if __name__ == "__main__":
    main()
