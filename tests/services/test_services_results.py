"""ResultStore: materialised rows equal live computation; queries, date ranges, errors, storage."""

from __future__ import annotations

import datetime as dt

import pytest

from valvomo.config import Settings
from valvomo.disclosure import protect_breakdown, protect_rows
from valvomo.indicators.registry import REGISTRY, Query, Registry
from valvomo.indicators.runner import compute
from valvomo.services import results as results_module
from valvomo.services.outputs import output_series
from valvomo.services.results import (
    BY_COMBINATIONS,
    EmptyWarehouseError,
    MissingTableError,
    ResultStore,
    UnknownIndicatorError,
    UnsupportedQueryError,
    clear_cache,
    parse_by,
)
from valvomo.warehouse.backends import connect_duckdb
from valvomo.warehouse.sources import MemorySources

INDICATORS = ("access_7d", "waiting_days_distribution", "waiting_days_median", "physician_share", "t3_days")
WAITS = (0, 2, 5, 9, 12, 20, 40, 100)


class TinyWarehouse(MemorySources):
    """The two things the store needs beyond ``Sources``: which load this is, and whether it is empty."""

    def __init__(self, tables, snapshot_id="snap-1"):
        super().__init__(tables, backend=connect_duckdb())
        self.snapshot_id = snapshot_id

    def is_empty(self) -> bool:
        return not self.has("contacts")


def county_tables():
    """120 care-guarantee contacts at two stations, January-June 2024, waits cycling through WAITS."""
    contacts = []
    first = dt.datetime(2024, 1, 2, 8, 0)
    for i in range(120):
        assessed = first + dt.timedelta(days=(i * 3) % 170)
        wait = WAITS[i % len(WAITS)]
        contacts.append(
            {
                "contact_id": f"c{i}",
                "patient_id": f"p{i}",
                "station_id": "S1" if i % 3 else "S2",
                "profession": "physician" if i % 2 else "nurse",
                "contact_type": "R10",
                "service_type": "T11",
                "nature": "SH",
                "urgency": "non_urgent",
                "assessed_at": assessed,
                "started_at": assessed + dt.timedelta(days=wait, hours=1),
            }
        )
    stations = [
        {
            "station_id": "S1",
            "name_fi": "Asema 1",
            "municipality": "638",
            "county": "Test",
            "kind": "health_station",
        },
        {
            "station_id": "S2",
            "name_fi": "Asema 2",
            "municipality": "020",
            "county": "Test",
            "kind": "health_station",
        },
    ]
    return {"contacts": contacts, "stations": stations}


@pytest.fixture(scope="module")
def registry():
    reg = Registry()
    for indicator_id in INDICATORS:
        reg.add(REGISTRY.get(indicator_id))
    return reg


@pytest.fixture(scope="module")
def warehouse():
    return TinyWarehouse(county_tables())


@pytest.fixture
def settings(tmp_path):
    clear_cache()
    yield Settings(home=tmp_path)
    clear_cache()


@pytest.fixture(scope="module")
def stored(tmp_path_factory, warehouse, registry):
    """Settings whose home holds the materialised results of ``warehouse`` (computed once per module)."""
    home = tmp_path_factory.mktemp("stored")
    clear_cache()
    report = ResultStore(Settings(home=home), warehouse=warehouse, registry=registry).materialise(
        progress=False
    )
    clear_cache()  # tests read back from disk, as a fresh process would
    return Settings(home=home), report


@pytest.fixture(scope="module")
def small_registry():
    reg = Registry()
    reg.add(REGISTRY.get("access_7d"))
    return reg


def combinations(registry):
    for indicator in registry:
        if indicator.id == "t3_days":
            continue
        for period in ("month", "quarter", "year"):
            for by in BY_COMBINATIONS:
                if set(by) <= indicator.grain:
                    yield indicator, period, by


