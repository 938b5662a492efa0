"""Every audited action leaves an entry; the log is append-only and readable by admins only."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from valvomo.appdb import session_scope
from valvomo.web import deps
from valvomo.web.auth import audit
from valvomo.web.auth.models import AuditEntry


def _patient_router() -> APIRouter:
    """A stand-in patient-level page, calling deps.audit as the dashboard's pages do."""
    router = APIRouter()

    @router.get("/test-patients/{station_id}")
    def patients(request: Request, station_id: str, user=Depends(deps.current_user)):
        if not deps.can_see_patient_level(user, station_id):
            return deps.render(request, "error.html", {"status": 403, "title_msgid": "x", "hint_msgid": "y"}, 403)
        deps.audit(request, audit.PATIENT_VIEW, {"station_id": station_id, "rows": 3})
        return {"ok": True}

    return router


def test_login_failed_login_and_logout_are_audited(client, make_user, login, csrf_from, audit_actions, settings):
    make_user("ana", "analyst")
    login(client, "ana", "wrong-password-1")
    login(client, "ana")
    page = client.get("/login?next=/x", follow_redirects=False)
    assert page.status_code == 303
    token = csrf_from(client.get("/no-such-page").text)
    client.post("/logout", data={"csrf_token": token})
    entries = [(a, u) for a, u, _ in audit_actions(settings) if a.startswith(("login", "logout"))]
    assert entries == [("login_failed", "ana"), ("login", "ana"), ("logout", "ana")]


def test_patient_level_view_is_audited_and_limited_to_own_station(app, make_user, login, audit_actions, settings):
    app.include_router(_patient_router())
    make_user("manager", "station_manager", stations=["ST-LOVIISA"])
    client = TestClient(app)
    login(client, "manager")
    assert client.get("/test-patients/ST-LOVIISA").status_code == 200
    assert client.get("/test-patients/ST-NASI").status_code == 403
    views = [(u, d) for a, u, d in audit_actions(settings) if a == "patient_view"]
    assert views == [("manager", {"station_id": "ST-LOVIISA", "rows": 3})]


def test_disclosure_switch_is_analyst_only_and_audited(logged_in, csrf_from, audit_actions, settings):
    analyst = logged_in("analyst")
    token = csrf_from(analyst.get("/no-such-page").text)
    off = analyst.post("/disclosure", data={"control": "off", "next": "/stations", "csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert off.status_code == 303 and off.headers["location"] == "/stations"
    page = analyst.get("/no-such-page")
    assert "Switch disclosure control back on" in page.text or "takaisin käyttöön" in page.text
    analyst.post("/disclosure", data={"control": "on", "next": "/", "csrf_token": token})
    viewer = logged_in("viewer")
    refused = viewer.post("/disclosure", data={"control": "off", "csrf_token": csrf_from(viewer.get("/x").text)})
    assert refused.status_code == 403
    switches = [(a, u) for a, u, _ in audit_actions(settings) if a.startswith("disclosure")]
    assert switches == [("disclosure_off", "analyst1"), ("disclosure_on", "analyst1")]


def test_user_changes_and_token_issue_are_audited(logged_in, csrf_from, audit_actions, settings):
    admin = logged_in("admin", username="boss")
    token = csrf_from(admin.get("/admin/users").text)
    admin.post("/admin/users", data={"username": "new1", "password": "long-password", "role": "viewer",
                                     "language": "sv", "csrf_token": token})  # fmt: skip
    admin.post("/admin/users/new1/role", data={"role": "station_manager", "stations": "ST-NASI",
                                               "csrf_token": token})  # fmt: skip
    admin.post("/admin/users/new1/tokens", data={"label": "reporting", "csrf_token": token})
    admin.post("/admin/users/new1/password", data={"password": "another-password", "csrf_token": token})
    admin.post("/admin/users/new1/active", data={"active": "0", "csrf_token": token})
    entries = [(a, u, d) for a, u, d in audit_actions(settings) if u == "boss" and a != "login"]
    assert [a for a, _, _ in entries] == [
        "user_add", "user_role_change", "user_stations_change", "token_issue", "user_password_change",
        "user_deactivate",
    ]  # fmt: skip
    assert entries[0][2] == {"user": "new1", "role": "viewer", "stations": [], "language": "sv"}
    assert entries[1][2] == {"user": "new1", "from": "viewer", "to": "station_manager"}
    assert entries[2][2] == {"user": "new1", "from": [], "to": ["ST-NASI"]}
    assert entries[3][2]["user"] == "new1" and entries[3][2]["prefix"].startswith("vlv_")


def test_the_database_refuses_update_and_delete(settings, make_user):
    make_user("ana")  # writes a user_add entry
    with session_scope(settings) as db:
        assert db.scalar(select(AuditEntry.action)) == "user_add"
    for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="append-only"), session_scope(settings) as db:
            db.execute(text(statement))
    with session_scope(settings) as db:
        assert [e.action for e in db.scalars(select(AuditEntry))] == ["user_add"]


def test_the_orm_refuses_to_change_or_delete_an_entry(settings, make_user):
    make_user("ana")
    with pytest.raises(audit.AuditLogIsAppendOnly), session_scope(settings) as db:
        entry = db.scalar(select(AuditEntry))
        entry.detail = "{}"
        db.flush()
    with pytest.raises(audit.AuditLogIsAppendOnly), session_scope(settings) as db:
        db.delete(db.scalar(select(AuditEntry)))
        db.flush()


@pytest.mark.parametrize("role", ["viewer", "station_manager", "analyst"])
def test_only_admins_read_the_audit_log(logged_in, role):
    client = logged_in(role, stations=["ST-NASI"] if role == "station_manager" else ())
    response = client.get("/admin/audit")
    assert response.status_code == 403
    assert "Lokimerkinnät" not in response.text and "<table" not in response.text


def test_admin_audit_view_filters(logged_in, make_user, login, client):
    make_user("ana", "analyst")
    login(client, "ana", "wrong-password-1")
    admin = logged_in("admin", username="boss")
    failed = admin.get("/admin/audit?action=login_failed")
    assert failed.status_code == 200
    body = failed.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == 1 and "ana" in body and "login_failed" in body
    by_user = admin.get("/admin/audit?user=boss").text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "login_failed" not in by_user and "Kirjautui sisään <code class=\"hint\">login</code>" in by_user
    future = admin.get("/admin/audit?since=2999-01-01").text
    assert "Rajausta vastaavia merkintöjä ei ole." in future
