"""Ingest: read a folder of canonical tables, validate it, load it atomically into the warehouse."""

from valvomo.ingest.errors import IngestError, ValidationError
from valvomo.ingest.load import IngestResult, ingest_folder
from valvomo.ingest.log import read_ingest_log

__all__ = ["IngestError", "IngestResult", "ValidationError", "ingest_folder", "read_ingest_log"]
