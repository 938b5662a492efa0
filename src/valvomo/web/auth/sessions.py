"""Server-side browser sessions.

The cookie carries 32 random bytes; the table keeps only their SHA-256 digest,
the user, a CSRF synchroniser token and the analyst's disclosure switch. A
session expires after ``IDLE_TIMEOUT`` without requests and at the latest
``ABSOLUTE_TIMEOUT`` after login; logging in always starts a new session, so a
session id planted before login is useless afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from valvomo.web.auth.models import User, WebSession, utcnow

IDLE_TIMEOUT = dt.timedelta(hours=2)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)
# Refresh ``last_seen_at`` at most this often: one write per few minutes, not per request.
_TOUCH_INTERVAL = dt.timedelta(minutes=2)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class SessionState:
    """What a request needs to know about its session."""

    id_hash: str
    user_id: int
    csrf_token: str
    disclosure_off: bool


def start_session(db: Session, user: User) -> tuple[str, SessionState]:
    """Create a session for ``user``; returns the cookie value (shown once) and its state."""
    cookie = secrets.token_urlsafe(32)
    now = utcnow()
    row = WebSession(
        id_hash=digest(cookie),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        disclosure_off=False,
        created_at=now,
        last_seen_at=now,
        expires_at=now + ABSOLUTE_TIMEOUT,
    )
    db.add(row)
    db.flush()
    return cookie, SessionState(row.id_hash, user.id, row.csrf_token, False)


def load_session(db: Session, cookie: str | None) -> tuple[SessionState, User] | None:
    """The live session and active user for a cookie value, else None (expired ones are removed)."""
    if not cookie or len(cookie) > 128:
        return None
    row = db.get(WebSession, digest(cookie))
    if row is None:
        return None
    now = utcnow()
    if row.expires_at <= now or row.last_seen_at + IDLE_TIMEOUT <= now:
        db.delete(row)
        db.flush()
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if now - row.last_seen_at >= _TOUCH_INTERVAL:
        row.last_seen_at = now
        db.flush()
    return SessionState(row.id_hash, row.user_id, row.csrf_token, row.disclosure_off), user


def set_disclosure_off(db: Session, id_hash: str, off: bool) -> None:
    row = db.get(WebSession, id_hash)
    if row is not None:
        row.disclosure_off = off
        db.flush()


def end_session(db: Session, id_hash: str) -> None:
    db.execute(delete(WebSession).where(WebSession.id_hash == id_hash))


def end_sessions_of(db: Session, user_id: int) -> None:
    db.execute(delete(WebSession).where(WebSession.user_id == user_id))


def purge_expired(db: Session) -> int:
    """Delete sessions past their absolute expiry (called at login)."""
    now = utcnow()
    stale = list(db.scalars(select(WebSession.id_hash).where(WebSession.expires_at <= now)))
    if stale:
        db.execute(delete(WebSession).where(WebSession.id_hash.in_(stale)))
    return len(stale)
