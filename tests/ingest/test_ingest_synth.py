"""The synthetic county (valvomo.synth) loads without a single validation error."""

from __future__ import annotations

import pytest
from ingest_helpers import ingest, make_settings

from valvomo.warehouse.store import Warehouse

synth = pytest.importorskip(
    "valvomo.synth", reason="the synthetic county generator (valvomo.synth) is not written yet"
)


def test_synthetic_county_ingests_cleanly(tmp_path):
    summary = synth.generate(tmp_path / "county", population=1500, years=1, progress=False)
    settings = make_settings(tmp_path)
    result = ingest(settings, tmp_path / "county")
    assert result.tables == summary.rows
    warehouse = Warehouse(settings)
    assert warehouse.row_counts() == summary.rows
    assert warehouse.table("contacts").count().execute() == summary.rows["contacts"]
    assert warehouse.manifest.get("patients_are_all_residents") is True
