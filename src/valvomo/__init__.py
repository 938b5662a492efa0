"""Valvomo: the knowledge-management control room of a Finnish wellbeing services county.

Data flows one way (see docs/architecture.md):
sources -> ingest -> warehouse -> engines (indicators, segments, simulation)
-> services (disclosure, programme tracking, reports) -> interfaces (CLI, web, API).
"""

__version__ = "0.1.0"
