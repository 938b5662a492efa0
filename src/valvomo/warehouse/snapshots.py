"""Immutable warehouse snapshots on disk, published by an atomic pointer swap.

Layout under ``settings.warehouse_dir``::

    CURRENT                       id of the published snapshot (one line)
    snapshots/<id>/<table>.parquet
    snapshots/<id>/snapshot.json  tables, row counts, manifest, parent id, source
    staging/<id>/                 a snapshot being built (never read)
    ingest.lock                   held (flock) by the one ingest allowed at a time

A snapshot is never modified after it is published. A new one is built in
``staging/``, fsynced, renamed into ``snapshots/`` and published by replacing
``CURRENT`` with ``os.replace`` — one atomic rename. A process killed at any
moment therefore leaves ``CURRENT`` naming either the old or the new snapshot,
both complete. Unchanged tables are hard links to the parent's files, so a new
snapshot costs only the tables that changed.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import secrets
import shutil
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SNAPSHOTS_DIR = "snapshots"
STAGING_DIR = "staging"
POINTER_FILE = "CURRENT"
LOCK_FILE = "ingest.lock"
METADATA_FILE = "snapshot.json"
KILL_AT_VARIABLE = "VALVOMO_TEST_KILL_AT"


class WarehouseLockedError(RuntimeError):
    """Another ingest holds the warehouse lock."""


class CorruptWarehouseError(RuntimeError):
    """``CURRENT`` names a snapshot that is not on disk (the warehouse was edited by hand)."""


@dataclass(frozen=True)
class Snapshot:
    """A published, immutable set of canonical tables."""

    id: str
    path: Path
    row_counts: dict[str, int]
    manifest: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None
    created_at: str = ""
    source: dict[str, Any] = field(default_factory=dict)

    def table_path(self, name: str) -> Path:
        return self.path / f"{name}.parquet"

    @classmethod
    def load(cls, directory: Path) -> Snapshot:
        meta = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
        return cls(
            id=meta["id"],
            path=directory,
            row_counts={name: int(rows) for name, rows in meta["row_counts"].items()},
            manifest=dict(meta.get("manifest") or {}),
            parent=meta.get("parent"),
            created_at=meta.get("created_at", ""),
            source=dict(meta.get("source") or {}),
        )


def read_pointer(root: Path) -> str | None:
    """The id of the published snapshot, or None for an empty warehouse."""
    try:
        text = (root / POINTER_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text or None


def current_snapshot(root: Path) -> Snapshot | None:
    snapshot_id = read_pointer(root)
    if snapshot_id is None:
        return None
    directory = root / SNAPSHOTS_DIR / snapshot_id
    if not (directory / METADATA_FILE).exists():
        raise CorruptWarehouseError(f"{root / POINTER_FILE} names snapshot {snapshot_id!r}, which is missing")
    return Snapshot.load(directory)


def crash_checkpoint(name: str) -> None:
    """Test hook for crash consistency: die by SIGKILL here when ``VALVOMO_TEST_KILL_AT`` is ``name``.

    The atomicity promise ("a load killed with SIGKILL leaves earlier results
    unchanged") can only be tested reliably by killing the ingest at known
    points of the load and commit path, not at guessed moments. Each call names
    one such point (``validated``, ``table_written:<table>``, ``before_fsync``,
    ``before_rename``, ``before_pointer_swap``, ``after_pointer_swap``,
    ``before_gc``); tests/warehouse/test_warehouse_kill.py reaches every one.

    This is the one deliberate exception to "only ``valvomo.config`` reads the
    environment": a crash switch is not configuration, and a ``Settings`` field
    would have to be threaded through every caller for a test-only purpose. With
    the variable unset (always, outside those tests) the call is a dictionary lookup.
    """
    if os.environ.get(KILL_AT_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync_path(path: Path, *, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _new_snapshot_id() -> str:
    # Sortable by creation time; the random tail keeps two ingests in one microsecond apart.
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{secrets.token_hex(3)}"


class IngestLock:
    """Exclusive, non-blocking lock on ``ingest.lock`` (flock).

    The kernel releases a flock when its holder dies, even by SIGKILL, so a
    crashed ingest never leaves the warehouse locked. The file records who holds
    the lock, for the error message of the ingest that finds it busy.
    """

    def __init__(self, root: Path):
        self.root = root
        self.path = root / LOCK_FILE
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> IngestLock:
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown process"
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise WarehouseLockedError(
                    f"another ingest is running on {self.root} ({holder}); wait for it to finish and try again"
                ) from None
            raise
        os.ftruncate(fd, 0)
        started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        os.pwrite(fd, f"pid {os.getpid()}, started {started}".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> IngestLock:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


class SnapshotBuilder:
    """Builds the next snapshot in ``staging/`` and publishes it on ``commit``.

    Only the holder of the ``IngestLock`` may build. Until ``commit`` swaps the
    pointer nothing here is visible to readers; ``discard`` (or leaving the
    ``with`` block without committing) removes the staging directory.
    """

    def __init__(self, root: Path, lock: IngestLock, parent: Snapshot | None):
        if not lock.held:
            raise RuntimeError("building a snapshot needs the warehouse ingest lock")
        self.root = root
        self.parent = parent
        clear_staging(root)
        self.id = _new_snapshot_id()
        self.path = root / STAGING_DIR / self.id
        self.work_dir = self.path / ".work"
        self.work_dir.mkdir(parents=True)
        self.committed: Snapshot | None = None

    def table_path(self, name: str) -> Path:
        """Where the final file of table ``name`` goes in the new snapshot."""
        return self.path / f"{name}.parquet"

    def work_path(self, name: str) -> Path:
        """Scratch space for intermediate files (removed before publishing)."""
        return self.work_dir / name

    def carry(self, name: str) -> None:
        """Take table ``name`` unchanged from the parent snapshot (hard link, copy as fallback)."""
        if self.parent is None:
            raise KeyError(f"no parent snapshot to carry {name!r} from")
        source, target = self.parent.table_path(name), self.table_path(name)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)

    def commit(
        self, row_counts: Mapping[str, int], manifest: Mapping[str, Any], source: Mapping[str, Any]
    ) -> Snapshot:
        """Make the staged snapshot durable, publish it atomically, then collect old snapshots."""
        shutil.rmtree(self.work_dir)
        for name in row_counts:
            if not self.table_path(name).exists():
                raise FileNotFoundError(f"snapshot {self.id} has no file for table {name!r}")
        crash_checkpoint("before_fsync")
        meta = {
            "id": self.id,
            "parent": self.parent.id if self.parent else None,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "row_counts": dict(row_counts),
            "manifest": dict(manifest),
            "source": dict(source),
        }
        _write_durably(self.path / METADATA_FILE, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        for child in self.path.iterdir():
            _fsync_path(child)
        _fsync_path(self.path, directory=True)

        snapshots = self.root / SNAPSHOTS_DIR
        snapshots.mkdir(exist_ok=True)
        published = snapshots / self.id
        crash_checkpoint("before_rename")
        os.rename(self.path, published)
        _fsync_path(snapshots, directory=True)

        pointer_tmp = self.root / f"{POINTER_FILE}.tmp"
        _write_durably(pointer_tmp, self.id + "\n")
        crash_checkpoint("before_pointer_swap")
        os.replace(pointer_tmp, self.root / POINTER_FILE)
        crash_checkpoint("after_pointer_swap")
        _fsync_path(self.root, directory=True)

        self.committed = Snapshot.load(published)
        crash_checkpoint("before_gc")
        collect_garbage(self.root, keep={self.id, *([self.parent.id] if self.parent else [])})
        return self.committed

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> SnapshotBuilder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.committed is None:
            self.discard()


def clear_staging(root: Path) -> None:
    """Remove snapshots-in-progress left by failed or killed ingests (call with the lock held)."""
    staging = root / STAGING_DIR
    if staging.exists():
        for entry in staging.iterdir():
            shutil.rmtree(entry, ignore_errors=True)


def collect_garbage(root: Path, keep: set[str]) -> None:
    """Remove snapshots other than ``keep`` and any leftover staging directories.

    Called with the ingest lock held. Leftovers come from ingests that failed or
    were killed; unpublished snapshots were never visible, so removing them is safe.
    """
    snapshots = root / SNAPSHOTS_DIR
    if snapshots.exists():
        for entry in snapshots.iterdir():
            if entry.name in keep:
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    clear_staging(root)
    (root / f"{POINTER_FILE}.tmp").unlink(missing_ok=True)
