"""Login, logout and the analyst's disclosure switch.

Failed logins delay the next attempt exponentially per username and client
address (``security.LoginThrottle``: a delay, never a lock, so the right password gets in
once it has passed); every login is audit-logged whether it succeeds, fails, is
refused or starts a back-off, and always starts a fresh session (no session
fixation). The password is only ever passed to argon2.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from valvomo.web import deps
from valvomo.web.auth import audit
from valvomo.web.auth import sessions as web_sessions
from valvomo.web.auth.users import Principal, authenticate, normalise_username
from valvomo.web.i18n import gettext, normalise_language
from valvomo.web.security import (
    LANGUAGE_COOKIE,
    LOGIN_THROTTLE,
    PRE_SESSION_COOKIE,
    SESSION_COOKIE,
    client_ip,
    cookie_options,
)

router = APIRouter(include_in_schema=False)
THROTTLE = LOGIN_THROTTLE


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login ("/x", never "//evil" or "https://...")."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, next: str = "/"):  # noqa: A002  (the query parameter's public name)
    if deps.resolve_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return deps.render(request, "login.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/login")
def login(
    request: Request,
    username: str = Form("", max_length=200),
    password: str = Form("", max_length=1024),
    next: str = Form("/", max_length=2000),  # noqa: A002
    db: Session = Depends(deps.get_db),
):
    lang = deps.get_lang(request)
    name = normalise_username(username)[:64]
    ip = client_ip(request)
    target = safe_next(next)

    def again(message: str, status: int):
        db.commit()  # the attempt and audit entry are kept even though the login failed
        return deps.render(
            request, "login.html", {"next": target, "error": message, "username": name}, status_code=status
        )

    backoff = THROTTLE.check(db, name, ip)
    if not backoff.allowed:
        audit.record(
            db, audit.LOGIN_BLOCKED, username=name, client_ip=ip,
            detail={"scope": backoff.scope, "wait_seconds": backoff.seconds},
        )  # fmt: skip
        response = again(
            gettext(lang, "Too many failed attempts. Wait %(seconds)s seconds before trying again.",
                    seconds=backoff.seconds), 429,
        )  # fmt: skip
        response.headers["Retry-After"] = str(backoff.seconds)
        return response
    user = authenticate(db, name, password) if name and password else None
    started = THROTTLE.record(db, name, ip, succeeded=user is not None)
    if user is None:
        audit.record(db, audit.LOGIN_FAILED, username=name, client_ip=ip, detail={})
        for scope, seconds in started:
            audit.record(
                db, audit.LOGIN_BACKOFF, username=name, client_ip=ip,
                detail={"scope": scope, "delay_seconds": seconds},
            )  # fmt: skip
        return again(gettext(lang, "Wrong username or password."), 401)
    THROTTLE.forget_old(db)
    web_sessions.purge_expired(db)
    # A language picked on the login page (remembered in a cookie) becomes the user's preference.
    chosen = normalise_language(request.cookies.get(LANGUAGE_COOKIE))
    if chosen and chosen != user.language:
        user.language = chosen
    cookie, _state = web_sessions.start_session(db, user)
    audit.record(db, audit.LOGIN, username=user.username, client_ip=ip, detail={"role": user.role})
    db.commit()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, cookie, **cookie_options(request, max_age=int(web_sessions.ABSOLUTE_TIMEOUT.total_seconds()))
    )
    response.delete_cookie(PRE_SESSION_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, db: Session = Depends(deps.get_db)):
    user = deps.resolve_user(request)
    state = getattr(request.state, "web_session", None)
    if user is not None and state is not None:
        web_sessions.end_session(db, state.id_hash)
        audit.record(db, audit.LOGOUT, username=user.username, client_ip=client_ip(request), detail={})
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/disclosure")
def switch_disclosure(
    request: Request,
    control: str = Form(..., pattern="^(on|off)$"),
    next: str = Form("/", max_length=2000),  # noqa: A002
    user: Principal = Depends(deps.require_role("analyst")),
    db: Session = Depends(deps.get_db),
):
    """An analyst switches disclosure control off (or back on) for their own session only."""
    state = request.state.web_session
    off = control == "off"
    if state.disclosure_off != off:
        web_sessions.set_disclosure_off(db, state.id_hash, off)
        audit.record(
            db, audit.DISCLOSURE_OFF if off else audit.DISCLOSURE_ON, username=user.username,
            client_ip=client_ip(request), detail={"page": safe_next(next)},
        )  # fmt: skip
    return RedirectResponse(safe_next(next), status_code=303)
