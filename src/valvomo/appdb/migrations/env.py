"""Alembic environment for the app-state database.

Generic on purpose: revisions from every capability (programme tracking, web
authentication, ...) live in ``versions/`` as one linear history. The
connection is handed over by ``valvomo.appdb.migrate`` (``config.attributes``);
when Alembic is run from the command line the URL in the config is used.
``target_metadata`` is ``Base.metadata`` with whatever model modules the caller
imported, which is what ``alembic revision --autogenerate`` compares against.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from valvomo.appdb.base import Base

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        _configure_and_run(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
