"""Browser tests: a live ``uvicorn`` serving the small demo county on a free loopback port, and
Debian's chromium driven by Playwright (never a downloaded browser).

The county (4 000 residents, one year) is built once and kept in pytest's cache
directory under a key made of the code that shapes its numbers; the app
database, demo accounts and an analyst's API token are made fresh per session.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from valvomo.config import Settings

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "valvomo"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
COUNTY = {"population": 4000, "years": 1, "seed": 20240101}
COUNTY_CODE = ("synth", "ingest", "warehouse", "schema", "indicators", "services", "disclosure.py", "workdays.py",
               "config.py")  # fmt: skip
DEMO_PASSWORDS = {"analyst": "demo-analyst", "viewer": "demo-viewer", "manager": "demo-manager", "admin": "demo-admin"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _fingerprint() -> str:
    digest = hashlib.sha256(repr(sorted(COUNTY.items())).encode())
    for name in COUNTY_CODE:
        path = SRC / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(str(file.relative_to(SRC)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def e2e_county(request, tmp_path_factory) -> Path:
    """Home directory of the small county (warehouse + materialised results), built in place under a lock.

    Kept in pytest's cache between runs; with the cache plugin off (``-p no:cacheprovider``, as
    scripts/test.sh runs) it is built once per session in a temporary directory."""
    cache = getattr(request.config, "cache", None)
    cache_root = (Path(cache.mkdir("valvomo-e2e-county")) if cache is not None
                  else tmp_path_factory.mktemp("valvomo-e2e-county"))
    home = cache_root / _fingerprint()
    with (cache_root / f"{home.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (home / ".complete").exists():
                from valvomo.ingest import ingest_folder
                from valvomo.services.results import ResultStore
                from valvomo.synth import generate

                settings = Settings(home=home)
                generate(home / "source", fmt="parquet", progress=False, **COUNTY)
                ingest_folder(settings, home / "source", progress=False)
                ResultStore(settings).materialise(progress=False)
                (home / ".complete").write_text("ok")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return home


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(e2e_county, tmp_path_factory):
    """``{"url", "settings", "token"}`` of a uvicorn subprocess serving the county."""
    from valvomo.appdb import session_scope, upgrade_to_head
    from valvomo.web.auth.demo import ensure_demo_users
    from valvomo.web.auth.tokens import issue_token
    from valvomo.web.auth.users import get_user

    database = tmp_path_factory.mktemp("e2e-db") / "app.sqlite3"
    settings = Settings(home=e2e_county, database_url=f"sqlite:///{database}")
    upgrade_to_head(settings)
    ensure_demo_users(settings)
    with session_scope(settings) as db:
        token = issue_token(db, get_user(db, "analyst"), label="e2e", actor="e2e")
    port = free_port()
    env = {**os.environ, "VALVOMO_HOME": str(e2e_county), "VALVOMO_DATABASE_URL": settings.app_database_url}
    code = (
        "import uvicorn; from valvomo.web.app import create_app; "
        f"uvicorn.run(create_app(), host='127.0.0.1', port={port}, log_level='warning')"
    )
    log = open(tmp_path_factory.mktemp("e2e-log") / "server.log", "w+")  # noqa: SIM115  (closed below)
    server = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, log)
        yield {"url": url, "settings": settings, "token": token}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_until_up(url: str, server: subprocess.Popen, log) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited with {server.returncode}:\n{log.read()}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server at {url} did not answer within 60 s")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """``new_page()`` → a page in a fresh browser context (own cookies), closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def log_in(live_server):
    """``log_in(page, username)`` with the demo account's password, through the login form."""

    def login(page, username: str = "analyst"):
        page.goto(f"{live_server['url']}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORDS[username])
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        assert "/login" not in page.url, f"login as {username} failed"
        return page

    return login


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
