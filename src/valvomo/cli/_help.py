"""The CLI in the configured language (``VALVOMO_LANGUAGE``), like its tables: help and Click's words.

Every help text of the CLI is written in English in the command modules (docstrings, ``help=``);
that text is the gettext msgid (domain ``cli``) and is translated when help is shown, with the
catalogs every interface uses (``services.i18n``). ``LocalisedTyper`` gives every command and group
the classes below, so a new command is translated without doing anything.

Typer's own words — "Usage:", "Show this message and exit.", the panel titles "Options",
"Commands", "Arguments", "[default: …]" and the usage errors ("No such option: …", "Missing
argument …") — are English literals in Typer's vendored Click (``typer/_click``, which dropped
Click's ``gettext`` calls) or module constants of ``typer.rich_utils`` read through the stdlib
``gettext`` once, at import (domain "messages", compiled ``.mo`` files only). So they are
translated through Click's overridable methods — a command's ``format_usage`` (the usage prefix),
``get_help_option`` and ``parse_args``/``resolve_command`` (usage errors) — and by setting the
``rich_utils`` module constants, all from our catalogs: one translation mechanism, no compiled
catalog to forget.

Invalid settings are reported by the command itself when it runs; the help then falls back to
Finnish, the default language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import typer
from pydantic import ValidationError
from typer._click.exceptions import NoArgsIsHelpError, UsageError  # Typer's Click (typer.core uses it)
from typer.core import TyperCommand, TyperGroup

from valvomo.services.i18n import N_, gettext

MSGID_ATTRIBUTE = "valvomo_msgid"  # the English help text a translated object was made from


@lru_cache(maxsize=1)
def cli_language() -> str:
    from valvomo.config import get_settings

    try:
        return get_settings().language
    except ValidationError:
        return "fi"


def h(msgid: str) -> str:
    """``msgid`` (English) in the configured language."""
    return gettext(cli_language(), msgid)


# --- Typer's and Click's own words ---------------------------------------------------------------

USAGE_PREFIX = N_("Usage: ")
HELP_OPTION = N_("Show this message and exit.")
# The usage line's generic tokens as Typer writes them, e.g. "[OPTIONS]" (a command's own metavars stay as written)
USAGE_PIECES = (N_("[OPTIONS]"), N_("COMMAND [ARGS]..."))
# typer.rich_utils constant -> msgid (the msgid is Typer's English text, its %-fields as Typer writes them)
RICH_WORDS: dict[str, str] = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "DEPRECATED_STRING": N_("(deprecated) "),
}


def _worded_as(msgid: str) -> str:
    """The pattern of a Click message worded exactly as its msgid: each ``%(field)s`` a named group."""
    pieces = re.split(r"%\((\w+)\)s", msgid)  # literal, field, literal, field, ..., literal
    return "".join(re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>.+?)" for i, piece in enumerate(pieces))


# Usage errors of Typer's Click (fullmatch, first match wins) -> msgid with the same fields. A bare msgid
# is worded as Click words it; a pair gives Click's wording where ours differs.
ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(entry[0] if isinstance(entry, tuple) else _worded_as(entry), re.DOTALL),
     entry[1] if isinstance(entry, tuple) else entry)  # fmt: skip
    for entry in (
        (r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)",
         N_("No such option: %(name)s (possible options: %(options)s)")),
        (r"No such option: (?P<name>\S+) Did you mean (?P<options>.+)\?",
         N_("No such option: %(name)s. Did you mean %(options)s?")),
        N_("No such option: %(name)s"),
        N_("No such command %(name)s. Did you mean %(options)s?"),
        N_("No such command %(name)s."),
        N_("Missing argument %(name)s."),
        N_("Missing option %(name)s."),
        N_("Missing parameter: %(name)s"),
        N_("Option %(name)s requires an argument."),
        N_("Option %(name)s requires %(count)s arguments."),
        N_("Option %(name)s does not take a value."),
        (r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.+)\)",
         N_("Got unexpected extra arguments (%(args)s)")),
        N_("Invalid value for %(name)s: %(reason)s"),
        N_("Invalid value: %(reason)s"),
    )
)


def translate_error(message: str, lang: str) -> str:
    """A usage error of Typer's Click in ``lang``; a message we do not know stays as it is."""
    for pattern, msgid in ERRORS:
        found = pattern.fullmatch(message)
        if found:
            return gettext(lang, msgid, **found.groupdict())
    return message


