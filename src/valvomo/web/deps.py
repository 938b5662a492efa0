"""What every page and route needs: settings, database, the user, language, rendering, audit.

This is the contract between the core (login, security, admin, API) and the
dashboard pages in ``valvomo.web.pages``. A page route looks like::

    @router.get("/stations/{station_id}")
    def station(request: Request, station_id: str, user: Principal = Depends(current_user)):
        profile = disclosure_profile_for(user, request)
        ...
        return render(request, "pages/station.html", {"rows": rows})

``render`` adds the user, language, translation functions, CSRF token, format
filters, navigation and the disclosure profile to the template context.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse
from starlette.routing import Match
from starlette.templating import Jinja2Templates

from valvomo.config import Settings
from valvomo.web import i18n
from valvomo.web.auth import audit as audit_log
from valvomo.web.auth import sessions as web_sessions
from valvomo.web.auth.tokens import user_for_token
from valvomo.web.auth.users import Principal, set_language
from valvomo.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    LANGUAGE_COOKIE,
    PRE_SESSION_COOKIE,
    SAFE_METHODS,
    SESSION_COOKIE,
    client_ip,
    cookie_options,
    pre_session_token,
    secret_key,
    tokens_match,
)

TEMPLATES_DIR = Path(__file__).with_name("templates")


# --- errors the app turns into responses ---------------------------------------------------------


class LoginRequired(Exception):
    """Raised by ``current_user`` for an anonymous browser: the app redirects to /login."""

    def __init__(self, next_path: str = "/"):
        self.next_path = next_path


class CsrfFailed(Exception):
    """A state-changing request without the right CSRF token: refused with 403."""


# --- settings and database -----------------------------------------------------------------------


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def _sessionmaker(request: Request) -> sessionmaker[Session]:
    return request.app.state.sessionmaker


def get_db(request: Request) -> Iterator[Session]:
    """A database session for one request: committed when the route returns, rolled back on error."""
    db = _sessionmaker(request)()
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()


# --- the user ------------------------------------------------------------------------------------

_UNRESOLVED = object()


def resolve_user(request: Request) -> Principal | None:
    """The logged-in user of this request (cached on ``request.state``), or None.

    Usable outside dependency injection too (exception handlers, middleware-free
    pages). Also leaves ``request.state.web_session`` (a ``SessionState`` or None).
    """
    cached = getattr(request.state, "user", _UNRESOLVED)
    if cached is not _UNRESOLVED:
        return cached
    user: Principal | None = None
    state = None
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        db = _sessionmaker(request)()
        try:
            loaded = web_sessions.load_session(db, cookie)
            db.commit()
            if loaded is not None:
                state, row = loaded
                user = Principal.of(row)
        finally:
            db.close()
    request.state.user = user
    request.state.web_session = state
    return user


def current_user(request: Request) -> Principal:
    """Dependency: the logged-in user; anonymous browsers are sent to /login and back."""
    user = resolve_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


def require_role(*roles: str) -> Callable[..., Principal]:
    """Dependency factory: the user, if their role is one of ``roles``; else 403."""

    def dependency(user: Principal = Depends(current_user)) -> Principal:
        if user.role not in roles:
            raise HTTPException(status_code=403)
        return user

    return dependency


bearer_scheme = HTTPBearer(auto_error=False, description="A personal API token: `valvomo user token NAME`.")


def api_user(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)
) -> Principal:
    """Dependency for /api: the owner of the ``Authorization: Bearer`` token; else JSON 401."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials.strip():
        raise HTTPException(
            status_code=401, detail="missing bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
    db = _sessionmaker(request)()
    try:
        row = user_for_token(db, credentials.credentials.strip())
        principal = Principal.of(row) if row is not None else None
        db.commit()
    finally:
        db.close()
    if principal is None:
        raise HTTPException(
            status_code=401, detail="invalid or revoked token", headers={"WWW-Authenticate": "Bearer"}
        )
    request.state.user = principal
    request.state.web_session = None
    return principal


def can_see_patient_level(user: Principal | None, station_id: str | None) -> bool:
    """Patient-level access: station managers for their own stations, analysts county-wide.

    Viewers and admins see aggregates only (an admin manages accounts, not care data).
    ``station_id=None`` asks about county-wide patient-level data.
    """
    if user is None:
        return False
    if user.role == "analyst":
        return True
    if user.role == "station_manager":
        return station_id is not None and station_id in user.stations
    return False


def disclosure_profile_for(user: Principal | None, request: Request) -> str:
    """The disclosure profile for this user's view: "none" only for an analyst who switched
    control off for their own session; everyone else gets the configured profile."""
    settings = get_app_settings(request)
    state = getattr(request.state, "web_session", None)
    if user is not None and user.role == "analyst" and state is not None and state.disclosure_off:
        return "none"
    return settings.disclosure_profile


# --- language ------------------------------------------------------------------------------------


def get_lang(request: Request) -> str:
    """The interface language: ``?lang=`` (remembered), then the user's preference, then the
    language cookie of an anonymous browser, then ``settings.language``."""
    cached = getattr(request.state, "lang", None)
    if cached:
        return cached
    user = resolve_user(request)
    chosen = i18n.normalise_language(request.query_params.get("lang"))
    if chosen:
        request.state.lang_chosen = chosen
        if user is not None and user.language != chosen:
            db = _sessionmaker(request)()
            try:
                set_language(db, user.id, chosen)
                db.commit()
            finally:
                db.close()
        lang = chosen
    elif user is not None:
        lang = user.language
    else:
        lang = i18n.normalise_language(request.cookies.get(LANGUAGE_COOKIE)) or get_app_settings(request).language
    request.state.lang = lang
    return lang


def language_links(request: Request) -> list[dict[str, Any]]:
    """The current address in each language (``?lang=xx``, other query parameters kept)."""
    current = get_lang(request)
    links = []
    for code in i18n.LANGUAGES:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", code)]
        links.append(
            {
                "code": code,
                "name": i18n.LANGUAGE_NAMES[code],
                "href": f"{request.url.path}?{urlencode(params)}",
                "current": code == current,
            }
        )
    return links


# --- CSRF ----------------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The CSRF token forms of this response must carry.

    Logged in: the session's synchroniser token. Anonymous: the HMAC of the
    pre-session cookie (created here when missing; ``render`` sets the cookie).
    """
    resolve_user(request)
    state = getattr(request.state, "web_session", None)
    if state is not None:
        return state.csrf_token
    pre = request.cookies.get(PRE_SESSION_COOKIE) or getattr(request.state, "new_pre_session", None)
    if not pre:
        pre = secrets.token_urlsafe(32)
        request.state.new_pre_session = pre
    return pre_session_token(secret_key(get_app_settings(request)), pre)


def _acceptable_csrf_tokens(request: Request) -> list[str]:
    resolve_user(request)
    accepted = []
    state = getattr(request.state, "web_session", None)
    if state is not None:
        accepted.append(state.csrf_token)
    pre = request.cookies.get(PRE_SESSION_COOKIE)
    if pre:
        accepted.append(pre_session_token(secret_key(get_app_settings(request)), pre))
    return accepted


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: every state-changing request outside /api carries a valid token
    (form field ``csrf_token`` or header ``X-CSRF-Token``). The API uses bearer tokens, which a
    browser never sends by itself, so it needs no CSRF token."""
    if request.method in SAFE_METHODS or request.url.path.startswith("/api/"):
        return
    given = request.headers.get(CSRF_HEADER)
    if not given:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    accepted = await run_in_threadpool(_acceptable_csrf_tokens, request)
    if not any(tokens_match(token, given) for token in accepted):
        raise CsrfFailed()


# --- audit ---------------------------------------------------------------------------------------


def audit(request: Request, action: str, detail: Mapping[str, Any] | None = None) -> None:
    """Append an audit entry for this request's user (own transaction, committed at once).

    Pages call it for every patient-level view or export, e.g.
    ``audit(request, "patient_view", {"page": "high_need", "station_id": s, "rows": n})``.
    """
    user = resolve_user(request)
    db = _sessionmaker(request)()
    try:
        audit_log.record(
            db, action, username=user.username if user else "", detail=detail or {}, client_ip=client_ip(request)
        )
        db.commit()
    finally:
        db.close()


# --- rendering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    """A main-navigation entry; ``roles`` limits who sees it (None: everyone logged in)."""

    path: str
    label: str  # msgid, translated when rendered
    roles: tuple[str, ...] | None = None


NAV: tuple[NavItem, ...] = (
    NavItem("/", i18n.N_("Overview")),
    NavItem("/stations", i18n.N_("Stations")),
    NavItem("/indicators", i18n.N_("Indicators")),
    NavItem("/quality", i18n.N_("Data quality")),
    NavItem("/segments", i18n.N_("Customer segments")),
    NavItem("/programmes", i18n.N_("Programmes")),
    NavItem("/simulation", i18n.N_("Scenarios")),
    NavItem("/admin", i18n.N_("Administration"), roles=("admin",)),
)


def _is_served(request: Request, path: str) -> bool:
    """True when the app answers GET ``path`` (cached per app), so the menu never links to a missing page."""
    served: dict[str, bool] = request.app.state.__dict__.setdefault("_served_paths", {})
    if path not in served:
        scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}
        served[path] = any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes)
    return served[path]


