"""Web security in one place: headers, cookies, CSRF, login rate limiting, the secret key.

- Every response gets a strict Content-Security-Policy (scripts only from our
  origin or with the per-request nonce), no framing, no sniffing, a same-origin
  referrer and a Permissions-Policy that switches off device APIs. Inline
  *styles* are allowed because the server-rendered SVG charts carry style
  attributes; scripts are never inline without the nonce.
- CSRF: a synchroniser token per session, checked on every state-changing
  request. Before login (the login form) the token is an HMAC of a random
  pre-session cookie, so a forged cross-site login is refused as well.
- Login back-off: failed logins delay the next attempt exponentially per
  username and address (never a lock), counted in the app database so that
  restarts and several worker processes share the count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
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


# --- login back-off -----------------------------------------------------------------------------

UNLOCK_MARKER = "(admin unlock)"
"""``client_ip`` of the success-equivalent ``login_attempts`` row an admin unlock writes."""


@dataclass(frozen=True)
class BackoffRule:
    """``free`` failures without delay, then a delay doubling from ``base`` up to ``cap``."""

    free: int
    base: dt.timedelta
    cap: dt.timedelta

    def delay(self, failures: int) -> dt.timedelta:
        beyond = failures - self.free
        if beyond <= 0:
            return dt.timedelta(0)
        doublings = min(beyond - 1, 40)  # 2**40 s is far beyond any cap; keeps the number small
        return min(self.base * (2**doublings), self.cap)


@dataclass(frozen=True)
class Backoff:
    """Whether a login may be tried now, and if not, for how long to wait."""

    wait: dt.timedelta = dt.timedelta(0)
    scope: str = ""  # "pair", "user" or "address": the rule that imposes the wait

    @property
    def allowed(self) -> bool:
        return self.wait <= dt.timedelta(0)

    @property
    def seconds(self) -> int:
        return max(1, math.ceil(self.wait.total_seconds()))


@dataclass(frozen=True)
class LoginThrottle:
    """Exponential back-off on failed logins, computed from ``login_attempts`` (docs/security.md).

    Three keys are counted, each from its last reset, over at most ``memory`` (``address``: ``address_window``):

    - ``pair``: one username from one client address — always applies, so guessing from one place slows
      down at once;
    - ``user``: one username from any address — catches a guesser that changes addresses; skipped when the
      user has logged in successfully from this address recently (``known_for``), so that strangers cannot
      delay a user at their usual place;
    - ``address``: any username from one address — catches password spraying; skipped for a user known at
      that address, so colleagues behind a shared proxy are not delayed by someone else's failures.

    A refused attempt is not checked and not counted: once the delay has passed the right password gets in.
    There is no lock: the worst any client can impose on another is ``cap`` per failure of its own, and an
    admin unlock (``unlock``) ends the user's delays at once.
    """

    pair: BackoffRule = BackoffRule(3, dt.timedelta(seconds=1), dt.timedelta(minutes=15))
    user: BackoffRule = BackoffRule(5, dt.timedelta(seconds=1), dt.timedelta(minutes=15))
    address: BackoffRule = BackoffRule(20, dt.timedelta(seconds=1), dt.timedelta(minutes=15))
    memory: dt.timedelta = dt.timedelta(hours=24)
    address_window: dt.timedelta = dt.timedelta(hours=1)
    known_for: dt.timedelta = dt.timedelta(days=30)

    # -- reading the table --------------------------------------------------------------------------

    def _last_success(self, db: Session, username: str, client_ip: str | None) -> dt.datetime | None:
        query = select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True)
        )
        if client_ip is not None:
            query = query.where(LoginAttempt.client_ip.in_((client_ip, UNLOCK_MARKER)))
        return db.scalar(query)

    def _failures(self, db: Session, since: dt.datetime, **where: str) -> tuple[int, dt.datetime | None]:
        """(count, latest) of failures since ``since`` matching ``where`` (username and/or client_ip)."""
        query = select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.succeeded.is_(False), LoginAttempt.at > since
        )
        for column, value in where.items():
            query = query.where(getattr(LoginAttempt, column) == value)
        count, latest = db.execute(query).one()
        return count or 0, latest

    def is_known(self, db: Session, username: str, client_ip: str, now: dt.datetime | None = None) -> bool:
        """The user logged in successfully from this address within ``known_for``."""
        now = now or utcnow()
        query = select(func.count()).where(
            LoginAttempt.username == username,
            LoginAttempt.client_ip == client_ip,
            LoginAttempt.succeeded.is_(True),
            LoginAttempt.at > now - self.known_for,
        )
        return bool(db.scalar(query))

    def _counts(self, db: Session, username: str, client_ip: str, now: dt.datetime):
        """(scope, rule, failures, latest failure) of every key that applies to this attempt."""
        horizon = now - self.memory
        pair_since = max(filter(None, (horizon, self._last_success(db, username, client_ip))))
        keys = [("pair", self.pair, *self._failures(db, pair_since, username=username, client_ip=client_ip))]
        if not self.is_known(db, username, client_ip, now):
            user_since = max(filter(None, (horizon, self._last_success(db, username, None))))
            keys.append(("user", self.user, *self._failures(db, user_since, username=username)))
            address_since = now - self.address_window
            unlocked = self._last_success(db, username, UNLOCK_MARKER)
            if unlocked is None or unlocked <= address_since:
                keys.append(("address", self.address, *self._failures(db, address_since, client_ip=client_ip)))
        return keys

    # -- deciding -----------------------------------------------------------------------------------

    def check(self, db: Session, username: str, client_ip: str, now: dt.datetime | None = None) -> Backoff:
        """How long this username from this address must still wait (``allowed`` when not at all)."""
        now = now or utcnow()
        longest = Backoff()
        for scope, rule, failures, latest in self._counts(db, username, client_ip, now):
            if latest is None:
                continue
            wait = latest + rule.delay(failures) - now
            if wait > longest.wait:
                longest = Backoff(wait, scope)
        return longest


    def record(self, db: Session, username: str, client_ip: str, succeeded: bool) -> list[tuple[str, int]]:
        """Store one checked attempt; returns the (scope, delay seconds) of back-offs this failure started."""
        db.add(LoginAttempt(username=username[:64], client_ip=client_ip[:64], succeeded=succeeded))
        db.flush()
        if succeeded:
            return []
        started = []
        for scope, rule, failures, _latest in self._counts(db, username[:64], client_ip[:64], utcnow()):
            if failures == rule.free + 1:
                started.append((scope, math.ceil(rule.delay(failures).total_seconds())))
        return started

    def delayed_until(self, db: Session, username: str) -> tuple[int, dt.datetime | None]:
        """For the admin page: failures since the user's last success and the end of the ``user`` delay."""
        now = utcnow()
        since = max(filter(None, (now - self.memory, self._last_success(db, username, None))))
        failures, latest = self._failures(db, since, username=username)
        if latest is None:
            return 0, None
        until = latest + max(self.user.delay(failures), self.pair.delay(failures))
        return failures, until if until > now else None

    def unlock(self, db: Session, username: str) -> None:
        """End the user's delays: a success-equivalent row resets the ``pair`` and ``user`` counts and lifts
        the ``address`` rule for this user (no schema change: the existing table holds it)."""
        db.add(LoginAttempt(username=username[:64], client_ip=UNLOCK_MARKER, succeeded=True))
        db.flush()

    def forget_old(self, db: Session) -> None:
        """Drop failures older than ``memory`` and successes older than ``known_for``: they no longer count."""
        from sqlalchemy import and_, delete, or_

        now = utcnow()
        db.execute(
            delete(LoginAttempt).where(
                or_(
                    and_(LoginAttempt.succeeded.is_(False), LoginAttempt.at < now - self.memory),
                    LoginAttempt.at < now - max(self.known_for, self.memory),
                )
            )
        )


LOGIN_THROTTLE = LoginThrottle()
"""The back-off the login form applies (tests and the probe read the same one)."""


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
