"""CSRF: every state-changing form is refused without the synchroniser token of its session."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from valvomo.appdb import session_scope
from valvomo.web.auth.models import User, WebSession


def test_login_without_token_is_refused(client, make_user):
    make_user("ana", "analyst")
    client.get("/login")  # has the pre-session cookie, but the form lacks the token
    response = client.post("/login", data={"username": "ana", "password": "correct-horse-battery"})
    assert response.status_code == 403
    assert "Lomake oli vanhentunut" in response.text
    assert "valvomo_session" not in client.cookies


def test_login_token_without_its_cookie_is_refused(app, make_user, csrf_from):
    """A cross-site page cannot reuse a token it saw: the token belongs to the victim's pre-session cookie."""
    make_user("ana", "analyst")
    token = csrf_from(TestClient(app).get("/login").text)
    attacker_browser = TestClient(app)
    response = attacker_browser.post(
        "/login", data={"username": "ana", "password": "correct-horse-battery", "csrf_token": token}
    )
    assert response.status_code == 403


def test_logout_without_token_keeps_the_session(logged_in, settings):
    client = logged_in("admin")
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 403
    with session_scope(settings) as db:
        assert db.scalar(select(WebSession)) is not None
    assert client.get("/admin/users").status_code == 200


def test_admin_form_without_token_changes_nothing(logged_in, settings):
    client = logged_in("admin")
    response = client.post(
        "/admin/users", data={"username": "mallory", "password": "x" * 12, "role": "admin", "language": "fi"}
    )
    assert response.status_code == 403
    with session_scope(settings) as db:
        assert db.scalar(select(User).where(User.username == "mallory")) is None


def test_token_of_another_session_is_refused(logged_in, csrf_from, settings):
    first = logged_in("admin", username="first")
    second = logged_in("admin", username="second")
    other_token = csrf_from(second.get("/admin/users").text)
    response = first.post(
        "/admin/users",
        data={"username": "mallory", "password": "x" * 12, "role": "admin", "csrf_token": other_token},
    )
    assert response.status_code == 403


def test_header_token_and_form_token_are_accepted(logged_in, csrf_from, settings):
    client = logged_in("admin")
    token = csrf_from(client.get("/admin/users").text)
    by_form = client.post(
        "/admin/users",
        data={"username": "viaform", "password": "x" * 12, "role": "viewer", "csrf_token": token},
        follow_redirects=False,
    )
    by_header = client.post(
        "/admin/users",
        data={"username": "viaheader", "password": "x" * 12, "role": "viewer"},
        headers={"X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert by_form.status_code == by_header.status_code == 303
    with session_scope(settings) as db:
        names = set(db.scalars(select(User.username)))
    assert {"viaform", "viaheader"} <= names


def test_every_post_form_in_the_templates_carries_the_token():
    """Static check over all templates (core and pages): a <form method="post"> holds csrf_input()."""
    import re
    from pathlib import Path

    import valvomo.web

    templates = Path(valvomo.web.__file__).with_name("templates")
    offenders = []
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for form in re.finditer(r"<form\b[^>]*>(.*?)</form>", text, flags=re.S | re.I):
            if re.search(r'method="post"', form.group(0)[:200], flags=re.I) and "csrf_input()" not in form.group(1):
                offenders.append(str(path.relative_to(templates)))
    assert offenders == []
