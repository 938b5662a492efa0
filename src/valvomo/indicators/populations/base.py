"""The record of a population: a named intermediate table that indicators and segments share.

Like ehrQL's explicit populations and Tuva's layered data model, the people and contacts an
indicator counts are defined once, as a named Ibis stage with a written definition, and every
indicator that needs them is a thin numerator / denominator / grouping over that stage. The
generated page ``docs/populations.md`` is written from these records (``populations.docs``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ibis.expr.types as ir

from valvomo.indicators.common import stage
from valvomo.warehouse.sources import Sources


@dataclass(frozen=True)
class Population:
    """One shared population.

    ``definition`` is the plain-English rule (who or what is in, and why), citing the spec section in
    ``spec``; ``grain`` says what one row is; ``columns`` names every column of the stage with its
    meaning; ``build`` returns the stage (an Ibis table) from ``Sources`` (and, for period-dependent
    populations, further arguments documented in its docstring); ``used_by`` lists the indicator and
    segment ids that read it (checked by a test against the registries).
    """

    id: str
    title: str
    definition: str
    spec: str
    grain: str
    columns: Mapping[str, str]
    build: Callable[..., ir.Table]
    used_by: tuple[str, ...] = field(default_factory=tuple)

    def staged(self, sources: Sources) -> ir.Table:
        """``build(sources)``, computed once per materialisation run (``common.stage``, keyed by the id).
        For populations whose ``build`` takes only ``sources``."""
        return stage(sources, self.id, lambda: self.build(sources))


POPULATIONS: dict[str, Population] = {}


def register(population: Population) -> Population:
    """Add ``population`` to ``POPULATIONS`` (ids are unique)."""
    if population.id in POPULATIONS:
        raise ValueError(f"population {population.id!r} is defined twice")
    POPULATIONS[population.id] = population
    return population
