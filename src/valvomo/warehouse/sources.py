"""What engines read: named Ibis tables on one backend.

Engines (indicators, segments, simulation) receive a ``Sources`` object and never
know whether the tables come from the persistent warehouse or from an in-memory
fixture, nor which backend runs them. ``MemorySources`` serves tests and
examples; ``valvomo.warehouse.store.Warehouse`` serves the stored data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

import ibis
import pyarrow as pa

from valvomo.warehouse.backends import connect_backend, register_arrow
from valvomo.warehouse.canonical import canonicalise, table_from_rows
from valvomo.workdays import calendar_table

CALENDAR_START = dt.date(2000, 1, 1)
CALENDAR_END = dt.date(2045, 12, 31)


class MissingTableError(LookupError):
    """An engine asked for a table the warehouse does not hold."""

    def __init__(self, name: str):
        super().__init__(f"the warehouse has no table {name!r}; ingest a folder that contains {name}.csv or {name}.parquet")
        self.name = name


@runtime_checkable
class Sources(Protocol):
    """Named canonical tables as Ibis expressions on one backend."""

    backend: ibis.BaseBackend

    def has(self, name: str) -> bool: ...

    def table(self, name: str) -> ibis.Table: ...

    @property
    def manifest(self) -> Mapping[str, Any]: ...

    def calendar(self) -> ibis.Table: ...


@lru_cache(maxsize=1)
def _calendar_arrow() -> pa.Table:
    return calendar_table(CALENDAR_START, CALENDAR_END)


class MemorySources:
    """Canonical tables held in a backend's memory (tests, fixtures, examples)."""

    def __init__(
        self,
        tables: Mapping[str, pa.Table | Iterable[Mapping[str, Any]]],
        *,
        backend: ibis.BaseBackend | str = "duckdb",
        manifest: Mapping[str, Any] | None = None,
    ):
        self.backend = connect_backend(backend) if isinstance(backend, str) else backend
        self._manifest = dict(manifest or {})
        self._tables: dict[str, ibis.Table] = {}
        for name, data in tables.items():
            arrow = canonicalise(name, data) if isinstance(data, pa.Table) else table_from_rows(name, data)
            self._tables[name] = register_arrow(self.backend, f"src_{name}", arrow)
        self._calendar: ibis.Table | None = None

    def has(self, name: str) -> bool:
        return name in self._tables

    def table(self, name: str) -> ibis.Table:
        try:
            return self._tables[name]
        except KeyError:
            raise MissingTableError(name) from None

    @property
    def manifest(self) -> Mapping[str, Any]:
        return self._manifest

    def calendar(self) -> ibis.Table:
        if self._calendar is None:
            self._calendar = register_arrow(self.backend, "src_calendar", _calendar_arrow())
        return self._calendar
