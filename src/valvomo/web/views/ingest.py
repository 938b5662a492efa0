"""The ingest history table (``valvomo.ingest.log``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from valvomo.config import Settings
from valvomo.web.i18n import format_date, format_number
from valvomo.web.views.common import (
    Cell,
    Column,
    TableModel,
    ViewContext,
    table_model,
)


def ingest_log(settings: Settings) -> list[Mapping[str, Any]]:
    """The ingest runs, newest first (``valvomo.ingest.log``)."""
    from valvomo.ingest.log import read_ingest_log

    entries = list(read_ingest_log(settings))
    return sorted(entries, key=lambda e: str(e.get("started_at") or e.get("finished_at") or ""), reverse=True)


def ingest_table(ctx: ViewContext, params: Mapping[str, str], log: Iterable[Mapping[str, Any]] | None = None,
                 ) -> TableModel:
    """The ingest history: one row per run, newest first, with rows loaded and rejected inputs.

    Not cached: a failed ingest adds a run without changing the snapshot."""
    log = ingest_log(ctx.settings) if log is None else log
    columns = [
        Column("started_at", ctx._("Time")),
        Column("source", ctx._("Source")),
        Column("status", ctx._("Status")),
        Column("rows", ctx._("Rows loaded"), True),
        Column("rejected", ctx._("Rejected"), True),
        Column("messages", ctx._("Messages")),
    ]
    table_rows = []
    for entry in log:
        when = entry.get("started_at") or entry.get("finished_at") or entry.get("at") or ""
        rows_loaded = entry.get("rows", entry.get("tables"))
        if isinstance(rows_loaded, Mapping):
            rows_loaded = sum(int(v or 0) for v in rows_loaded.values())
        errors = entry.get("errors") or entry.get("messages") or []
        if isinstance(errors, str):
            errors = [errors]
        messages = "; ".join(_message_text(e) for e in errors)
        rejected = entry.get("error_count", entry.get("rejected", len(errors)))
        if isinstance(rejected, Mapping | list):
            rejected = len(rejected)
        table_rows.append([
            Cell(format_date(str(when)[:10], ctx.lang) + (" " + str(when)[11:16] if len(str(when)) > 11 else ""),
                 str(when)),
            Cell(str(entry.get("source") or entry.get("folder") or entry.get("path") or ""),
                 entry.get("source") or entry.get("folder") or entry.get("path")),
            Cell(str(entry.get("status") or ""), entry.get("status"),
                 css="flag" if str(entry.get("status")) not in ("ok", "success", "loaded", "") else ""),
            Cell(format_number(rows_loaded, ctx.lang, 0) if rows_loaded is not None else "–", rows_loaded,
                 numeric=True),
            Cell(format_number(rejected, ctx.lang, 0) if rejected is not None else "–", rejected, numeric=True),
            Cell(messages, messages),
        ])
    return table_model(ctx, "ingest", ctx._("Ingest history"), columns, table_rows, row_headers=False)


def _message_text(error: Any) -> str:
    if isinstance(error, Mapping):
        return error.get("message") or "; ".join(f"{k}={v}" for k, v in error.items())
    return str(error)