@lru_cache(maxsize=4)
def localise_typer_words(lang: str) -> None:
    """Set Typer's rich help constants (panel titles, hints) to ``lang``."""
    from typer import rich_utils

    for name, msgid in RICH_WORDS.items():
        setattr(rich_utils, name, gettext(lang, msgid))


# --- the help texts of our commands --------------------------------------------------------------

def _translated(obj: Any, attribute: str, lang: str) -> None:
    original = getattr(obj, f"{MSGID_ATTRIBUTE}_{attribute}", None)
    if original is None:
        original = getattr(obj, attribute, None)
        if not isinstance(original, str) or not original:
            return
        setattr(obj, f"{MSGID_ATTRIBUTE}_{attribute}", original)
    setattr(obj, attribute, gettext(lang, original))


def localise(command: Any, lang: str) -> None:
    """Translate the help of ``command``, its parameters and (for a group) every sub-command."""
    for attribute in ("help", "short_help", "epilog"):
        _translated(command, attribute, lang)
    for param in getattr(command, "params", ()):
        _translated(param, "help", lang)
    for sub in getattr(command, "commands", {}).values():
        localise(sub, lang)


def help_msgids(command: Any) -> Iterator[tuple[str, str]]:
    """(where, English help text) of ``command`` and everything below it, as the modules write them."""
    path = getattr(command, "name", None) or "valvomo"
    for attribute in ("help", "short_help", "epilog"):
        text = getattr(command, f"{MSGID_ATTRIBUTE}_{attribute}", None) or getattr(command, attribute, None)
        if isinstance(text, str) and text:
            yield path, text
    for param in getattr(command, "params", ()):
        text = getattr(param, f"{MSGID_ATTRIBUTE}_help", None) or getattr(param, "help", None)
        if isinstance(text, str) and text:
            yield f"{path} {param.name}", text
    for sub in getattr(command, "commands", {}).values():
        for where, text in help_msgids(sub):
            yield f"{path} {where}", text


class _Localised:
    """Mixin of our Click commands: help, usage line and usage errors in the configured language."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        lang = cli_language()
        localise_typer_words(lang)
        localise(self, lang)
        super().format_help(ctx, formatter)  # type: ignore[misc]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = [h(piece) if piece in USAGE_PIECES else piece
                  for piece in self.collect_usage_pieces(ctx)]  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=h(USAGE_PREFIX))

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None and option.help == HELP_OPTION:
            option.help = h(HELP_OPTION)
        return option

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except UsageError as error:
            raise _localised_error(error, ctx) from None


def _localised_error(error: UsageError, ctx: Any) -> UsageError:
    """``error`` with its message in the configured language (no-args help is not an error)."""
    if isinstance(error, NoArgsIsHelpError):
        return error
    lang = cli_language()
    localise_typer_words(lang)
    localised = UsageError(translate_error(error.format_message(), lang), ctx=error.ctx or ctx)
    localised.exit_code = error.exit_code
    return localised


class LocalisedCommand(_Localised, TyperCommand):
    """A Typer command whose help and errors are in the configured language."""


class LocalisedGroup(_Localised, TyperGroup):
    """A Typer group whose help, sub-command list and errors are in the configured language."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as error:
            raise _localised_error(error, ctx) from None


class LocalisedTyper(typer.Typer):
    """``typer.Typer`` whose commands and groups are ``LocalisedCommand`` / ``LocalisedGroup``."""

    def __init__(self, *args: Any, cls: type[TyperGroup] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, cls=cls or LocalisedGroup, **kwargs)

    def command(self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or LocalisedCommand, **kwargs)
