"""The simulation core against queueing theory: M/M/c waits versus the Erlang C formula.

The M/M/c model books through the county model's ``CohortQueue`` (see
``valvomo.simulation.mmc``), so these checks cover the booking code itself. A
simulated value must lie within the 99 % confidence interval over replications
(fixed seeds, so the test is deterministic; 99 % rather than 95 % because six
intervals are checked and a 95 % level would put one outside by chance one run
in four).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from valvomo.simulation import erlang
from valvomo.simulation.mmc import simulate_mmc
from valvomo.simulation.stats import interval


def test_erlang_c_textbook_values() -> None:
    # M/M/1: the probability of waiting is the utilisation.
    assert erlang.erlang_c(1, 0.7, 1.0) == pytest.approx(0.7)
    # c = 2, a = 1: C = (1/2) / (0.5 * 2 + 1/2) = 1/3 (e.g. Kleinrock, Queueing Systems I, M/M/m).
    assert erlang.erlang_c(2, 1.0, 1.0) == pytest.approx(1 / 3)
    # c = 3, a = 2: C = (8/6) / ((1/3) * (1 + 2 + 2) + 8/6) = 4/9.
    assert erlang.erlang_c(3, 2.0, 1.0) == pytest.approx(4 / 9)
    # Mean wait of M/M/1 with rho = 0.8, mu = 1: rho / (mu - lam) = 4.
    assert erlang.mean_wait(1, 0.8, 1.0) == pytest.approx(4.0)
    assert erlang.wait_exceeds(2, 1.0, 1.0, 0.0) == pytest.approx(1 / 3)
    assert erlang.wait_exceeds(2, 1.0, 1.0, 1.0) == pytest.approx(math.exp(-1.0) / 3)


def test_erlang_c_refuses_an_unstable_queue() -> None:
    with pytest.raises(ValueError, match="stable"):
        erlang.erlang_c(2, 2.0, 1.0)


SETTINGS = (
    # (lam, mu, c, t for P(W > t), customers per replication)
    (0.8, 1.0, 1, 2.0, 6_000),
    (3.0, 1.0, 4, 0.5, 6_000),
    (4.6, 1.0, 5, 2.0, 12_000),  # utilisation 0.92
)


@pytest.mark.parametrize(("lam", "mu", "c", "t", "customers"), SETTINGS)
def test_simulated_mmc_waits_match_erlang_c(lam, mu, c, t, customers) -> None:
    replications = 20
    means, tails = [], []
    for replication in range(replications):
        rng = np.random.default_rng([20240101, c, replication])
        result = simulate_mmc(lam, mu, c, customers=customers, warmup=customers // 5, rng=rng)
        assert len(result.waits) == customers
        means.append(result.mean_wait())
        tails.append(result.share_waiting_longer_than(t))
    mean_ci, tail_ci = interval(means, 0.99), interval(tails, 0.99)
    assert mean_ci.contains(erlang.mean_wait(c, lam, mu)), (mean_ci, erlang.mean_wait(c, lam, mu))
    assert tail_ci.contains(erlang.wait_exceeds(c, lam, mu, t)), (tail_ci, erlang.wait_exceeds(c, lam, mu, t))
    # The interval is informative, not a catch-all: narrower than a fifth of the value it brackets.
    assert mean_ci.half_width < 0.2 * erlang.mean_wait(c, lam, mu)
