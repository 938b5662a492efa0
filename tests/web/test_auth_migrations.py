"""The 0002_auth migration: up and down on SQLite, in step with the models, and on PostgreSQL.

The PostgreSQL test runs when ``VALVOMO_TEST_POSTGRES_URL`` points at a server
(e.g. ``postgresql+psycopg://valvomo:secret@127.0.0.1:5432/valvomo_test``); the
database is emptied first, so use a throw-away one.
"""

from __future__ import annotations

import os

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DatabaseError

from valvomo.appdb import Base, upgrade_to_head
from valvomo.appdb.engine import dispose_engines, get_engine
from valvomo.appdb.migrate import alembic_config
from valvomo.config import Settings
from valvomo.web.auth import models

AUTH_TABLES = {"users", "user_stations", "web_sessions", "api_tokens", "audit_log", "login_attempts"}
POSTGRES_URL = os.environ.get("VALVOMO_TEST_POSTGRES_URL")


def _table_of(diff) -> str | None:
    """The table an Alembic autogenerate difference is about."""
    first = diff[0] if isinstance(diff, list) else diff  # modify_* differences come in lists
    for item in first[1:]:
        if isinstance(item, str) and item in AUTH_TABLES:
            return item
        if hasattr(item, "columns") and hasattr(item, "name"):  # a Table
            return item.name
        table = getattr(item, "table", None)  # an Index, Constraint or Column
        if table is not None:
            return table.name
    return None


def _auth_differences(connection, metadata=Base.metadata) -> list:
    """Schema differences between the migrated database and the auth models."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [d for d in compare_metadata(context, metadata) if _table_of(d) in AUTH_TABLES]


def test_models_match_the_migration(settings):
    assert models.User.__table__.metadata is Base.metadata
    with get_engine(settings).connect() as connection:
        assert set(inspect(connection).get_table_names()) >= AUTH_TABLES
        assert _auth_differences(connection) == []


def test_downgrade_removes_the_auth_tables_and_upgrade_restores_them(settings):
    config = alembic_config(settings)
    with get_engine(settings).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001_programme")
    with get_engine(settings).connect() as connection:
        names = set(inspect(connection).get_table_names())
        triggers = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).all()
    assert not (AUTH_TABLES & names) and "programme" in names and triggers == []
    assert upgrade_to_head(settings) >= "0002_auth"
    with get_engine(settings).connect() as connection:
        assert set(inspect(connection).get_table_names()) >= AUTH_TABLES


@pytest.mark.skipif(
    not POSTGRES_URL,
    reason="no PostgreSQL server: set VALVOMO_TEST_POSTGRES_URL=postgresql+psycopg://user:pw@127.0.0.1/db to run",
)
def test_migrations_and_append_only_log_on_postgresql(tmp_path, postgres_to_ourselves):
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    settings = Settings(home=tmp_path, database_url=POSTGRES_URL)
    try:
        upgrade_to_head(settings)
        from valvomo.appdb import session_scope
        from valvomo.web.auth import create_user, issue_token, user_for_token

        with session_scope(settings) as db:
            user = create_user(db, "pg-user", "long-password", "station_manager", stations=["ST-A"], actor="t")
            token = issue_token(db, user)
        with session_scope(settings) as db:
            assert user_for_token(db, token).station_ids == ["ST-A"]
        with get_engine(settings).connect() as connection:
            assert _auth_differences(connection) == []
        for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
            with pytest.raises(DatabaseError, match="append-only"), get_engine(settings).begin() as connection:
                connection.execute(text(statement))
    finally:
        dispose_engines()


def test_a_model_change_without_migration_would_be_noticed(settings):
    """The comparison above can fail: a model column missing from the database is reported."""
    import sqlalchemy as sa

    changed = sa.MetaData()
    for name in sorted(AUTH_TABLES):
        Base.metadata.tables[name].to_metadata(changed)
    changed.tables["users"].append_column(sa.Column("nickname", sa.String(20), nullable=True))
    with get_engine(settings).connect() as connection:
        differences = _auth_differences(connection, changed)
    assert [(d[0], d[2]) for d in differences] == [("add_column", "users")]
