"""Admin pages: users list and add, role and stations, deactivation, API tokens shown once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from valvomo.appdb import session_scope
from valvomo.appdb.engine import dispose_engines
from valvomo.web.auth.models import ApiToken, User


@pytest.fixture
def admin(logged_in, csrf_from):
    client = logged_in("admin", username="boss")
    client.token = csrf_from(client.get("/admin/users").text)
    return client


def _user(settings, name) -> User | None:
    with session_scope(settings) as db:
        return db.scalar(select(User).where(User.username == name))


@pytest.mark.parametrize("role", ["viewer", "station_manager", "analyst"])
def test_non_admins_get_403_on_every_admin_page(logged_in, role):
    client = logged_in(role, stations=["ST-NASI"] if role == "station_manager" else ())
    for path in ("/admin/users", "/admin/users/boss", "/admin/audit"):
        assert client.get(path).status_code == 403, path


def test_admin_nav_item_only_for_admins(logged_in):
    assert 'href="/admin"' in logged_in("admin").get("/admin/users").text
    assert 'href="/admin"' not in logged_in("analyst").get("/no-such-page").text


def test_add_user_and_list_it(admin, settings):
    response = admin.post(
        "/admin/users",
        data={"username": "Maija.M", "password": "long-password", "role": "station_manager",
              "language": "sv", "stations": ["ST-NASI", "ST-LOVIISA"], "csrf_token": admin.token},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303 and response.headers["location"] == "/admin/users/maija.m?saved=1"
    user = _user(settings, "maija.m")
    assert user.role == "station_manager" and user.language == "sv"
    assert user.station_ids == ["ST-LOVIISA", "ST-NASI"]
    listing = admin.get("/admin/users").text
    assert "maija.m" in listing and "ST-LOVIISA, ST-NASI" in listing


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"username": "x y", "password": "long-password", "role": "viewer"}, "Käytä käyttäjätunnuksessa"),
        ({"username": "short", "password": "123", "role": "viewer"}, "vähintään 10 merkkiä"),
        ({"username": "mgr", "password": "long-password", "role": "station_manager"}, "vähintään yksi asema"),
        ({"username": "boss", "password": "long-password", "role": "viewer"}, "on jo olemassa"),
    ],
)
def test_add_user_errors_are_shown_in_the_form(admin, form, message):
    response = admin.post("/admin/users", data={**form, "language": "fi", "csrf_token": admin.token})
    assert response.status_code == 400
    assert message in response.text


def test_change_role_and_stations(admin, make_user, settings):
    make_user("ville", "viewer")
    admin.post("/admin/users/ville/role",
               data={"role": "station_manager", "stations": ["ST-NASI"], "csrf_token": admin.token})  # fmt: skip
    user = _user(settings, "ville")
    assert (user.role, user.station_ids) == ("station_manager", ["ST-NASI"])
    # Without loaded data the form has one text field; several ids may be typed into it.
    admin.post("/admin/users/ville/role",
               data={"role": "station_manager", "stations": "ST-NASI, ST-LOVIISA", "csrf_token": admin.token})  # fmt: skip
    assert _user(settings, "ville").station_ids == ["ST-LOVIISA", "ST-NASI"]
    admin.post("/admin/users/ville/role", data={"role": "analyst", "csrf_token": admin.token})
    user = _user(settings, "ville")
    assert (user.role, user.station_ids) == ("analyst", [])


def test_admin_cannot_lock_themselves_out(admin, settings):
    assert admin.post("/admin/users/boss/active", data={"active": "0", "csrf_token": admin.token}).status_code == 400
    assert admin.post("/admin/users/boss/role", data={"role": "viewer", "csrf_token": admin.token}).status_code == 400
    user = _user(settings, "boss")
    assert user.active and user.role == "admin"


def test_deactivate_ends_sessions_and_tokens_then_reactivate(admin, logged_in, settings):
    victim = logged_in("admin", username="other")
    token = admin.post("/admin/users/other/tokens", data={"label": "x", "csrf_token": admin.token})
    value = re.search(r'id="new-token">([^<]+)<', token.text).group(1)
    catalogue = TestClient(admin.app).get("/api/indicators/catalogue", headers={"Authorization": f"Bearer {value}"})
    assert catalogue.status_code == 200
    admin.post("/admin/users/other/active", data={"active": "0", "csrf_token": admin.token})
    assert victim.get("/admin/users", follow_redirects=False).status_code == 303
    api = TestClient(admin.app).get("/api/indicators/catalogue", headers={"Authorization": f"Bearer {value}"})
    assert api.status_code == 401
    admin.post("/admin/users/other/active", data={"active": "1", "csrf_token": admin.token})
    assert _user(settings, "other").active


def test_token_is_shown_once_and_stored_as_digest(admin, make_user, settings):
    make_user("ville", "viewer")
    issued = admin.post("/admin/users/ville/tokens", data={"label": "Power BI", "csrf_token": admin.token})
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    value = re.search(r'id="new-token">([^<]+)<', issued.text).group(1)
    assert value.startswith("vlv_") and len(value) > 40
    later = admin.get("/admin/users/ville").text
    assert value not in later and value[:10] in later and "Power BI" in later
    with session_scope(settings) as db:
        row = db.scalar(select(ApiToken))
    assert row.token_hash != value and value not in row.token_hash
    dispose_engines()
    database = Path(settings.app_database_url.removeprefix("sqlite:///"))
    assert value.encode() not in b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))


def test_revoke_token(admin, make_user, settings):
    make_user("ville", "viewer")
    issued = admin.post("/admin/users/ville/tokens", data={"label": "", "csrf_token": admin.token})
    value = re.search(r'id="new-token">([^<]+)<', issued.text).group(1)
    with session_scope(settings) as db:
        token_id = db.scalar(select(ApiToken.id))
    admin.post(f"/admin/tokens/{token_id}/revoke", data={"username": "ville", "csrf_token": admin.token})
    assert TestClient(admin.app).get("/api/stations", headers={"Authorization": f"Bearer {value}"}).status_code == 401
    assert admin.post(f"/admin/tokens/{token_id}/revoke",
                      data={"username": "boss", "csrf_token": admin.token}).status_code == 404  # fmt: skip


def test_unknown_user_is_404(admin):
    assert admin.get("/admin/users/nobody").status_code == 404
