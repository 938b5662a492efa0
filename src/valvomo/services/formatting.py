"""How a change between two figures and a chart's axis labels are written, for every interface.

``disclosure.format_cell`` writes one value; this module writes what the pages derive from values:
the change since the previous period ("+1,2 pp" for shares, in percentage points) and the labels of
a chart's value axis (whole percentages for shares). Numbers go through ``disclosure.format_number``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from valvomo.disclosure import format_number, format_percent
from valvomo.services.i18n import gettext

# Decimals of a difference by unit (shares are written in percentage points with one decimal).
CHANGE_DECIMALS: dict[str, int] = {"count": 0, "eur": 0, "index": 2, "ratio": 2}
DEFAULT_CHANGE_DECIMALS = 1


def format_change(latest: float | None, previous: float | None, unit: str, lang: str) -> tuple[str, Any]:
    """The difference ``latest - previous`` as (text, value): "+1,2 pp" for shares, "−3" for counts;
    "–" and None when either value is missing."""
    if latest is None or previous is None:
        return "–", None
    difference = latest - previous
    sign = "+" if difference > 0 else ("−" if difference < 0 else "±")
    if unit == "share":
        number = format_number(abs(difference) * 100, lang, 1)
        return gettext(lang, "%(sign)s%(value)s pp", sign=sign, value=number), round(difference, 6)
    decimals = CHANGE_DECIMALS.get(unit, DEFAULT_CHANGE_DECIMALS)
    return f"{sign}{format_number(abs(difference), lang, decimals)}", round(difference, 6)


def axis_format(unit: str, lang: str) -> Callable[[float], str]:
    """Axis and bar labels of a chart: whole percentages for shares, whole counts and euros, one
    decimal otherwise."""
    if unit == "share":
        return lambda share: format_percent(share, lang, 0)
    decimals = 0 if unit in ("count", "eur") else 1
    return lambda value: format_number(value, lang, decimals)
