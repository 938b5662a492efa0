"""Indicator results for every interface: materialised once per ingest, disclosure-controlled on the way out.

``ResultStore.materialise`` computes every registry indicator the warehouse's
tables allow, for the period kinds and breakdowns the dashboard reads
(``MATERIALISED``: county, station, profession and station x profession by
quarter; county and station by month and by year), and stores the
*unsuppressed* rows once per warehouse snapshot under
``<home>/results/<snapshot_id>/`` (Parquet plus a JSON manifest, written to a
temporary directory and renamed into place; older snapshots are removed).
``ResultStore.query`` serves rows from there when the combination was
materialised and computes the rest live with ``valvomo.indicators.compute``;
either way the rows are identical, and disclosure control is applied last.

Materialising runs inside ``stage_cache``: intermediate tables that several
indicators or breakdowns share (access events, per-patient continuity rows) are
computed once per run as temporary tables and dropped at its end
(docs/performance.md has the measurements behind these choices).

Date ranges select whole periods: a period is included when it lies entirely
within [start, end]. Events are never cut at an arbitrary date, so a figure for
a period is always the figure for the whole period, whichever view shows it,
and two overlapping date ranges cannot be differenced to isolate a few days'
events (disclosure.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import inspect
import json
import logging
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pyarrow as pa
import pyarrow.parquet as pq

from valvomo.config import Settings
from valvomo.disclosure import protect_breakdown, protect_rows
from valvomo.indicators.registry import (
    DIMENSION_COLUMNS,
    DIMENSIONS,
    PERIOD_KINDS,
    REGISTRY,
    Dimension,
    Indicator,
    PeriodKind,
    Query,
    Registry,
    UnknownIndicatorError,
    UnsupportedQueryError,
)
from valvomo.indicators.runner import COUNT_COLUMNS, compute, stage_cache
from valvomo.services.cache import BoundedCache
from valvomo.services.periods import period_within
from valvomo.warehouse.sources import MissingTableError, Sources

log = logging.getLogger(__name__)

__all__ = [
    "BY_COMBINATIONS",
    "MATERIALISED",
    "EmptyWarehouseError",
    "MaterialiseReport",
    "MAX_LIVE_INDICATORS",
    "MissingTableError",
    "QueryTooExpensiveError",
    "ResultStore",
    "UnknownIndicatorError",
    "UnsupportedQueryError",
    "is_materialised_breakdown",
    "materialise_results",
    "parse_by",
]

# Breakdowns stored at ingest (by quarter; see ``MATERIALISED`` for month and year).
BY_COMBINATIONS: tuple[tuple[Dimension, ...], ...] = (
    (),
    ("station",),
    ("profession",),
    ("station", "profession"),
)
# What ``materialise`` stores, per period kind: what the dashboard pages read (web/views/:
# every breakdown by quarter; county and station by month and year). Any other combination is
# computed on request and cached in-process per snapshot; storing all twelve took ~1.35x as long.
MATERIALISED: dict[PeriodKind, tuple[tuple[Dimension, ...], ...]] = {
    "month": ((), ("station",)),
    "quarter": BY_COMBINATIONS,
    "year": ((), ("station",)),
}
RESULTS_FILE = "results.parquet"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
LIVE_CACHE_SIZE = 256
STORED_CACHE_SIZE = 8  # snapshots x registries whose stored rows are kept in memory

EMPTY_MESSAGE = "the warehouse is empty; run `valvomo ingest DIR` or `valvomo demo`"


class EmptyWarehouseError(RuntimeError):
    """No contacts have been loaded, so there is nothing to compute."""

    def __init__(self, message: str = EMPTY_MESSAGE):
        super().__init__(message)


def data_errors() -> tuple[type[Exception], ...]:
    """What a query for figures can fail with on the data at hand: no data loaded, a missing table,
    an unknown indicator or output, a breakdown the grain does not allow, or the engine's own errors
    (``warehouse.backends.engine_errors``). Batch boundaries catch these, nothing broader."""
    from valvomo.warehouse.backends import engine_errors

    return (EmptyWarehouseError, MissingTableError, UnknownIndicatorError, UnsupportedQueryError, *engine_errors())


@runtime_checkable
class WarehouseSources(Sources, Protocol):
    """What the store needs from the warehouse: the tables, plus which load they come from."""

    @property
    def snapshot_id(self) -> str: ...

    def is_empty(self) -> bool: ...


@dataclass
class MaterialiseReport:
    """What ``materialise`` stored and what it could not compute (and why)."""

    snapshot_id: str
    path: Path
    combinations: int = 0
    rows: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)  # tables or grain do not allow it
    failed: list[dict[str, Any]] = field(default_factory=list)  # an indicator raised an unexpected error
    seconds: float = 0.0
    timings: list[dict[str, Any]] = field(default_factory=list)  # seconds per combination, run order


def parse_by(by: str | Iterable[str] | None) -> tuple[Dimension, ...]:
    """Dimensions from ``"station,profession"`` or a sequence, de-duplicated, in canonical order.

    Canonical order (station, profession, municipality, age_band, language,
    contact_class) makes ``by=profession,station`` and ``by=station,profession``
    the same query with the same columns.
    """
    if by is None:
        return ()
    parts = [p.strip() for p in by.split(",")] if isinstance(by, str) else [str(p).strip() for p in by]
    parts = [p for p in parts if p]
    for part in parts:
        if part not in DIMENSIONS:
            raise UnsupportedQueryError(
                f"unknown dimension {part!r}; expected one of {', '.join(DIMENSIONS)}"
            )
    return tuple(d for d in DIMENSIONS if d in parts)


def is_materialised_breakdown(period: str, by: Sequence[str]) -> bool:
    """Whether ``materialise`` stores this period kind and breakdown (cheap to serve for every
    indicator); other combinations are computed live, indicator by indicator."""
    return parse_by(by) in MATERIALISED.get(period, ())  # type: ignore[call-overload]


# A request for a breakdown that is not materialised computes each indicator live (seconds each).
MAX_LIVE_INDICATORS = 10


class QueryTooExpensiveError(UnsupportedQueryError):
    """A live (not materialised) breakdown asked for without naming the indicators, or for too many."""


def _combination_key(indicator_id: str, period: str, by: Sequence[str]) -> str:
    return f"{indicator_id}|{period}|{','.join(by)}"


def _stable(value: Any) -> Any:
    """A value whose JSON text is the same in every process (sets sorted; string hashing is randomised)."""
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((_stable(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [_stable(v) for v in value]
    return value if value is None or isinstance(value, (bool, int, float, str)) else repr(value)


# The code a stored result depends on besides the registry entries: the indicator engine (builders and
# their shared helpers), the working-day calendar and the schema's code sets.
_RESULT_CODE_PACKAGES = ("valvomo.indicators", "valvomo.workdays", "valvomo.schema")


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of everything besides the data that can change a computed indicator value: Valvomo's
    version, the source of the modules in ``_RESULT_CODE_PACKAGES`` and the versions of the libraries
    that compute or calendar the values (Ibis, DuckDB, holidays). Read once per process."""
    import importlib
    import importlib.metadata

    import valvomo

    digest = hashlib.sha256(valvomo.__version__.encode())
    for library in ("ibis-framework", "duckdb", "holidays"):
        try:
            digest.update(f"{library}={importlib.metadata.version(library)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{library}=-".encode())
    for package_name in _RESULT_CODE_PACKAGES:
        module_file = Path(importlib.import_module(package_name).__file__)  # type: ignore[arg-type]
        root = module_file.parent
        paths = sorted(root.rglob("*.py")) if module_file.name == "__init__.py" else [module_file]
        for path in paths:
            digest.update(f"{package_name}:{path.relative_to(root)}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _builder_source(indicator: Indicator) -> str:
    """The source text of an entry's builder: a builder defined outside the engine packages (a test's,
    a county's extension) still invalidates stored rows when it changes."""
    try:
        return inspect.getsource(indicator.build)
    except (OSError, TypeError):
        return getattr(indicator.build, "__qualname__", repr(indicator.build))


def registry_fingerprint(registry: Registry) -> str:
    """Changes when an indicator's definition, unit, grain, parameters or code change (stored rows are
    then stale): the registry entries, each builder's source and ``code_fingerprint()``."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for indicator in registry:
        parts = (
            indicator.id,
            indicator.unit,
            indicator.definition,
            ",".join(sorted(indicator.grain)),
            json.dumps(_stable(dict(indicator.parameters)), sort_keys=True),
            str(indicator.distribution),
            _builder_source(indicator),
        )
        digest.update("\x1f".join(parts).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()[:16]


def _safe_name(snapshot_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(snapshot_id)) or "snapshot"


# --- storage -------------------------------------------------------------------------------------------

_STORED_DIMENSIONS = tuple(DIMENSION_COLUMNS[d] for d in DIMENSIONS)


def _rows_to_arrow(entries: list[tuple[str, list[dict]]]) -> pa.Table:
    columns: dict[str, list] = {name: [] for name in ("combination", "period", *_STORED_DIMENSIONS, "bin")}
    for name in ("value", *COUNT_COLUMNS):
        columns[name] = []
    for key, rows in entries:
        for row in rows:
            columns["combination"].append(key)
            columns["period"].append(row["period"])
            for name in _STORED_DIMENSIONS:
                value = row.get(name)
                columns[name].append(None if value is None else str(value))
            columns["bin"].append(None if row.get("bin") is None else str(row["bin"]))
            columns["value"].append(row.get("value"))
            for name in COUNT_COLUMNS:
                value = row.get(name)
                columns[name].append(None if value is None else float(value))
    types = {name: pa.string() for name in ("combination", "period", *_STORED_DIMENSIONS, "bin")}
    types.update({name: pa.float64() for name in ("value", *COUNT_COLUMNS)})
    return pa.table({name: pa.array(values, type=types[name]) for name, values in columns.items()})


def _count(value: float | None):
    """Counts back as the runner gives them: whole numbers as int, others as float."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


@dataclass
class _Loaded:
    """One snapshot's stored rows, indexed by combination."""

    rows: dict[str, list[dict]]
    manifest: dict[str, Any]


def _load(directory: Path, registry: Registry) -> _Loaded | None:
    manifest_path = directory / MANIFEST_FILE
    if not manifest_path.exists():
        return None
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT_VERSION or manifest.get("registry") != registry_fingerprint(registry):
        return None
    combinations = {c["key"]: c for c in manifest["combinations"]}
    rows: dict[str, list[dict]] = {key: [] for key in combinations}
    table = pq.read_table(directory / RESULTS_FILE)
    for record in table.to_pylist():
        spec = combinations.get(record["combination"])
        if spec is None:
            continue
        row: dict[str, Any] = {"indicator": spec["indicator"], "period": record["period"]}
        for dim in spec["by"]:
            column = DIMENSION_COLUMNS[dim]
            row[column] = record[column]
        if "bin" in spec["columns"]:
            row["bin"] = record["bin"]
        row["value"] = record["value"]
        for column in COUNT_COLUMNS:
            if column in spec["columns"]:
                row[column] = _count(record[column])
        row["unit"] = registry.get(spec["indicator"]).unit
        row["suppressed"] = False
        rows[record["combination"]].append(row)
    return _Loaded(rows=rows, manifest=manifest)


_LOAD_LOCK = threading.Lock()  # one reader loads a snapshot's Parquet file; the others wait for it
# (results dir, snapshot, registry fingerprint) -> stored rows, read once per process
_STORED: BoundedCache[_Loaded] = BoundedCache(STORED_CACHE_SIZE)
# (results dir, snapshot, registry fingerprint, combination) -> rows computed live
_LIVE: BoundedCache[list[dict]] = BoundedCache(LIVE_CACHE_SIZE)


def clear_cache() -> None:
    """Forget every in-process result (tests; after deleting results on disk)."""
    _STORED.clear()
    _LIVE.clear()


# --- the store -----------------------------------------------------------------------------------------


class ResultStore:
    """Indicator rows of the current warehouse snapshot, for the CLI, the API, the dashboard and reports.

    ``warehouse`` may be given (tests, or an already open warehouse); by default
    ``valvomo.warehouse.store.Warehouse(settings)`` is opened on first use.
    After a new ingest, call ``refresh()`` (or make a new store) to see it.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        warehouse: WarehouseSources | None = None,
        registry: Registry = REGISTRY,
    ):
        self.settings = settings
        self.registry = registry
        self._fingerprint = registry_fingerprint(registry)
        self._given = warehouse
        self._warehouse: WarehouseSources | None = warehouse
        self._checked = False
        self._own_lock = threading.RLock()  # for sources that bring no connection lock of their own
        self._open_lock = threading.Lock()

    # -- the connection lock ------------------------------------------------------------------------

    @contextmanager
    def reading(self, require_data: bool = True) -> Iterator[WarehouseSources]:
        """Hold the warehouse's connection lock (``Warehouse.connection_lock``) and yield the warehouse.

        One backend connection serves every reader of the process (pages, API, admin, live
        computations here); requests run in a thread pool, so whatever runs a query on it
        — an Ibis expression executed, a table read — does so inside ``reading()``. The
        lock is re-entrant: a reader may call ``query`` inside it. ``require_data=False`` is for
        readers that show an empty warehouse as such (its snapshot, its stations): they get the
        warehouse without the check that contacts are loaded."""
        while True:
            warehouse = self._open_warehouse()
            lock = getattr(warehouse, "connection_lock", None) or self._own_lock
            with lock:
                if warehouse is self._open_warehouse():  # not replaced while we waited (``refresh``)
                    if require_data:
                        self.warehouse  # noqa: B018  (the emptiness check, once per store)
                    yield warehouse
                    return

    def read(self, fetch: Callable[[WarehouseSources], Any]) -> Any:
        """``fetch(warehouse)`` under the connection lock (see ``reading``)."""
        with self.reading() as warehouse:
            return fetch(warehouse)

    # -- warehouse ----------------------------------------------------------------------------------

    @property
    def results_dir(self) -> Path:
        return self.settings.home / "results"

    def _open_warehouse(self) -> WarehouseSources:
        """The warehouse, opened on first use: once, even when several requests arrive together
        (two would each get a connection and a lock of their own)."""
        warehouse = self._warehouse
        if warehouse is None:
            from valvomo.warehouse.store import Warehouse

            with self._open_lock:
                if self._warehouse is None:
                    try:
                        self._warehouse = Warehouse(self.settings)
                    except FileNotFoundError:
                        raise EmptyWarehouseError() from None
                warehouse = self._warehouse
        return warehouse

    @property
    def warehouse(self) -> WarehouseSources:
        """The open warehouse; raises ``EmptyWarehouseError`` when no contacts are loaded."""
        warehouse = self._open_warehouse()
        if not self._checked:
            if warehouse.is_empty() or not warehouse.has("contacts"):
                raise EmptyWarehouseError()
            self._checked = True
        return warehouse

    def refresh(self) -> None:
        """Follow a new ingest: switch the warehouse to the newest snapshot (re-open it when it
        cannot switch itself) and check it for emptiness again."""
        if self._warehouse is not None and hasattr(self._warehouse, "refresh"):
            self._warehouse.refresh()
        else:
            self._warehouse = self._given
        self._checked = False

    @property
    def snapshot_id(self) -> str:
        return str(self.warehouse.snapshot_id)

    @property
    def fingerprint(self) -> str:
        """``registry_fingerprint`` of this store's registry: part of every key of a cached result."""
        return self._fingerprint

    def snapshot_dir(self, snapshot_id: str | None = None) -> Path:
        return self.results_dir / _safe_name(snapshot_id or self.snapshot_id)

    # -- materialising ------------------------------------------------------------------------------

    def materialisable(
        self, indicators: Iterable[str] | None = None
    ) -> list[tuple[Indicator, str, tuple[Dimension, ...]]]:
        """Every (indicator, period, breakdown) that grain and loaded tables allow, in registry order."""
        warehouse = self.warehouse
        wanted = None if indicators is None else {self.registry.get(i).id for i in indicators}
        combos = []
        for indicator in self.registry:
            if wanted is not None and indicator.id not in wanted:
                continue
            if not all(warehouse.has(name) for name in indicator.requires):
                continue
            for period in PERIOD_KINDS:
                for by in MATERIALISED[period]:
                    if period in indicator.periods and set(by) <= indicator.grain:
                        combos.append((indicator, period, by))
        return combos

    def materialise(
        self, progress: bool = True, *, indicators: Iterable[str] | None = None
    ) -> MaterialiseReport:
        """Compute and store the unsuppressed rows of every materialisable combination.

        ``indicators`` limits the work to some indicators (the others are then
        computed live on request); the stored set replaces any earlier one.

        Combinations whose tables or grain turn out not to allow them (e.g. a rate
        asked per month) are skipped; an indicator that fails unexpectedly is
        reported in ``failed`` and left to live computation, so one faulty
        indicator does not block the others.
        """
        started = time.perf_counter()
        warehouse = self.warehouse
        snapshot_id = str(warehouse.snapshot_id)
        report = MaterialiseReport(snapshot_id=snapshot_id, path=self.snapshot_dir(snapshot_id))
        combos = self.materialisable(indicators)
        stored: list[tuple[str, list[dict]]] = []
        specs: list[dict[str, Any]] = []

        def run(step: Callable[[], None] | None = None) -> None:
            with self.reading(), stage_cache(warehouse, period_kinds={period for _, period, _ in combos}):
                for combo in combos:
                    one(*combo)
                    if step is not None:
                        step()

        def one(indicator: Indicator, period: PeriodKind, by: tuple[Dimension, ...]) -> None:
            key = _combination_key(indicator.id, period, by)
            where = {"indicator": indicator.id, "period": period, "by": list(by)}
            began = time.perf_counter()
            try:
                rows = compute(indicator, warehouse, Query(period=period, by=by), registry=self.registry)
            except (MissingTableError, UnsupportedQueryError) as error:
                report.skipped.append({**where, "reason": str(error)})
            except data_errors() as error:  # one indicator the engine cannot run must not block the
                # others: reported in the manifest, logged, and retried live on request
                log.warning("materialising %s failed", key, exc_info=True)
                report.failed.append({**where, "error": f"{type(error).__name__}: {error}"})
            else:
                columns = [c for c in ("bin", *COUNT_COLUMNS) if rows and c in rows[0]]
                if not rows:
                    columns = ["bin"] if indicator.distribution else []
                stored.append((key, rows))
                specs.append({**where, "key": key, "columns": columns, "rows": len(rows)})
                report.rows += len(rows)
            report.timings.append({**where, "seconds": round(time.perf_counter() - began, 3)})

        if progress:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=Console(stderr=True)) as bar:
                task = bar.add_task("Materialising indicator results", total=len(combos))
                run(lambda: bar.advance(task))
        else:
            run()

        report.combinations = len(specs)
        manifest = {
            "format": FORMAT_VERSION,
            "snapshot_id": snapshot_id,
            "registry": self._fingerprint,
            "created_at": dt.datetime.now().isoformat(timespec="seconds"),
            "combinations": specs,
            "skipped": report.skipped,
            "failed": report.failed,
        }
        self._write(snapshot_id, _rows_to_arrow(stored), manifest)
        _STORED.put((str(self.results_dir), snapshot_id, self._fingerprint),
                    _Loaded(rows=dict(stored), manifest=manifest))
        report.seconds = time.perf_counter() - started
        return report

    def _write(self, snapshot_id: str, table: pa.Table, manifest: dict[str, Any]) -> None:
        """Write into a temporary directory, rename it into place, then remove other snapshots."""
        self.results_dir.mkdir(parents=True, exist_ok=True)
        target = self.snapshot_dir(snapshot_id)
        temporary = self.results_dir / f".tmp-{uuid.uuid4().hex}"
        temporary.mkdir()
        try:
            pq.write_table(table, temporary / RESULTS_FILE)
            (temporary / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            if target.exists():
                retired = self.results_dir / f".old-{uuid.uuid4().hex}"
                target.rename(retired)
            temporary.rename(target)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        for other in self.results_dir.iterdir():
            if other != target and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)

    def _stored(self) -> _Loaded | None:
        snapshot_id = self.snapshot_id
        key = (str(self.results_dir), snapshot_id, self._fingerprint)
        loaded = _STORED.get(key)
        if loaded is None:
            with _LOAD_LOCK:
                loaded = _STORED.get(key)
                if loaded is None:
                    loaded = _load(self.snapshot_dir(snapshot_id), self.registry)
                    if loaded is not None:  # not yet materialised: look again next time
                        _STORED.put(key, loaded)
        return loaded

    def is_materialised(self) -> bool:
        """Whether the current snapshot's results are stored (for this registry)."""
        return self._stored() is not None


    def check_live_cost(
        self,
        indicators: Iterable[str] | None,
        period: str,
        by: Sequence[str],
        *,
        parameter: str = "indicator",
        noun: str = "indicators",
    ) -> None:
        """The one rule for what a remote caller may have computed on request: a period kind and
        breakdown this store holds materialised serves every indicator; anything else is computed
        live, indicator by indicator, so it needs 1 to ``MAX_LIVE_INDICATORS`` of them named — one
        request cannot make the server compute the whole registry live. Raises
        ``QueryTooExpensiveError`` (a 400 in the API)."""
        if is_materialised_breakdown(period, by) and self.is_materialised():
            return
        count = len(set(indicators or ()))
        if 0 < count <= MAX_LIVE_INDICATORS:
            return
        dims = ",".join(parse_by(by)) or "(none)"
        if self.is_materialised():
            stored = "; ".join(
                f"{kind}: " + ", ".join(",".join(c) or "(none)" for c in combinations)
                for kind, combinations in MATERIALISED.items()
            )
            advice = f", or use a combination computed in advance ({stored})"
        else:
            advice = " (nothing is computed in advance for these outputs)"
        raise QueryTooExpensiveError(
            f"period={period} by {dims} is computed on request: name the {noun} with '{parameter}' "
            f"(1 to {MAX_LIVE_INDICATORS}){advice}"
        )
    def status(self) -> dict[str, Any]:
        """For status pages: the snapshot, whether it is materialised, when, and what was left out."""
        loaded = self._stored()
        manifest = loaded.manifest if loaded else {}
        return {
            "snapshot_id": self.snapshot_id,
            "materialised": loaded is not None,
            "created_at": manifest.get("created_at"),
            "combinations": len(manifest.get("combinations", [])),
            "skipped": manifest.get("skipped", []),
            "failed": manifest.get("failed", []),
        }

    # -- querying -----------------------------------------------------------------------------------

    def resolve(
        self, indicators: Iterable[str] | None, period: str, by: tuple[Dimension, ...]
    ) -> list[Indicator]:
        """The indicators a query covers.

        Named indicators must exist (``UnknownIndicatorError``), allow the
        breakdown (``UnsupportedQueryError`` naming the grain) and have their
        tables loaded (``MissingTableError``). Without names: every indicator
        whose grain and tables allow the query.
        """
        query = Query(period=period, by=by)  # type: ignore[arg-type]
        if indicators is None:
            entries = []
            for indicator in self.registry:
                try:
                    indicator.check_query(query)
                except UnsupportedQueryError:
                    continue
                if all(self.warehouse.has(name) for name in indicator.requires):
                    entries.append(indicator)
            return entries
        entries = [self.registry.get(indicator_id) for indicator_id in dict.fromkeys(indicators)]
        for indicator in entries:
            indicator.check_query(query)
            for name in indicator.requires:
                if not self.warehouse.has(name):
                    raise MissingTableError(name)
        return entries

    def available(self, period: str = "quarter", by: Iterable[str] = ()) -> list[str]:
        """Ids of the indicators the loaded tables and the breakdown allow (menus, API)."""
        return [indicator.id for indicator in self.resolve(None, period, parse_by(by))]

    def unprotected_rows(self, indicator: Indicator, period: str, by: tuple[Dimension, ...]) -> list[dict]:
        """Rows of one combination before disclosure control (stored, else live; cached per snapshot)."""
        key = _combination_key(indicator.id, period, by)
        loaded = self._stored()
        if loaded is not None and key in loaded.rows:
            return [dict(row) for row in loaded.rows[key]]
        cache_key = (str(self.results_dir), self.snapshot_id, self._fingerprint, key)

        def live() -> list[dict]:
            with self.reading() as warehouse:
                return compute(indicator, warehouse, Query(period=period, by=by), registry=self.registry)  # type: ignore[arg-type]

        return [dict(row) for row in _LIVE.get_or_build(cache_key, live)]

    def query(
        self,
        indicators: Iterable[str] | None = None,
        *,
        period: str = "quarter",
        by: str | Iterable[str] = (),
        start: dt.date | None = None,
        end: dt.date | None = None,
        profile: str | None = None,
    ) -> list[dict]:
        """Rows in the output contract (indicators.md), disclosure-controlled with ``profile``
        (default ``settings.disclosure_profile``; ``"none"`` for authorised, audit-logged use only).

        ``start``/``end`` keep the periods that lie entirely within [start, end].
        Without named indicators, those the data do not allow are left out.
        """
        if period not in PERIOD_KINDS:
            raise UnsupportedQueryError(
                f"unknown period {period!r}; expected one of {', '.join(PERIOD_KINDS)}"
            )
        if start is not None and end is not None and start > end:
            raise UnsupportedQueryError(f"the start date {start} is after the end date {end}")
        dims = parse_by(by)
        explicit = indicators is not None
        rows: list[dict] = []
        for indicator in self.resolve(indicators, period, dims):
            try:
                rows.extend(self.unprotected_rows(indicator, period, dims))
            except (MissingTableError, UnsupportedQueryError):
                if explicit:
                    raise
        if start is not None or end is not None:
            rows = [row for row in rows if period_within(row["period"], start, end)]
        chosen = profile or self.settings.disclosure_profile
        protected = protect_rows(rows, chosen, registry=self.registry)
        # A breakdown's groups add up to a total shown elsewhere: complementary suppression across them.
        return protect_breakdown(protected, chosen, registry=self.registry) if dims else protected


def materialise_results(settings: Settings, progress: bool = True) -> MaterialiseReport:
    """Materialise the current snapshot (the ingest and demo commands call this after loading)."""
    return ResultStore(settings).materialise(progress=progress)
