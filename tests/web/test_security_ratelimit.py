"""Login back-off instead of lock-out (issue 12, item 9), persisted in the app database.

Failed logins delay the next attempt exponentially per username+address, per username from strangers'
addresses and per address; never a lock: once the delay has passed, the right password gets in. A user
at an address they logged in from before is not delayed by other people's failures (shared proxy), and
an admin unlock ends the delay at once. Time passes by moving the stored attempts into the past.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from valvomo.appdb import session_scope
from valvomo.web.app import create_app
from valvomo.web.auth.models import LoginAttempt
from valvomo.web.security import LOGIN_THROTTLE, BackoffRule, LoginThrottle

WRONG = "wrong-password-1"


@pytest.fixture
def slow_backoff(monkeypatch):
    """The login form's rules with a 60 s first delay, so that a test's own run time (a loaded machine)
    cannot outlast a delay it expects to still be running."""
    from valvomo.web.auth import routes

    minute, cap = dt.timedelta(seconds=60), dt.timedelta(minutes=15)
    monkeypatch.setattr(routes, "THROTTLE", LoginThrottle(pair=BackoffRule(3, minute, cap), user=BackoffRule(5, minute, cap)))


def _pass_time(settings, seconds: float) -> None:
    """Move every stored attempt ``seconds`` into the past (row by row: SQLite has no datetime arithmetic)."""
    with session_scope(settings) as db:
        for attempt in db.scalars(select(LoginAttempt)):
            attempt.at -= dt.timedelta(seconds=seconds)


def test_delays_double_up_to_the_cap():
    rule = BackoffRule(3, dt.timedelta(seconds=1), dt.timedelta(minutes=15))
    seconds = [rule.delay(n).total_seconds() for n in range(0, 16)]
    assert seconds == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert rule.delay(10**6) == dt.timedelta(minutes=15)


def test_failures_delay_the_right_password_until_the_delay_has_passed(client, make_user, login, settings):
    make_user("ana", "analyst")
    for attempt in range(7):
        if attempt:
            _pass_time(settings, 100)  # longer than any delay so far: every failure is checked and counted
        assert login(client, "ana", WRONG).status_code == 401
    refused = login(client, "ana")  # right password, but within the 8 s delay of the 7th failure
    assert refused.status_code == 429
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 8
    assert f"Odota {wait} sekuntia" in refused.text
    assert "valvomo_session" not in client.cookies
    _pass_time(settings, 9)
    assert login(client, "ana").status_code == 303  # a delay, not a lock


def test_refused_attempts_are_not_counted(client, make_user, login, settings):
    make_user("ana", "analyst")
    for attempt in range(8):
        if attempt:
            _pass_time(settings, 100)
        assert login(client, "ana", WRONG).status_code == 401
    for _ in range(10):  # hammering during the 16 s delay neither gets checked nor lengthens it
        assert login(client, "ana", WRONG).status_code == 429
    _pass_time(settings, 17)
    assert login(client, "ana").status_code == 303


def test_back_off_and_refusals_are_audit_logged(client, make_user, login, audit_actions, settings, slow_backoff):
    make_user("ana", "analyst")
    for _ in range(5):
        login(client, "ana", WRONG)
    actions = [(a, d) for a, _, d in audit_actions(settings)]
    assert [a for a, _ in actions].count("login_failed") == 4
    started = [d for a, d in actions if a == "login_backoff"]
    assert started == [{"scope": "pair", "delay_seconds": 60}]
    blocked = [d for a, d in actions if a == "login_blocked"]
    assert len(blocked) == 1 and blocked[0]["scope"] == "pair" and 50 <= blocked[0]["wait_seconds"] <= 60


def test_block_message_is_localised(client, make_user, login, slow_backoff):
    make_user("ana", "analyst")
    client.get("/login?lang=sv")
    for _ in range(4):
        login(client, "ana", WRONG)
    blocked = login(client, "ana")
    assert blocked.status_code == 429
    assert "För många misslyckade försök. Vänta " in blocked.text and " sekunder innan" in blocked.text
    assert '<html lang="sv">' in blocked.text


def test_strangers_cannot_delay_a_user_at_a_known_address(app, make_user, login, settings, slow_backoff):
    make_user("ana", "analyst")
    office = TestClient(app, client=("10.0.0.5", 50000))
    assert login(office, "ana").status_code == 303  # ana is known at the office address
    for attacker in range(12):  # twelve addresses, 12 × 3 free guesses and more
        elsewhere = TestClient(app, client=(f"192.0.2.{attacker}", 50000))
        for _ in range(4):
            login(elsewhere, "ana", WRONG)
    assert login(TestClient(app, client=("192.0.2.200", 50000)), "ana").status_code == 429  # strangers: delayed
    assert login(TestClient(app, client=("10.0.0.5", 50000)), "ana").status_code == 303  # ana at the office: not


def test_spraying_from_one_address_delays_strangers_there_but_not_known_users(app, make_user, login, monkeypatch):
    from valvomo.web.auth import routes

    # 4 free failures per address instead of 20: the same rule, fewer slow logins of unknown users
    address = BackoffRule(4, dt.timedelta(seconds=60), dt.timedelta(minutes=15))
    monkeypatch.setattr(routes, "THROTTLE", LoginThrottle(address=address))
    make_user("ville", "viewer")
    make_user("uusi", "viewer")
    proxy = ("203.0.113.7", 50000)
    assert login(TestClient(app, client=proxy), "ville").status_code == 303
    sprayer = TestClient(app, client=proxy)
    for i in range(5):  # 5 usernames, 1 guess each: no per-user delay, the address rule starts
        assert login(sprayer, f"guess{i}", WRONG).status_code == 401
    assert login(TestClient(app, client=proxy), "uusi").status_code == 429  # never logged in from here
    assert login(TestClient(app, client=proxy), "ville").status_code == 303  # known behind the shared proxy
    assert login(TestClient(app, client=("198.51.100.1", 50000)), "uusi").status_code == 303  # elsewhere


def test_admin_unlock_ends_the_delay_at_once(app, make_user, login, logged_in, csrf_from, audit_actions, settings):
    make_user("ana", "analyst")
    victim = TestClient(app, client=("192.0.2.9", 50000))
    for _ in range(12):
        assert login(victim, "ana", WRONG).status_code == 401
        _pass_time(settings, 200)
    assert login(victim, "ana").status_code == 429  # 12 failures: 512 s, of which 200 s have passed
    admin = logged_in("admin", username="boss")
    page = admin.get("/admin/users/ana")
    assert "12 epäonnistunutta kirjautumista" in page.text
    assert "Avaa kirjautuminen" in page.text
    response = admin.post("/admin/users/ana/unlock", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    assert login(victim, "ana").status_code == 303
    unlocks = [(u, d) for a, u, d in audit_actions(settings) if a == "user_unlock"]
    assert unlocks == [("boss", {"user": "ana", "failures": 12})]
    assert "Ei epäonnistuneita kirjautumisia" in admin.get("/admin/users/ana").text


def test_unlock_needs_an_admin_and_a_csrf_token(app, make_user, logged_in, csrf_from):
    make_user("ana", "analyst")
    viewer = logged_in("viewer")
    token = csrf_from(viewer.get("/").text)
    assert viewer.post("/admin/users/ana/unlock", data={"csrf_token": token}, follow_redirects=False).status_code == 403
    admin = logged_in("admin", username="boss")
    assert admin.post("/admin/users/ana/unlock", follow_redirects=False).status_code in (400, 403)


def test_cli_user_unlock(app, make_user, login, settings, monkeypatch, audit_actions):
    from valvomo.cli import app as cli
    from valvomo.config import get_settings

    make_user("ana", "analyst")
    client = TestClient(app)
    for attempt in range(8):
        if attempt:
            _pass_time(settings, 100)  # each failure counts (none falls into the previous delay)
        assert login(client, "ana", WRONG).status_code == 401
    assert login(client, "ana").status_code == 429  # 8 failures: 16 s
    monkeypatch.setenv("VALVOMO_HOME", str(settings.home))
    monkeypatch.setenv("VALVOMO_DATABASE_URL", settings.app_database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["user", "unlock", "ana"])
        missing = CliRunner().invoke(cli, ["user", "unlock", "[bold]nobody:x:"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "8 failed logins" in result.output
    assert login(client, "ana").status_code == 303
    assert missing.exit_code == 2 and "[bold]nobody:x:" in missing.output
    assert [u for a, u, _ in audit_actions(settings) if a == "user_unlock"] == ["cli"]


def test_the_count_survives_a_restart(app, make_user, login, settings, slow_backoff):
    """Attempts are rows in the app database, not process memory."""
    make_user("ana", "analyst")
    for _ in range(6):
        login(TestClient(app), "ana", WRONG)
    restarted = create_app(settings, migrate=False)
    assert login(TestClient(restarted), "ana").status_code == 429


def test_old_failures_are_forgotten(client, make_user, login, settings):
    make_user("ana", "analyst")
    for _ in range(10):
        login(client, "ana", WRONG)
    _pass_time(settings, 16 * 60)  # longer than the cap
    assert login(client, "ana").status_code == 303
    with session_scope(settings) as db:
        assert LOGIN_THROTTLE.check(db, "ana", "testclient").allowed
