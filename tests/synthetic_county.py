"""``county_tables``: a small synthetic county as Arrow tables and its manifest, for in-memory sources."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq


def county_tables(folder: Path, *, population: int, years: int) -> tuple[dict, dict]:
    """Generate a synthetic county into ``folder`` and read it back: ({table: Arrow table}, manifest)."""
    from valvomo import synth

    synth.generate(folder, population=population, years=years, fmt="parquet", progress=False)
    tables = {p.stem: pq.read_table(p) for p in folder.glob("*.parquet")}
    return tables, json.loads((folder / "manifest.json").read_text())