def test_materialised_rows_equal_live_computation(stored, warehouse, registry):
    settings, report = stored
    # stored: 4 breakdowns by quarter + county and station by month and by year = 8 for access_7d,
    # distribution and median; physician_share has no profession in its grain: 2 + 2 + 2 = 6; t3_days
    # needs slots and is not attempted: 8 x 3 + 6 = 30. The other 12 are computed live on request.
    assert report.combinations == 30 and not report.failed and not report.skipped
    assert (settings.home / "results" / "snap-1" / "results.parquet").exists()
    fresh = ResultStore(settings, warehouse=warehouse, registry=registry)
    assert fresh.is_materialised()
    checked = 0
    for indicator, period, by in combinations(registry):
        live = compute(indicator, warehouse, Query(period=period, by=by), registry=registry)
        stored = fresh.query([indicator.id], period=period, by=by, profile="none")
        assert stored == live, (indicator.id, period, by)
        checked += bool(live)
    assert checked == 42


def test_stored_rows_are_served_without_recomputing(stored, warehouse, registry, monkeypatch):
    settings, _ = stored
    clear_cache()

    def no_compute(*args, **kwargs):
        raise AssertionError("computed live")

    monkeypatch.setattr(results_module, "compute", no_compute)
    store = ResultStore(settings, warehouse=warehouse, registry=registry)
    rows = store.query(["access_7d"], period="quarter", by="station", profile="none")
    # S1 gets the events with i % 3 != 0 (80 of 120), S2 the other 40
    assert sum(r["denominator"] for r in rows if r["station_id"] == "S1") == 80
    assert sum(r["denominator"] for r in rows if r["station_id"] == "S2") == 40
    with pytest.raises(AssertionError, match="computed live"):
        store.query(["access_7d"], by="municipality")


def test_combinations_not_stored_are_computed_live(settings, warehouse, registry):
    store = ResultStore(settings, warehouse=warehouse, registry=registry)
    rows = store.query(["access_7d"], period="year", by="municipality", profile="none")
    live = compute(registry.get("access_7d"), warehouse, Query(period="year", by=("municipality",)))
    assert rows == live and {r["municipality"] for r in rows} == {"638", "020"}


def test_default_profile_is_applied(stored, warehouse, registry):
    store = ResultStore(stored[0], warehouse=warehouse, registry=registry)
    live = compute(
        registry.get("waiting_days_distribution"), warehouse, Query(period="month", by=("station",))
    )
    rows = store.query(["waiting_days_distribution"], period="month", by=["station"])
    # A breakdown's bins are also protected across stations (the county total is served too).
    assert rows == protect_breakdown(protect_rows(live, "standard", registry=registry), "standard", registry=registry)
    assert any(r["suppressed"] for r in rows)  # monthly bins per station hold 1-7 events
    assert all(r["value"] is None for r in rows if r["suppressed"])


def test_date_range_keeps_whole_periods(stored, warehouse, registry):
    store = ResultStore(stored[0], warehouse=warehouse, registry=registry)
    months = store.query(["access_7d"], period="month", start=dt.date(2024, 2, 1), end=dt.date(2024, 3, 31))
    assert [r["period"] for r in months] == ["2024-02", "2024-03"]
    # 2024Q1 starts before 15 Jan: left out, not cut
    quarters = store.query(["access_7d"], period="quarter", start=dt.date(2024, 1, 15), profile="none")
    assert [r["period"] for r in quarters] == ["2024Q2", "2024Q3"]
    live_q2 = [r for r in compute(registry.get("access_7d"), warehouse, Query()) if r["period"] != "2024Q1"]
    assert quarters == live_q2
    with pytest.raises(UnsupportedQueryError, match="after the end date"):
        store.query(["access_7d"], start=dt.date(2024, 3, 1), end=dt.date(2024, 2, 1))


def test_default_indicators_are_those_the_data_allow(settings, warehouse, registry):
    store = ResultStore(settings, warehouse=warehouse, registry=registry)
    # t3_days needs slots; physician_share cannot be cut by profession
    assert store.available("quarter", ["profession"]) == [
        "access_7d",
        "waiting_days_distribution",
        "waiting_days_median",
    ]
    rows = store.query(period="year", by="profession", profile="none")
    assert {r["indicator"] for r in rows} == {"access_7d", "waiting_days_distribution", "waiting_days_median"}


