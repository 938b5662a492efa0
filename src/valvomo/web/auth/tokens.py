"""Per-user API tokens for ``Authorization: Bearer <token>``.

A token is 32 random bytes with a recognisable ``vlv_`` prefix (so secret
scanners and people can tell what it is). It is shown once when issued; the
database keeps its SHA-256 digest and the first characters for the admin list.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from valvomo.web.auth import audit
from valvomo.web.auth.models import ApiToken, User, utcnow
from valvomo.web.auth.sessions import digest

TOKEN_PREFIX = "vlv_"
_PREFIX_SHOWN = 10


def issue_token(db: Session, user: User, *, label: str = "", actor: str = "", client_ip: str = "") -> str:
    """A new token for ``user`` (the clear value is returned once and never stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, token_hash=digest(token), prefix=token[:_PREFIX_SHOWN], label=label[:128]))
    db.flush()
    audit.record(
        db, audit.TOKEN_ISSUE, username=actor or user.username, client_ip=client_ip,
        detail={"user": user.username, "prefix": token[:_PREFIX_SHOWN], "label": label[:128]},
    )  # fmt: skip
    return token


def user_for_token(db: Session, token: str | None) -> User | None:
    """The active user owning a live token, else None; records when it was last used."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 128:
        return None
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
        db.flush()
    return row.user


def tokens_of(db: Session, user_id: int | None = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(db.scalars(query))


def revoke_token(db: Session, token_id: int, *, actor: str, client_ip: str = "") -> bool:
    row = db.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    audit.record(
        db, audit.TOKEN_REVOKE, username=actor, client_ip=client_ip,
        detail={"user": row.user.username, "prefix": row.prefix},
    )  # fmt: skip
    db.flush()
    return True
