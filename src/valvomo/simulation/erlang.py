"""The Erlang C formula: exact waiting-time results for the M/M/c queue.

Used by the validation tests to check the simulation core against queueing
theory. With offered load a = lam/mu and utilisation rho = a/c < 1:

    C(c, a) = (a^c / c!) / ((1 - rho) * sum_{k<c} a^k/k! + a^c / c!)   (probability of waiting)
    E[W]    = C(c, a) / (c*mu - lam)
    P(W > t) = C(c, a) * exp(-(c*mu - lam) * t)
"""

from __future__ import annotations

import math


def erlang_c(c: int, lam: float, mu: float) -> float:
    """Probability that an arriving customer has to wait."""
    a = lam / mu
    rho = a / c
    if not 0 < rho < 1:
        raise ValueError(f"the queue must be stable (0 < utilisation < 1), got {rho:.3f}")
    # Terms a^k/k! built iteratively: no overflow for the c used in practice.
    term, partial = 1.0, 0.0
    for k in range(c):
        partial += term
        term *= a / (k + 1)
    top = term  # a^c / c!
    return top / ((1 - rho) * partial + top)


def mean_wait(c: int, lam: float, mu: float) -> float:
    return erlang_c(c, lam, mu) / (c * mu - lam)


def wait_exceeds(c: int, lam: float, mu: float, t: float) -> float:
    """P(W > t) for t >= 0."""
    return erlang_c(c, lam, mu) * math.exp(-(c * mu - lam) * t)
