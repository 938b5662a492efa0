"""Access control for the web dashboard and API: local accounts, sessions, tokens, audit log.

Roles (issue 3): ``viewer`` sees aggregates; ``station_manager`` sees aggregates and
patient-level data of their own stations; ``analyst`` works county-wide, including
patient-level data, and may switch disclosure control off for their own view;
``admin`` manages users, settings and reads the audit log.
"""

from valvomo.web.auth.demo import ensure_demo_users
from valvomo.web.auth.models import ROLES, ApiToken, AuditEntry, LoginAttempt, User, UserStation, WebSession
from valvomo.web.auth.passwords import PasswordPolicyError, hash_password, verify_password
from valvomo.web.auth.tokens import issue_token, revoke_token, user_for_token
from valvomo.web.auth.users import (
    Principal,
    UserError,
    authenticate,
    change_role,
    create_user,
    get_user,
    list_users,
    set_active,
    set_password,
)

__all__ = [
    "ROLES",
    "ApiToken",
    "AuditEntry",
    "LoginAttempt",
    "PasswordPolicyError",
    "Principal",
    "User",
    "UserError",
    "UserStation",
    "WebSession",
    "authenticate",
    "change_role",
    "create_user",
    "ensure_demo_users",
    "get_user",
    "hash_password",
    "issue_token",
    "list_users",
    "revoke_token",
    "set_active",
    "set_password",
    "user_for_token",
    "verify_password",
]
