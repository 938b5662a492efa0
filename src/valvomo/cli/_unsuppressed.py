"""`--unsuppressed` for every figure command (`indicators`, `segments`, `caregaps`): who may, and the audit entry.

The CLI reads the warehouse directly, so the app database is the only place that
knows who may see figures without disclosure control: the same token and role rule
as the API's ``unsuppressed`` (an active analyst's live API token, given with
``--token`` or ``VALVOMO_API_TOKEN``). Every allowed use is written to the audit log
(``cli_unsuppressed``: who, which command, which outputs, the query, how many rows).
One helper for all commands, so the rule and the audit entry cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import typer
from rich.text import Text

from valvomo.cli._console import data_console, fail

UNSUPPRESSED_NOTE = "Note: --unsuppressed output is not disclosure-controlled; do not share it."

err = data_console(stderr=True)

UNSUPPRESSED_HELP = "No disclosure control: needs an analyst's API token (--token or VALVOMO_API_TOKEN); audit-logged."
TOKEN_HELP = "API token of an analyst (default: VALVOMO_API_TOKEN)."


def unsuppressed_option() -> bool:
    return typer.Option(False, "--unsuppressed", help=UNSUPPRESSED_HELP)


def token_option() -> str:
    return typer.Option(None, "--token", metavar="TOKEN", help=TOKEN_HELP)


def authorised_analyst(settings, token: str | None) -> str:
    """The username behind ``token`` when it is a live token of an active analyst; else exit 2."""
    from valvomo.appdb import session_scope, upgrade_to_head
    from valvomo.web.auth.tokens import user_for_token

    if not token:
        raise fail(err, "--unsuppressed needs an analyst's API token: pass --token TOKEN or set VALVOMO_API_TOKEN "
                   "(an administrator issues one with `valvomo user token USERNAME`)")
    upgrade_to_head(settings)
    with session_scope(settings) as db:
        user = user_for_token(db, token)
        if user is None:
            raise fail(err, "--unsuppressed: the token is unknown, revoked or its user is deactivated")
        if user.role != "analyst":
            raise fail(err, f"--unsuppressed: user {user.username!r} has the role {user.role!r}; only analysts may")
        return user.username


def audit_unsuppressed(
    settings,
    username: str,
    outputs: Iterable[str],
    by: str,
    period: str,
    first: dt.date | None,
    last: dt.date | None,
    rows: int,
    *,
    command: str = "indicators",
) -> None:
    """Write the use of ``--unsuppressed`` to the audit log and warn on stderr."""
    from valvomo.appdb import session_scope
    from valvomo.web.auth import audit

    detail = {"command": command, "indicators": ",".join(outputs) or "all", "by": by, "period": period,
              "from": str(first or ""), "to": str(last or ""), "rows": rows}  # fmt: skip
    with session_scope(settings) as db:
        audit.record(db, audit.CLI_UNSUPPRESSED, username=username, detail=detail, client_ip="cli")
    err.print(Text(UNSUPPRESSED_NOTE, style="yellow"))


def resolve_profile(settings, unsuppressed: bool, token: str | None) -> tuple[str, str | None]:
    """The disclosure profile of the command and the authorised analyst (``None`` when controlled)."""
    if not unsuppressed:
        return settings.disclosure_profile, None
    return "none", authorised_analyst(settings, token or settings.api_token)
