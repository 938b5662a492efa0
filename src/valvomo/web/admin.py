"""Administration pages: users, roles, stations, API tokens and the audit log (admins only).

Every change goes through ``valvomo.web.auth.users``/``tokens``, which write the
audit entries; the audit log itself is shown read-only, with filters. A new API
token is shown once on the response page and never again.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import replace
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from valvomo.web import deps
from valvomo.web.auth import audit as audit_log
from valvomo.web.auth import tokens as api_tokens
from valvomo.web.auth import users as accounts
from valvomo.web.auth.models import ROLES
from valvomo.web.auth.passwords import PasswordPolicyError
from valvomo.web.auth.users import Principal
from valvomo.web.i18n import LANGUAGE_NAMES, LANGUAGES, N_, gettext
from valvomo.web.security import client_ip

log = logging.getLogger(__name__)
router = APIRouter(prefix="/admin")
Admin = Annotated[Principal, Depends(deps.require_role("admin"))]
Db = Annotated[Session, Depends(deps.get_db)]
AUDIT_PAGE_SIZE = 100
HELSINKI = ZoneInfo("Europe/Helsinki")

USER_ERRORS = {
    "exists": N_("A user with this name already exists."),
    "username": N_("Use 2–64 characters a–z, 0–9, '.', '_' or '-' in the username."),
    "password": N_("The password needs at least 10 characters."),
    "stations": N_("A station manager needs at least one station."),
    "unknown_station": N_("Unknown station."),
    "self": N_("You cannot deactivate your own account or remove your own administrator role."),
}


def _known_stations(request: Request) -> list[dict[str, Any]]:
    """Stations of the loaded data for the check boxes; empty when no data are loaded (accounts can
    be managed before the first ingest) or the warehouse cannot be read (logged: the form still works)."""
    from valvomo.services.results import EmptyWarehouseError, MissingTableError
    from valvomo.warehouse.snapshots import CorruptWarehouseError
    from valvomo.web.pages.context import result_store

    def read(warehouse) -> list[dict[str, Any]]:
        if not warehouse.has("stations"):
            return []
        return warehouse.table("stations").select("station_id", "name_fi", "name_sv").to_pyarrow().to_pylist()

    try:
        rows = result_store(deps.get_app_settings(request)).read(read)
    except (EmptyWarehouseError, MissingTableError):  # no data loaded yet
        return []
    except CorruptWarehouseError:
        log.warning("the warehouse cannot be read; the station list of the user form is empty", exc_info=True)
        return []
    return sorted(rows, key=lambda r: r["station_id"])


def _user_error_key(error: Exception) -> str:
    text = str(error)
    if isinstance(error, PasswordPolicyError):
        return "password"
    if "already exists" in text:
        return "exists"
    if "invalid username" in text:
        return "username"
    if "station manager" in text:
        return "stations"
    return "username"


def _station_ids(request: Request, raw: list[str]) -> list[str] | None:
    """The chosen station ids, or None when one is not a station of the loaded data."""
    # Check boxes send one id each; the text field (no data loaded yet) may hold several.
    chosen = sorted({part for value in raw for part in re.split(r"[\s,]+", value or "") if part})
    known = {s["station_id"] for s in _known_stations(request)}
    if known and any(s not in known for s in chosen):
        return None
    return chosen


@router.get("")
def admin_home(user: Admin):
    return RedirectResponse("/admin/users", status_code=303)


def _users_page(request: Request, db: Session, *, error: str | None = None, form: dict | None = None, status: int = 200):
    lang = deps.get_lang(request)
    token_counts: dict[int, int] = {}
    for token in api_tokens.tokens_of(db):
        if token.revoked_at is None:
            token_counts[token.user_id] = token_counts.get(token.user_id, 0) + 1
    return deps.render(
        request,
        "admin/users.html",
        {
            "users": accounts.list_users(db),
            "token_counts": token_counts,
            "roles": ROLES,
            "stations": _known_stations(request),
            "language_choices": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            "error": gettext(lang, USER_ERRORS[error]) if error else None,
            "form": form or {"username": "", "role": "viewer", "stations": [], "language": lang},
        },
        status_code=status,
    )


@router.get("/users")
def users_page(request: Request, user: Admin, db: Db):
    return _users_page(request, db)


@router.post("/users")
def add_user(
    request: Request,
    user: Admin,
    db: Db,
    username: str = Form(..., max_length=64),
    password: str = Form(..., max_length=1024),
    role: str = Form(...),
    language: str = Form("fi"),
    stations: list[str] = Form(default_factory=list),
):
    form = {"username": username, "role": role, "stations": stations, "language": language}
    if role not in ROLES or language not in LANGUAGES:
        raise HTTPException(status_code=400)
    chosen = _station_ids(request, stations)
    if chosen is None:
        return _users_page(request, db, error="unknown_station", form=form, status=400)
    try:
        created = accounts.create_user(
            db, username, password, role, stations=chosen, language=language,
            actor=user.username, client_ip=client_ip(request),
        )  # fmt: skip
    except (accounts.UserError, PasswordPolicyError) as error:
        db.rollback()
        return _users_page(request, db, error=_user_error_key(error), form=form, status=400)
    return RedirectResponse(f"/admin/users/{created.username}?saved=1", status_code=303)


def _target(db: Session, username: str):
    target = accounts.get_user(db, username)
    if target is None:
        raise HTTPException(status_code=404)
    return target


def _user_page(request: Request, db: Session, username: str, *, error: str | None = None,
               new_token: str | None = None, status: int = 200):  # fmt: skip
    lang = deps.get_lang(request)
    target = _target(db, username)
    from valvomo.web.security import LOGIN_THROTTLE

    failed_logins, delayed_until = LOGIN_THROTTLE.delayed_until(db, target.username)
    return deps.render(
        request,
        "admin/user.html",
        {
            "target": target,
            "failed_logins": failed_logins,
            "delayed_until": delayed_until.replace(tzinfo=dt.UTC).astimezone(HELSINKI) if delayed_until else None,
            "roles": ROLES,
            "stations": _known_stations(request),
            "tokens": api_tokens.tokens_of(db, target.id),
            "new_token": new_token,
            "saved": request.query_params.get("saved") == "1",
            "error": gettext(lang, USER_ERRORS[error]) if error else None,
        },
        status_code=status,
    )


@router.get("/users/{username}")
def user_page(request: Request, username: str, user: Admin, db: Db):
    return _user_page(request, db, username)


@router.post("/users/{username}/role")
def change_role(
    request: Request,
    username: str,
    user: Admin,
    db: Db,
    role: str = Form(...),
    stations: list[str] = Form(default_factory=list),
):
    target = _target(db, username)
    if role not in ROLES:
        raise HTTPException(status_code=400)
    if target.id == user.id and role != "admin":
        return _user_page(request, db, username, error="self", status=400)
    chosen = _station_ids(request, stations)
    if chosen is None:
        return _user_page(request, db, username, error="unknown_station", status=400)
    try:
        accounts.change_role(db, target, role, chosen, actor=user.username, client_ip=client_ip(request))
    except accounts.UserError as error:
        db.rollback()
        return _user_page(request, db, username, error=_user_error_key(error), status=400)
    return RedirectResponse(f"/admin/users/{target.username}?saved=1", status_code=303)


@router.post("/users/{username}/active")
def set_active(request: Request, username: str, user: Admin, db: Db, active: str = Form(..., pattern="^(0|1)$")):
    target = _target(db, username)
    if target.id == user.id and active == "0":
        return _user_page(request, db, username, error="self", status=400)
    accounts.set_active(db, target, active == "1", actor=user.username, client_ip=client_ip(request))
    return RedirectResponse(f"/admin/users/{target.username}?saved=1", status_code=303)


@router.post("/users/{username}/password")
def set_password(
    request: Request, username: str, user: Admin, db: Db, password: str = Form(..., max_length=1024)
):
    target = _target(db, username)
    try:
        accounts.set_password(db, target, password, actor=user.username, client_ip=client_ip(request))
    except PasswordPolicyError:
        db.rollback()
        return _user_page(request, db, username, error="password", status=400)
    return RedirectResponse(f"/admin/users/{target.username}?saved=1", status_code=303)


@router.post("/users/{username}/unlock")
def unlock_logins(request: Request, username: str, user: Admin, db: Db):
    """End the user's login back-off (audit-logged as ``user_unlock``)."""
    target = _target(db, username)
    accounts.unlock_logins(db, target, actor=user.username, client_ip=client_ip(request))
    return RedirectResponse(f"/admin/users/{target.username}?saved=1", status_code=303)


