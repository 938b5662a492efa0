"""Parsing of cells: Helsinki time zone (incl. DST switch days), booleans, numbers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from ingest_helpers import contact, ingest, make_settings, write_folder

from valvomo.ingest.parse import clean_text, parse_text
from valvomo.warehouse.store import Warehouse

HELSINKI = ZoneInfo("Europe/Helsinki")


def parse(values, dtype):
    return parse_text(clean_text(pa.array(values, pa.string())), dtype).to_pylist()


@pytest.mark.parametrize(
    ("text", "wall_clock"),
    [
        ("2024-03-10T23:30:00Z", "2024-03-11T01:30:00"),  # winter: UTC+2
        ("2024-03-11T01:30", "2024-03-11T01:30:00"),  # no offset: already Helsinki time
        ("2024-03-11 01:30:15", "2024-03-11T01:30:15"),
        ("2024-07-01T12:00:00+00:00", "2024-07-01T15:00:00"),  # summer: UTC+3
        ("2024-07-01T12:00:00+0200", "2024-07-01T13:00:00"),
        ("2024-07-01T12:00+02", "2024-07-01T13:00:00"),
        ("2024-07-01T12:00:00.250-05:00", "2024-07-01T20:00:00.250000"),
        # Spring forward, 31 March 2024: 03:00 local jumps to 04:00 at 01:00Z.
        ("2024-03-31T00:59:59Z", "2024-03-31T02:59:59"),
        ("2024-03-31T01:00:00Z", "2024-03-31T04:00:00"),
        # Fall back, 27 October 2024: 04:00 local goes back to 03:00 at 01:00Z; 03:30 happens twice.
        ("2024-10-27T00:30:00Z", "2024-10-27T03:30:00"),
        ("2024-10-27T01:30:00Z", "2024-10-27T03:30:00"),
        ("2024-10-27T02:00:00Z", "2024-10-27T04:00:00"),
    ],
)
def test_timestamps_become_helsinki_wall_clock(text, wall_clock):
    assert parse([text], "timestamp") == [dt.datetime.fromisoformat(wall_clock)]


@pytest.mark.parametrize(
    "day", [dt.date(2024, 3, 31), dt.date(2024, 10, 27), dt.date(2025, 3, 30), dt.date(2025, 10, 26)]
)
def test_offset_conversion_agrees_with_zoneinfo_on_switch_days(day):
    # Every 15 minutes of the UTC day around each DST switch, compared with the standard library.
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) - dt.timedelta(hours=3)
    instants = [start + dt.timedelta(minutes=15 * i) for i in range(4 * 30)]
    texts = [i.strftime("%Y-%m-%dT%H:%M:%SZ") for i in instants]
    expected = [i.astimezone(HELSINKI).replace(tzinfo=None) for i in instants]
    assert parse(texts, "timestamp") == expected


def test_local_time_in_the_spring_gap_is_kept_as_written():
    # 03:30 on 31 March 2024 never happened in Helsinki; a naive wall-clock value is stored as given.
    assert parse(["2024-03-31T03:30"], "timestamp") == [dt.datetime(2024, 3, 31, 3, 30)]


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-11",
        "2024-03-11T8:30",
        "2024-03-11T08:30:00.1234567",
        "2024-13-01T00:00",
        "2023-02-29T00:00",
        "now",
    ],
)
def test_malformed_timestamps_are_null(text):
    assert parse([text], "timestamp") == [None]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("kyllä", True),
        ("Kyllä", True),
        ("KYLLÄ", True),
        ("ja", True),
        ("Ja", True),
        ("false", False),
        ("False", False),
        ("0", False),
        ("ei", False),
        ("EI", False),
        ("nej", False),
        ("Nej", False),
        (" true ", True),
        ("", None),
        ("maybe", None),
        ("2", None),
    ],
)
def test_boolean_words(text, value):
    assert parse([text], "bool") == [value]


def test_boolean_variants_end_to_end(tmp_path):
    words = ["true", "1", "kyllä", "JA", "false", "0", "Ei", "nej", ""]
    rows = [contact(f"C{i}", first_visit=word) for i, word in enumerate(words)]
    settings = make_settings(tmp_path)
    ingest(settings, write_folder(tmp_path / "in", {"contacts": rows}))
    stored = Warehouse(settings).table("contacts").order_by("contact_id").to_pyarrow()
    by_id = dict(zip(stored["contact_id"].to_pylist(), stored["first_visit"].to_pylist(), strict=True))
    assert [by_id[f"C{i}"] for i in range(len(words))] == [True] * 4 + [False] * 4 + [None]


def test_numbers():
    assert parse(["42", "+7", "-3", "4.0", "1e3", ""], "int") == [42, 7, -3, None, None, None]
    assert parse(["12.5", "-0.25", "1e3", ".5", "12,5", "nan", "inf"], "float") == [
        12.5,
        -0.25,
        1000.0,
        0.5,
        None,
        None,
        None,
    ]


def test_dates():
    assert parse(["2024-02-29", "2023-02-29", "2024-2-1", "01.02.2024"], "date") == [
        dt.date(2024, 2, 29),
        None,
        None,
        None,
    ]


def test_timestamps_stored_end_to_end(tmp_path):
    settings = make_settings(tmp_path)
    rows = [
        contact(
            "C1", contacted_at="", assessed_at="2024-03-10T23:30:00Z", started_at="2024-03-11T08:00:00+02:00"
        )
    ]
    ingest(settings, write_folder(tmp_path / "in", {"contacts": rows}))
    table = Warehouse(settings).table("contacts").to_pyarrow()
    assert table.schema.field("started_at").type == pa.timestamp("us")
    assert table["assessed_at"].to_pylist() == [dt.datetime(2024, 3, 11, 1, 30)]
    assert table["started_at"].to_pylist() == [dt.datetime(2024, 3, 11, 8, 0)]


def test_licensed_defaults_from_profession(tmp_path):
    settings = make_settings(tmp_path)
    rows = [
        contact("C1", profession="nurse"),
        contact("C2", profession="practical_nurse"),
        contact("C3", profession="practical_nurse", licensed="kyllä"),
    ]
    ingest(settings, write_folder(tmp_path / "in", {"contacts": rows}))
    table = Warehouse(settings).table("contacts").order_by("contact_id").to_pyarrow()
    assert table["licensed"].to_pylist() == [True, False, True]


def test_csv_cells_are_read_as_written(tmp_path):
    # The CSV reader must not infer types: 018 keeps its leading zero, an id of digits stays text.
    settings = make_settings(tmp_path)
    stations = [
        {
            "station_id": "00123",
            "name_fi": "Askola",
            "municipality": "018",
            "county": "Itä-Uusimaa",
            "kind": "health_station",
        }
    ]
    ingest(
        settings,
        write_folder(tmp_path / "in", {"stations": stations, "contacts": [contact(station_id="00123")]}),
    )
    stored = Warehouse(settings).table("stations").to_pyarrow().to_pylist()[0]
    assert (stored["station_id"], stored["municipality"]) == ("00123", "018")
