"""Translations and locale formatting for the web interface (fi, sv, en).

Messages live in gettext catalogs (``locale/<lang>/LC_MESSAGES/<domain>.po``), one
domain per team area: ``core`` (layout, login, admin, API errors) and ``pages``
(dashboard pages). The ``.po`` files are read with Babel when first needed and
all domains are merged, so there is no compile step to forget: a packaged wheel
with only the ``.po`` files works as well as a checkout.

Numbers and dates follow the Finnish conventions in Finnish *and* Swedish (Finland
Swedish writes "1 234,5" and "24.3.2024" as well); English uses "1,234.5" and
"24 Mar 2024". Grouping uses a no-break space so a number never wraps.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
DOMAINS: tuple[str, ...] = ("core", "pages", "programmes", "segments", "simulation")
LANGUAGE_NAMES: dict[str, str] = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
LOCALE_DIR = Path(__file__).with_name("locale")

# Babel locale used for digits and separators; sv_FI shares fi's number style.
_BABEL_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NBSP = "\u00a0"


def normalise_language(lang: str | None) -> str | None:
    """``lang`` if it is one we serve ("sv-FI" reads as "sv"), else None."""
    if not lang:
        return None
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def N_(msgid: str) -> str:  # noqa: N802  (the gettext convention for "mark for extraction")
    """Mark a string for extraction where it is defined; translate it where it is shown."""
    return msgid


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
                    messages[message.id[0]] = forms
            elif message.string:
                messages[message.id] = message.string
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


def ngettext(lang: str, singular: str, plural: str, n: int, **params: Any) -> str:
    """Singular or plural form for ``n`` (fi, sv and en all use "one" vs "other")."""
    found = _lookup(lang, singular)
    if isinstance(found, tuple) and len(found) >= 2:
        text = found[0] if n == 1 else found[1]
    else:
        text = singular if n == 1 else plural
    params.setdefault("num", n)
    return text % params


def _decimal_pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def format_number(value: float | int | None, lang: str, decimals: int = 1) -> str:
    """``1234.5`` → "1 234,5" (fi, sv; no-break space) or "1,234.5" (en); None → "–"."""
    if value is None:
        return "–"
    text = format_decimal(value, format=_decimal_pattern(decimals), locale=_BABEL_LOCALES.get(lang, "fi_FI"))
    return text.replace("\u202f", NBSP).replace(" ", NBSP)


def format_integer(value: float | int | None, lang: str) -> str:
    """A count with grouping and no decimals ("12 345")."""
    return format_number(value, lang, decimals=0)


def format_percent(share: float | None, lang: str, decimals: int = 1) -> str:
    """A share 0–1 as a percentage: 0.456 → "45,6 %" (fi, sv) or "45.6%" (en)."""
    if share is None:
        return "–"
    number = format_number(share * 100, lang, decimals)
    return f"{number}%" if lang == "en" else f"{number}{NBSP}%"


def format_date(day: dt.date | dt.datetime | str | None, lang: str) -> str:
    """"24.3.2024" in fi and sv, "24 Mar 2024" in en; ISO strings are accepted."""
    if day is None or day == "":
        return "–"
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    if lang == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.day}.{day.month}.{day.year}"


def format_datetime(moment: dt.datetime | None, lang: str) -> str:
    """Date and minutes ("24.3.2024 14.05" in fi, "24.3.2024 kl. 14.05" in sv, "24 Mar 2024 14:05" in en)."""
    if moment is None:
        return "–"
    day = format_date(moment, lang)
    if lang == "en":
        return f"{day} {moment:%H:%M}"
    if lang == "sv":
        return f"{day} kl. {moment:%H.%M}"
    return f"{day} klo {moment:%H.%M}"


_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def format_period(label: str | None, lang: str) -> str:
    """Period labels of the output contract for people.

    "2024Q1" → "Q1/2024" (fi, sv) or "Q1 2024" (en); "2024-03" → "3/2024" (fi, sv)
    or "Mar 2024" (en); a year stays as it is. Unknown labels pass through.
    """
    if not label:
        return "–"
    quarter = _QUARTER.match(label)
    if quarter:
        year, q = quarter.groups()
        return f"Q{q} {year}" if lang == "en" else f"Q{q}/{year}"
    month = _MONTH.match(label)
    if month:
        year, m = month.groups()
        return f"{_MONTHS_EN[int(m) - 1]} {year}" if lang == "en" else f"{int(m)}/{year}"
    return label
