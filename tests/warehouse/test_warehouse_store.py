"""The persistent warehouse: replace and append semantics, atomic failure, snapshots, lock, log."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))

from ingest_helpers import (  # noqa: E402
    PATIENT_ROWS,
    STATION_ROWS,
    contact,
    ingest,
    ingest_errors,
    make_settings,
    write_folder,
)

from valvomo.ingest import read_ingest_log  # noqa: E402
from valvomo.ingest.log import ingest_log_path  # noqa: E402
from valvomo.warehouse.snapshots import SNAPSHOTS_DIR, STAGING_DIR, IngestLock  # noqa: E402
from valvomo.warehouse.sources import MissingTableError, Sources  # noqa: E402
from valvomo.warehouse.store import Warehouse  # noqa: E402


def contents(warehouse: Warehouse) -> dict[str, list[dict]]:
    """Every stored table as sorted rows (order-insensitive comparison)."""
    return {
        name: sorted(warehouse.table(name).to_pyarrow().to_pylist(), key=repr) for name in warehouse.tables()
    }


@pytest.fixture
def loaded(tmp_path):
    """A warehouse holding stations, patients and contacts."""
    settings = make_settings(tmp_path)
    folder = write_folder(
        tmp_path / "first",
        {
            "stations": STATION_ROWS,
            "patients": PATIENT_ROWS,
            "contacts": [contact("C1"), contact("C2", patient_id="P2")],
        },
        manifest={"patients_are_all_residents": True},
    )
    ingest(settings, folder)
    return settings


def test_empty_warehouse(tmp_path):
    warehouse = Warehouse(make_settings(tmp_path))
    assert warehouse.is_empty() and warehouse.tables() == [] and warehouse.row_counts() == {}
    assert warehouse.snapshot_id is None and warehouse.manifest == {}
    with pytest.raises(MissingTableError):
        warehouse.table("contacts")


def test_warehouse_is_a_sources(loaded):
    warehouse = Warehouse(loaded)
    assert isinstance(warehouse, Sources)
    assert warehouse.tables() == ["stations", "patients", "contacts"]
    assert warehouse.row_counts() == {"stations": 2, "patients": 2, "contacts": 2}
    assert warehouse.manifest == {"patients_are_all_residents": True}
    assert warehouse.table("contacts").count().execute() == 2
    assert {"day", "is_working_day", "next_working_day"} <= set(warehouse.calendar().columns)


def test_replace_keeps_tables_not_in_the_folder(loaded, tmp_path):
    before = contents(Warehouse(loaded))
    result = ingest(loaded, write_folder(tmp_path / "second", {"contacts": [contact("C9", station_id="S2")]}))
    after = Warehouse(loaded)
    assert result.tables == {"contacts": 1}
    assert after.row_counts() == {"stations": 2, "patients": 2, "contacts": 1}
    assert [r["contact_id"] for r in contents(after)["contacts"]] == ["C9"]
    assert (
        contents(after)["stations"] == before["stations"]
        and contents(after)["patients"] == before["patients"]
    )


def test_unchanged_tables_are_hard_links(loaded, tmp_path):
    first = Warehouse(loaded)
    ingest(loaded, write_folder(tmp_path / "second", {"contacts": [contact("C9")]}))
    second = Warehouse(loaded)
    assert os.stat(first.path("stations")).st_ino == os.stat(second.path("stations")).st_ino
    assert os.stat(first.path("contacts")).st_ino != os.stat(second.path("contacts")).st_ino


def test_append_adds_rows(loaded, tmp_path):
    result = ingest(
        loaded, write_folder(tmp_path / "more", {"contacts": [contact("C3"), contact("C4")]}), append=True
    )
    warehouse = Warehouse(loaded)
    assert result.tables == {"contacts": 2} and result.mode == "append"
    assert warehouse.row_counts()["contacts"] == 4  # 2 stored + 2 appended
    assert [r["contact_id"] for r in contents(warehouse)["contacts"]] == ["C1", "C2", "C3", "C4"]


def test_append_rejects_keys_already_stored(loaded, tmp_path):
    before = Warehouse(loaded).snapshot_id
    exc = ingest_errors(
        loaded, write_folder(tmp_path / "more", {"contacts": [contact("C3"), contact("C2")]}), append=True
    )
    [error] = exc.errors
    assert (error.file, error.row, error.column, error.value) == ("contacts.csv", 2, "contact_id", "C2")
    assert "row 2 of contacts (stored in the warehouse)" in error.message
    assert Warehouse(loaded).snapshot_id == before


def test_append_checks_references_against_stored_and_new_rows(loaded, tmp_path):
    folder = write_folder(
        tmp_path / "more",
        {
            "stations": [dict(STATION_ROWS[0], station_id="S3")],
            "contacts": [contact("C3", station_id="S3"), contact("C4", station_id="S1")],
        },
    )
    ingest(loaded, folder, append=True)
    assert Warehouse(loaded).row_counts() == {"stations": 3, "patients": 2, "contacts": 4}


def test_failing_load_changes_nothing(loaded, tmp_path):
    # Every table is valid except the last one loaded (lab_results), whose error is found last.
    before_warehouse = Warehouse(loaded)
    before, before_id = contents(before_warehouse), before_warehouse.snapshot_id
    labs = [
        {"patient_id": "P1", "test": "HbA1c", "value": "48", "taken_at": "2024-03-04T08:00"},
        {"patient_id": "P1", "test": "LDL", "value": "high", "taken_at": "2024-03-04T08:00"},
    ]
    folder = write_folder(
        tmp_path / "bad",
        {
            "stations": [dict(STATION_ROWS[0], name_fi="Uusi")],
            "patients": PATIENT_ROWS,
            "contacts": [contact("C7")],
            "lab_results": labs,
        },
    )
    exc = ingest_errors(loaded, folder)
    assert [(e.file, e.row, e.column) for e in exc.errors] == [("lab_results.csv", 2, "value")]
    after = Warehouse(loaded)
    assert after.snapshot_id == before_id and contents(after) == before
    assert not any((loaded.warehouse_dir / STAGING_DIR).iterdir())


def test_reingesting_the_same_folder_is_idempotent(tmp_path):
    settings = make_settings(tmp_path)
    folder = write_folder(
        tmp_path / "in",
        {"stations": STATION_ROWS, "contacts": [contact("C1"), contact("C2", station_id="S2")]},
    )
    ingest(settings, folder)
    first = Warehouse(settings)
    ingest(settings, folder)
    second = Warehouse(settings)
    assert second.snapshot_id != first.snapshot_id
    assert contents(second) == contents(first)
    assert second.table("contacts").to_pyarrow().equals(first.table("contacts").to_pyarrow())


def test_old_snapshots_are_collected_keeping_the_previous_one(tmp_path):
    settings = make_settings(tmp_path)
    folder = write_folder(tmp_path / "in", {"contacts": [contact()]})
    ids = [ingest(settings, folder).snapshot_id for _ in range(3)]
    kept = sorted(p.name for p in (settings.warehouse_dir / SNAPSHOTS_DIR).iterdir())
    assert kept == sorted(ids[1:])


def test_a_reader_keeps_its_snapshot_until_refresh(loaded, tmp_path):
    reader = Warehouse(loaded)
    assert reader.table("contacts").count().execute() == 2
    ingest(loaded, write_folder(tmp_path / "second", {"contacts": [contact("C9")]}))
    assert not reader.is_current()
    assert reader.table("contacts").count().execute() == 2
    assert reader.refresh() is True
    assert reader.is_current() and reader.table("contacts").count().execute() == 1
    assert reader.refresh() is False


def test_concurrent_ingest_is_refused(loaded, tmp_path):
    before = Warehouse(loaded).snapshot_id
    folder = write_folder(tmp_path / "second", {"contacts": [contact("C9")]})
    with IngestLock(loaded.warehouse_dir):
        exc = ingest_errors(loaded, folder)
    assert "another ingest is running" in str(exc) and f"pid {os.getpid()}" in str(exc)
    assert Warehouse(loaded).snapshot_id == before
    ingest(loaded, folder)  # the lock is free again
    assert Warehouse(loaded).row_counts()["contacts"] == 1


def test_replacing_patients_without_manifest_drops_the_flag(loaded, tmp_path):
    result = ingest(loaded, write_folder(tmp_path / "second", {"patients": PATIENT_ROWS}))
    assert Warehouse(loaded).manifest == {}
    assert any("patients_are_all_residents" in w for w in result.warnings)


def test_manifest_alone_updates_the_flags(loaded, tmp_path):
    folder = write_folder(tmp_path / "second", {}, manifest={"patients_are_all_residents": False})
    ingest(loaded, folder)
    assert Warehouse(loaded).manifest == {"patients_are_all_residents": False}
    assert Warehouse(loaded).row_counts()["contacts"] == 2


def test_ingest_log_records_ok_and_failed_runs(tmp_path):
    settings = make_settings(tmp_path)
    good = write_folder(tmp_path / "good", {"contacts": [contact()]})
    result = ingest(settings, good)
    ingest_errors(settings, write_folder(tmp_path / "bad", {"contacts": [contact(urgency="soon")]}))
    with open(ingest_log_path(settings), "a", encoding="utf-8") as handle:
        handle.write('{"run_id": "torn')  # a run killed while appending
    ok, failed = read_ingest_log(settings)
    assert ok["status"] == "ok" and ok["snapshot_id"] == result.snapshot_id and ok["source"] == str(good)
    assert ok["tables"] == {"contacts": 1} and ok["row_counts"] == {"contacts": 1} and ok["mode"] == "replace"
    assert ok["started_at"] <= ok["finished_at"]
    assert failed["status"] == "failed" and failed["error_count"] == 1
    assert "contacts.csv:1" in failed["errors"][0] and "'soon'" in failed["errors"][0]


def test_missing_folder_is_a_clean_error(tmp_path):
    exc = ingest_errors(make_settings(tmp_path), tmp_path / "nowhere")
    assert "is not a folder" in str(exc)
