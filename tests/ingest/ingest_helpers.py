"""Small hand-made input folders for the ingest and warehouse tests."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from valvomo.config import Settings
from valvomo.ingest import IngestError, ingest_folder

STATION_ROWS = [
    {
        "station_id": "S1",
        "name_fi": "Näsi",
        "name_sv": "",
        "municipality": "638",
        "county": "Itä-Uusimaa",
        "kind": "health_station",
    },
    {
        "station_id": "S2",
        "name_fi": "Loviisa",
        "name_sv": "Lovisa",
        "municipality": "434",
        "county": "Itä-Uusimaa",
        "kind": "health_station",
    },
]

PATIENT_ROWS = [
    {"patient_id": "P1", "birth_year": "1950", "sex": "F", "municipality": "638", "language": "sv"},
    {"patient_id": "P2", "birth_year": "1985", "sex": "M", "municipality": "434", "language": "fi"},
]


def contact(contact_id: str = "C1", **overrides: str) -> dict[str, str]:
    """A valid contacts row; override any column."""
    row = {
        "contact_id": contact_id,
        "patient_id": "P1",
        "station_id": "S1",
        "profession": "nurse",
        "contact_type": "R10",
        "service_type": "T11",
        "nature": "SH",
        "urgency": "non_urgent",
        "contacted_at": "2024-03-04T08:00",
        "assessed_at": "2024-03-04T09:00",
        "started_at": "2024-03-06T10:00",
    }
    row.update(overrides)
    return row


def csv_text(rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    columns = columns or list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_folder(
    folder: Path, tables: dict[str, list[dict[str, str]] | str], manifest: dict | None = None
) -> Path:
    """Write ``{table: rows or raw CSV text}`` as <table>.csv files (and manifest.json)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        text = rows if isinstance(rows, str) else csv_text(rows)
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    if manifest is not None:
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def make_settings(tmp_path: Path, **kwargs) -> Settings:
    return Settings(home=tmp_path / "home", **kwargs)


def ingest(settings: Settings, folder: Path, **kwargs):
    return ingest_folder(settings, folder, progress=False, **kwargs)


def ingest_errors(settings: Settings, folder: Path, **kwargs) -> IngestError:
    """Run an ingest that must fail; return its error."""
    try:
        ingest(settings, folder, **kwargs)
    except IngestError as exc:
        return exc
    raise AssertionError(f"ingest of {folder} unexpectedly succeeded")


def only_error(exc: IngestError, column: str | None = None):
    """The single error (for ``column``, if given) — tests check one rule at a time."""
    errors = [e for e in exc.errors if column is None or e.column == column]
    assert len(errors) == 1, [str(e) for e in exc.errors]
    return errors[0]


def assert_names(error, file: str, row: int | None, column: str | None, value: str | None) -> None:
    """The error, and its printed form, name the file, row, column and value."""
    assert (error.file, error.row, error.column, error.value) == (file, row, column, value)
    text = str(error)
    assert file in text
    if row is not None:
        assert f"{file}:{row}" in text
    if column is not None:
        assert column in text
    if value is not None:
        assert repr(value) in text
