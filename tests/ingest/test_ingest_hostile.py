"""Hostile and broken input found by the independent probe (issue 12, items 1, 2, 4, 5, 6, 7).

Each test builds the smallest folder that shows the problem and asserts what the person fixing the
file is told: which file, row and column, the limit, and nothing more of the file's content than a
short masked excerpt; and that the warehouse is unchanged.
"""

from __future__ import annotations

import datetime as dt
import os

import pyarrow as pa
import pyarrow.parquet as pq
from ingest_helpers import (
    PATIENT_ROWS,
    STATION_ROWS,
    contact,
    ingest,
    ingest_errors,
    make_settings,
    only_error,
    write_folder,
)
from typer.testing import CliRunner

from valvomo.cli import app
from valvomo.config import get_settings
from valvomo.ingest import read_ingest_log
from valvomo.ingest.errors import display_value
from valvomo.ingest.readers import CSV_BLOCK_BYTES, find_long_line
from valvomo.schema import TABLES
from valvomo.schema.tables import DEFAULT_MAX_LENGTH, Column
from valvomo.warehouse.store import Warehouse


def _station(**overrides: str) -> dict[str, str]:
    return {**STATION_ROWS[0], **overrides}


# --- 1. text length limits ---------------------------------------------------------------------------------


def test_every_text_column_has_a_limit():
    text_columns = [c for t in TABLES.values() for c in t.columns if c.dtype == "str"]
    assert text_columns and all(c.text_limit is not None for c in text_columns)
    assert TABLES["stations"].column("name_fi").text_limit == 200
    assert TABLES["stations"].column("station_id").text_limit == 64
    assert Column("x", "str", False, "").text_limit == DEFAULT_MAX_LENGTH["str"]
    assert Column("x", "int", False, "").text_limit is None


def test_a_station_name_over_the_limit_is_refused_with_file_row_column_and_limit(tmp_path):
    settings = make_settings(tmp_path)
    name = "Näsi " * 1000  # 5 000 characters
    folder = write_folder(tmp_path / "in", {"stations": [STATION_ROWS[1], _station(name_fi=name)],
                                            "contacts": [contact()]})  # fmt: skip
    error = only_error(ingest_errors(settings, folder))
    assert (error.file, error.row, error.column) == ("stations.csv", 2, "name_fi")
    assert "at most 200" in error.message and "4,999 characters" in error.message
    assert len(error.value) <= 60 and len(str(error)) < 300  # a short excerpt, not the value
    assert Warehouse(settings).snapshot is None


