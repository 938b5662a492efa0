"""The pandas and Polars peer baselines of bench/peers.py give Valvomo's rows on a small county.

The benchmark's time ratios only mean something if the peers compute the same figures; this checks it
on a 400-resident synthetic county (the benchmark asserts it again on the measured data).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from valvomo import synth
from valvomo.config import Settings
from valvomo.indicators.registry import Query
from valvomo.indicators.runner import compute
from valvomo.ingest import ingest_folder
from valvomo.warehouse.store import Warehouse

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import peers  # noqa: E402

pytest.importorskip("polars", reason="the peer baselines need the `bench` extra (pip install -e .[bench])")


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    root = tmp_path_factory.mktemp("peer-county")
    synth.generate(root / "source", population=400, years=2, fmt="parquet", progress=False)
    settings = Settings(home=root / "home")
    ingest_folder(settings, root / "source", progress=False)
    warehouse = Warehouse(settings)
    paths = {name: warehouse.path(name) for name in ("contacts", "patients", "stations")}
    query = Query(period="quarter", by=("station",))
    return paths, {i: compute(i, warehouse, query) for i in peers.INDICATORS}


@pytest.mark.parametrize("peer", ["pandas", "polars"])
def test_peer_rows_equal_valvomo(county, peer):
    paths, valvomo = county
    computed = getattr(peers, f"{peer}_indicators")(paths)
    for indicator_id in peers.INDICATORS:
        assert len(valvomo[indicator_id]) >= 8, indicator_id  # 2 years of quarters, several stations
        assert peers.same_rows(valvomo[indicator_id], computed[indicator_id]) == [], (peer, indicator_id)


def test_a_changed_figure_is_reported(county):
    paths, valvomo = county
    rows = [dict(r) for r in valvomo["coci"]]
    rows[0]["n"] += 1
    assert peers.same_rows(valvomo["coci"], rows)
    assert peers.same_rows(valvomo["coci"], rows[1:])
