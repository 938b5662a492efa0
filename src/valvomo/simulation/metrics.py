"""What a replication means for a planner: the output measures, and their intervals over replications.

Per replication and station: the waiting-time distribution (bins as the access
indicators use), the 7-day share, the mean wait, weekly T3, utilisation per
profession, backlog over time, the remote-resolution share and, under the
named-professional policy, continuity (COCI). Over replications each measure
gets a Student-t interval (``stats.interval``).

COCI (Bice-Boxerman) of a patient whose visits go to professional j with
probability q_j has expectation sum_j q_j^2 whatever the number of visits, so
the model reports it from the share s of regular customers' visits that went to
their named professional among k professionals: s^2 + (1 - s)^2 / (k - 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from valvomo.simulation.model import ReplicationOutcome, StationOutcome
from valvomo.simulation.stats import Interval, interval

WAITING_BINS: tuple[tuple[str, int, int], ...] = (
    ("0", 0, 0),
    ("1-7", 1, 7),
    ("8-14", 8, 14),
    ("15-28", 15, 28),
    ("29-90", 29, 90),
    (">90", 91, 10_000),
)
MEASURES = ("access_7d", "mean_wait", "t3_days", "utilisation", "remote_resolution", "coci")


def _combined(outcomes: Sequence[StationOutcome]) -> tuple[np.ndarray, np.ndarray]:
    waits = np.sum([o.wait_hist for o in outcomes], axis=0)
    urgent = np.sum([o.urgent_hist for o in outcomes], axis=0)
    return waits, urgent


def access_7d(hist: np.ndarray) -> float:
    total = hist.sum()
    return float(hist[:8].sum() / total) if total else math.nan


def mean_wait(hist: np.ndarray) -> float:
    total = hist.sum()
    return float((hist * np.arange(len(hist))).sum() / total) if total else math.nan


def waiting_distribution(hist: np.ndarray) -> dict[str, float]:
    total = hist.sum()
    return {label: float(hist[low : high + 1].sum() / total) if total else math.nan for label, low, high in WAITING_BINS}


def coci(outcomes: Sequence[StationOutcome]) -> float:
    regular = sum(sum(o.regular_visits.values()) for o in outcomes)
    if not regular:
        return math.nan
    values, weights = [], []
    for o in outcomes:
        for profession, visits in o.regular_visits.items():
            if not visits:
                continue
            s = o.named_visits[profession] / visits
            k = o.professionals[profession]
            values.append(1.0 if k <= 1 else s * s + (1 - s) ** 2 / (k - 1))
            weights.append(visits)
    return float(np.average(values, weights=weights))


def measures(outcomes: Sequence[StationOutcome]) -> dict[str, float]:
    """The headline measures of one replication for a group of stations (one station or the county)."""
    waits, _ = _combined(outcomes)
    served = sum(sum(o.served.values()) for o in outcomes)
    slots = sum(sum(o.slots.values()) for o in outcomes)
    resolved = sum(o.resolved_remote for o in outcomes)
    needs = sum(o.needs for o in outcomes)
    t3 = [v for o in outcomes for series in o.t3.values() for v in series]
    return {
        "access_7d": access_7d(waits),
        "mean_wait": mean_wait(waits),
        "t3_days": float(np.mean(t3)) if t3 else math.nan,
        "utilisation": served / slots if slots else math.nan,
        "remote_resolution": resolved / (resolved + needs) if resolved + needs else math.nan,
        "coci": coci(outcomes),
    }


def profession_utilisation(outcomes: Sequence[StationOutcome]) -> dict[str, float]:
    served: dict[str, float] = {}
    slots: dict[str, float] = {}
    for o in outcomes:
        for p, v in o.served.items():
            served[p] = served.get(p, 0) + v
            slots[p] = slots.get(p, 0) + o.slots[p]
    return {p: served[p] / slots[p] if slots[p] else math.nan for p in served}


def scope_outcomes(rep: ReplicationOutcome, stations: Sequence[str] | None) -> list[StationOutcome]:
    if not stations:
        return list(rep.stations.values())
    return [rep.stations[s] for s in stations if s in rep.stations]


def summarise(reps: Sequence[ReplicationOutcome], stations: Sequence[str] | None = None,
              level: float = 0.95) -> dict[str, Interval]:  # fmt: skip
    """Each measure's interval over replications, for ``stations`` together (None = the county)."""
    per_rep = [measures(scope_outcomes(rep, stations)) for rep in reps]
    return {m: interval([r[m] for r in per_rep], level) for m in MEASURES}


def difference(scenario: Sequence[ReplicationOutcome], baseline: Sequence[ReplicationOutcome],
               stations: Sequence[str] | None = None, level: float = 0.95) -> dict[str, Interval]:  # fmt: skip
    """Scenario minus baseline per measure, paired by replication (common random numbers)."""
    pairs = list(zip(scenario, baseline, strict=True))
    out = {}
    for m in MEASURES:
        deltas = [measures(scope_outcomes(s, stations))[m] - measures(scope_outcomes(b, stations))[m] for s, b in pairs]
        out[m] = interval(deltas, level)
    return out
