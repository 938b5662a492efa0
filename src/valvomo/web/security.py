"""Web security in one place: headers, cookies, CSRF, login rate limiting, the secret key.

- Every response gets a strict Content-Security-Policy (scripts only from our
  origin or with the per-request nonce), no framing, no sniffing, a same-origin
  referrer and a Permissions-Policy that switches off device APIs. Inline
  *styles* are allowed because the server-rendered SVG charts carry style
  attributes; scripts are never inline without the nonce.
- CSRF: a synchroniser token per session, checked on every state-changing
  request. Before login (the login form) the token is an HMAC of a random
  pre-session cookie, so a forged cross-site login is refused as well.
- Login rate limit: failures per username and per client address within a
  sliding window, counted in the app database so that restarts and several
  worker processes share the count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from valvomo.config import Settings
from valvomo.web.auth.models import LoginAttempt, utcnow

SESSION_COOKIE = "valvomo_session"
PRE_SESSION_COOKIE = "valvomo_presession"
LANGUAGE_COOKIE = "valvomo_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# --- secret key ----------------------------------------------------------------------------------


def secret_key(settings: Settings) -> str:
    """``settings.secret_key``, else a key generated once and kept in ``home/secret_key`` (mode 0600)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.home) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once must not overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


# --- cookies -------------------------------------------------------------------------------------


def cookie_is_secure(request: Request) -> bool:
    """Secure cookies whenever the request reached us over https (directly or via a trusted proxy)."""
    return request.url.scheme == "https"


def cookie_options(request: Request, *, max_age: int | None) -> dict:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": cookie_is_secure(request),
        "path": "/",
        "max_age": max_age,
    }


# --- CSRF ----------------------------------------------------------------------------------------


def pre_session_token(key: str, pre_session: str) -> str:
    """The form token that belongs to a pre-session cookie value."""
    return hmac.new(key.encode(), b"csrf:" + pre_session.encode(), hashlib.sha256).hexdigest()


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


# --- login rate limit ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginThrottle:
    """At most ``per_username`` failed logins per username and ``per_client`` per client
    address within ``window``; beyond that, logins are refused with 429 until the oldest
    failures leave the window. Refused attempts are not counted, so waiting helps."""

    per_username: int = 5
    per_client: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)

    def _failures(self, db: Session, column, value: str) -> int:
        since = utcnow() - self.window
        query = (
            select(func.count())
            .select_from(LoginAttempt)
            .where(column == value, LoginAttempt.at > since, LoginAttempt.succeeded.is_(False))
        )
        return db.scalar(query) or 0

    def is_blocked(self, db: Session, username: str, client_ip: str) -> bool:
        return (
            self._failures(db, LoginAttempt.username, username) >= self.per_username
            or self._failures(db, LoginAttempt.client_ip, client_ip) >= self.per_client
        )

    def record(self, db: Session, username: str, client_ip: str, succeeded: bool) -> None:
        db.add(LoginAttempt(username=username[:64], client_ip=client_ip[:64], succeeded=succeeded))
        db.flush()

    def forget_old(self, db: Session) -> None:
        """Drop attempts older than a day: they no longer matter for the limit."""
        from sqlalchemy import delete

        db.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - dt.timedelta(days=1)))


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


# --- security headers ----------------------------------------------------------------------------


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)


def security_headers(nonce: str, *, is_https: bool, is_static: bool = False) -> dict[bytes, bytes]:
    """The headers every response carries (raw ASGI form)."""
    headers = {
        b"content-security-policy": content_security_policy(nonce).encode(),
        b"x-content-type-options": b"nosniff",
        b"x-frame-options": b"DENY",
        b"referrer-policy": b"same-origin",
        b"permissions-policy": PERMISSIONS_POLICY.encode(),
        b"cross-origin-opener-policy": b"same-origin",
    }
    if not is_static:
        headers[b"cache-control"] = b"no-store"
    if is_https:
        headers[b"strict-transport-security"] = b"max-age=31536000"
    return headers


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response (pure ASGI, streaming-safe).

    The CSP nonce is created per request and left in ``scope["state"]["csp_nonce"]``
    for templates (``request.state.csp_nonce``). Dynamic responses are ``no-store``:
    they show health data that must not linger in shared caches or browser history.
    Starlette answers unhandled errors outside all middleware, so the app's 500
    handler adds the same headers itself (``security_headers``).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        is_static = scope.get("path", "").startswith("/static/")
        is_https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = security_headers(nonce, is_https=is_https, is_static=is_static)
                headers.extend((name, value) for name, value in extra.items() if name not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
