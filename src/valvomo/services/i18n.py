"""Gettext translation for every layer that speaks to people: web, CLI, reports, programme texts.

Messages live in the gettext catalogs ``web/locale/<lang>/LC_MESSAGES/<domain>.po``
(msgid = the English text). They are read with Babel when first needed and all
domains are merged, so there is no compile step to forget. This module sits in
the services layer so that the report (below the web layer) and the CLI use the
same catalogs and the same lookup as the dashboard: one translation mechanism.
``valvomo.web.i18n`` re-exports it beside the locale formatting of pages.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
DOMAINS: tuple[str, ...] = ("core", "pages", "programmes", "segments", "simulation", "reports", "cli")
# gettext's separator of a message context and its msgid (GNU ``pgettext``): the same English word
# may read differently in two places (the report's "Status" is "Tila", the dashboard's "Tilanne").
CONTEXT_SEPARATOR = "\x04"
# The catalogs ship with the web package (their historical place); every layer reads them here.
LOCALE_DIR = Path(__file__).resolve().parents[1] / "web" / "locale"



def normalise_language(lang: str | None) -> str | None:
    """``lang`` if it is one we serve ("sv-FI" reads as "sv"), else None."""
    if not lang:
        return None
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def N_(msgid: str) -> str:  # noqa: N802  (the gettext convention for "mark for extraction")
    """Mark a string for extraction where it is defined; translate it where it is shown."""
    return msgid


def NC_(context: str, msgid: str) -> tuple[str, str]:  # noqa: N802
    """Mark a msgid with its context for extraction; translate it with ``pgettext`` where shown."""
    return (context, msgid)


def context_key(context: str | None, msgid: str) -> str:
    """The catalog key of ``msgid`` in ``context`` (the msgid itself without a context)."""
    return f"{context}{CONTEXT_SEPARATOR}{msgid}" if context else msgid


@lru_cache(maxsize=len(LANGUAGES))
def catalog(lang: str) -> dict[str, Any]:
    """Every translated message for ``lang``, all domains merged.

    Values are a string, or a tuple of plural forms for ``ngettext`` messages.
    Untranslated entries (empty msgstr) are left out so the fallback applies.
    """
    messages: dict[str, Any] = {}
    for domain in DOMAINS:
        path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
        if not path.exists():
            continue
        with path.open("rb") as handle:
            po = read_po(handle, locale=lang, domain=domain)
        for message in po:
            if not message.id or message.fuzzy:
                continue
            if isinstance(message.id, tuple | list):
                forms = tuple(message.string or ())
                if forms and all(forms):
                    messages[context_key(message.context, message.id[0])] = forms
            elif message.string:
                messages[context_key(message.context, message.id)] = message.string
    return messages


def reload_catalogs() -> None:
    """Forget the loaded catalogs (tests that edit a .po file)."""
    catalog.cache_clear()


def _lookup(lang: str, msgid: str) -> Any:
    for candidate in (lang, "en"):
        found = catalog(candidate).get(msgid) if candidate in LANGUAGES else None
        if found:
            return found
    return None


def gettext(lang: str, msgid: str, **params: Any) -> str:
    """``msgid`` in ``lang`` (English, then the msgid itself, when untranslated).

    Keyword arguments fill ``%(name)s`` placeholders after translation, so that
    translators can move them within the sentence.
    """
    found = _lookup(lang, msgid)
    text = found if isinstance(found, str) else msgid
    return text % params if params else text


def pgettext(lang: str, context: str, msgid: str, **params: Any) -> str:
    """``msgid`` in ``context`` (``msgctxt`` in the catalogs) in ``lang``; falls back like ``gettext``."""
    found = _lookup(lang, context_key(context, msgid))
    text = found if isinstance(found, str) else msgid
    return text % params if params else text


def translate(lang: str, message: str | tuple[str, str], **params: Any) -> str:
    """A marked message in ``lang``: an ``N_`` msgid, or an ``NC_`` (context, msgid) pair."""
    if isinstance(message, tuple):
        return pgettext(lang, message[0], message[1], **params)
    return gettext(lang, message, **params)


def ngettext(lang: str, singular: str, plural: str, n: int, **params: Any) -> str:
    """Singular or plural form for ``n`` (fi, sv and en all use "one" vs "other")."""
    found = _lookup(lang, singular)
    if isinstance(found, tuple) and len(found) >= 2:
        text = found[0] if n == 1 else found[1]
    else:
        text = singular if n == 1 else plural
    params.setdefault("num", n)
    return text % params
