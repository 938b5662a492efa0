"""Fixtures of the programme tests: a migrated app database, copied per test.

Running the Alembic migrations takes about a second; they are run once per
session into a template file that each test copies into its own home.
"""

from __future__ import annotations

import shutil

import pytest

from valvomo.appdb import upgrade_to_head
from valvomo.config import Settings


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    home = tmp_path_factory.mktemp("template-home")
    upgrade_to_head(Settings(home=home))
    return home / "app.sqlite3"


@pytest.fixture
def settings(tmp_path, migrated_database):
    shutil.copyfile(migrated_database, tmp_path / "app.sqlite3")
    return Settings(home=tmp_path)
