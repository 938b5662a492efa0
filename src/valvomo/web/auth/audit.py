"""The audit log: who did what, when, from where.

Only two operations exist in the app: append an entry and read entries. There is
deliberately no update or delete function, and the database refuses both (the
triggers of ``0002_auth``); a SQLAlchemy flush guard also stops an ORM session
from modifying or deleting a loaded entry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from valvomo.web.auth.models import AuditEntry

# Actions written by the app. Pages may add their own patient-level actions.
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_BLOCKED = "login_blocked"
LOGOUT = "logout"
PATIENT_VIEW = "patient_view"
PATIENT_EXPORT = "patient_export"
DISCLOSURE_OFF = "disclosure_off"
DISCLOSURE_ON = "disclosure_on"
API_UNSUPPRESSED = "api_unsuppressed"
CLI_UNSUPPRESSED = "cli_unsuppressed"
PATIENT_REFUSED = "patient_refused"
USER_ADD = "user_add"
USER_ROLE_CHANGE = "user_role_change"
USER_STATIONS_CHANGE = "user_stations_change"
USER_DEACTIVATE = "user_deactivate"
USER_ACTIVATE = "user_activate"
USER_PASSWORD_CHANGE = "user_password_change"
SETTINGS_CHANGE = "settings_change"
TOKEN_ISSUE = "token_issue"
TOKEN_REVOKE = "token_revoke"
PROGRAMME_ASSESSMENT = "programme_assessment"
REPORT_EXPORT = "report_export"

KNOWN_ACTIONS: tuple[str, ...] = (
    LOGIN, LOGIN_FAILED, LOGIN_BLOCKED, LOGOUT, PATIENT_VIEW, PATIENT_EXPORT, DISCLOSURE_OFF, DISCLOSURE_ON,
    API_UNSUPPRESSED, USER_ADD, USER_ROLE_CHANGE, USER_STATIONS_CHANGE, USER_DEACTIVATE, USER_ACTIVATE,
    USER_PASSWORD_CHANGE, SETTINGS_CHANGE, TOKEN_ISSUE, TOKEN_REVOKE, PROGRAMME_ASSESSMENT, REPORT_EXPORT,
    CLI_UNSUPPRESSED, PATIENT_REFUSED,
)  # fmt: skip

LOGIN_BACKOFF = "login_backoff"
USER_UNLOCK = "user_unlock"
QUESTIONNAIRE_ANSWER = "questionnaire_answer"
KNOWN_ACTIONS += (LOGIN_BACKOFF, USER_UNLOCK, QUESTIONNAIRE_ANSWER)

# What each action is called on the audit page: a gettext msgid (``core`` domain), shown in the
# reader's language beside the action code (actions added elsewhere show their code).
ACTION_LABELS: dict[str, str] = {
    LOGIN: "Signed in",
    LOGIN_FAILED: "Sign-in failed",
    LOGIN_BLOCKED: "Sign-in blocked",
    LOGOUT: "Signed out",
    PATIENT_VIEW: "Viewed a patient-level list",
    PATIENT_EXPORT: "Downloaded a patient-level list",
    PATIENT_REFUSED: "Patient-level access refused",
    DISCLOSURE_OFF: "Turned disclosure control off",
    DISCLOSURE_ON: "Turned disclosure control on",
    API_UNSUPPRESSED: "Unprotected figures through the API",
    CLI_UNSUPPRESSED: "Unprotected figures on the command line",
    USER_ADD: "Added a user",
    USER_ROLE_CHANGE: "Changed a role",
    USER_STATIONS_CHANGE: "Changed a user's stations",
    USER_DEACTIVATE: "Deactivated a user",
    USER_ACTIVATE: "Activated a user",
    USER_PASSWORD_CHANGE: "Changed a password",
    SETTINGS_CHANGE: "Changed settings",
    TOKEN_ISSUE: "Issued an API token",
    TOKEN_REVOKE: "Revoked an API token",
    PROGRAMME_ASSESSMENT: "Recorded a programme assessment",
    REPORT_EXPORT: "Downloaded a report",
    LOGIN_BACKOFF: "Sign-in delayed after failed attempts",
    USER_UNLOCK: "Ended a sign-in delay",
    QUESTIONNAIRE_ANSWER: "Recorded segmentation questionnaire answers",
}


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit entry."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise AuditLogIsAppendOnly("audit log entries cannot be changed or deleted")


def record(
    db: Session, action: str, *, username: str = "", detail: Mapping[str, Any] | None = None, client_ip: str = ""
) -> AuditEntry:
    """Append one entry (flushed with the caller's transaction)."""
    entry = AuditEntry(
        action=action,
        username=username or "",
        detail=json.dumps(dict(detail or {}), ensure_ascii=False, sort_keys=True, default=str),
        client_ip=client_ip or "",
    )
    db.add(entry)
    db.flush()
    return entry


@dataclass(frozen=True)
class AuditFilter:
    """What the admin audit view asks for; every field optional. ``since`` (inclusive) and
    ``until`` (exclusive) are naive UTC times, like the stored ones."""

    username: str | None = None
    action: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: dt.datetime
    username: str
    action: str
    detail: dict[str, Any]
    client_ip: str


def read(db: Session, filters: AuditFilter = AuditFilter(), *, limit: int = 200, offset: int = 0) -> list[AuditRecord]:
    """Entries newest first, filtered; detail decoded from JSON."""
    query = select(AuditEntry)
    if filters.username:
        query = query.where(AuditEntry.username == filters.username)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.since:
        query = query.where(AuditEntry.at >= filters.since)
    if filters.until:
        query = query.where(AuditEntry.at < filters.until)
    query = query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return [
        AuditRecord(e.id, e.at, e.username, e.action, json.loads(e.detail or "{}"), e.client_ip)
        for e in db.scalars(query)
    ]


def actions_in_log(db: Session) -> list[str]:
    """The distinct actions present, for the filter drop-down."""
    return sorted(db.scalars(select(AuditEntry.action).group_by(AuditEntry.action)))


def count(db: Session, action: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.scalar(query) or 0
