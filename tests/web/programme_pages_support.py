"""Fixtures of the programme page tests: the small county plus the three example programmes.

The examples are stored once per test session into a copy of the migrated app
database (storing them takes a few seconds); every test then gets its own copy
of that file, so recording an assessment in one test never shows in another.
Test modules import the fixtures by name (``settings`` overrides the web
conftest's, so ``app``, ``logged_in`` and friends use the programme database).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from valvomo.config import Settings

_TEMPLATE: dict[str, Path] = {}  # shared by every test module of the session


def _examples_database(migrated_database: Path, directory: Path) -> Path:
    if "path" not in _TEMPLATE:
        from valvomo.appdb.engine import dispose_engines
        from valvomo.programme.examples import load_examples

        database = directory / "app.sqlite3"
        shutil.copyfile(migrated_database, database)
        load_examples(Settings(home=directory, database_url=f"sqlite:///{database}"))
        dispose_engines()
        _TEMPLATE["path"] = database
    return _TEMPLATE["path"]


@pytest.fixture(scope="session")
def examples_database(migrated_database, tmp_path_factory) -> Path:
    """A migrated app database holding helsinki-tsk, keski-suomi-tsk and rrp-lansi-uusimaa."""
    return _examples_database(migrated_database, tmp_path_factory.mktemp("programme-examples"))


@pytest.fixture
def settings(small_county, examples_database, tmp_path) -> Settings:
    """The small county's warehouse with this test's own copy of the programme database."""
    database = tmp_path / "db" / "app.sqlite3"
    database.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(examples_database, database)
    return Settings(home=small_county, database_url=f"sqlite:///{database}")


# Sessions handed out by ``programme``: an instance keeps only a weak reference to its session, so a
# session nobody holds is collected and its objects detach (a lazy load then fails, when the garbage
# collector happens to run in between — an order-dependent failure seen in CI).
_OPEN_SESSIONS: list = []


def programme(settings: Settings, programme_id: str):
    """The stored programme, loaded in a session that stays open for the caller's reading."""
    from valvomo.appdb import get_sessionmaker
    from valvomo.programme.service import get_programme

    session = get_sessionmaker(settings)()
    _OPEN_SESSIONS.append(session)
    return get_programme(session, programme_id)


def measure_named(programme_obj, name_fi: str):
    return next(m for m in programme_obj.measures() if m.name.get("fi") == name_fi)


TAGS = re.compile(r"<[^>]+>")


def text_of(html: str) -> str:
    """The page's text without tags (and without inline SVG), spaces squashed."""
    html = re.sub(r"<svg\b.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", TAGS.sub(" ", html)).replace("&#39;", "'").replace("&amp;", "&")
