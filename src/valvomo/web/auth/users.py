"""Local user accounts: create, authenticate, change role, stations, language, deactivate, unlock logins.

Shared by the CLI (``valvomo user ...``), the admin pages and the demo set-up,
so that every path applies the same rules (known role, station managers need
stations, password policy) and writes the same audit entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from valvomo.services.i18n import LANGUAGES
from valvomo.web.auth import audit
from valvomo.web.auth.models import ROLES, User, UserStation
from valvomo.web.auth.passwords import check_password_policy, hash_password, needs_rehash, verify_password

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class UserError(ValueError):
    """A user-management request that cannot be carried out, with the reason."""


@dataclass(frozen=True)
class Principal:
    """The logged-in user as the rest of the app sees it: detached from the database."""

    id: int
    username: str
    role: str
    stations: tuple[str, ...]
    language: str


    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(user.id, user.username, user.role, tuple(user.station_ids), user.language)


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _check(role: str, stations: Iterable[str], language: str) -> list[str]:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if language not in LANGUAGES:
        raise UserError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    station_ids = sorted({s.strip() for s in stations if s and s.strip()})
    if role == "station_manager" and not station_ids:
        raise UserError("a station manager needs at least one station (--station ID)")
    return station_ids


def get_user(db: Session, username: str) -> User | None:
    return db.scalar(select(User).where(User.username == normalise_username(username)))



def list_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.username)))



def create_user(
    db: Session,
    username: str,
    password: str,
    role: str,
    *,
    stations: Iterable[str] = (),
    language: str = "fi",
    actor: str = "",
    client_ip: str = "",
) -> User:
    """Add an active user; audit-logged as ``user_add`` by ``actor``."""
    name = normalise_username(username)
    if not USERNAME_PATTERN.match(name):
        raise UserError(
            f"invalid username {username!r}: use 2-64 characters a-z, 0-9, '.', '_' or '-', starting with a letter or digit"
        )
    station_ids = _check(role, stations, language)
    check_password_policy(password)
    if get_user(db, name) is not None:
        raise UserError(f"user {name!r} already exists")
    user = User(username=name, password_hash=hash_password(password), role=role, language=language, active=True)
    user.stations = [UserStation(station_id=s) for s in station_ids]
    db.add(user)
    db.flush()
    audit.record(
        db, audit.USER_ADD, username=actor, client_ip=client_ip,
        detail={"user": name, "role": role, "stations": station_ids, "language": language},
    )  # fmt: skip
    return user


def authenticate(db: Session, username: str, password: str) -> User | None:
    """The active user whose password matches, else None (same cost either way)."""
    user = get_user(db, username)
    ok = verify_password(user.password_hash if user is not None else None, password)
    if not ok or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def change_role(db: Session, user: User, role: str, stations: Iterable[str] | None = None, *, actor: str, client_ip: str = "") -> None:
    """Set the role (and the stations, when given); audit-logged."""
    station_ids = _check(role, user.station_ids if stations is None else stations, user.language)
    if role != user.role:
        audit.record(
            db, audit.USER_ROLE_CHANGE, username=actor, client_ip=client_ip,
            detail={"user": user.username, "from": user.role, "to": role},
        )  # fmt: skip
        user.role = role
    if station_ids != user.station_ids:
        audit.record(
            db, audit.USER_STATIONS_CHANGE, username=actor, client_ip=client_ip,
            detail={"user": user.username, "from": user.station_ids, "to": station_ids},
        )  # fmt: skip
        user.stations = [UserStation(station_id=s) for s in station_ids]
    db.flush()


def set_active(db: Session, user: User, active: bool, *, actor: str, client_ip: str = "") -> None:
    """Deactivate (or reactivate) a user; a deactivated user's sessions end and tokens stop working."""
    from valvomo.web.auth.sessions import end_sessions_of

    if user.active == active:
        return
    user.active = active
    if not active:
        end_sessions_of(db, user.id)
    audit.record(
        db, audit.USER_ACTIVATE if active else audit.USER_DEACTIVATE, username=actor, client_ip=client_ip,
        detail={"user": user.username},
    )  # fmt: skip
    db.flush()


def set_password(db: Session, user: User, password: str, *, actor: str, client_ip: str = "") -> None:
    check_password_policy(password)
    user.password_hash = hash_password(password)
    audit.record(db, audit.USER_PASSWORD_CHANGE, username=actor, client_ip=client_ip, detail={"user": user.username})
    db.flush()


def unlock_logins(db: Session, user: User, *, actor: str, client_ip: str = "") -> int:
    """End the user's login back-off now (admin page, ``valvomo user unlock``); audit-logged.

    Returns the failed logins the unlock cleared (since the last successful login).
    """
    from valvomo.web.security import LOGIN_THROTTLE  # security imports the auth models: no import cycle

    failures, _until = LOGIN_THROTTLE.delayed_until(db, user.username)
    LOGIN_THROTTLE.unlock(db, user.username)
    audit.record(
        db, audit.USER_UNLOCK, username=actor, client_ip=client_ip,
        detail={"user": user.username, "failures": failures},
    )  # fmt: skip
    db.flush()
    return failures


def set_language(db: Session, user_id: int, language: str) -> None:
    """Remember the user's interface language (not audited: a display preference)."""
    if language not in LANGUAGES:
        raise UserError(f"unknown language {language!r}")
    user = db.get(User, user_id)
    if user is not None and user.language != language:
        user.language = language
        db.flush()
