"""One translation mechanism: user-facing text is a gettext msgid, never a fi/sv/en dict in the code (issue 10).

The test walks the syntax tree of every module under ``src/valvomo`` and fails on a dict literal whose
keys include "fi" and "sv" (a language table), unless it is one of the places where such a table is
the specified form of the data rather than UI text:

* the indicator registry (``Indicator.names``, ``valvomo/indicators/``) and the segment registry's
  names (``segments/registry.py``, ``segments/utilisation.SEGMENT_NAMES``): spec'd registry fields;
* ``programme/document.DEFAULT_BENEFIT_GOALS``: the default names written into a programme document,
  which stores its texts per language like the YAML files;
* locale data that is not text to read: Babel locale codes, BCP 47 tags, the percent sign's spacing,
  and the language switcher's names of each language in itself (autonyms are never translated).

Anything else goes into the catalogs (``web/locale``) and is read through ``services.i18n``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import valvomo
from valvomo.services import i18n

PACKAGE = Path(valvomo.__file__).parent

ALLOWED_DIRECTORIES = ("indicators",)
ALLOWED_FILES = ("segments/registry.py",)
ALLOWED_NAMES = {
    ("segments/utilisation.py", "SEGMENT_NAMES"),
    ("programme/document.py", "DEFAULT_BENEFIT_GOALS"),
    ("disclosure.py", "_PERCENT_SIGN"),
    ("disclosure.py", "_BABEL_LOCALES"),
    ("web/i18n.py", "_BABEL_LOCALES"),
    ("web/i18n.py", "LANGUAGE_NAMES"),
    ("reports/word.py", "_LANG_TAGS"),
}


MARKERS = {"N_", "NC_"}  # a table keyed by language codes whose values are msgids is fine


def _is_marked(value: ast.expr) -> bool:
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in MARKERS


def _is_language_table(node: ast.AST) -> bool:
    """A dict keyed by "fi" and "sv" (and maybe "en", ...) whose values are not all marked msgids."""
    if not isinstance(node, ast.Dict):
        return False
    keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return {"fi", "sv"} <= keys and not all(_is_marked(v) for v in node.values)


def _assigned_names(tree: ast.AST) -> dict[int, str]:
    """id(dict node) -> the name it is assigned to (``NAME = {...}``, ``NAME: T = {...}``, nested too)."""
    names: dict[int, str] = {}
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        name = next((t.id for t in targets if isinstance(t, ast.Name)), None)
        if name:
            for inner in ast.walk(value):
                names.setdefault(id(inner), name)
    return names


def language_tables(source: str, relative: str) -> list[str]:
    """``path:line NAME`` of every language table in ``source`` that is not in an allowed place."""
    if relative.split("/")[0] in ALLOWED_DIRECTORIES or relative in ALLOWED_FILES:
        return []
    tree = ast.parse(source)
    names = _assigned_names(tree)
    found = []
    for node in ast.walk(tree):
        if _is_language_table(node):
            name = names.get(id(node))
            if (relative, name) not in ALLOWED_NAMES:
                found.append(f"{relative}:{node.lineno} {name or '(unnamed)'}")
    return found


def test_the_walk_finds_a_language_table():
    """The check can fail: a new table of UI text, named or inline, is reported."""
    source = 'LABELS = {"x": {"fi": "Asema", "sv": "Station", "en": "Station"}}\nf({"fi": "a", "sv": "b"})\n'
    assert language_tables(source, "web/new_page.py") == ["web/new_page.py:1 LABELS", "web/new_page.py:2 (unnamed)"]
    assert language_tables(source, "indicators/new.py") == []
    assert language_tables('_BABEL_LOCALES = {"fi": "fi_FI", "sv": "sv_FI"}\n', "disclosure.py") == []
    assert language_tables('SPOKEN = {"fi": N_("Finnish"), "sv": N_("Swedish")}\n', "web/new_page.py") == []


def test_no_language_tables_of_ui_text_in_the_code():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 50
    found = [
        hit
        for path in files
        for hit in language_tables(path.read_text(encoding="utf-8"), path.relative_to(PACKAGE).as_posix())
    ]
    assert found == [], "fi/sv/en tables of UI text belong in the gettext catalogs:\n" + "\n".join(found)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_disclosure_profiles_are_translated(lang):
    """disclosure.PROFILE_MSGIDS sits below the services layer, so it is not marked with N_: check it here."""
    from valvomo.disclosure import PROFILE_MSGIDS

    i18n.reload_catalogs()
    for msgid in PROFILE_MSGIDS.values():
        assert i18n.catalog(lang).get(msgid) not in (None, msgid), (lang, msgid)