def nav_items(request: Request, user: Principal | None) -> list[dict[str, Any]]:
    """The main menu for ``user``: entries their role may see and the app serves, the current one marked."""
    if user is None:
        return []
    lang = get_lang(request)
    path = request.url.path
    items = []
    for item in NAV:
        if item.roles is not None and user.role not in item.roles:
            continue
        if not _is_served(request, item.path):
            continue
        current = path == item.path if item.path == "/" else path == item.path or path.startswith(item.path + "/")
        items.append({"path": item.path, "label": i18n.gettext(lang, item.label), "current": current})
    return items


@pass_context
def _csrf_input(context) -> Markup:
    token = context.get("csrf_token", "")
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, token)


@pass_context
def _num(context, value, decimals: int = 1) -> str:
    return i18n.format_number(value, context.get("lang", "fi"), decimals)


@pass_context
def _int(context, value) -> str:
    return i18n.format_integer(value, context.get("lang", "fi"))


@pass_context
def _pct(context, value, decimals: int = 1) -> str:
    return i18n.format_percent(value, context.get("lang", "fi"), decimals)


@pass_context
def _date(context, value) -> str:
    return i18n.format_date(value, context.get("lang", "fi"))


@pass_context
def _datetime(context, value) -> str:
    return i18n.format_datetime(value, context.get("lang", "fi"))


