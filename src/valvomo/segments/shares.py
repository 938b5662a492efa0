"""Shares per segment, written once for the questionnaire and the utilisation outputs.

A segment mix is patients per segment (``bin``) over the patients of the same period and breakdown; a
segment's channel share is summed events over summed events. Both end in the output contract's
``bin``, ``numerator``, ``denominator`` and ``value`` columns, rounded alike on every engine.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

DECIMALS = 12  # rounding of a share, so that DuckDB and Spark print the same float


def share_rows(table: ir.Table, keys: list[str]) -> ir.Table:
    """``keys``, ``bin`` (from ``segment``), ``numerator``, ``denominator`` and their ratio as ``value``."""
    return table.select(
        *keys,
        bin=table.segment,
        numerator=table.numerator,
        denominator=table.denominator,
        value=(table.numerator.cast("float64") / table.denominator.cast("float64")).round(DECIMALS),
    )


def segment_mix_of(rows: ir.Table, keys: list[str]) -> ir.Table:
    """Rows (one per patient, with ``segment``) counted per segment over the group's patients: the group
    total is a window sum, so a group with a null key keeps its total (no join on nullable keys)."""
    counts = rows.group_by([*keys, "segment"]).aggregate(numerator=lambda t: t.count())
    whole = ibis.window(group_by=[counts[k] for k in keys])
    return share_rows(counts.mutate(denominator=counts.numerator.sum().over(whole)), keys)
