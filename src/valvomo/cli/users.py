"""`valvomo user add|token|list|unlock`: local accounts and API tokens from the command line.

The first administrator is created here (the admin pages need one to log in).
Passwords are read from a hidden prompt or, for scripts, from standard input
with ``--password-stdin``; never from a command-line argument, which would end
up in the shell history and the process list.
"""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from valvomo.cli._console import data_console, fail
from valvomo.cli._help import LocalisedTyper

user_app = LocalisedTyper(help="Manage user accounts and API tokens.", no_args_is_help=True)
err = data_console(stderr=True)


def _fail(message: str) -> typer.Exit:
    return fail(err, message)  # the message may quote a user name as typed: printed as written


def _settings():
    from valvomo.appdb import upgrade_to_head
    from valvomo.config import get_settings

    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    upgrade_to_head(settings)
    return settings


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise _fail("no terminal to prompt for the password; pipe it in with --password-stdin")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_app.command("add")
def add(
    username: str = typer.Argument(..., help="Login name (a-z, 0-9, '.', '_', '-')."),
    role: str = typer.Option(..., "--role", help="viewer, station_manager, analyst or admin."),
    station: list[str] = typer.Option(None, "--station", help="Station id (repeatable); station managers need one."),
    lang: str = typer.Option("fi", "--lang", help="Interface language: fi, sv or en."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Create a user (audit-logged)."""
    from valvomo.appdb import session_scope
    from valvomo.web.auth import PasswordPolicyError, UserError, create_user

    settings = _settings()
    password = _read_password(password_stdin)
    try:
        with session_scope(settings) as db:
            user = create_user(db, username, password, role, stations=station or [], language=lang, actor="cli")
            name, stations = user.username, user.station_ids
    except (UserError, PasswordPolicyError) as error:
        raise _fail(str(error)) from None
    suffix = f" for {', '.join(stations)}" if stations else ""
    err.print(f"Created {role} {name!r}{suffix}.", highlight=False)


@user_app.command("token")
def token(
    username: str = typer.Argument(..., help="Whose token."),
    label: str = typer.Option("", "--label", help="What the token is for (shown to admins)."),
) -> None:
    """Issue an API token and print it once (only its digest is stored)."""
    from valvomo.appdb import session_scope
    from valvomo.web.auth import get_user, issue_token

    settings = _settings()
    with session_scope(settings) as db:
        user = get_user(db, username)
        if user is None or not user.active:
            raise _fail(f"no active user {username!r}; see `valvomo user list`")
        value = issue_token(db, user, label=label, actor="cli")
    err.print("New API token (shown once; use as 'Authorization: Bearer <token>'):", highlight=False)
    sys.stdout.write(value + "\n")


@user_app.command("list")
def list_() -> None:
    """List users with role, stations, language and status."""
    from valvomo.appdb import session_scope
    from valvomo.web.auth import list_users

    settings = _settings()
    table = Table(title="Users")
    for header in ("user", "role", "stations", "language", "active"):
        table.add_column(header)
    with session_scope(settings) as db:
        for user in list_users(db):
            table.add_row(user.username, user.role, ", ".join(user.station_ids), user.language,
                          "yes" if user.active else "no")
    data_console(width=160).print(table)


@user_app.command("unlock")
def unlock(username: str = typer.Argument(..., help="Whose login back-off to end.")) -> None:
    """End a user's login delay after failed logins (audit-logged as user_unlock)."""
    from valvomo.appdb import session_scope
    from valvomo.web.auth import get_user
    from valvomo.web.auth.users import unlock_logins

    settings = _settings()
    with session_scope(settings) as db:
        user = get_user(db, username)
        if user is None:
            raise _fail(f"no user {username!r}; see `valvomo user list`")
        failures = unlock_logins(db, user, actor="cli")
        name = user.username
    err.print(f"Unlocked logins of {name!r} ({failures} failed logins cleared).", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
