"""Issue 10: one backend connection, one lock, owned by the warehouse; every reader takes it.

The DuckDB connection of a ``Warehouse`` is shared by the dashboard's pages, the API, the admin pages
and the result store's live computations, which run in a thread pool. The test instruments the
backend: every call that runs SQL records which thread is inside, and two threads must never be
inside at once while the API, a page and the admin page read concurrently.
"""

from __future__ import annotations

import ast
import threading
import time
import traceback
from pathlib import Path

import ibis.backends.duckdb as duckdb_backend
import pytest
from fastapi.testclient import TestClient

import valvomo.web
from valvomo.appdb import session_scope
from valvomo.web.app import create_app
from valvomo.web.auth import create_user, issue_token

MANAGED_STATION = "ST-LOVIISA"
PASSWORD = "correct-horse-battery"


class _Recorder:
    """Which threads are running SQL on a backend right now, and whether two ever overlapped."""

    def __init__(self):
        self.lock = threading.Lock()
        # (backend, thread id) -> depth (backend methods call each other); separate backends (separate
        # connections) may well run at once
        self.inside: dict[tuple[int, int], int] = {}
        self.overlaps: list[tuple[str, str]] = []
        self.stacks: dict[tuple[int, int], str] = {}
        self.calls = 0

    def wrap(self, method):
        recorder = self

        def instrumented(backend, *args, **kwargs):
            me = (id(backend), threading.get_ident())
            with recorder.lock:
                others = [key for key, depth in recorder.inside.items() if depth and key[0] == me[0] and key != me]
                if others:
                    recorder.overlaps.append((method.__name__, "".join(traceback.format_stack(limit=12))
                                              + "\n--- while inside: ---\n" + recorder.stacks[others[0]]))
                if not recorder.inside.get(me):
                    recorder.stacks[me] = "".join(traceback.format_stack(limit=14))
                recorder.inside[me] = recorder.inside.get(me, 0) + 1
                recorder.calls += 1
            try:
                time.sleep(0.002)  # widen the window in which an unlocked reader would overlap
                return method(backend, *args, **kwargs)
            finally:
                with recorder.lock:
                    recorder.inside[me] -= 1

        return instrumented


@pytest.fixture
def recorder(monkeypatch):
    recorder = _Recorder()
    for name in ("raw_sql", "execute", "to_pyarrow", "to_pyarrow_batches", "read_parquet", "create_table",
                 "create_view", "sql"):
        monkeypatch.setattr(duckdb_backend.Backend, name, recorder.wrap(getattr(duckdb_backend.Backend, name)))
    return recorder


@pytest.fixture
def county_app(county_settings):
    from valvomo.services.results import clear_cache
    from valvomo.web import api
    from valvomo.web.pages import context
    from valvomo.web.views.common import clear_cache as clear_views

    app = create_app(county_settings, migrate=False)
    with session_scope(county_settings) as db:
        analyst = create_user(db, "lock-analyst", PASSWORD, "analyst", actor="test")
        token = issue_token(db, analyst, label="tests")
        create_user(db, "lock-manager", PASSWORD, "station_manager", stations=[MANAGED_STATION], actor="test")
        create_user(db, "lock-admin", PASSWORD, "admin", actor="test")

    def forget():
        clear_cache()
        clear_views()
        api._STATIONS.clear()
        context._STORES.clear()  # a fresh warehouse: its views are created (on the connection) again

    forget()
    yield app, token
    forget()


def test_api_page_and_admin_readers_never_share_the_connection_at_once(county_app, recorder, login):
    app, token = county_app
    api = TestClient(app)
    manager, admin = TestClient(app), TestClient(app)
    assert login(manager, "lock-manager", PASSWORD).status_code == 303
    assert login(admin, "lock-admin", PASSWORD).status_code == 303
    headers = {"Authorization": f"Bearer {token}"}
    requests = [
        lambda: api.get("/api/stations", headers=headers),
        # not materialised: computed live on the connection
        lambda: api.get("/api/indicators", headers=headers,
                        params={"indicator": "access_7d", "by": "municipality"}),
        lambda: manager.get(f"/stations/{MANAGED_STATION}/patients"),
        lambda: manager.get("/stations"),
        lambda: admin.get("/admin/users"),
    ]
    statuses: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(requests))

    def run(send):
        try:
            start.wait()
            statuses.append(send().status_code)
        except BaseException as error:  # noqa: BLE001  (collected for the main thread)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(send,)) for send in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not recorder.overlaps, recorder.overlaps[0][1]
    assert errors == []
    assert statuses == [200] * len(requests)
    assert recorder.calls > len(requests)  # the readers did reach the connection


def test_no_web_module_has_or_imports_a_connection_lock():
    """Readers in the web layer take the store's lock (``ResultStore.reading``), never one of their own."""
    root = Path(valvomo.web.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.Attribute):
                names = [node.attr]
            elif isinstance(node, ast.Name):
                names = [node.id]
            for name in names:
                if name in ("QUERY_LOCK", "connection_lock", "_own_lock"):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}: {name}")
    assert offenders == []


def test_the_warehouse_owns_the_lock_the_store_takes(county_settings):
    from valvomo.services.results import ResultStore

    store = ResultStore(county_settings)
    lock = store.warehouse.connection_lock
    seen = []
    with store.reading() as warehouse:
        seen.append(warehouse is store.warehouse)
        # re-entrant: a reader may query the store while holding it
        assert store.read(lambda w: w.has("contacts"))
    assert seen == [True]
    assert lock.acquire(blocking=False)  # released again
    lock.release()