def test_a_20_mb_name_in_parquet_is_refused_and_not_echoed(tmp_path):
    settings = make_settings(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    rows = {key: [value] for key, value in _station(name_fi="x" * (20 << 20)).items()}
    pq.write_table(pa.table(rows), folder / "stations.parquet")
    write_folder(folder, {"contacts": [contact()]})
    exc = ingest_errors(settings, folder)
    error = only_error(exc)
    assert (error.file, error.row, error.column) == ("stations.parquet", 1, "name_fi")
    assert "20,971,520 characters" in error.message
    assert len(str(exc)) < 1000
    assert sum(len(line) for line in read_ingest_log(settings)[-1]["errors"]) < 1000


# --- 2. implausible dates ------------------------------------------------------------------------------------


def test_a_far_future_timestamp_is_refused(tmp_path):
    settings = make_settings(tmp_path)
    folder = write_folder(tmp_path / "in", {"contacts": [contact("C1"), contact("C2", started_at="2099-03-06T10:00")]})
    error = only_error(ingest_errors(settings, folder))
    assert (error.file, error.row, error.column, error.value) == ("contacts.csv", 2, "started_at", "2099-03-06T10:00")
    assert "VALVOMO_INGEST_FUTURE_DAYS=366" in error.message and "extraction time" in error.message


def test_the_future_margin_is_configurable(tmp_path):
    soon = (dt.date.today() + dt.timedelta(days=30)).isoformat() + "T10:00"
    folder = write_folder(tmp_path / "in", {"contacts": [contact("C1", started_at=soon)]})
    assert ingest(make_settings(tmp_path / "a"), folder).row_counts["contacts"] == 1
    error = only_error(ingest_errors(make_settings(tmp_path / "b", ingest_future_days=7), folder))
    assert error.column == "started_at" and "VALVOMO_INGEST_FUTURE_DAYS=7" in error.message


def test_dates_before_the_plausible_start_are_refused(tmp_path):
    settings = make_settings(tmp_path, ingest_earliest_date=dt.date(2010, 1, 1))
    folder = write_folder(tmp_path / "in", {
        "contacts": [contact("C1", contacted_at="1970-01-01T00:00")],
        "patients": PATIENT_ROWS,
        "interventions": [{"intervention_id": "I1", "patient_id": "P1", "station_id": "S1", "method": "IPC",
                           "recommended_on": "2009-12-31"}],
    })  # fmt: skip
    errors = ingest_errors(settings, folder).errors
    located = {(e.file, e.row, e.column) for e in errors}
    assert ("contacts.csv", 1, "contacted_at") in located
    assert ("interventions.csv", 1, "recommended_on") in located
    assert all("2010-01-01" in e.message for e in errors if e.column in ("contacted_at", "recommended_on"))


def test_typed_parquet_timestamps_are_bounded_too(tmp_path):
    settings = make_settings(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    rows = contact("C1")
    table = {key: [value] for key, value in rows.items() if key != "started_at"}
    table["started_at"] = pa.array([dt.datetime(2099, 1, 1, 8, 0)], pa.timestamp("us"))
    pq.write_table(pa.table(table), folder / "contacts.parquet")
    error = only_error(ingest_errors(settings, folder))
    assert (error.file, error.row, error.column) == ("contacts.parquet", 1, "started_at")


# --- 4. a line longer than a read block ----------------------------------------------------------------------


def test_find_long_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n1,2\n" + b"x" * 5000 + b"\n3,4\n")
    assert find_long_line(path, 4096, chunk=1000) == (3, 5000)
    assert find_long_line(path, 10_000) is None


def test_a_60_mb_line_is_reported_in_plain_words_without_knock_on_errors(tmp_path):
    settings = make_settings(tmp_path)
    folder = write_folder(tmp_path / "in", {"patients": PATIENT_ROWS, "contacts": [contact("C1")]})
    with open(folder / "patients.csv", "a", encoding="utf-8") as handle:
        handle.write("P3," + "9" * (60 << 20) + ",F,638,fi\n")
    exc = ingest_errors(settings, folder)
    error = only_error(exc)
    assert (error.file, error.row) == ("patients.csv", 3)
    assert "line 4 is 60.0 MiB long" in error.message
    assert "straddl" not in str(exc)


def test_a_line_longer_than_a_block_is_reported_with_its_row(tmp_path, monkeypatch):
    """The same path as the 60 MB line with a small read block (fast)."""
    import valvomo.ingest.readers as readers

    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 1 << 16)
    settings = make_settings(tmp_path)
    patients = [*PATIENT_ROWS, {"patient_id": "P3", "birth_year": "9" * 200_000, "sex": "F", "municipality": "638"}]
    contacts = [contact(f"C{i}", patient_id="P2") for i in range(30)]
    folder = write_folder(tmp_path / "in", {"patients": patients, "contacts": contacts})
    exc = ingest_errors(settings, folder)
    assert CSV_BLOCK_BYTES == 16 << 20
    first = exc.errors[0]
    assert (first.file, first.row) == ("patients.csv", 3)
    assert "line 4 is 195 KiB long; a row may be at most 64 KiB" in first.message
    assert "reading stopped" in first.message and "straddl" not in str(exc)
    # contacts refer to patients, which failed: one summary line, not one error per contact
    assert len(exc.errors) <= 2 and exc.total <= 2, exc.lines()


# --- 5. root cause first --------------------------------------------------------------------------------------


def test_a_nul_byte_in_a_station_key_is_reported_at_the_station_row_first(tmp_path):
    settings = make_settings(tmp_path)
    stations = [_station(station_id="S1\x00"), STATION_ROWS[1]]
    contacts = [contact(f"C{i}") for i in range(100)]
    folder = write_folder(tmp_path / "in", {"stations": stations, "contacts": contacts})
    exc = ingest_errors(settings, folder)
    first = exc.errors[0]
    assert (first.file, first.row, first.column) == ("stations.csv", 1, "station_id")
    assert "NUL byte at character 3" in first.message
    assert "\\x00" in display_value(first.value)
    assert exc.total == 2, exc.lines()
    summary = exc.errors[1]
    assert (summary.file, summary.row, summary.column) == ("contacts.csv", None, "station_id")
    assert "100 row(s)" in summary.message and "stations.csv" in summary.message


def test_references_into_a_valid_table_are_still_listed(tmp_path):
    settings = make_settings(tmp_path)
    folder = write_folder(tmp_path / "in", {"stations": STATION_ROWS, "contacts": [contact("C1", station_id="S9")]})
    error = only_error(ingest_errors(settings, folder))
    assert (error.file, error.row, error.column, error.value) == ("contacts.csv", 1, "station_id", "S9")


# --- 6. symlinks and echoed content ---------------------------------------------------------------------------


def test_a_symlink_leaving_the_folder_is_refused_and_its_content_not_echoed(tmp_path):
    settings = make_settings(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:secret-content:/root:/bin/bash\n", encoding="utf-8")
    folder = write_folder(tmp_path / "in", {"contacts": [contact()]})
    os.symlink(secret, folder / "stations.csv")
    exc = ingest_errors(settings, folder)
    error = only_error(exc)
    assert (error.file, error.row) == ("stations.csv", None)
    assert "outside the input folder" in error.message
    assert "secret-content" not in str(exc)
    assert Warehouse(settings).snapshot is None


def test_a_symlink_inside_the_folder_is_followed(tmp_path):
    settings = make_settings(tmp_path)
    folder = write_folder(tmp_path / "in", {"contacts": [contact()]})
    (folder / "data").mkdir()
    os.replace(folder / "contacts.csv", folder / "data" / "contacts.csv")
    os.symlink(folder / "data" / "contacts.csv", folder / "contacts.csv")
    assert ingest(settings, folder).row_counts["contacts"] == 1


def test_identity_codes_inside_a_long_value_are_masked(tmp_path):
    settings = make_settings(tmp_path)
    folder = write_folder(tmp_path / "in", {"contacts": [contact("C1", profession="id 131052-308T here")]})
    error = only_error(ingest_errors(settings, folder))
    assert "131052-308T" not in str(error) and "******-****" in error.value


# --- 7. values printed literally ------------------------------------------------------------------------------


def test_cli_prints_data_values_literally(tmp_path, monkeypatch):
    monkeypatch.setenv("VALVOMO_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    folder = write_folder(tmp_path / "in", {"contacts": [contact("C1", profession=":x: [bold]boom[/bold]")]})
    try:
        result = CliRunner().invoke(app, ["ingest", str(folder), "--no-progress", "--no-materialise"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0
    assert ":x: [bold]boom[/bold]" in result.output, result.output
    assert "❌" not in result.output
