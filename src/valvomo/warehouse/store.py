"""The persistent warehouse: the published snapshot's Parquet files as Ibis tables.

``Warehouse`` implements the ``Sources`` protocol over the snapshot that
``CURRENT`` names when the object is created (or last refreshed). The catalogue
is in memory: on first use each table becomes a view over its Parquet file on
the configured backend (a DuckDB in-memory database by default, PySpark by
configuration). There is deliberately no ``catalog.duckdb`` file: the pointer
file is the only thing an ingest swaps, so a reader can never see a catalogue
that disagrees with the data, and a dashboard holding the warehouse open never
blocks an ingest on DuckDB's single-writer file lock.

Snapshots are immutable, so a ``Warehouse`` keeps reading a consistent state
while an ingest publishes a new one; ``snapshot_id`` names that state (the
results cache keys on it). Long-lived processes call ``refresh()`` before
serving a request: only the current and the previous snapshot are kept on disk.

The backend connection is one per ``Warehouse`` and not safe for concurrent use, so the
object owns ``connection_lock``: every reader in a multi-threaded process (the dashboard's
pages, the API, the admin pages, the result store's live computations) runs its queries
holding it, through ``ResultStore.reading``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis

from valvomo.schema import LOAD_ORDER
from valvomo.warehouse.backends import (
    connect_duckdb,
    connect_pyspark,
    duckdb_options,
    register_arrow,
    spark_options,
)
from valvomo.warehouse.snapshots import IngestLock, Snapshot, SnapshotBuilder, current_snapshot
from valvomo.warehouse.sources import MissingTableError, _calendar_arrow

if TYPE_CHECKING:
    from valvomo.config import Settings


class Warehouse:
    """Canonical tables of the published snapshot, read through one Ibis backend."""

    def __init__(self, settings: Settings, *, backend: ibis.BaseBackend | str | None = None):
        self.settings = settings
        self.root: Path = settings.warehouse_dir
        self._backend_choice = backend if backend is not None else settings.backend
        self._backend: ibis.BaseBackend | None = None
        self._snapshot: Snapshot | None = current_snapshot(self.root)
        self._tables: dict[str, ibis.Table] = {}
        self._calendar: ibis.Table | None = None
        # Re-entrant: a reader holding it may call code that takes it again (a page's query).
        self.connection_lock = threading.RLock()

    # -- the snapshot -------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot | None:
        return self._snapshot

    @property
    def snapshot_id(self) -> str | None:
        """Id of the snapshot this object reads; changes with every successful ingest."""
        return self._snapshot.id if self._snapshot else None

    def is_current(self) -> bool:
        """False once an ingest has published a newer snapshot than the one read here."""
        latest = current_snapshot(self.root)
        return (latest.id if latest else None) == self.snapshot_id

    def refresh(self) -> bool:
        """Switch to the newest published snapshot; True when it changed."""
        latest = current_snapshot(self.root)
        if (latest.id if latest else None) == self.snapshot_id:
            return False
        with self.connection_lock:  # not while a reader is using the old snapshot's views
            self._snapshot = latest
            self._tables.clear()
        return True

    def is_empty(self) -> bool:
        return not self.tables()

    def tables(self) -> list[str]:
        """Names of the stored tables, referenced tables first (``LOAD_ORDER``)."""
        if self._snapshot is None:
            return []
        return [name for name in LOAD_ORDER if name in self._snapshot.row_counts]

    def row_counts(self) -> dict[str, int]:
        if self._snapshot is None:
            return {}
        return {name: self._snapshot.row_counts[name] for name in self.tables()}

    def path(self, name: str) -> Path:
        """The Parquet file of table ``name`` in the snapshot read here."""
        if not self.has(name):
            raise MissingTableError(name)
        return self._snapshot.table_path(name)

    # -- the Sources protocol -------------------------------------------------------

    @property
    def backend(self) -> ibis.BaseBackend:
        if self._backend is None:
            self._backend = self._connect()
        return self._backend

    def has(self, name: str) -> bool:
        return self._snapshot is not None and name in self._snapshot.row_counts

    def table(self, name: str) -> ibis.Table:
        if not self.has(name):
            raise MissingTableError(name)
        if name not in self._tables:
            view = f"wh_{re.sub(r'[^0-9A-Za-z]', '_', self._snapshot.id)}_{name}"
            self._tables[name] = self.backend.read_parquet(str(self.path(name)), table_name=view)
        return self._tables[name]

    @property
    def manifest(self) -> Mapping[str, Any]:
        return dict(self._snapshot.manifest) if self._snapshot else {}

    def calendar(self) -> ibis.Table:
        if self._calendar is None:
            self._calendar = register_arrow(self.backend, "wh_calendar", _calendar_arrow())
        return self._calendar

    # -- writing (ingest) ------------------------------------------------------------

    def lock(self) -> IngestLock:
        """The exclusive ingest lock; raises ``WarehouseLockedError`` when busy (on ``acquire``)."""
        return IngestLock(self.root)

    def begin(self, lock: IngestLock) -> SnapshotBuilder:
        """Start the next snapshot on top of the newest published one (re-read under the lock)."""
        self.refresh()
        return SnapshotBuilder(self.root, lock, self._snapshot)

    def _connect(self) -> ibis.BaseBackend:
        choice = self._backend_choice
        if not isinstance(choice, str):
            return choice
        if choice == "duckdb":
            return connect_duckdb(**duckdb_options(self.settings))
        if choice == "pyspark":
            return connect_pyspark(**spark_options(self.settings))
        raise ValueError(f"unknown analytics backend {choice!r}; expected 'duckdb' or 'pyspark'")
