"""Synthetic county generator: an Itä-Uusimaa-like county in the canonical tables.

``generate(out_dir, population=..., years=..., start=..., seed=..., fmt=...)`` writes
stations, population, patients, contacts, diagnoses, slots, guidance_requests,
feedback, interventions and lab_results (CSV or Parquet) plus manifest.json. The
data are seeded and reproducible, calibrated to published national levels, and the
stations differ in ways the indicators can see (docs/synthetic-county.md).
"""

from valvomo.synth.generator import SynthSummary, generate

__all__ = ["SynthSummary", "generate"]