@pass_context
def _period(context, value) -> str:
    return i18n.format_period(value, context.get("lang", "fi"))


def _build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(("html", "xml", "svg")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        num=_num, int=_int, pct=_pct, date=_date, datetime=_datetime, period=_period, tojson_compact=json.dumps
    )
    env.globals["csrf_input"] = _csrf_input
    return env


templates = Jinja2Templates(env=_build_environment())

ROLE_LABELS: dict[str, str] = {
    "viewer": i18n.N_("viewer"),
    "station_manager": i18n.N_("station manager"),
    "analyst": i18n.N_("analyst"),
    "admin": i18n.N_("administrator"),
}


def role_name(role: str, lang: str) -> str:
    return i18n.gettext(lang, ROLE_LABELS.get(role, role))


def profile_label(profile: str, lang: str) -> str:
    """The disclosure profile in words for the footer (the disclosure module's wording)."""
    from valvomo.services.catalogue import profile_label as disclosure_profile_label

    return disclosure_profile_label(profile, lang)


def base_context(request: Request) -> dict[str, Any]:
    """The context every template gets (also used by the error pages)."""
    user = resolve_user(request)
    lang = get_lang(request)
    profile = disclosure_profile_for(user, request)
    return {
        "request": request,
        "user": user,
        "lang": lang,
        "languages": language_links(request),
        "csrf_token": csrf_token(request),
        "csp_nonce": getattr(request.state, "csp_nonce", ""),
        "_": lambda msgid, **params: i18n.gettext(lang, msgid, **params),
        "gettext": lambda msgid, **params: i18n.gettext(lang, msgid, **params),
        "ngettext": lambda s, p, n, **params: i18n.ngettext(lang, s, p, n, **params),
        "role_name": lambda role: role_name(role, lang),
        "nav": nav_items(request, user),
        "current_path": request.url.path,
        "disclosure_profile": profile,
        "disclosure_label": profile_label(profile, lang),
        "can_switch_disclosure": user is not None and user.role == "analyst",
    }


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render ``template`` with the base context plus ``context``; remembers a ``?lang=`` choice
    and the pre-session CSRF cookie of an anonymous browser."""
    full = base_context(request)
    full.update(context or {})
    response = templates.TemplateResponse(request, template, full, status_code=status_code)
    chosen = getattr(request.state, "lang_chosen", None)
    if chosen:
        response.set_cookie(LANGUAGE_COOKIE, chosen, **cookie_options(request, max_age=365 * 24 * 3600))
    new_pre = getattr(request.state, "new_pre_session", None)
    if new_pre:
        response.set_cookie(PRE_SESSION_COOKIE, new_pre, **cookie_options(request, max_age=None))
    return response
