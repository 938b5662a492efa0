"""Runs registry entries and returns rows in the output contract (indicators.md).

A row is a dict with ``indicator``, ``period``, one key per requested dimension,
``bin`` for distributions, ``value``, ``numerator``, ``denominator`` or ``n`` (as
the indicator has them), ``unit`` and ``suppressed`` (False here; disclosure
control is a later step in ``valvomo.disclosure``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import ibis
import pyarrow as pa

from valvomo.indicators.common import period_label, stage_cache
from valvomo.indicators.registry import REGISTRY, Indicator, Query, Registry, UnsupportedQueryError
from valvomo.warehouse.sources import MissingTableError, Sources

COUNT_COLUMNS = ("numerator", "denominator", "n")

__all__ = ["COUNT_COLUMNS", "compute", "compute_many", "expression", "stage_cache", "to_rows"]


def expression(indicator: Indicator, sources: Sources, query: Query) -> ibis.Table:
    """The indicator's Ibis expression, with standard columns and a stable row order."""
    indicator.check_query(query)
    for name in indicator.requires:
        if not sources.has(name):
            raise MissingTableError(name)
    result = indicator.build(sources, query)
    if "period" in result.columns and result.period.type().is_date():  # a period_start key: label it now
        result = result.mutate(period=period_label(result.period, query.period))
    keys = ["period", *query.dimension_columns()]
    present = [c for c in ("bin", "value", "numerator", "denominator", "n") if c in result.columns]
    missing = [k for k in keys if k not in result.columns]
    if missing:
        raise UnsupportedQueryError(f"indicator {indicator.id!r} did not produce columns {missing}")
    ordered = result.select(*keys, *present)
    return ordered.order_by([*keys, *(["bin"] if "bin" in present else [])])


def _clean(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def to_rows(indicator: Indicator, table: pa.Table, query: Query) -> list[dict]:
    rows = []
    for record in table.to_pylist():
        row = {"indicator": indicator.id, "period": record["period"]}
        for column in query.dimension_columns():
            row[column] = record[column]
        if "bin" in record:
            row["bin"] = record["bin"]
        value = _clean(record.get("value"))
        row["value"] = float(value) if value is not None else None
        for column in COUNT_COLUMNS:
            if column in record:
                count = _clean(record[column])
                row[column] = int(count) if count is not None and float(count).is_integer() else count
        row["unit"] = indicator.unit
        row["suppressed"] = False
        rows.append(row)
    if indicator.distribution:
        order = {label: i for i, label in enumerate(indicator.parameters.get("bins_labels", ()))}
        keys = ["period", *query.dimension_columns()]
        rows.sort(key=lambda r: (*[str(r[k]) for k in keys], order.get(r.get("bin"), 99)))
    return rows


def compute(
    indicator: Indicator | str,
    sources: Sources,
    query: Query | None = None,
    *,
    registry: Registry = REGISTRY,
) -> list[dict]:
    """Rows of one indicator for one query."""
    entry = registry.get(indicator) if isinstance(indicator, str) else indicator
    query = query or Query()
    table = sources.backend.to_pyarrow(expression(entry, sources, query))
    return to_rows(entry, table, query)


def compute_many(
    indicator_ids: Iterable[str] | None,
    sources: Sources,
    query: Query,
    *,
    registry: Registry = REGISTRY,
    skip_unavailable: bool = True,
) -> list[dict]:
    """Rows of several indicators; indicators whose tables or grain do not fit are skipped
    when ``skip_unavailable`` (the materialiser computes "everything that can be").

    Stages shared by several indicators (``common.stage``) are computed once for the call."""
    rows: list[dict] = []
    with stage_cache(sources):
        for indicator_id in indicator_ids or registry.ids():
            entry = registry.get(indicator_id)
            try:
                rows.extend(compute(entry, sources, query, registry=registry))
            except (MissingTableError, UnsupportedQueryError):
                if not skip_unavailable:
                    raise
    return rows
