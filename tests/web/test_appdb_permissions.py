"""The app database (password hashes, sessions, audit log) is owner-only, like the secret key (issue 12, item 8)."""

from __future__ import annotations

import os
import stat

from valvomo.appdb import session_scope
from valvomo.appdb.engine import dispose_engines
from valvomo.appdb.migrate import upgrade_to_head
from valvomo.config import Settings
from valvomo.web.auth.users import create_user


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_database_and_its_directory_are_owner_only(tmp_path):
    old = os.umask(0o022)  # the usual umask, which would give 0644
    try:
        settings = Settings(home=tmp_path / "home")
        upgrade_to_head(settings)
        with session_scope(settings) as db:
            create_user(db, "ana", "correct-horse-battery", "analyst")
    finally:
        os.umask(old)
        dispose_engines()
    database = tmp_path / "home" / "app.sqlite3"
    assert database.stat().st_size > 0
    assert _mode(database) == 0o600
    assert _mode(tmp_path / "home") == 0o700
    for journal in tmp_path.glob("home/app.sqlite3-*"):
        assert _mode(journal) & 0o077 == 0


def test_an_existing_world_readable_database_is_tightened(tmp_path):
    settings = Settings(home=tmp_path)
    upgrade_to_head(settings)
    dispose_engines()
    database = tmp_path / "app.sqlite3"
    os.chmod(database, 0o644)
    try:
        upgrade_to_head(settings)
    finally:
        dispose_engines()
    assert _mode(database) == 0o600