@router.post("/users/{username}/tokens")
def issue_token(request: Request, username: str, user: Admin, db: Db, label: str = Form("", max_length=128)):
    """Issue a token and show it on this response only (it is stored as a digest)."""
    target = _target(db, username)
    if not target.active:
        raise HTTPException(status_code=400)
    token = api_tokens.issue_token(db, target, label=label, actor=user.username, client_ip=client_ip(request))
    db.commit()
    return _user_page(request, db, username, new_token=token)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int, user: Admin, db: Db, username: str = Form(..., max_length=64)):
    target = _target(db, username)
    if not any(t.id == token_id for t in api_tokens.tokens_of(db, target.id)):
        raise HTTPException(status_code=404)
    api_tokens.revoke_token(db, token_id, actor=user.username, client_ip=client_ip(request))
    return RedirectResponse(f"/admin/users/{target.username}?saved=1", status_code=303)


def _day_start_utc(text: str | None, *, next_day: bool = False) -> dt.datetime | None:
    """Midnight of a Helsinki calendar day (the next day's with ``next_day``) as naive UTC."""
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    if next_day:
        day += dt.timedelta(days=1)
    local = dt.datetime.combine(day, dt.time.min, tzinfo=HELSINKI)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


@router.get("/audit")
def audit_page(
    request: Request,
    user: Admin,
    db: Db,
    username: Annotated[str, Query(alias="user", max_length=64)] = "",
    action: Annotated[str, Query(max_length=64)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    """The audit log, newest first, read-only."""
    filters = audit_log.AuditFilter(
        username=username.strip().lower() or None,
        action=action or None,
        since=_day_start_utc(since),
        until=_day_start_utc(until, next_day=True),
    )
    entries = audit_log.read(db, filters, limit=AUDIT_PAGE_SIZE + 1, offset=(page - 1) * AUDIT_PAGE_SIZE)
    entries = [replace(e, at=e.at.replace(tzinfo=dt.UTC).astimezone(HELSINKI)) for e in entries]
    has_next = len(entries) > AUDIT_PAGE_SIZE
    query = {"user": username, "action": action, "since": since, "until": until}
    return deps.render(
        request,
        "admin/audit.html",
        {
            "entries": entries[:AUDIT_PAGE_SIZE],
            "actions": sorted(set(audit_log.actions_in_log(db)) | set(audit_log.KNOWN_ACTIONS)),
            "action_labels": audit_log.ACTION_LABELS,
            "filters": query,
            "page": page,
            "previous_query": {**query, "page": page - 1} if page > 1 else None,
            "next_query": {**query, "page": page + 1} if has_next else None,
        },
    )
