"""View models on a hand-built county: the numbers on a page are the ResultStore's rows,
the 7-day question is answered, and small stations are protected (complementary suppression)."""

from __future__ import annotations

import datetime as dt

import pytest

from valvomo.config import Settings
from valvomo.services.results import ResultStore
from valvomo.warehouse.backends import connect_duckdb
from valvomo.warehouse.sources import MemorySources
from valvomo.web.views import common
from valvomo.web.views import comparison as comparison_views
from valvomo.web.views import overview as overview_views
from valvomo.web.views import station as station_views


class HandWarehouse(MemorySources):
    snapshot_id = "hand-1"

    def is_empty(self) -> bool:
        return False


def _contacts(station, quarter_month, events, within, *, unrecorded=0):
    """``events`` access events of which ``within`` waited 3 days (the rest 10), all first visits;
    plus ``unrecorded`` first visits without an assessment time."""
    rows = []
    for i in range(events + unrecorded):
        started = dt.datetime(2024, quarter_month, 15, 10)
        waited = 3 if i < within else 10
        rows.append({
            "contact_id": f"{station}-{quarter_month}-{i}",
            "patient_id": f"{station}-{quarter_month}-p{i}",
            "station_id": station,
            "professional_id": "X1",
            "profession": "nurse",
            "contact_type": "R10",
            "service_type": "T11",
            "nature": "SH",
            "urgency": "non_urgent",
            "first_visit": True,
            "assessed_at": started - dt.timedelta(days=waited) if i < events else None,
            "started_at": started,
        })
    return rows


