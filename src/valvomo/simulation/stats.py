"""Confidence intervals over replications: how sure a result is, in one place.

Each replication is one independent run (its own random streams), so a result's
mean over replications has a Student-t interval. The t quantiles are tabulated
here (no SciPy dependency) for the two-sided 95 % and 99 % levels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Two-sided Student-t quantiles t_{1-alpha/2, df} for df = 1..30; beyond 30 the normal value.
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042)  # fmt: skip
_T99 = (63.657, 9.925, 5.841, 4.604, 4.032, 3.707, 3.499, 3.355, 3.250, 3.169, 3.106, 3.055, 3.012, 2.977,
        2.947, 2.921, 2.898, 2.878, 2.861, 2.845, 2.831, 2.819, 2.807, 2.797, 2.787, 2.779, 2.771, 2.763,
        2.756, 2.750)  # fmt: skip
_NORMAL = {0.95: 1.960, 0.99: 2.576}


def t_quantile(df: int, level: float = 0.95) -> float:
    if level not in _NORMAL:
        raise ValueError(f"confidence level must be 0.95 or 0.99, got {level}")
    if df < 1:
        return math.inf
    table = _T95 if level == 0.95 else _T99
    return table[df - 1] if df <= len(table) else _NORMAL[level]


@dataclass(frozen=True)
class Interval:
    """Mean over replications with its confidence interval."""

    mean: float
    low: float
    high: float
    replications: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def as_dict(self) -> dict[str, float | int]:
        return {"mean": self.mean, "low": self.low, "high": self.high, "replications": self.replications}


def interval(values, level: float = 0.95) -> Interval:
    """Student-t interval of the mean of ``values`` (one value per replication; NaNs dropped)."""
    data = np.asarray(values, dtype=np.float64)
    data = data[~np.isnan(data)]
    n = len(data)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0)
    mean = float(data.mean())
    if n == 1:
        return Interval(mean, -math.inf, math.inf, 1)
    half = t_quantile(n - 1, level) * float(data.std(ddof=1)) / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)
