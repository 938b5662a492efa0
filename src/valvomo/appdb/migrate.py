"""Run the packaged Alembic migrations programmatically.

Installed copies of Valvomo have no ``alembic.ini``; the configuration is built
here from the settings and points at ``valvomo/appdb/migrations``. Every
command that touches the app database calls ``upgrade_to_head`` first, so a new
release upgrades an existing database without a separate step.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from valvomo.appdb.engine import get_engine
from valvomo.config import Settings

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(settings: Settings) -> Config:
    """An Alembic ``Config`` for the settings' database, without any ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would read a '%' in a password as a reference.
    config.set_main_option("sqlalchemy.url", settings.app_database_url.replace("%", "%%"))
    config.attributes["settings"] = settings
    return config


def upgrade_to_head(settings: Settings) -> str:
    """Bring the database to the newest revision; returns that revision id."""
    config = alembic_config(settings)
    engine = get_engine(settings)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    head = ScriptDirectory.from_config(config).get_current_head()
    return head or ""


def current_revision(settings: Settings) -> str | None:
    """The revision the database is at, or None for a database never migrated."""
    with get_engine(settings).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
