"""An M/M/c queue built from the county model's parts: the queueing-theory check of the model core.

Poisson arrivals (rate ``lam``), exponential service (rate ``mu`` per server),
``c`` servers, first come first served. Arrivals are pushed into the same
``CohortQueue`` the county model books through and servers take needs from it
with the same ``serve`` call, inside a SimPy environment. The tests compare the
simulated mean wait and P(wait > t) with the Erlang C formula
(``valvomo.simulation.erlang``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from valvomo.simulation.queue import CohortQueue, WaitLog


@dataclass(frozen=True)
class MMcResult:
    """Waits of the customers that arrived after the warm-up and were served."""

    waits: np.ndarray

    def mean_wait(self) -> float:
        return float(self.waits.mean())

    def share_waiting_longer_than(self, t: float) -> float:
        return float((self.waits > t).mean())


def simulate_mmc(
    lam: float, mu: float, c: int, *, customers: int, warmup: int, rng: np.random.Generator
) -> MMcResult:
    """One replication: ``warmup + customers`` arrivals; the first ``warmup`` waits are discarded."""
    env = simpy.Environment()
    line = CohortQueue()
    log = WaitLog()
    total = warmup + customers
    arrival_gaps = rng.exponential(1.0 / lam, total)
    service_times = iter(rng.exponential(1.0 / mu, total))
    wake = {"event": env.event()}

    def arrivals():
        for number, gap in enumerate(arrival_gaps):
            yield env.timeout(gap)
            line.push(env.now, 1, origin=number)
            if not wake["event"].triggered:
                wake["event"].succeed()

    def server():
        while True:
            if len(line) == 0:
                if wake["event"].triggered:
                    wake["event"] = env.event()
                yield wake["event"]
                continue
            line.serve(1, env.now, log)
            yield env.timeout(next(service_times))

    env.process(arrivals())
    for _ in range(c):
        env.process(server())
    env.run()
    waits, _, origins = log.arrays()
    return MMcResult(waits=waits[origins >= warmup])
