"""CLI help texts in the configured language (``VALVOMO_LANGUAGE``), like the CLI's tables.

Typer reads option help when a command is defined, so ``h`` translates at import time with the
gettext catalogs every interface uses (``services.i18n``). Invalid settings are reported by the
command itself when it runs; the help then falls back to Finnish, the default language.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import ValidationError

from valvomo.services.i18n import gettext


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
