"""Streaming writers for the canonical tables (CSV or Parquet).

Each table is written chunk by chunk, so memory stays bounded however many
residents are generated: CSV chunks are appended to one file, Parquet chunks become
row groups of one file. Column names, order and types come from
``valvomo.schema.TABLES``, so the files always match what ingest expects.

CSV conventions (data-model.md): UTF-8, comma, header row, timestamps as
``2024-03-05T09:30:00`` (Helsinki wall clock, no offset), dates ``YYYY-MM-DD``,
booleans ``true``/``false``, empty cell = null. Files are written under a temporary
name and renamed when complete, so an interrupted run never leaves a half table
that looks finished.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from valvomo.schema import TABLES

Format = Literal["csv", "parquet"]

ARROW_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
}


def arrow_schema(table_name: str) -> pa.Schema:
    """The Arrow schema of a canonical table (Parquet types of data-model.md)."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.dtype]) for c in TABLES[table_name].columns])


class TableWriter:
    """Appends chunks of one canonical table to ``<out_dir>/<table>.<fmt>``."""

    def __init__(self, out_dir: Path, table_name: str, fmt: Format):
        self.table_name = table_name
        self.schema = arrow_schema(table_name)
        self.path = out_dir / f"{table_name}.{fmt}"
        self._partial = out_dir / f".{table_name}.{fmt}.partial"
        self.fmt = fmt
        self.rows = 0
        if fmt == "parquet":
            self._parquet = pq.ParquetWriter(self._partial, self.schema, compression="zstd")
        else:
            self._sink = pa.OSFile(str(self._partial), "wb")
            self._sink.write((",".join(self.schema.names) + "\n").encode("utf-8"))
            self._csv_schema = pa.schema(
                [pa.field(f.name, pa.string()) if pa.types.is_timestamp(f.type) else f for f in self.schema]
            )
            self._csv = pa_csv.CSVWriter(
                self._sink,
                self._csv_schema,
                write_options=pa_csv.WriteOptions(include_header=False, quoting_style="none"),
            )

    def write(self, columns: dict[str, pa.Array]) -> None:
        """Append one chunk; ``columns`` must hold exactly the table's columns."""
        expected = set(self.schema.names)
        if set(columns) != expected:
            missing, extra = sorted(expected - set(columns)), sorted(set(columns) - expected)
            raise ValueError(
                f"{self.table_name}: columns do not match the schema (missing {missing}, extra {extra})"
            )
        arrays = [
            pa.array(columns[f.name], type=f.type)
            if not isinstance(columns[f.name], pa.Array)
            else columns[f.name].cast(f.type)
            for f in self.schema
        ]
        table = pa.Table.from_arrays(arrays, schema=self.schema)
        if table.num_rows == 0:
            return
        self.rows += table.num_rows
        if self.fmt == "parquet":
            self._parquet.write_table(table)
        else:
            self._csv.write_table(self._as_csv_text(table))

    def _as_csv_text(self, table: pa.Table) -> pa.Table:
        arrays = []
        for field, column in zip(self.schema, table.columns, strict=True):
            if pa.types.is_timestamp(field.type):
                column = pc.strftime(column.cast(pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%S")
            arrays.append(column)
        return pa.Table.from_arrays(arrays, schema=self._csv_schema)

    def close(self) -> None:
        if self.fmt == "parquet":
            self._parquet.close()
        else:
            self._csv.close()
            self._sink.close()
        self._partial.replace(self.path)

    def abort(self) -> None:
        """Close and remove the partial file after a failure."""
        try:
            if self.fmt == "parquet":
                self._parquet.close()
            else:
                self._sink.close()
        finally:
            self._partial.unlink(missing_ok=True)
