"""Every message used in the code and templates is translated into fi, sv and en.

Messages are extracted the way ``pybabel extract`` would (Python: ``N_``, ``NC_``, ``_``,
``gettext(lang, msgid)``, ``pgettext(lang, context, msgid)``, ``ngettext(lang, singular, plural, n)``,
the CLI's ``h``; templates: ``_``, ``gettext``, ``ngettext``) from every package that speaks to
people (the web, the report, the services, the CLI), and looked up in the merged catalogs that
``valvomo.services.i18n`` serves. A message with a context is keyed ``context\x04msgid``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

import valvomo
import valvomo.web
from valvomo.services import i18n

WEB = Path(valvomo.web.__file__).parent
PACKAGE = Path(valvomo.__file__).parent
PYTHON_KEYWORDS = {
    "N_": None, "NC_": ((1, "c"), 2), "_": None, "h": None,
    "gettext": (2,), "pgettext": ((2, "c"), 3), "ngettext": (2, 3),
}
TEMPLATE_KEYWORDS = ("_", "gettext", "ngettext")


def _singular(message):
    """The catalog key: the msgid, or the singular of an ngettext pair."""
    return message[0] if isinstance(message, tuple | list) else message


def _key(context, msgid):
    return i18n.context_key(context, msgid)


def used_messages() -> dict[str, str]:
    """msgid (``context\x04msgid`` with a context) -> first place it is used."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        with path.open("rb") as handle:
            for lineno, message, _comments, context in extract("python", handle, keywords=PYTHON_KEYWORDS):
                msgid = _singular(message)
                if msgid:
                    found.setdefault(_key(context, msgid), f"{path.relative_to(PACKAGE)}:{lineno}")
    for path in sorted((WEB / "templates").rglob("*.html")):
        with path.open("rb") as handle:
            for lineno, _func, message, _comments in babel_extract(handle, TEMPLATE_KEYWORDS, [], {}):
                msgid = _singular(message)
                if isinstance(msgid, str) and msgid:
                    found.setdefault(msgid, f"templates/{path.relative_to(WEB / 'templates')}:{lineno}")
    return found


def test_extraction_finds_the_core_messages():
    used = used_messages()
    assert "Skip to main content" in used and "Wrong username or password." in used and "Audit log" in used
    # ... and the report's, the catalogue's and the CLI's, with their contexts
    assert "Self-assessment" in used and "report\x04Status" in used and "unit\x04days" in used
    assert "No such option: %(name)s" in used and "Usage: " in used


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_used_message_is_translated(lang):
    i18n.reload_catalogs()
    catalog = i18n.catalog(lang)
    missing = [f"{where}: {msgid!r}" for msgid, where in used_messages().items() if not catalog.get(msgid)]
    assert missing == [], f"untranslated in {lang}:\n" + "\n".join(missing)


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_domains_have_the_same_messages_in_every_language(domain):
    ids = {}
    for lang in i18n.LANGUAGES:
        path = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
        assert path.exists(), path
        with path.open("rb") as handle:
            ids[lang] = {_key(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(handle) if m.id}
    assert ids["fi"] == ids["sv"] == ids["en"]


def test_finnish_and_swedish_differ_from_english_for_core_messages():
    """A copy-pasted English msgstr in fi or sv would pass the non-empty check; catch the obvious case."""
    for lang in ("fi", "sv"):
        catalog = i18n.catalog(lang)
        for msgid in ("Log out", "Audit log", "Wrong username or password.", "Skip to main content"):
            assert catalog[msgid] != msgid, (lang, msgid)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_a_message_in_both_domains_has_one_translation(lang):
    """The domains are merged (a later domain wins), so a msgid in any two domains must read the
    same, or one page would name a thing differently from the menu that leads to it — or show
    another page's meaning of the word."""
    translations: dict[str, dict] = {}
    for domain in i18n.DOMAINS:
        with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
            translations[domain] = {
                _key(m.context, m.id): m.string for m in read_po(handle) if m.id and isinstance(m.id, str)
            }
    conflicts = {
        (first, second, m): (translations[first][m], translations[second][m])
        for first, second in itertools.combinations(i18n.DOMAINS, 2)
        for m in set(translations[first]) & set(translations[second])
        if translations[first][m] != translations[second][m]
    }  # e.g. "Measure": a programme's measure (toimenpide) is not a simulation's figure (tunnusluku)
    assert conflicts == {}
