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

from valvomo.disclosure import format_number, format_percent  # noqa: F401  (the one number formatter)
from valvomo.services.i18n import (  # noqa: F401  (re-exported: the web layer's translation API)
    DEFAULT_LANGUAGE,
    DOMAINS,
    LANGUAGES,
    LOCALE_DIR,
    N_,
    catalog,
    gettext,
    ngettext,
    normalise_language,
    reload_catalogs,
)
from valvomo.services.periods import format_period  # noqa: F401  (the one period printer)

LANGUAGE_NAMES: dict[str, str] = {"fi": "Suomi", "sv": "Svenska", "en": "English"}

# Babel locale used for digits and separators; sv_FI shares fi's number style.
_BABEL_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NBSP = "\u00a0"


def format_integer(value: float | int | None, lang: str) -> str:
    """A count with grouping and no decimals ("12 345")."""
    return format_number(value, lang, decimals=0)


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

