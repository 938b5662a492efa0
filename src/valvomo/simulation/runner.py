"""Replications: independent runs of the county model, in a pool of worker processes.

Replication ``r`` of seed ``s`` always draws the same random numbers whatever
the scenario (``rng.stream``), so running the baseline and a scenario with the
same seed gives paired replications (common random numbers). Results come back
in replication order whichever worker finished first, so the same seed gives
identical results with one worker or many.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass

from valvomo.simulation.model import ReplicationOutcome, simulate
from valvomo.simulation.params import ModelParams

Progress = Callable[[int, int], None]  # (replications done, total)


@dataclass(frozen=True)
class RunSpec:
    seed: int = 20240101
    replications: int = 20
    workers: int = 1
    start_method: str | None = None  # "spawn" in a threaded server, where forking is unsafe

    def __post_init__(self) -> None:
        if self.replications < 2:
            raise ValueError(f"at least 2 replications are needed for an interval, got {self.replications}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")


def _one(args: tuple[ModelParams, int, int]) -> ReplicationOutcome:
    params, seed, replication = args
    return simulate(params, seed, replication)


@contextmanager
def replication_pool(spec: RunSpec) -> Iterator[ProcessPoolExecutor | None]:
    """One pool of worker processes for several ``run_replications`` calls (None: run serially),
    so a comparison or a search pays the start-up of its workers once."""
    if spec.workers == 1:
        yield None
        return
    context = multiprocessing.get_context(spec.start_method) if spec.start_method else None
    with ProcessPoolExecutor(max_workers=spec.workers, mp_context=context) as pool:
        yield pool


def run_replications(params: ModelParams, spec: RunSpec, progress: Progress | None = None,
                     pool: ProcessPoolExecutor | None = None) -> list[ReplicationOutcome]:  # fmt: skip
    """All replications of one parameter set, in replication order (in ``pool`` when given)."""
    jobs = [(params, spec.seed, r) for r in range(spec.replications)]
    results: dict[int, ReplicationOutcome] = {}
    if pool is None and spec.workers > 1:
        with replication_pool(spec) as own:
            return run_replications(params, spec, progress, own)
    if pool is None:
        for job in jobs:
            results[job[2]] = _one(job)
            if progress:
                progress(len(results), len(jobs))
    else:
        futures = {pool.submit(_one, job): job[2] for job in jobs}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if progress:
                progress(len(results), len(jobs))
    return [results[r] for r in range(spec.replications)]
