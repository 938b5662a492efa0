"""Language choice: <html lang>, the ?lang= switch, and where the choice is remembered."""

from __future__ import annotations

from sqlalchemy import select

from valvomo.appdb import session_scope
from valvomo.web.auth.models import User


def test_default_language_is_finnish(client):
    page = client.get("/login")
    assert '<html lang="fi">' in page.text and "Kirjaudu Valvomoon" in page.text


def test_configured_default_language(settings, tmp_path):
    from fastapi.testclient import TestClient

    from valvomo.web.app import create_app

    swedish = settings.model_copy(update={"language": "sv"})
    page = TestClient(create_app(swedish, migrate=False)).get("/login")
    assert '<html lang="sv">' in page.text and "Logga in i Valvomo" in page.text


def test_anonymous_choice_is_remembered_in_a_cookie(client):
    page = client.get("/login?lang=sv")
    assert '<html lang="sv">' in page.text and "Logga in i Valvomo" in page.text
    assert client.cookies["valvomo_lang"] == "sv"
    again = client.get("/login")
    assert '<html lang="sv">' in again.text


def test_switcher_links_keep_the_page_and_mark_the_current_language(client):
    page = client.get("/login?next=/stations&lang=en")
    assert 'href="/login?next=%2Fstations&amp;lang=sv"' in page.text
    assert 'lang="en" hreflang="en" aria-current="true"' in page.text


def test_logged_in_choice_is_stored_on_the_user(logged_in, settings):
    client = logged_in("admin", username="boss")
    assert '<html lang="fi">' in client.get("/admin/users").text
    swedish = client.get("/admin/users?lang=sv")
    assert '<html lang="sv">' in swedish.text and "Användarkonton" in swedish.text
    with session_scope(settings) as db:
        assert db.scalar(select(User.language).where(User.username == "boss")) == "sv"
    english = client.get("/admin/audit?lang=en")
    assert '<html lang="en">' in english.text and "Audit entries, newest first" in english.text
    assert '<html lang="en">' in client.get("/admin/users").text  # no ?lang: the stored preference


def test_users_language_applies_at_login(app, make_user, login):
    from fastapi.testclient import TestClient

    make_user("sven", "admin", language="sv")
    client = TestClient(app)
    login(client, "sven")
    page = client.get("/admin/users")
    assert '<html lang="sv">' in page.text and "Logga ut" in page.text


def test_error_pages_are_localised(logged_in):
    client = logged_in("viewer")
    assert "Sivua ei löytynyt" in client.get("/no-such-page").text
    forbidden = client.get("/admin/users?lang=sv")
    assert forbidden.status_code == 403 and "Du har inte åtkomst till den här sidan" in forbidden.text
