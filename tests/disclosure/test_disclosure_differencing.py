"""Differencing two served views (by station, and the county total) never pins a redacted count.

Found by the issue-12 probe (bench/probe.py, section 5): complementary suppression across a breakdown
covered whole share/rate/count rows only, so a distribution bin (and the size ``n`` of a statistic) with
one redacted station could be recovered as the county figure minus the shown stations. The county here
is hand-made so that it does: in 2024Q1 station S1 has 7 care-guarantee contacts waiting 2 days and S2-S4
12 each; the county's 43 is shown as 45, the others as 10, so 45 - 30 leaves S1 at exactly 7
(``pinned_value(45, [10, 10, 10]) == 7``).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from valvomo.config import Settings
from valvomo.indicators.registry import REGISTRY, Registry
from valvomo.services.results import ResultStore, clear_cache
from valvomo.warehouse.backends import connect_duckdb
from valvomo.warehouse.sources import MemorySources

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from probe import pinned_value  # noqa: E402

STATION_CONTACTS = {"S1": 7, "S2": 12, "S3": 12, "S4": 12}
INDICATORS = ("waiting_days_distribution", "access_7d", "waiting_days_median")


class _Warehouse(MemorySources):
    def __init__(self, tables):
        super().__init__(tables, backend=connect_duckdb())
        self.snapshot_id = "snap-diff"

    def is_empty(self) -> bool:
        return not self.has("contacts")


def _tables():
    contacts = []
    for station, count in STATION_CONTACTS.items():
        for i in range(count):
            assessed = dt.datetime(2024, 1, 8, 8, 0) + dt.timedelta(days=i)
            contacts.append({
                "contact_id": f"{station}-{i}", "patient_id": f"{station}-p{i}", "station_id": station,
                "profession": "nurse", "contact_type": "R10", "service_type": "T11", "nature": "SH",
                "urgency": "non_urgent", "assessed_at": assessed,
                "started_at": assessed + dt.timedelta(days=2, hours=1),
            })  # fmt: skip
    stations = [
        {"station_id": s, "name_fi": f"Asema {s}", "municipality": "638", "county": "Test", "kind": "health_station"}
        for s in STATION_CONTACTS
    ]
    return {"contacts": contacts, "stations": stations}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    registry = Registry()
    for indicator_id in INDICATORS:
        registry.add(REGISTRY.get(indicator_id))
    clear_cache()
    yield ResultStore(Settings(home=tmp_path_factory.mktemp("diff")), warehouse=_Warehouse(_tables()),
                      registry=registry)  # fmt: skip
    clear_cache()


def _pins(store, column: str) -> tuple[int, list[str]]:
    """(lines compared, lines where the county value and the shown stations pin a redacted station)."""
    by_station = store.query(list(INDICATORS), period="quarter", by="station")
    county = {(r["indicator"], r["period"], r.get("bin")): r for r in store.query(list(INDICATORS), period="quarter")}
    lines: dict[tuple, list[dict]] = {}
    for row in by_station:
        if column in row:
            lines.setdefault((row["indicator"], row["period"], row.get("bin")), []).append(row)
    compared, pinned = 0, []
    for key, rows in lines.items():
        total = county.get(key, {}).get(column)
        if total is None:
            continue
        compared += 1
        hidden = [r for r in rows if r[column] is None]
        if len(hidden) == 1:
            value = pinned_value(total, [r[column] for r in rows if r[column] is not None])
            pinned.append(f"{key} {hidden[0]['station_id']} = {value}")
    return compared, pinned


@pytest.mark.parametrize("column", ["numerator", "denominator", "n"])
def test_no_station_is_alone_redacted_beside_a_shown_county_figure(store, column):
    compared, lone = _pins(store, column)
    if column != "n":
        assert compared >= 2  # the lines exist: distribution bin "1-7" and access_7d at least
    assert lone == []


def test_the_lone_station_was_pinnable_and_is_now_hidden_with_a_complement(store):
    rows = [r for r in store.query(["waiting_days_distribution"], period="quarter", by="station")
            if r["period"] == "2024Q1"]  # fmt: skip
    assert {r["station_id"] for r in rows} == set(STATION_CONTACTS)
    hidden = sorted(r["station_id"] for r in rows if r["numerator"] is None)
    # S1 (7) is redacted; ties among S2-S4 (12 each) go to the first station id: S2.
    assert hidden == ["S1", "S2"]
    county = store.query(["waiting_days_distribution"], period="quarter")
    assert [(r["numerator"], r["denominator"]) for r in county if r["period"] == "2024Q1"] == [(45, 45)]
    shown = [r["numerator"] for r in rows if r["numerator"] is not None]
    assert shown == [10, 10] and pinned_value(45, [10, 10, 10]) == 7  # before: S1 pinned to 7
    assert pinned_value(45, shown) is None