STATIONS = [
    {"station_id": "S1", "name_fi": "Näsi", "name_sv": "Näse", "municipality": "638", "county": "X",
     "kind": "health_station"},
    {"station_id": "S2", "name_fi": "Loviisa", "name_sv": "Lovisa", "municipality": "434", "county": "X",
     "kind": "health_station"},
    {"station_id": "S3", "name_fi": "Pukkila", "name_sv": "Pukkila", "municipality": "616", "county": "X",
     "kind": "nurse_led_station"},
    {"station_id": "S4", "name_fi": "Askola", "name_sv": "Askola", "municipality": "018", "county": "X",
     "kind": "health_station"},
]
CONTACTS = (
    # 2024Q1 (February)
    _contacts("S1", 2, 20, 18) + _contacts("S2", 2, 20, 10) + _contacts("S3", 2, 3, 3) + _contacts("S4", 2, 15, 15)
    # 2024Q2 (May); S2 has 10 first visits without an assessment time
    + _contacts("S1", 5, 20, 10) + _contacts("S2", 5, 30, 15, unrecorded=10) + _contacts("S3", 5, 3, 3)
    + _contacts("S4", 5, 15, 15)
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    warehouse = HandWarehouse({"contacts": CONTACTS, "stations": STATIONS}, backend=connect_duckdb())
    settings = Settings(home=tmp_path_factory.mktemp("home"))
    common.clear_cache()
    return ResultStore(settings, warehouse=warehouse)


def ctx(store, lang="fi", profile="standard"):
    return common.ViewContext(settings=store.settings, store=store, lang=lang, profile=profile)


def _by_station(table):
    return {row[0].value: row for row in table.rows}


def test_missing_7d_answers_which_stations_since_when_and_recording(store):
    table = overview_views.missing_7d(ctx(store))
    rows = _by_station(table)
    # 2024Q2, target in force 66 % (deadline 2024Q2 reached):
    # S1 10/20 = 50 % (Q1 18->20 / 20 = 100 % met) -> since Q2, 1 quarter; recording 20/20 = 100 %
    # S2 15/30 = 50 % and Q1 10/20 = 50 % -> since Q1, 2 quarters; recording 30/40 = 75 % (incomplete)
    # S3 redacted (3 events), S4 hidden by complementary suppression: not listed, named in the note
    assert set(rows) == {"S1", "S2"}
    assert rows["S1"][1].value == pytest.approx(0.5)
    assert (rows["S1"][3].value, rows["S1"][4].value) == ("2024Q2", 1)
    assert rows["S1"][5].value == pytest.approx(1.0) and rows["S1"][5].css == ""
    assert (rows["S2"][3].value, rows["S2"][4].value) == ("2024Q1", 2)
    assert rows["S2"][5].value == pytest.approx(0.75) and rows["S2"][5].css == "flag"
    assert rows["S2"][5].text == "75,0\u00a0%"
    assert "Pukkila" in table.note and "Askola" in table.note
    assert rows["S2"][3].text == "Q1/2024"


def test_missing_7d_in_swedish_uses_swedish_station_names(store):
    table = overview_views.missing_7d(ctx(store, "sv"))
    names = {row[0].text for row in table.rows}
    assert names == {"Näse", "Lovisa"}


def test_comparison_equals_store_rows_with_complementary_suppression(store):
    table = comparison_views.comparison_table(ctx(store), {"indicator": "access_7d", "period": "2024Q2"})
    raw = {r["station_id"]: r for r in store.query(["access_7d"], by="station") if r["period"] == "2024Q2"}
    rows = _by_station(table)
    # shown stations: exactly the store's (disclosure-controlled) values and counts
    for station in ("S1", "S2"):
        value_cell, numerator_cell, denominator_cell = rows[station][2], rows[station][3], rows[station][4]
        assert value_cell.value == raw[station]["value"]
        assert (numerator_cell.value, denominator_cell.value) == (raw[station]["numerator"], raw[station]["denominator"])
    # S3 is redacted by the profile (3 events); S4 (15 -> 15, the smallest shown) is hidden in addition,
    # already by the store (complementary suppression across the breakdown), so the API hides it too
    assert raw["S3"]["suppressed"] and raw["S4"]["suppressed"]
    for station in ("S3", "S4"):
        assert [c.text for c in rows[station][2:5]] == ["<8", "<8", "<8"]
        assert rows[station][2].suppressed
    # sorted by value, best first, hidden last
    assert [row[0].value for row in table.rows][-2:] in (["S3", "S4"], ["S4", "S3"])
    assert table.chart is not None and "<title" in table.chart
    assert table.download_url("csv") == "/download/comparison.csv?indicator=access_7d&period=2024Q2"


def test_headline_value_is_the_county_row(store):
    cards = {c.indicator_id: c for c in overview_views.headlines(ctx(store))}
    county = [r for r in store.query(["access_7d"]) if r["period"] == "2024Q2"][0]
    # county 2024Q2: (10 + 15 + 3 + 15 = 43 -> 45) / (20 + 30 + 3 + 15 = 68 -> 70) = 0.642857
    assert county["value"] == pytest.approx(45 / 70)
    assert cards["access_7d"].value.value == county["value"]
    assert cards["access_7d"].value.text == "64,3\u00a0%"
    # below the 66 % target at its deadline: off track
    assert cards["access_7d"].status == "off_track"
    assert "<svg" in cards["access_7d"].sparkline


def test_unsuppressed_profile_shows_small_station(store):
    table = comparison_views.comparison_table(ctx(store, profile="none"), {"indicator": "access_7d", "period": "2024Q2"})
    rows = _by_station(table)
    assert rows["S3"][2].value == pytest.approx(1.0)  # 3 / 3
    assert rows["S3"][4].text == "3"


def test_station_page_flags_incomplete_recording(store):
    page = station_views.station_page(ctx(store, "en"), "S2")
    assert page["recording_flag"] is True
    access = next(t for t in page["families"] if t.params["family"] == "access")
    row = next(r for r in access.rows if r[0].value == "access_7d")
    flagged = [c for c in row[1:] if c.css == "flag"]
    assert flagged and flagged[0].note == "recording incomplete"
    assert station_views.station_page(ctx(store), "NOPE") is None


def test_waiting_distribution_of_a_small_station_is_redacted(store):
    table = station_views.station_waiting_table(ctx(store), {"station": "S3", "period": "2024Q2"})
    # 3 visits, all in bin 1-7: the single non-zero bin is redacted; empty bins do not exist as rows
    assert all(row[1].text in ("<8", "0") for row in table.rows)
    assert not any(row[2].value for row in table.rows)
