"""Find the canonical tables in a folder and stream them in record batches.

CSV files are read with pyarrow's streaming reader, every column as a string, so
that validation sees exactly what was written (leading zeros, odd spellings) and
memory stays bounded by one block however large the file. Parquet files are
streamed by row group batches with their own types.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from valvomo.ingest.errors import ErrorCollector, ValidationError
from valvomo.schema import LOAD_ORDER, MANIFEST_FILE, TABLES
from valvomo.schema.rules import MANIFEST_KEYS

CSV_BLOCK_BYTES = 16 << 20
PARQUET_BATCH_ROWS = 256_000

Format = Literal["csv", "parquet"]


@dataclass(frozen=True)
class SourceFile:
    """One input file holding one canonical table."""

    table: str
    path: Path
    format: Format

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class FolderContents:
    files: dict[str, SourceFile]
    manifest: dict[str, Any] | None
    warnings: list[str] = field(default_factory=list)
    ambiguous: set[str] = field(default_factory=set)

    def gives(self, table: str) -> bool:
        """The folder holds ``table`` (possibly twice, which is an error of its own)."""
        return table in self.files or table in self.ambiguous


def discover(folder: Path, collector: ErrorCollector) -> FolderContents:
    """Map table names to files; unknown files are warnings, a table given twice is an error."""
    found: dict[str, list[SourceFile]] = {}
    warnings: list[str] = []
    manifest = None
    root = folder.resolve()
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if _leaves_folder(path, root):
            collector.add(
                ValidationError(
                    path.name,
                    None,
                    None,
                    None,
                    "is a link to a file outside the input folder, which ingest does not follow; "
                    "copy the file into the folder instead",
                )
            )
            continue
        if path.name == MANIFEST_FILE:
            manifest = read_manifest(path, collector, warnings)
            continue
        stem, suffix = path.stem, path.suffix.lower()
        if path.is_file() and stem in TABLES and suffix in (".csv", ".parquet"):
            found.setdefault(stem, []).append(SourceFile(stem, path, suffix[1:]))
        else:
            warnings.append(
                f"{path.name}: ignored (not a canonical table; expected <table>.csv or <table>.parquet "
                f"for one of {', '.join(LOAD_ORDER)})"
            )
    files: dict[str, SourceFile] = {}
    ambiguous = set()
    for table in LOAD_ORDER:
        sources = found.get(table, [])
        if len(sources) > 1:
            ambiguous.add(table)
            names = " and ".join(s.name for s in sources)
            collector.add(
                ValidationError(
                    sources[0].name, None, None, None, f"{names} both hold table {table}; keep one"
                )
            )
        elif sources:
            files[table] = sources[0]
    return FolderContents(files, manifest, warnings, ambiguous)


def _leaves_folder(path: Path, root: Path) -> bool:
    """A symbolic link (or a chain of them) whose target is not inside ``root``; a broken link counts too."""
    if not path.is_symlink():
        return False
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return True
    return not target.is_relative_to(root)


def read_manifest(path: Path, collector: ErrorCollector, warnings: list[str]) -> dict[str, Any]:
    """manifest.json: a JSON object of known flags; other keys (e.g. a generator's provenance) get one warning and are not kept."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        collector.add(ValidationError(path.name, None, None, None, f"not valid UTF-8 JSON ({exc})"))
        return {}
    if not isinstance(data, dict):
        collector.add(
            ValidationError(
                path.name,
                None,
                None,
                None,
                'expected a JSON object such as {"patients_are_all_residents": true}',
            )
        )
        return {}
    manifest: dict[str, Any] = {}
    for key, value in data.items():
        if key not in MANIFEST_KEYS:
            continue
        if not isinstance(value, bool):
            collector.add(ValidationError(path.name, None, key, json.dumps(value), "expected true or false"))
        else:
            manifest[key] = value
    unknown = [key for key in data if key not in MANIFEST_KEYS]
    if unknown:
        warnings.append(
            f"{path.name}: keys {', '.join(unknown)} are not Valvomo flags and were not stored "
            f"(known keys: {', '.join(MANIFEST_KEYS)})"
        )
    return manifest


def parquet_batches(parquet: pq.ParquetFile, batch_size: int = PARQUET_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """The file's rows in batches of at most ``batch_size``, one row group at a time.

    One ``iter_batches`` over the whole file keeps growing (about 175 MiB more after 40 row groups
    of 250 000 contacts, pyarrow 26): memory rose with the row count. A fresh reader per row group,
    with the allocator's freed pages given back after each, stays flat, so ingest memory is bounded
    by the batch and row-group size (docs/performance.md, "Ingest").
    """
    pool = pa.default_memory_pool()
    for index in range(parquet.metadata.num_row_groups):
        yield from parquet.iter_batches(batch_size=batch_size, row_groups=[index])
        pool.release_unused()


class RowNumbering:
    """Maps positions among the parsed rows to data rows of the file.

    Structurally broken CSV rows (wrong number of fields) are skipped by the
    parser, so the n-th parsed row is the n-th data row plus the number of
    skipped rows before it.
    """

    def __init__(self, skipped: list[int] | None = None):
        self.skipped = sorted(skipped or [])

    def to_data_row(self, parsed_row: int) -> int:
        row = parsed_row
        for skipped in self.skipped:
            if skipped <= row:
                row += 1
            else:
                break
        return row


@dataclass
class _BrokenRow:
    text: str
    expected: int
    actual: int


class TableReader:
    """Streams one source file: ``header`` first, then ``batches()``.

    Problems of the file itself (unreadable, not UTF-8, broken rows) go to the
    collector; ``numbering`` is final once ``batches()`` is exhausted.
    """

    def __init__(self, source: SourceFile, collector: ErrorCollector):
        self.source = source
        self.collector = collector
        self.numbering = RowNumbering()
        self.header: list[str] | None = None
        self.total_units = 1
        self._broken: list[_BrokenRow] = []
        self._broken_positions: list[int] = []
        self._raw_header: list[str] = []
        self._has_rows = True
        self._parquet: pq.ParquetFile | None = None
        if source.format == "csv":
            self.header = self._read_csv_header()
            self.total_units = source.path.stat().st_size
        else:
            try:
                self._parquet = pq.ParquetFile(source.path)
            except (pa.ArrowException, OSError) as exc:
                self._file_error(f"not a readable Parquet file ({exc})")
            else:
                self.header = list(self._parquet.schema_arrow.names)
                self.total_units = self._parquet.metadata.num_rows

    def _file_error(self, message: str, row: int | None = None) -> None:
        self.collector.add(ValidationError(self.source.name, row, None, None, message))

    def _read_csv_header(self) -> list[str] | None:
        with open(self.source.path, encoding="utf-8-sig", newline="", errors="strict") as handle:
            try:
                header = next(csv.reader(handle), None)
            except UnicodeDecodeError:
                self._file_error("the header is not UTF-8 text; save the file as UTF-8 (Excel: 'CSV UTF-8')")
                return None
            try:
                # Arrow cannot parse a header without a line end; a header-only file has no rows anyway.
                self._has_rows = any(line.strip() for line in handle)
            except UnicodeDecodeError:
                self._has_rows = True  # the CSV reader reports where the bad bytes are
        if not header:
            self._file_error("the file is empty; expected a header row naming the columns")
            return None
        if len(header) == 1 and ";" in header[0]:
            self._file_error(
                "the file seems to be semicolon-separated; Valvomo reads comma-separated UTF-8 CSV"
            )
            return None
        self._raw_header = header
        return [name.strip() for name in header]

    def batches(self) -> Iterator[tuple[pa.RecordBatch, int]]:
        """Record batches with the progress reached (bytes for CSV, rows for Parquet)."""
        if self.header is None:
            return
        if self._parquet is not None:
            done = 0
            try:
                for batch in parquet_batches(self._parquet):
                    done += batch.num_rows
                    yield batch, done
            except (pa.ArrowException, OSError) as exc:
                self._file_error(f"unreadable after data row {done} ({exc})")
            return
        if self._has_rows:
            yield from self._csv_batches()

    def _on_broken_row(self, row: pcsv.InvalidRow) -> str:
        self._broken.append(_BrokenRow(row.text, row.expected_columns, row.actual_columns))
        # A file that is broken throughout is reported by its first rows, not read to the end.
        return "error" if len(self._broken) > self.collector.limit else "skip"

    def _csv_batches(self) -> Iterator[tuple[pa.RecordBatch, int]]:
        handle = pa.OSFile(str(self.source.path))
        parsed_rows = 0
        try:
            reader = pcsv.open_csv(
                handle,
                read_options=pcsv.ReadOptions(block_size=CSV_BLOCK_BYTES),
                parse_options=pcsv.ParseOptions(invalid_row_handler=self._on_broken_row),
                convert_options=pcsv.ConvertOptions(
                    column_types=dict.fromkeys(self._raw_header, pa.string()),
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                ),
            )
            for batch in reader:
                parsed_rows += batch.num_rows
                yield pa.RecordBatch.from_arrays(batch.columns, names=self.header), handle.tell()
        except pa.ArrowInvalid as exc:
            if "straddl" in str(exc):
                self._report_long_line(parsed_rows)
            elif "UTF8" in str(exc) or "UTF-8" in str(exc):
                self._file_error(
                    f"not valid UTF-8 text after data row {parsed_rows}; save the file as UTF-8 (Excel: 'CSV UTF-8')"
                )
            elif len(self._broken) > self.collector.limit:
                self._file_error("too many rows with the wrong number of fields; reading stopped")
            else:
                self._file_error(f"cannot be read as CSV ({_without_row_text(str(exc))})")
        finally:
            handle.close()
        if self._broken:
            self._locate_broken_rows()

    def _report_long_line(self, parsed_rows: int) -> None:
        """Arrow's "straddling object" error: a row longer than one read block. Say where, in plain words."""
        found = find_long_line(self.source.path, CSV_BLOCK_BYTES)
        limit = _size(CSV_BLOCK_BYTES)
        if found is None:
            self._file_error(
                f"a row after data row {parsed_rows} is longer than {limit} (perhaps a quote that is never "
                "closed); reading stopped"
            )
            return
        line, length = found
        self._file_error(
            f"line {line:,} is {_size(length)} long; a row may be at most {limit} (check for a "
            "quote that is never closed or a missing line break); reading stopped",
            row=max(1, line - 1),
        )

    def _locate_broken_rows(self) -> None:
        """Find the data-row numbers of the skipped rows (only when there are any: a slow scan)."""
        pending = list(self._broken)
        positions: list[int] = []
        data_row = 0
        with open(self.source.path, encoding="utf-8-sig", errors="replace", newline="") as handle:
            next(handle, None)
            for line in handle:
                text = line.rstrip("\r\n")
                if not text:
                    continue
                data_row += 1
                if pending and text == pending[0].text:
                    positions.append(data_row)
                    pending.pop(0)
                    if not pending:
                        break
        self.numbering = RowNumbering(positions)
        self._broken_positions = positions

    def report_broken_rows(self) -> None:
        """Add the broken-row errors (after the other errors of the file were renumbered)."""
        positions = self._broken_positions
        for index, broken in enumerate(self._broken[: self.collector.limit]):
            row = positions[index] if index < len(positions) else None
            self.collector.add(
                ValidationError(
                    self.source.name,
                    row,
                    None,
                    None,
                    f"expected {broken.expected} comma-separated fields, found {broken.actual} "
                    "(check the separator and the quoting of values that contain commas)",
                )
            )


def _size(octets: int) -> str:
    return f"{octets / (1 << 20):.1f} MiB" if octets >= 1 << 20 else f"{octets / 1024:.0f} KiB"


def find_long_line(path: Path, limit: int, chunk: int = 1 << 20) -> tuple[int, int] | None:
    """The first line (1-based, header = line 1) longer than ``limit`` bytes and its length, scanning in chunks."""
    line, length = 1, 0
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            start = 0
            while (end := block.find(b"\n", start)) >= 0:
                length += end - start
                if length > limit:
                    return line, length
                line, length, start = line + 1, 0, end + 1
            length += len(block) - start
            if length > limit:
                while (more := handle.read(chunk)) and (newline := more.find(b"\n")) < 0:
                    length += len(more)
                return line, length + (newline if more else 0)
    return None


def _without_row_text(message: str) -> str:
    # Arrow quotes the offending row after a colon; it may hold personal data, so drop it.
    return message.split(":", 1)[0]
