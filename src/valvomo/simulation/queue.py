"""The waiting line every model in this package books through: FIFO cohorts served by capacity.

Why one small class for both the county model and the M/M/c validation model: a
patient who books "the earliest free slot" in order of assessment waits exactly
as long as a customer in a first-come-first-served queue that is served whenever
capacity appears. The county model releases capacity as appointment slots per
day; the M/M/c model releases it whenever one of its ``c`` servers finishes an
exponential service. Both push arrivals into a ``CohortQueue`` and call
``serve``, so the Erlang C tests (``tests/simulation``) exercise the very code
that books the county's patients.

A cohort is a group of needs that arrived at the same instant (one day of one
demand stream in the county, a single customer in M/M/c); serving splits a
cohort when capacity runs out part-way. Waits are recorded with their cohort
weight in a ``WaitLog``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np


@dataclass
class WaitLog:
    """Waits of served needs: value, weight (number of needs) and origin (station index)."""

    waits: list[float] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    origins: list[int] = field(default_factory=list)

    def add(self, wait: float, weight: float, origin: int) -> None:
        self.waits.append(wait)
        self.weights.append(weight)
        self.origins.append(origin)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            np.asarray(self.waits, dtype=np.float64),
            np.asarray(self.weights, dtype=np.float64),
            np.asarray(self.origins, dtype=np.int64),
        )


class CohortQueue:
    """First-come-first-served queue of cohorts ``[arrived_at, count, origin, tag]``.

    ``tag`` is free for the caller (the county model stores whether the needs are
    regular customers of a named professional). Counts are integers of needs.
    """

    __slots__ = ("_cohorts", "length")

    def __init__(self) -> None:
        self._cohorts: deque[list] = deque()
        self.length = 0

    def __len__(self) -> int:
        return self.length

    def push(self, arrived_at: float, count: int, origin: int = 0, tag: int = 0) -> None:
        if count > 0:
            self._cohorts.append([arrived_at, count, origin, tag])
            self.length += count

    def push_front(self, cohorts: list[list]) -> None:
        """Put cohorts back at the head (oldest first), e.g. regulars falling back to the shared queue."""
        for cohort in reversed(cohorts):
            self._cohorts.appendleft(cohort)
            self.length += cohort[1]

    def count_tagged(self, tag: int) -> int:
        """Needs waiting whose cohort carries ``tag`` (regular customers who fell back to the shared line)."""
        return sum(cohort[1] for cohort in self._cohorts if cohort[3] == tag)

    def waiting_by_origin(self) -> dict[int, int]:
        """Needs waiting per origin (a walk over the cohorts: used once a day by the pooled policy)."""
        counts: dict[int, int] = {}
        for cohort in self._cohorts:
            counts[cohort[2]] = counts.get(cohort[2], 0) + cohort[1]
        return counts

    def oldest(self) -> float | None:
        """Arrival instant of the head of the queue (None when empty)."""
        return self._cohorts[0][0] if self._cohorts else None

    def serve(self, capacity: int, now: float, log: WaitLog | None) -> int:
        """Serve up to ``capacity`` needs in arrival order at ``now``; returns how many were served."""
        served = 0
        cohorts = self._cohorts
        while capacity > 0 and cohorts:
            head = cohorts[0]
            take = head[1] if head[1] <= capacity else capacity
            if log is not None:
                log.add(now - head[0], take, head[2])
            head[1] -= take
            capacity -= take
            served += take
            if head[1] == 0:
                cohorts.popleft()
        self.length -= served
        return served

    def take_older_than(self, limit: float) -> list[list]:
        """Remove and return the cohorts that arrived at or before ``limit`` (head first)."""
        taken = []
        cohorts = self._cohorts
        while cohorts and cohorts[0][0] <= limit:
            cohort = cohorts.popleft()
            self.length -= cohort[1]
            taken.append(cohort)
        return taken
