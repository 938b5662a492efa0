"""Fixtures for the web tests: an app on a fresh app database, logged-in clients, a small county.

``small_county`` generates a ~4 000-resident county for one year, ingests it and
materialises the indicators. Building it takes a minute or two, so the result
is kept in pytest's cache directory under a key made of the generator
parameters and the source code of every package that shapes the numbers; any
change to that code builds it again. Each test still gets its own empty app
database (users, sessions, audit log) next to the shared warehouse.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from valvomo.config import Settings

SRC = Path(__file__).resolve().parents[2] / "src" / "valvomo"
COUNTY_PARAMETERS = {"population": 4000, "years": 1, "seed": 20240101}
# Packages whose code determines the county's rows.
COUNTY_CODE = ("synth", "ingest", "warehouse", "schema", "indicators", "services", "disclosure.py", "workdays.py",
               "config.py")  # fmt: skip
CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct-horse-battery"


def _code_fingerprint() -> str:
    digest = hashlib.sha256(repr(sorted(COUNTY_PARAMETERS.items())).encode())
    for name in COUNTY_CODE:
        path = SRC / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(SRC)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _build_county(home: Path) -> None:
    from valvomo.ingest import ingest_folder
    from valvomo.services.results import ResultStore
    from valvomo.synth import generate

    settings = Settings(home=home)
    source = home / "source"
    generate(source, fmt="parquet", progress=False, **COUNTY_PARAMETERS)
    ingest_folder(settings, source, progress=False)
    ResultStore(settings).materialise(progress=False)


@pytest.fixture(scope="session")
def small_county(request) -> Path:
    """Home directory holding the small county's warehouse and materialised results.

    Built in place under an exclusive file lock (the warehouse records absolute
    paths, so it cannot be built elsewhere and moved), so concurrent test runs
    wait for one build instead of racing. Builds for older code are removed
    once they are a day old, never while another run may still read them.
    """
    cache_root = Path(request.config.cache.mkdir("valvomo-web-county"))
    home = cache_root / _code_fingerprint()
    with (cache_root / f"{home.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (home / ".complete").exists():
                shutil.rmtree(home, ignore_errors=True)
                _build_county(home)
                (home / ".complete").write_text("ok")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    day_ago = time.time() - 24 * 3600
    for stale in cache_root.iterdir():
        if stale.is_dir() and stale != home and stale.stat().st_mtime < day_ago:
            shutil.rmtree(stale, ignore_errors=True)
    return home


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """An app database at the newest revision, migrated once and copied for each test."""
    from valvomo.appdb import upgrade_to_head
    from valvomo.appdb.engine import dispose_engines

    directory = tmp_path_factory.mktemp("migrated")
    upgrade_to_head(Settings(home=directory, database_url=f"sqlite:///{directory / 'app.sqlite3'}"))
    dispose_engines()
    return directory / "app.sqlite3"


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Cheap argon2 parameters: the tests check behaviour, not the cost of a hash (which is
    argon2-cffi's default in production and costs ~0.5 s per login on a busy test machine)."""
    from argon2 import PasswordHasher

    from valvomo.web.auth import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def app_settings(home: Path, database: Path, template: Path, **overrides) -> Settings:
    """Settings reading ``home``'s warehouse with its own copy of the migrated app database."""
    database.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, database)
    return Settings(home=home, database_url=f"sqlite:///{database}", **overrides)


@pytest.fixture
def settings(tmp_path, migrated_database) -> Settings:
    """Settings for a home without data (login, admin and security tests)."""
    return app_settings(tmp_path / "home", tmp_path / "db" / "app.sqlite3", migrated_database)


@pytest.fixture
def county_settings(small_county, tmp_path, migrated_database) -> Settings:
    """Settings reading the small county, with an app database of this test's own."""
    return app_settings(small_county, tmp_path / "db" / "app.sqlite3", migrated_database)


@pytest.fixture
def app(settings):
    from valvomo.web.app import create_app

    return create_app(settings, migrate=False)


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app)


@pytest.fixture
def make_user(app) -> Callable[..., str]:
    """Create a user in the app's database; returns the username."""
    from valvomo.appdb import session_scope
    from valvomo.web.auth import create_user

    def make(username: str, role: str = "viewer", *, stations=(), language: str = "fi", password: str = PASSWORD):
        with session_scope(app.state.settings) as db:
            create_user(db, username, password, role, stations=stations, language=language, actor="test")
        return username

    return make


def _csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def _login(client: TestClient, username: str, password: str = PASSWORD, *, next_path: str = "/"):
    """Log in through the form (GET for the token, then POST); returns the POST response."""
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": _csrf_from(page.text), "next": next_path},
        follow_redirects=False,
    )


@pytest.fixture
def logged_in(app, make_user) -> Callable[..., TestClient]:
    """A new client logged in as a new user of ``role``."""

    def make(role: str = "viewer", *, username: str | None = None, stations=(), language: str = "fi") -> TestClient:
        name = username or f"{role.replace('_', '')}1"
        make_user(name, role, stations=stations, language=language)
        client = TestClient(app)
        response = _login(client, name)
        assert response.status_code == 303, response.text
        return client

    return make


def _audit_actions(settings: Settings) -> list[tuple[str, str, dict]]:
    """(action, username, detail) of every audit entry, oldest first."""
    from valvomo.appdb import session_scope
    from valvomo.web.auth.audit import read

    with session_scope(settings) as db:
        return [(e.action, e.username, e.detail) for e in reversed(read(db, limit=10_000))]


@pytest.fixture
def csrf_from() -> Callable[[str], str]:
    """The CSRF token in a page's form."""
    return _csrf_from


@pytest.fixture
def login() -> Callable[..., object]:
    """``login(client, username, password=PASSWORD, next_path="/")`` through the login form."""
    return _login


@pytest.fixture
def audit_actions() -> Callable[[Settings], list[tuple[str, str, dict]]]:
    """``audit_actions(settings)``: (action, username, detail) of every entry, oldest first."""
    return _audit_actions
