"""Engine and session factory for the app-state database.

The URL comes from ``Settings.app_database_url`` (SQLite under ``$VALVOMO_HOME``
by default, PostgreSQL or any SQLAlchemy URL by configuration). SQLite does not
enforce foreign keys unless asked per connection, so the pragma is switched on
here: cascades and references must behave as they do on PostgreSQL.

The SQLite file holds password hashes, sessions and the audit log, so it is
created owner-only (0600, like the secret key) before SQLite first opens it,
its directory 0700 when we create it, and an existing file that others can
read is tightened on first use. SQLite's journal files (``-wal``, ``-shm``,
``-journal``) take the main file's permissions.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Lock

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from valvomo.config import Settings

_engines: dict[str, Engine] = {}
_lock = Lock()


def _enable_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def prepare_sqlite_file(path: Path) -> None:
    """Create the database file (and its directory) owner-only, or tighten an existing one."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
    else:
        os.close(fd)


def get_engine(settings: Settings) -> Engine:
    """One engine per database URL, created on first use (the SQLite directory too)."""
    url = settings.app_database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
                prepare_sqlite_file(Path(parsed.database))
            engine = create_engine(url, future=True)
            if parsed.get_backend_name() == "sqlite":
                event.listen(engine, "connect", _enable_sqlite_foreign_keys)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests and process shutdown)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def get_sessionmaker(settings: Settings) -> sessionmaker[Session]:
    """A session factory bound to the settings' database; objects stay usable after commit."""
    return sessionmaker(bind=get_engine(settings), expire_on_commit=False, future=True)


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """A unit of work: commit when the block succeeds, roll back when it raises."""
    session = get_sessionmaker(settings)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