def test_clear_errors(settings, warehouse, registry):
    store = ResultStore(settings, warehouse=warehouse, registry=registry)
    with pytest.raises(UnknownIndicatorError, match="unknown indicator 'nope'"):
        store.query(["nope"])
    with pytest.raises(UnsupportedQueryError, match="its grain allows: age_band, contact_class, language"):
        store.query(["physician_share"], by="profession")
    with pytest.raises(UnsupportedQueryError, match="unknown dimension 'ward'"):
        store.query(["access_7d"], by="station,ward")
    with pytest.raises(UnsupportedQueryError, match="unknown period 'week'"):
        store.query(["access_7d"], period="week")
    with pytest.raises(MissingTableError, match="no table 'slots'"):
        store.query(["t3_days"])


def test_empty_warehouse(settings, registry):
    store = ResultStore(
        settings, warehouse=TinyWarehouse({"stations": county_tables()["stations"]}), registry=registry
    )
    with pytest.raises(EmptyWarehouseError, match="run `valvomo ingest DIR` or `valvomo demo`"):
        store.query()
    with pytest.raises(EmptyWarehouseError):
        store.materialise(progress=False)


def test_new_snapshot_replaces_the_old(settings, small_registry):
    tables = county_tables()
    registry = small_registry
    ResultStore(settings, warehouse=TinyWarehouse(tables, "snap-1"), registry=registry).materialise(
        progress=False
    )
    second = ResultStore(settings, warehouse=TinyWarehouse(tables, "snap/2"), registry=registry)
    assert not second.is_materialised()
    second.materialise(progress=False)
    second.materialise(progress=False)  # again for the same snapshot: replaced in place
    # unsafe characters in a snapshot id become "_"; no temporary or retired directories remain
    assert [p.name for p in (settings.home / "results").iterdir()] == ["snap_2"]
    # access_7d: 4 breakdowns by quarter + 2 by month + 2 by year = 8
    assert second.status()["materialised"] and second.status()["combinations"] == 8


def test_stored_rows_of_another_registry_are_not_used(stored, warehouse, registry, small_registry):
    assert ResultStore(stored[0], warehouse=warehouse, registry=registry).is_materialised()
    assert not ResultStore(stored[0], warehouse=warehouse, registry=small_registry).is_materialised()


def test_output_series_is_county_level_and_controlled(settings, warehouse, registry):
    store = ResultStore(settings, warehouse=warehouse, registry=registry)
    rows = output_series(settings, "access_7d", "quarter", store=store)
    # assessments January-June; 40- and 100-day waits start some visits in Q3
    assert [r["period"] for r in rows] == ["2024Q1", "2024Q2", "2024Q3"]
    assert all("station_id" not in r for r in rows)
    live = compute(registry.get("access_7d"), warehouse, Query())
    assert rows == protect_rows(live, "standard", registry=registry)
    # numerators and denominators are multiples of 5 after the standard profile
    assert all(r["numerator"] % 5 == 0 and r["denominator"] % 5 == 0 for r in rows)


def test_parse_by_is_canonical():
    assert parse_by("profession, station") == ("station", "profession")
    assert parse_by(["station", "station"]) == ("station",)
    assert parse_by("") == () and parse_by(None) == ()


def _failing(indicator_id: str, error: Exception):
    """A copy of access_7d whose expression raises ``error`` when it is built."""
    import dataclasses

    def build(sources, query):
        raise error

    return dataclasses.replace(REGISTRY.get("access_7d"), id=indicator_id, build=build)


def test_materialise_reports_an_engine_failure_and_stores_the_others(settings, warehouse):
    """One indicator the engine cannot run is reported as failed; the batch goes on."""
    import duckdb

    reg = Registry()
    reg.add(REGISTRY.get("access_7d"))
    reg.add(_failing("engine_fails", duckdb.ConversionException("Could not convert string 'x' to INT64")))
    report = ResultStore(settings, warehouse=warehouse, registry=reg).materialise(progress=False)
    failed = {f["indicator"] for f in report.failed}
    assert failed == {"engine_fails"}
    assert all("ConversionException" in f["error"] for f in report.failed)
    assert report.rows > 0  # access_7d was stored


def test_materialise_lets_a_programming_error_propagate(settings, warehouse):
    """A bug (here a TypeError) is not an engine failure: it stops the run instead of hiding in the manifest."""
    reg = Registry()
    reg.add(_failing("buggy", TypeError("unsupported operand")))
    with pytest.raises(TypeError, match="unsupported operand"):
        ResultStore(settings, warehouse=warehouse, registry=reg).materialise(progress=False)
