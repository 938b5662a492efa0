"""The declarative base every app-state table derives from.

One ``MetaData`` with a naming convention, so that constraint names are the
same on SQLite and PostgreSQL and Alembic migrations can refer to them.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of all app-state ORM models."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
