"""Benchmark: ingest throughput and peak memory (issue 9: memory bounded, not growing with rows).

Generates a synthetic county (or reuses one, ``bench/indicators.py ensure_county``), then ingests it
into a throw-away warehouse ``--repeat`` times, each run in a fresh process so that its peak resident
memory (``ru_maxrss``) is its own, and prints the median rows/s and peak RSS over the runs, with the
contacts count (the table that grows). Not part of the test suite:

    nice -n 10 python bench/ingest.py --population 220000 --years 2 [--repeat 3] [--data DIR] [--json FILE]

About 4.6 contacts per resident and year: ``--population 220000 --years 2`` gives ~2 M contacts,
``--population 1100000 --years 2`` ~10 M. The figures are recorded in docs/performance.md ("Ingest").
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(data: Path) -> dict:
    """One ingest of ``data`` into a fresh home; runs in its own process."""
    from valvomo.config import Settings
    from valvomo.ingest import ingest_folder

    home = Path(tempfile.mkdtemp(prefix="valvomo-bench-ingest-"))
    try:
        t0 = time.perf_counter()
        result = ingest_folder(Settings(home=home), data, progress=False)
        seconds = time.perf_counter() - t0
    finally:
        shutil.rmtree(home, ignore_errors=True)
    rows = sum(result.row_counts.values())
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"rows": rows, "contacts": result.row_counts.get("contacts", 0), "seconds": seconds,
            "rows_per_second": rows / seconds, "peak_rss_mib": peak_kib / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=int, default=220_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, help="county folder (default: a temp folder named by the size)")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.stdout.write(json.dumps(child(args.child)) + "\n")
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from indicators import ensure_county

    data = args.data or Path(tempfile.gettempdir()) / f"valvomo-bench-county-{args.population}x{args.years}"
    ensure_county(data, args.population, args.years)
    runs = []
    for index in range(args.repeat):
        out = subprocess.run([sys.executable, __file__, "--child", str(data)], check=True, capture_output=True,
                             text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
        run = runs[-1]
        print(f"run {index + 1}: {run['rows']:,} rows ({run['contacts']:,} contacts) in {run['seconds']:.1f} s = "
              f"{run['rows_per_second']:,.0f} rows/s, peak RSS {run['peak_rss_mib']:,.0f} MiB", flush=True)
    figures = {
        "population": args.population, "years": args.years, "rows": runs[0]["rows"], "contacts": runs[0]["contacts"],
        "runs": len(runs),
        "median_seconds": statistics.median(r["seconds"] for r in runs),
        "median_rows_per_second": statistics.median(r["rows_per_second"] for r in runs),
        "median_peak_rss_mib": statistics.median(r["peak_rss_mib"] for r in runs),
        "max_peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
    }
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
