"""Canonical data model: tables, columns, code sets (single source of truth)."""

from valvomo.schema import codes
from valvomo.schema.tables import LOAD_ORDER, MANIFEST_FILE, TABLES, Column, Table

__all__ = ["codes", "Column", "Table", "TABLES", "LOAD_ORDER", "MANIFEST_FILE"]
