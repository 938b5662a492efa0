"""`valvomo user add|token|list`, `valvomo serve` wiring and the demo accounts."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from valvomo.appdb import session_scope
from valvomo.web.auth import ensure_demo_users, user_for_token
from valvomo.web.auth.models import ApiToken, User
from valvomo.web.auth.passwords import verify_password


@pytest.fixture
def cli(settings, monkeypatch):
    """Invoke the CLI against the test's settings."""
    from valvomo.cli import app
    from valvomo.config import get_settings

    monkeypatch.setenv("VALVOMO_HOME", str(settings.home))
    monkeypatch.setenv("VALVOMO_DATABASE_URL", settings.app_database_url)
    get_settings.cache_clear()

    def run(*args: str, stdin: str | None = None):
        return CliRunner().invoke(app, list(args), input=stdin)

    yield run
    get_settings.cache_clear()


def test_user_add_with_password_from_stdin(cli, settings, audit_actions):
    result = cli("user", "add", "Maija", "--role", "station_manager", "--station", "ST-NASI",
                 "--station", "ST-LOVIISA", "--lang", "sv", "--password-stdin", stdin="a-long-password\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    with session_scope(settings) as db:
        user = db.scalar(select(User).where(User.username == "maija"))
        assert user.role == "station_manager" and user.language == "sv"
        assert user.station_ids == ["ST-LOVIISA", "ST-NASI"]
        assert verify_password(user.password_hash, "a-long-password")
    assert ("user_add", "cli") in [(a, u) for a, u, _ in audit_actions(settings)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "add", "xavier", "--role", "emperor", "--password-stdin"], "unknown role"),
        (["user", "add", "mgr", "--role", "station_manager", "--password-stdin"], "needs at least one station"),
        (["user", "add", "short", "--role", "viewer", "--password-stdin"], "at least 10 characters"),
    ],
)
def test_user_add_errors_exit_2_with_a_reason(cli, args, message):
    result = cli(*args, stdin="a-long-password\n" if "short" not in args else "short\n")
    assert result.exit_code == 2
    assert message in result.stderr


def test_user_add_without_terminal_or_stdin_flag_refuses(cli):
    result = cli("user", "add", "ville", "--role", "viewer")
    assert result.exit_code == 2 and "--password-stdin" in result.stderr


def test_user_token_prints_a_working_token_once(cli, settings):
    cli("user", "add", "ville", "--role", "viewer", "--password-stdin", stdin="a-long-password\n")
    result = cli("user", "token", "ville", "--label", "reports")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("vlv_")
    with session_scope(settings) as db:
        assert user_for_token(db, token).username == "ville"
        assert db.scalar(select(ApiToken.label)) == "reports"
    assert cli("user", "token", "nobody").exit_code == 2


def test_user_list(cli):
    cli("user", "add", "ville", "--role", "viewer", "--password-stdin", stdin="a-long-password\n")
    result = cli("user", "list")
    assert result.exit_code == 0 and "ville" in result.stdout and "viewer" in result.stdout


def test_demo_accounts_are_created_and_restored(settings):
    accounts = ensure_demo_users(settings)
    assert [(u, r) for u, _, r, _ in accounts] == [
        ("admin", "admin"), ("analyst", "analyst"), ("viewer", "viewer"), ("manager", "station_manager")
    ]  # fmt: skip
    assert accounts[3][3] == ["ST-LOVIISA"]  # the synthetic county's understaffed station
    with session_scope(settings) as db:
        manager = db.scalar(select(User).where(User.username == "manager"))
        manager.active = False
        manager.password_hash = "x"
    again = ensure_demo_users(settings, manager_stations=["ST-NASI"])
    assert again[3][3] == ["ST-NASI"]
    with session_scope(settings) as db:
        manager = db.scalar(select(User).where(User.username == "manager"))
        assert manager.active and manager.station_ids == ["ST-NASI"]
        assert verify_password(manager.password_hash, again[3][1])
        assert len(list(db.scalars(select(User)))) == 4


def test_demo_accounts_log_in(settings, login):
    from fastapi.testclient import TestClient

    from valvomo.web.app import create_app

    app = create_app(settings, migrate=False)
    for username, password, _role, _stations in ensure_demo_users(settings):
        assert login(TestClient(app), username, password).status_code == 303, username


def test_serve_is_registered_with_host_and_port():
    from valvomo.cli import app

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "--host" in result.stdout and "--port" in result.stdout


def test_serve_migrates_prints_the_address_and_answers(tmp_path):
    """`valvomo serve` on a fresh home, on a free loopback port: prints the address, then serves."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "VALVOMO_HOME": str(tmp_path / "home")}
    env.pop("VALVOMO_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-c", "from valvomo.cli import app; app()", "serve", "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    try:
        first_line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first_line
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None, process.stderr.read()
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["data_loaded"] is False
        login_page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=5)
        assert login_page.status_code == 200 and '<html lang="fi">' in login_page.text
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert (tmp_path / "home" / "app.sqlite3").exists()
