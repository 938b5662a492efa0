"""segment_figures: the county figures the report and the programme links may cite, protected."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from valvomo.config import Settings
from valvomo.disclosure import protect_rows
from valvomo.indicators.registry import Query
from valvomo.indicators.runner import compute
from valvomo.segments.registry import SEGMENT_REGISTRY
from valvomo.services.results import clear_cache
from valvomo.services.segment_summary import segment_figures
from valvomo.services.segments import segment_store
from valvomo.warehouse.sources import MemorySources


class County(MemorySources):
    snapshot_id = "summary-1"

    def is_empty(self):
        return False


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from valvomo import synth

    out = tmp_path_factory.mktemp("summary")
    synth.generate(out, population=3000, years=1, fmt="parquet", progress=False)
    return County({p.stem: pq.read_table(p) for p in out.glob("*.parquet")},
                  manifest=json.loads((out / "manifest.json").read_text()))  # fmt: skip


def test_figures_are_the_protected_county_rows_of_the_latest_year(warehouse, tmp_path):
    clear_cache()
    settings = Settings(home=tmp_path)
    figures = segment_figures(settings, lang="en", store=segment_store(settings, warehouse=warehouse))
    ids = [f.id for f in figures]
    assert ids[:3] == ["utilisation_segment_mix:high_need", "top_decile_cost_share_12m", "gini_cost"]
    assert {i for i in ids if i.startswith("care_gaps:")} == {
        "care_gaps:t2d_no_hba1c_12m", "care_gaps:hba1c_high_no_contact_6m", "care_gaps:hypertension_no_bp_12m",
    }  # fmt: skip
    raw = compute("utilisation_segment_mix", warehouse, Query(period="year"), registry=SEGMENT_REGISTRY)
    latest = max(r["period"] for r in raw)
    protected = protect_rows([r for r in raw if r["period"] == latest], "standard", registry=SEGMENT_REGISTRY)
    high = next(r for r in protected if r["bin"] == "high_need")
    shown = figures[0]
    assert high["numerator"] % 5 == 0 and high["value"] != next(r for r in raw if r["bin"] == "high_need" and r["period"] == latest)["value"]
    assert shown.period == latest and shown.value == pytest.approx(high["value"])
    assert shown.text.endswith("%") and shown.name == "Utilisation segment mix"
    assert next(f for f in figures if f.id == "care_gaps:t2d_no_hba1c_12m").name == "Type 2 diabetes without HbA1c in 12 months"
