"""Canonical Arrow types of the warehouse tables.

Everything stored in the warehouse, or handed to an engine, has exactly these
types: timestamps are naive ``timestamp[us]`` in Europe/Helsinki wall-clock time
(ingest converts any offset), so the *date* of a timestamp is a plain cast on
every backend. Optional columns missing from a source are added as nulls, and
``licensed`` gets its default from the profession (data-model.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from valvomo.schema import TABLES, codes
from valvomo.schema.tables import DType, Table

ARROW_TYPES: dict[DType, pa.DataType] = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
}


def arrow_schema(table: Table | str) -> pa.Schema:
    """The Arrow schema of a canonical table, columns in schema order."""
    spec = TABLES[table] if isinstance(table, str) else table
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.dtype], nullable=not c.required) for c in spec.columns])


def default_licensed(profession: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Licensed unless the profession is one of the unlicensed ones (data-model.md)."""
    unlicensed = pc.is_in(profession, value_set=pa.array(codes.UNLICENSED_PROFESSIONS))
    return pc.invert(unlicensed)


def canonicalise(name: str, data: pa.Table) -> pa.Table:
    """Cast ``data`` to the canonical schema of table ``name``.

    Adds missing optional columns as nulls, drops unknown columns, orders columns
    as the schema does and fills ``contacts.licensed`` from the profession where
    it is null. Values are assumed already valid (ingest validates first).
    """
    schema = arrow_schema(name)
    columns = []
    for field in schema:
        if field.name in data.column_names:
            column = data.column(field.name)
            if column.type != field.type:
                column = column.cast(field.type)
        else:
            column = pa.nulls(data.num_rows, field.type)
        columns.append(column)
    result = pa.Table.from_arrays(columns, schema=pa.schema([pa.field(f.name, f.type) for f in schema]))
    if name == "contacts":
        licensed = result.column("licensed")
        filled = pc.if_else(pc.is_null(licensed), default_licensed(result.column("profession")), licensed)
        result = result.set_column(result.schema.get_field_index("licensed"), "licensed", filled)
    return result


def table_from_rows(name: str, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """A canonical table from Python rows (tests and small fixtures)."""
    rows = list(rows)
    schema = arrow_schema(name)
    present = {key for row in rows for key in row}
    unknown = present - set(schema.names)
    if unknown:
        raise KeyError(f"{name}: unknown columns {sorted(unknown)}")
    data = {f.name: pa.array([row.get(f.name) for row in rows], type=f.type) for f in schema}
    return canonicalise(name, pa.table(data))
