"""An analyst (and a viewer) with API tokens in the app database of a CLI test's home."""

from __future__ import annotations

from valvomo.config import Settings


def issue_tokens(settings: Settings) -> dict[str, str]:
    """``{"analyst": token, "viewer": token}`` for two fresh users of ``settings``' app database."""
    from valvomo.appdb import session_scope, upgrade_to_head
    from valvomo.appdb.engine import dispose_engines
    from valvomo.web.auth import create_user, get_user, issue_token

    upgrade_to_head(settings)
    tokens = {}
    with session_scope(settings) as db:
        for role in ("analyst", "viewer"):
            user = get_user(db, f"cli-{role}") or create_user(
                db, f"cli-{role}", "a long test password 123", role, actor="test")
            tokens[role] = issue_token(db, user, label="cli test", actor="test")
    dispose_engines()
    return tokens
