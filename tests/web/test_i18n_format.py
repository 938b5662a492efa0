"""Numbers, percentages, dates and periods in the user's language."""

from __future__ import annotations

import datetime as dt

import pytest

from valvomo.web import i18n

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1234.5, "fi", 1, f"1{NBSP}234,5"),
        (1234.5, "sv", 1, f"1{NBSP}234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (1234567, "fi", 0, f"1{NBSP}234{NBSP}567"),
        (-0.25, "fi", 2, "-0,25"),
        (2.0, "en", 1, "2.0"),
        (None, "fi", 1, "–"),
    ],
)
def test_format_number(value, lang, decimals, expected):
    assert i18n.format_number(value, lang, decimals) == expected


def test_format_percent():
    # 0.456 of the events -> 45.6 per cent; fi and sv put a no-break space before the sign.
    assert i18n.format_percent(0.456, "fi") == f"45,6{NBSP}%"
    assert i18n.format_percent(0.456, "sv") == f"45,6{NBSP}%"
    assert i18n.format_percent(0.456, "en") == "45.6%"
    assert i18n.format_percent(1, "fi", 0) == f"100{NBSP}%"
    assert i18n.format_percent(None, "en") == "–"


def test_format_date_and_datetime():
    day = dt.date(2024, 3, 24)
    assert i18n.format_date(day, "fi") == "24.3.2024"
    assert i18n.format_date(day, "sv") == "24.3.2024"
    assert i18n.format_date(day, "en") == "24 Mar 2024"
    assert i18n.format_date("2024-03-24", "fi") == "24.3.2024"
    moment = dt.datetime(2024, 3, 24, 14, 5)
    assert i18n.format_datetime(moment, "fi") == "24.3.2024 klo 14.05"
    assert i18n.format_datetime(moment, "sv") == "24.3.2024 kl. 14.05"
    assert i18n.format_datetime(moment, "en") == "24 Mar 2024 14:05"


@pytest.mark.parametrize(
    ("label", "lang", "expected"),
    [
        ("2024Q1", "fi", "Q1/2024"),
        ("2024Q4", "sv", "Q4/2024"),
        ("2024Q1", "en", "Q1 2024"),
        ("2024-03", "fi", "3/2024"),
        ("2024-11", "en", "Nov 2024"),
        ("2024", "sv", "2024"),
        ("H1", "fi", "H1"),
    ],
)
def test_format_period(label, lang, expected):
    assert i18n.format_period(label, lang) == expected


def test_gettext_translates_falls_back_and_fills_placeholders():
    assert i18n.gettext("fi", "Log out") == "Kirjaudu ulos"
    assert i18n.gettext("sv", "Log out") == "Logga ut"
    assert i18n.gettext("en", "Log out") == "Log out"
    assert i18n.gettext("sv", "A message nobody translated") == "A message nobody translated"
    assert i18n.gettext("fi", "%(n)s rows", n=3) == "3 rows"


def test_ngettext_picks_the_form():
    assert i18n.ngettext("fi", "%(num)s row", "%(num)s rows", 1) == "1 row"
    assert i18n.ngettext("fi", "%(num)s row", "%(num)s rows", 2) == "2 rows"


@pytest.mark.parametrize(("raw", "expected"), [("sv-FI", "sv"), ("FI", "fi"), ("en_GB", "en"), ("de", None), ("", None)])
def test_normalise_language(raw, expected):
    assert i18n.normalise_language(raw) == expected
