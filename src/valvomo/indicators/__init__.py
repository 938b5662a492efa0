"""Indicator engine: the registry of every indicator in indicators.md, as Ibis expressions.

Importing this package registers all indicator families, in the order the docs
and the dashboard list them.
"""

from valvomo.indicators import (  # noqa: F401  (importing registers the entries)
    access,
    t3,
    guidance,
    interventions,
    resolution,
    channels,
    continuity,
    utilisation,
    quality,
    feedback,
)
from valvomo.indicators.registry import REGISTRY, Indicator, Query, Target
from valvomo.indicators.runner import compute, compute_many

__all__ = ["REGISTRY", "Indicator", "Query", "Target", "compute", "compute_many"]
