"""Random streams: reproducible, independent of processing order, shared across scenarios.

Every random number of a run comes from a stream named by (seed, replication,
station id, purpose). The station id is hashed (SHA-256), never its position in
a list, so reordering stations changes nothing. Streams are keyed by purpose (a
demand stream, the split of regular customers, ...) so that a scenario that
changes one lever leaves the draws of every other part untouched: the baseline
and the scenario see the same patients arrive on the same days (*common random
numbers*), and their difference has a much narrower interval than two
independent runs would give.

Arrival counts are drawn by inversion (one uniform per day and stream, mapped
through the Poisson quantile function), so a higher rate gives at least as many
arrivals on every day: common random numbers stay aligned even when a scenario
scales demand.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np


def _key(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


def stream(seed: int, replication: int, station_id: str, purpose: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, replication, _key(station_id), _key(purpose)]))


# Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9).
_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02,
      -3.066479806614716e01, 2.506628277459239e00)  # fmt: skip
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01,
      -1.328068155288572e01)  # fmt: skip
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00,
      4.374664141464968e00, 2.938163982698783e00)  # fmt: skip
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)


def normal_quantile(u: np.ndarray) -> np.ndarray:
    u = np.clip(np.asarray(u, dtype=np.float64), 1e-12, 1 - 1e-12)
    out = np.empty_like(u)
    low, high = u < 0.02425, u > 1 - 0.02425
    mid = ~(low | high)
    q = u[mid] - 0.5
    r = q * q
    out[mid] = ((((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * q) / (
        ((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1
    )
    for mask, sign, p in ((low, 1.0, u[low]), (high, -1.0, 1 - u[high])):
        q = np.sqrt(-2 * np.log(p))
        out[mask] = sign * (((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5]) / (
            (((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1
        )
    return out


EXACT_BELOW = 30.0


def poisson_by_inversion(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson(``lam``) counts from uniforms ``u``: exact inversion for lam < 30, else the normal
    quantile with the Cornish-Fisher skewness term (error well below one need a day)."""
    u = np.asarray(u, dtype=np.float64)
    lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), u.shape)
    counts = np.zeros(u.shape, dtype=np.int64)
    small = lam < EXACT_BELOW
    if small.any():
        us, ls = u[small], lam[small]
        k = np.zeros(us.shape, dtype=np.int64)
        p = np.exp(-ls)
        cdf = p.copy()
        active = us > cdf
        step = 0
        while active.any() and step < 200:
            step += 1
            k[active] += 1
            p = np.where(active, p * ls / k.clip(min=1), p)
            cdf = np.where(active, cdf + p, cdf)
            active = active & (us > cdf)
        counts[small] = k
    large = ~small
    if large.any():
        z = normal_quantile(u[large])
        lg = lam[large]
        value = lg + np.sqrt(lg) * z + (z * z - 1) / 6.0
        counts[large] = np.maximum(np.floor(value + 0.5), 0).astype(np.int64)
    return counts


def stochastic_round(value: float, carry: float) -> tuple[int, float]:
    """Whole slots from a fractional capacity, carrying the remainder to the next day (deterministic)."""
    total = value + carry
    whole = math.floor(total + 1e-9)
    return whole, total - whole
