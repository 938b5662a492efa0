"""Replications: independent runs of the county model, in a pool of worker processes.

Replication ``r`` of seed ``s`` always draws the same random numbers whatever
the scenario (``rng.stream``), so running the baseline and a scenario with the
same seed gives paired replications (common random numbers). Results come back
in replication order whichever worker finished first, so the same seed gives
identical results with one worker or many.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from valvomo.simulation.model import ReplicationOutcome, simulate
from valvomo.simulation.params import ModelParams

Progress = Callable[[int, int], None]  # (replications done, total)


@dataclass(frozen=True)
class RunSpec:
    seed: int = 20240101
    replications: int = 20
    workers: int = 1

    def __post_init__(self) -> None:
        if self.replications < 2:
            raise ValueError(f"at least 2 replications are needed for an interval, got {self.replications}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")


def _one(args: tuple[ModelParams, int, int]) -> ReplicationOutcome:
    params, seed, replication = args
    return simulate(params, seed, replication)


def run_replications(params: ModelParams, spec: RunSpec, progress: Progress | None = None) -> list[ReplicationOutcome]:
    """All replications of one parameter set, in replication order."""
    jobs = [(params, spec.seed, r) for r in range(spec.replications)]
    results: dict[int, ReplicationOutcome] = {}
    if spec.workers == 1:
        for job in jobs:
            results[job[2]] = _one(job)
            if progress:
                progress(len(results), len(jobs))
    else:
        with ProcessPoolExecutor(max_workers=spec.workers) as pool:
            futures = {pool.submit(_one, job): job[2] for job in jobs}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                if progress:
                    progress(len(results), len(jobs))
    return [results[r] for r in range(spec.replications)]
