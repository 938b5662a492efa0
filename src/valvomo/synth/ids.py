"""Pseudonymous identifiers of the synthetic county.

Identifiers are a letter and a zero-padded running number (``P0000123``,
``C0000004567``): unique, stable for a seed, sortable, and never shaped like a
Finnish personal identity code (DDMMYY, a century sign, three digits and a check
character), which ingest rejects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from valvomo.synth.columns import prefixed_ids


@dataclass(frozen=True)
class IdFormat:
    """Widths of the running numbers, fixed for one generated county."""

    patient_width: int
    event_width: int

    @classmethod
    def for_population(cls, population: int) -> IdFormat:
        return cls(patient_width=max(7, len(str(population))), event_width=10)

    def patients(self, index: np.ndarray) -> pa.Array:
        """Ids of residents by their 0-based global index (``P0000001`` is resident 0)."""
        return prefixed_ids("P", np.asarray(index) + 1, self.patient_width)

    def contacts(self, first: int, count: int) -> pa.Array:
        return prefixed_ids("C", np.arange(first, first + count), self.event_width)

    def events(self, prefix: str, first: int, count: int) -> pa.Array:
        """Ids of other events: ``S`` slots, ``G`` guidance requests, ``F`` feedback, ``I`` interventions."""
        return prefixed_ids(prefix, np.arange(first, first + count), self.event_width)
