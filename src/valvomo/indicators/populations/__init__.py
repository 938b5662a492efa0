"""Shared populations of the indicator engine (docs/populations.md).

Each module defines its populations once and registers them in ``POPULATIONS``; importing this package
registers them all. Layering (pyproject ``[tool.importlinter]``): the indicator family modules import
from here; this package imports only ``indicators.common`` and ``indicators.registry``.
"""

from valvomo.indicators.populations import access, contacts, t3  # noqa: F401  (importing registers them)
from valvomo.indicators.populations.base import POPULATIONS, Population, register

__all__ = ["POPULATIONS", "Population", "register"]
from valvomo.indicators.populations import continuity  # noqa: E402, F401  (registers continuity_windows)
