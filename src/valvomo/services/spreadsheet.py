"""Neutralise spreadsheet formulas in exported cells (OWASP "CSV injection").

Station names, codes and other text come from county extracts that Valvomo does
not control. A value such as ``=HYPERLINK("http://evil", "click")`` or
``=cmd|' /C calc'!A0`` is harmless in the warehouse but becomes a live formula
when a CSV or XLSX download is opened in a spreadsheet program. Every export
writer (web CSV/XLSX downloads, the patient-level list exports, the CLI's CSV
output) passes its cells through ``neutralise_cell``; defining the rule once
keeps the writers from drifting apart.

The rule: a *text* value whose first character — or first character after
leading whitespace — is ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading apostrophe, which spreadsheets treat as "this is text". Numbers
(``int``/``float``) are never changed, and neither is text that is a plain
number such as ``-12.5``, so negative figures stay numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_LEADING_WHITESPACE = " \t\r\n\v\f\u00a0"


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (see the module docstring)."""
    if not text:
        return False
    if text[0] in FORMULA_PREFIXES:
        return not _PLAIN_NUMBER.match(text)
    stripped = text.lstrip(_LEADING_WHITESPACE)
    return bool(stripped) and stripped[0] in FORMULA_PREFIXES and not _PLAIN_NUMBER.match(stripped)


def neutralise_cell(value: Any) -> Any:
    """The value to write into an exported cell: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    """``neutralise_cell`` over one row of cells."""
    return [neutralise_cell(value) for value in values]
