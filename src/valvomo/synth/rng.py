"""Seeded random streams for the synthetic county.

Every piece of the county (residents of a replica, contacts of a chunk, the calendar
of a station, ...) draws from its own stream, derived from the user's seed and a
fixed key with numpy's ``SeedSequence``. Streams are therefore independent of the
order in which pieces are generated, and the same seed always gives the same files.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """Keys of the independent random streams (never renumber: it changes the output)."""

    RESIDENTS = 1
    STAFF = 2
    CONTACTS = 3
    DIAGNOSES = 4
    LABS = 5
    INTERVENTIONS = 6
    FEEDBACK = 7
    SLOTS = 8
    GUIDANCE = 9
    QUESTIONNAIRE = 10


def stream(seed: int, kind: Stream, *key: int) -> np.random.Generator:
    """A PCG64 generator for one piece of the county, e.g. ``stream(seed, Stream.CONTACTS, replica, chunk)``."""
    sequence = np.random.SeedSequence(seed, spawn_key=(int(kind), *(int(k) for k in key)))
    return np.random.Generator(np.random.PCG64(sequence))


def choose(rng: np.random.Generator, cumulative: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Draw one category per row: row ``i`` uses the cumulative probabilities ``cumulative[group[i]]``."""
    rows = cumulative[group]
    u = rng.random(len(group))
    return (u[:, None] >= rows[:, :-1]).sum(axis=1)


def choose_n(rng: np.random.Generator, probabilities: np.ndarray, n: int) -> np.ndarray:
    """Draw ``n`` category indices from one probability vector."""
    cumulative = np.cumsum(probabilities / np.sum(probabilities))
    return np.minimum(np.searchsorted(cumulative, rng.random(n), side="right"), len(cumulative) - 1)


def cumulative_table(weights: np.ndarray) -> np.ndarray:
    """Row-normalised cumulative probabilities of a weight table (groups × categories)."""
    weights = np.asarray(weights, dtype=float)
    totals = weights.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1.0
    return np.cumsum(weights / totals, axis=1)
