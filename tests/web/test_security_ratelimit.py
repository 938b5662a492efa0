"""Login rate limiting per username and per client address, persisted in the app database."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import update

from valvomo.appdb import session_scope
from valvomo.web.app import create_app
from valvomo.web.auth.models import LoginAttempt


def test_five_failures_block_the_username_even_with_the_right_password(client, make_user, login, audit_actions, settings):
    make_user("ana", "analyst")
    statuses = [login(client, "ana", "wrong-password-1").status_code for _ in range(5)]
    assert statuses == [401] * 5
    blocked = login(client, "ana")  # correct password, but the limit (5 per 15 min) is reached
    assert blocked.status_code == 429
    assert "Liian monta epäonnistunutta yritystä" in blocked.text
    assert "valvomo_session" not in client.cookies
    actions = [a for a, _, _ in audit_actions(settings)]
    assert actions.count("login_failed") == 5 and actions.count("login_blocked") == 1


def test_block_message_is_localised(client, make_user, login):
    make_user("ana", "analyst")
    client.get("/login?lang=sv")
    for _ in range(5):
        login(client, "ana", "wrong-password-1")
    blocked = login(client, "ana")
    assert blocked.status_code == 429
    assert "För många misslyckade försök" in blocked.text
    assert '<html lang="sv">' in blocked.text


def test_other_usernames_are_not_blocked_by_one_users_failures(client, make_user, login):
    make_user("ana", "analyst")
    make_user("ville", "viewer")
    for _ in range(5):
        login(client, "ana", "wrong-password-1")
    assert login(client, "ville").status_code == 303


def test_twenty_failures_from_one_address_block_that_address(client, make_user, login):
    make_user("ville", "viewer")
    for i in range(20):  # 20 different usernames, so no per-username limit is reached
        assert login(client, f"guess{i}", "wrong-password-1").status_code == 401
    assert login(client, "ville").status_code == 429


def test_failures_older_than_the_window_do_not_count(client, make_user, login, settings):
    make_user("ana", "analyst")
    for _ in range(5):
        login(client, "ana", "wrong-password-1")
    with session_scope(settings) as db:
        db.execute(update(LoginAttempt).values(at=LoginAttempt.at - dt.timedelta(minutes=16)))
    assert login(client, "ana").status_code == 303


def test_the_count_survives_a_restart(app, make_user, login, settings):
    """Attempts are rows in the app database, not process memory."""
    make_user("ana", "analyst")
    for _ in range(5):
        login(TestClient(app), "ana", "wrong-password-1")
    restarted = create_app(settings, migrate=False)
    assert login(TestClient(restarted), "ana").status_code == 429
