"""Benchmark: a year of the calibrated county, 20 replications, on two cores (issue 8, item 7).

For each population size: generates a synthetic county (one year), calibrates
the model on it (Ibis over DuckDB, including the capacity-share fit), then runs
the baseline for each replication count in a pool of ``--workers`` processes
and reports wall time, simulated needs (events) per second and SimPy day steps.
The figures go into docs/performance.md ("Capacity simulation").

Not part of the test suite:

    python bench/simulation.py [--populations 20000 100000] [--replications 10 20] [--workers 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from valvomo.simulation.calibrate import calibrate
from valvomo.simulation.runner import RunSpec, run_replications
from valvomo.synth import generate
from valvomo.warehouse.sources import MemorySources

TABLES = ("stations", "patients", "contacts", "diagnoses", "slots")


def _county(population: int, folder: Path) -> MemorySources:
    generate(folder, population=population, years=1, seed=20240101, fmt="parquet", progress=False)
    return MemorySources({name: pq.read_table(folder / f"{name}.parquet") for name in TABLES})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--populations", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--replications", type=int, nargs="+", default=[10, 20])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    console = Console(stderr=True)
    rows = []
    for population in args.populations:
        with tempfile.TemporaryDirectory(prefix="valvomo-bench-sim-") as tmp:
            started = time.perf_counter()
            sources = _county(population, Path(tmp))
            generated = time.perf_counter() - started
            started = time.perf_counter()
            calibration = calibrate(sources)
            calibrated = time.perf_counter() - started
        params = calibration.params
        units = sum(len(s.capacity) for s in params.stations)
        for replications in args.replications:
            spec = RunSpec(seed=20240101, replications=replications, workers=args.workers)
            with Progress(TextColumn(f"{population:>7} residents, {replications:>2} replications"), BarColumn(),
                          MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:  # fmt: skip
                task = bar.add_task("", total=replications)
                started = time.perf_counter()
                reps = run_replications(params, spec, lambda done, _n, bar=bar, task=task: bar.update(task, completed=done))
                wall = time.perf_counter() - started
            events = sum(rep.events for rep in reps)
            day_steps = replications * units * (params.days + params.warmup_days)
            rows.append({
                "population": population, "stations": len(params.stations), "units": units,
                "replications": replications, "workers": args.workers, "wall_seconds": round(wall, 2),
                "events": events, "events_per_second": round(events / wall), "day_steps": day_steps,
                "generate_seconds": round(generated, 1), "calibrate_seconds": round(calibrated, 1),
            })  # fmt: skip
    table = Table(title="Capacity simulation: one year, baseline")
    for key in rows[0]:
        table.add_column(key, justify="right")
    for row in rows:
        table.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in row.values()))
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
