"""Validated, atomic load of a folder of canonical tables into the warehouse.

The order of work is what makes the load atomic:

1. take the warehouse's ingest lock (one ingest at a time);
2. stream every input file through validation into staged Parquet files in
   the new snapshot's staging directory — nothing visible yet;
3. check duplicate keys and references over the future state of every table;
4. on any error: remove the staging directory, log the run as failed and raise
   ``IngestError`` — the warehouse reads exactly as before;
5. otherwise assemble the new snapshot (replaced tables renamed in, appended
   tables written as stored rows + new rows, other tables hard-linked) and
   publish it with the atomic pointer swap of ``SnapshotBuilder.commit``.

A process killed at any moment before the swap leaves only files that
``CURRENT`` does not name (a staging directory, perhaps a renamed but
unpublished snapshot), which the next ingest removes. ``crash_checkpoint``
marks the points where the kill tests stop the load.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from valvomo.ingest.checks import SetChecks, TablePlan
from valvomo.ingest.errors import ErrorCollector, IngestError, ValidationError
from valvomo.ingest.log import append_ingest_log
from valvomo.ingest.progress import IngestProgress
from valvomo.ingest.readers import SourceFile, TableReader, discover, parquet_batches
from valvomo.ingest.validate import DateBounds, TableValidator
from valvomo.schema import LOAD_ORDER, TABLES
from valvomo.warehouse.canonical import arrow_schema, canonicalise
from valvomo.warehouse.snapshots import (
    CorruptWarehouseError,
    Snapshot,
    SnapshotBuilder,
    WarehouseLockedError,
    crash_checkpoint,
)
from valvomo.warehouse.store import Warehouse

if TYPE_CHECKING:
    from valvomo.config import Settings

PARQUET_COMPRESSION = "zstd"


@dataclass(frozen=True)
class IngestResult:
    """What a successful ingest loaded."""

    snapshot_id: str
    mode: str
    source: Path
    tables: dict[str, int]
    row_counts: dict[str, int]
    warnings: list[str]
    seconds: float


@dataclass
class _Staged:
    source: SourceFile
    path: Path | None
    rows: int
    to_data_row: Callable[[int], int]
    failed: bool = False  # the file had errors of its own (or could not be read to the end)


@dataclass
class _Run:
    """What the ingest log records about one run, filled in as the run proceeds."""

    folder: Path
    mode: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started_at: str = field(default_factory=lambda: _now())
    tables: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def record(self, status: str, **extra: Any) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": _now(),
            "source": str(self.folder),
            "mode": self.mode,
            "tables": dict(self.tables),
            "status": status,
            "warnings": list(self.warnings),
            **extra,
        }


def _now() -> str:
    return dt.datetime.now(ZoneInfo("Europe/Helsinki")).isoformat(timespec="seconds")


def _storage_schema(name: str) -> pa.Schema:
    return pa.schema([pa.field(f.name, f.type) for f in arrow_schema(name)])


def ingest_folder(
    settings: Settings, folder: Path, *, append: bool = False, progress: bool = True
) -> IngestResult:
    """Validate the tables in ``folder`` and publish them as a new warehouse snapshot.

    Without ``append`` each table in the folder replaces the stored one and other
    stored tables are kept; with ``append`` its rows are added to the stored ones
    (a primary key already stored is an error). Raises ``IngestError`` — with the
    validation errors in ``.errors`` — and leaves the warehouse untouched on any
    problem. Every run, failed or not, is appended to the ingest log.
    """
    folder = Path(folder).expanduser().resolve()
    run = _Run(folder, "append" if append else "replace")
    began = time.monotonic()
    try:
        result = _ingest(settings, folder, append, progress, run, began)
    except IngestError as exc:
        append_ingest_log(settings, run.record("failed", errors=exc.lines(), error_count=exc.total))
        raise
    except (WarehouseLockedError, CorruptWarehouseError, OSError) as exc:
        # Not the data's fault but the environment's: a busy or damaged warehouse, a full disk.
        error = IngestError(str(exc) if isinstance(exc, RuntimeError) else f"{type(exc).__name__}: {exc}")
        append_ingest_log(settings, run.record("failed", errors=[str(error)], error_count=1))
        raise error from None
    except BaseException as exc:
        append_ingest_log(
            settings, run.record("failed", errors=[f"{type(exc).__name__}: {exc}"], error_count=1)
        )
        raise
    append_ingest_log(
        settings,
        run.record(
            "ok", snapshot_id=result.snapshot_id, row_counts=result.row_counts, errors=[], error_count=0
        ),
    )
    return result


def _ingest(
    settings: Settings, folder: Path, append: bool, progress: bool, run: _Run, began: float
) -> IngestResult:
    if not folder.is_dir():
        raise IngestError(f"{folder} is not a folder")
    collector = ErrorCollector(settings.ingest_max_errors)
    contents = discover(folder, collector)
    run.warnings.extend(contents.warnings)
    if not contents.files and contents.manifest is None and not collector:
        raise IngestError(
            f"no tables found in {folder}; expected files named <table>.csv or <table>.parquet "
            f"for tables {', '.join(LOAD_ORDER)}"
        )
    failed = f"ingest of {folder} failed; the warehouse is unchanged"
    warehouse = Warehouse(settings)
    with warehouse.lock() as lock, warehouse.begin(lock) as builder, IngestProgress(progress) as bar:
        stored = builder.parent
        stored_counts = stored.row_counts if stored else {}
        if not contents.gives("contacts") and "contacts" not in stored_counts:
            collector.add(
                ValidationError(
                    "contacts.csv",
                    None,
                    None,
                    None,
                    "required table missing: the folder needs contacts.csv or contacts.parquet",
                )
            )
        bounds = DateBounds.around(
            _extraction_time(), settings.ingest_future_days, settings.ingest_earliest_date
        )
        staged = {
            name: _stage(source, builder.work_path(f"{name}.parquet"), collector, bar, bounds)
            for name, source in contents.files.items()
        }
        for name, table in staged.items():
            run.tables[name] = table.rows
        plans = _plans(staged, stored, append)
        task = bar.task("keys and references", None)
        failed_tables = {name for name, table in staged.items() if table.failed}
        checks = SetChecks(plans, collector, builder.work_path("duckdb"), failed_tables,
                           memory_limit=settings.duckdb_memory_limit, threads=settings.duckdb_threads)
        try:
            checks.run()
        finally:
            checks.close()
        bar.finish(task)
        collector.raise_if_any(failed)
        crash_checkpoint("validated")

        task = bar.task("writing snapshot", len(LOAD_ORDER))
        row_counts = _assemble(builder, staged, stored, append)
        manifest = _manifest(stored, contents.manifest, staged, append, run.warnings)
        snapshot = builder.commit(
            row_counts,
            manifest,
            {"folder": str(folder), "mode": run.mode, "tables": dict(run.tables), "run_id": run.run_id},
        )
        bar.finish(task)
    return IngestResult(
        snapshot_id=snapshot.id,
        mode=run.mode,
        source=folder,
        tables=dict(run.tables),
        row_counts=dict(snapshot.row_counts),
        warnings=list(run.warnings),
        seconds=time.monotonic() - began,
    )


def _extraction_time() -> dt.datetime:
    """When the extract was taken, at the latest: now, as naive Helsinki wall-clock time like the warehouse."""
    return dt.datetime.now(ZoneInfo("Europe/Helsinki")).replace(tzinfo=None, microsecond=0)


def _stage(
    source: SourceFile, target: Path, collector: ErrorCollector, bar: IngestProgress, bounds: DateBounds
) -> _Staged:
    """Read and validate one file into a staged Parquet file in canonical types."""
    errors_before = collector.total
    reader = TableReader(source, collector)
    task = bar.task(source.name, reader.total_units)
    rows = 0
    path = None
    if reader.header is not None:
        validator = TableValidator(source.name, TABLES[source.table], reader.header, collector, bounds)
        with pq.ParquetWriter(
            target, _storage_schema(source.table), compression=PARQUET_COMPRESSION
        ) as writer:
            for batch, done in reader.batches():
                writer.write_table(validator.validate(batch))
                bar.update(task, done)
        validator.finish()
        rows, path = validator.rows, target
    if reader.numbering.skipped:
        collector.renumber(source.name, reader.numbering.to_data_row)
    reader.report_broken_rows()
    bar.finish(task)
    # Give the file's freed batches back to the system: the allocator keeps them otherwise, and the
    # duplicate and reference checks that follow need the room (docs/performance.md, "Ingest").
    pa.default_memory_pool().release_unused()
    return _Staged(source, path, rows, reader.numbering.to_data_row, collector.total > errors_before)


def _plans(staged: dict[str, _Staged], stored: Snapshot | None, append: bool) -> dict[str, TablePlan]:
    plans = {}
    for name in LOAD_ORDER:
        stored_file = stored.table_path(name) if stored and name in stored.row_counts else None
        table = staged.get(name)
        if table is not None and table.path is not None:
            plans[name] = TablePlan(
                name,
                new_file=table.path,
                new_label=table.source.name,
                stored_file=stored_file if append else None,
                to_data_row=table.to_data_row,
            )
        elif table is None and stored_file is not None:
            plans[name] = TablePlan(name, stored_file=stored_file)
    return plans


def _assemble(
    builder: SnapshotBuilder, staged: dict[str, _Staged], stored: Snapshot | None, append: bool
) -> dict[str, int]:
    """Put every table of the new snapshot in place; returns its row counts."""
    stored_counts = stored.row_counts if stored else {}
    row_counts = {}
    for name in LOAD_ORDER:
        table = staged.get(name)
        if table is None:
            if name in stored_counts:
                builder.carry(name)
                row_counts[name] = stored_counts[name]
                crash_checkpoint(f"table_written:{name}")
            continue
        if append and name in stored_counts:
            _concatenate(name, [stored.table_path(name), table.path], builder.table_path(name))
            row_counts[name] = stored_counts[name] + table.rows
        else:
            os.replace(table.path, builder.table_path(name))
            row_counts[name] = table.rows
        crash_checkpoint(f"table_written:{name}")
    return row_counts


def _concatenate(name: str, parts: list[Path], target: Path) -> None:
    """Stream stored rows then new rows into one file, batch by batch (bounded memory)."""
    with pq.ParquetWriter(target, _storage_schema(name), compression=PARQUET_COMPRESSION) as writer:
        for part in parts:
            for batch in parquet_batches(pq.ParquetFile(part)):
                writer.write_table(canonicalise(name, pa.Table.from_batches([batch])))


def _manifest(
    stored: Snapshot | None,
    given: dict[str, Any] | None,
    staged: dict[str, _Staged],
    append: bool,
    warnings: list[str],
) -> dict[str, Any]:
    """Stored flags, updated by the folder's manifest.json.

    A flag describes a table, so replacing that table without restating the
    flag drops it (with a warning) rather than carrying a claim the new file
    may not honour.
    """
    manifest = dict(stored.manifest) if stored else {}
    if "patients" in staged and not append and "patients_are_all_residents" in manifest:
        if given is None or "patients_are_all_residents" not in given:
            warnings.append(
                "patients replaced without manifest.json stating patients_are_all_residents; the flag is dropped"
            )
        manifest.pop("patients_are_all_residents")
    manifest.update(given or {})
    return manifest
