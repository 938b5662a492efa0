"""Benchmark: generate a national-size synthetic population and report time and peak memory.

Runs ``valvomo.synth.generate`` for 5.6 million residents (one year, Parquet) - the
Itä-Uusimaa template replicated 57 times - while a background thread samples the
resident set size of this process. Prints wall time, peak RSS and rows per table.

    python bench/synth_national.py [--population N] [--years Y] [--out DIR] [--format parquet|csv]

Not part of the test suite; the measured figures are recorded in
docs/synthetic-county.md.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path

import psutil

from valvomo.synth import generate

MEMORY_LIMIT_BYTES = 4 * 1024**3


class PeakMemory:
    """Samples this process's RSS every ``interval`` seconds in a daemon thread."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._process = psutil.Process()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=5_600_000)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--format", choices=("csv", "parquet"), default="parquet")
    parser.add_argument(
        "--out", type=Path, default=None, help="keep the files here (default: a temporary folder)"
    )
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="valvomo-synth-bench-"))
    began = time.perf_counter()
    with PeakMemory() as memory:
        summary = generate(
            out, population=args.population, years=args.years, fmt=args.format, progress=not args.no_progress
        )
    wall = time.perf_counter() - began
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    size = sum(p.stat().st_size for p in out.iterdir())

    print(f"population      {args.population:,} residents, {args.years} year(s), {args.format}")
    print(f"wall time       {wall:.1f} s")
    print(
        f"peak RSS        {memory.peak / 1024**2:.0f} MiB (sampled), {max_rss_kib / 1024:.0f} MiB (ru_maxrss)"
    )
    print(f"output          {size / 1024**2:.0f} MiB in {out}")
    for name, rows in summary.rows.items():
        print(f"  {name:<18} {rows:>14,}")
    if args.out is None:
        shutil.rmtree(out)
    peak = max(memory.peak, max_rss_kib * 1024)
    if peak > MEMORY_LIMIT_BYTES:
        raise SystemExit(f"peak memory {peak / 1024**3:.2f} GiB exceeds the 4 GiB budget")


if __name__ == "__main__":
    main()
