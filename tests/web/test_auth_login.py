"""Login, logout and sessions: cookies, redirects, fixation, expiry, deactivation."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from valvomo.appdb import session_scope
from valvomo.web.auth.models import User, WebSession
from valvomo.web.auth.sessions import digest


def test_anonymous_page_redirects_to_login_and_back(client, make_user, login):
    response = client.get("/admin/users?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fadmin%2Fusers%3Fx%3D1"

    make_user("boss", "admin")
    done = login(client, "boss", next_path="/admin/users?x=1")
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/users?x=1"
    assert client.get("/admin/users").status_code == 200


def test_session_cookie_is_httponly_lax_and_stored_as_digest(client, make_user, login, settings):
    make_user("ana", "analyst")
    response = login(client, "ana")
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("valvomo_session="))
    attributes = cookie.lower()
    assert "httponly" in attributes and "samesite=lax" in attributes and "path=/" in attributes
    assert "secure" not in attributes  # plain http on the test server; https adds Secure (next test)
    value = client.cookies["valvomo_session"]
    with session_scope(settings) as db:
        stored = list(db.scalars(select(WebSession.id_hash)))
    assert stored == [digest(value)] and value not in stored


def test_cookie_is_secure_over_https(app, make_user, login):
    make_user("ana", "analyst")
    client = TestClient(app, base_url="https://testserver")
    response = login(client, "ana")
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("valvomo_session="))
    assert "secure" in cookie.lower()
    assert "max-age=31536000" in response.headers["strict-transport-security"]


def test_wrong_password_is_refused_with_message(client, make_user, login):
    make_user("ana", "analyst")
    response = login(client, "ana", "wrong-password-1")
    assert response.status_code == 401
    assert "Väärä käyttäjätunnus tai salasana." in response.text
    assert "valvomo_session" not in client.cookies


def test_logout_ends_the_session_server_side(client, make_user, login, csrf_from, settings):
    make_user("ana", "analyst")
    login(client, "ana")
    stolen = client.cookies["valvomo_session"]
    page = client.get("/admin/users")  # 403 page for an analyst, but it carries the logout form
    response = client.post("/logout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    with session_scope(settings) as db:
        assert db.scalar(select(WebSession)) is None
    # Replaying the old cookie does not log anyone in.
    replay = TestClient(client.app, cookies={"valvomo_session": stolen})
    assert replay.get("/admin/users", follow_redirects=False).status_code == 303


def test_login_starts_a_new_session_id(client, make_user, login):
    """A session id planted before login is not the one used after it (no fixation)."""
    make_user("ana", "analyst")
    client.cookies.set("valvomo_session", "planted-by-attacker")
    response = login(client, "ana")
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("valvomo_session="))
    new_value = cookie.split(";")[0].split("=", 1)[1]
    assert new_value != "planted-by-attacker" and len(new_value) >= 40


def test_open_redirect_after_login_is_refused(client, make_user, login):
    make_user("ana", "analyst")
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        fresh = TestClient(client.app)
        response = login(fresh, "ana", next_path=target)
        assert response.headers["location"] == "/", target


def test_expired_and_idle_sessions_are_refused(client, make_user, login, settings):
    make_user("ana", "admin")
    login(client, "ana")
    assert client.get("/admin/users").status_code == 200
    with session_scope(settings) as db:
        db.execute(update(WebSession).values(last_seen_at=dt.datetime(2000, 1, 1)))
    assert client.get("/admin/users", follow_redirects=False).status_code == 303
    with session_scope(settings) as db:
        assert db.scalar(select(WebSession)) is None  # the idle session was removed


def test_deactivated_user_is_logged_out(logged_in, settings):
    client = logged_in("admin", username="gone")
    assert client.get("/admin/users").status_code == 200
    with session_scope(settings) as db:
        db.execute(update(User).where(User.username == "gone").values(active=False))
    assert client.get("/admin/users", follow_redirects=False).status_code == 303


def test_deactivated_user_cannot_log_in(client, make_user, login, settings):
    make_user("gone", "viewer")
    with session_scope(settings) as db:
        db.execute(update(User).where(User.username == "gone").values(active=False))
    assert login(client, "gone").status_code == 401


def test_logged_in_user_visiting_login_goes_to_next(logged_in):
    client = logged_in("admin")
    response = client.get("/login?next=/admin/audit", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/audit"
