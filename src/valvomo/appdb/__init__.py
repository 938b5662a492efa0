"""App-state database: programme plans, assessments and (later) users and audit log.

Analytics live in the warehouse; everything people *edit* lives here, in a
relational database reached through SQLAlchemy so that the default SQLite file
and a production PostgreSQL behave the same. The schema is owned by Alembic
migrations shipped inside the package, so an installed Valvomo can upgrade a
database without a checkout or an ``alembic.ini``.
"""

from valvomo.appdb.base import Base
from valvomo.appdb.engine import get_engine, get_sessionmaker, session_scope
from valvomo.appdb.migrate import current_revision, upgrade_to_head

__all__ = ["Base", "current_revision", "get_engine", "get_sessionmaker", "session_scope", "upgrade_to_head"]
