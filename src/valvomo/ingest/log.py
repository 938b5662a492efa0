"""The ingest log: one JSON line per ingest run, successful or failed.

Appended to ``<home>/ingest_log.jsonl`` and never rewritten, so that the
dashboard's data-quality view can show when data was loaded, from where, how
many rows, and why a load was refused. A run killed mid-way leaves no line;
a torn last line (a kill during the append itself) is skipped when reading.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from valvomo.config import Settings

LOG_FILE = "ingest_log.jsonl"


def ingest_log_path(settings: Settings) -> Path:
    return settings.home / LOG_FILE


def append_ingest_log(settings: Settings, record: dict[str, Any]) -> None:
    """Append one run as a single JSON line (one write with O_APPEND, then fsync)."""
    path = ingest_log_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_ingest_log(settings: Settings) -> list[dict[str, Any]]:
    """All logged runs, oldest first. Each has: run_id, started_at, finished_at (ISO 8601, Helsinki
    time with offset), source, mode ("replace"/"append"), tables ({table: rows read}), row_counts
    (rows stored after the run), status ("ok"/"failed"), snapshot_id, errors (messages), error_count,
    warnings."""
    path = ingest_log_path(settings)
    if not path.exists():
        return []
    runs = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                runs.append(record)
    return runs
