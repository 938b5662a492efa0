"""The utilisation-segment outputs as Ibis expressions (segmentation.md §2).

Every output reads the per-patient rows of ``utilisation.patient_segments`` and
groups them by period and the requested patient dimensions:

- segment mix: patients per segment / placed patients of the group;
- remote share per segment: remote realised patient contacts / realised patient
  contacts of the segment's patients in the window (``common.REMOTE`` codes, the
  definition of ``remote_share_20plus`` without its age limit);
- COCI per segment: the mean of the continuity indicators' per-patient COCI
  (the continuity windows population, ``continuity.patient_continuity``: physician
  T11 visits, N >= 2, same window);
- Lorenz curve and Gini of contacts and of cost among the group's placed patients,
  and the top-decile share (``indicators.utilisation.top_decile``).

Lorenz points: patients are ranked ascending by the measure (ties by patient_id,
1-based rank r of n); point k (k = 1..10) is the share of the total held by the
patients with r <= floor(k n / 10), i.e. the bottom 10 k %. A patient belongs to
decile ceil(10 r / n), computed in integers. Gini = 2 sum(r x_r) / (n sum x) - (n + 1) / n.
Shares and means are rounded to 12 decimals so that engines summing in different
orders print the same digits (as the continuity indicators do).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from valvomo.indicators.common import group_keys
from valvomo.indicators.continuity import patient_continuity
from valvomo.indicators.registry import Query
from valvomo.indicators.utilisation import top_decile
from valvomo.segments.shares import DECIMALS, segment_mix_of, share_rows
from valvomo.segments.utilisation import UtilisationSpec, patient_segments
from valvomo.warehouse.sources import Sources

LORENZ_POINTS = 10
LORENZ_BINS = tuple(str(10 * k) for k in range(1, LORENZ_POINTS + 1))


def segment_mix(sources: Sources, query: Query, spec: UtilisationSpec | None = None) -> ir.Table:
    return segment_mix_of(patient_segments(sources, query, spec), group_keys(query))


def segment_remote_share(sources: Sources, query: Query, spec: UtilisationSpec | None = None) -> ir.Table:
    rows = patient_segments(sources, query, spec)
    keys = group_keys(query)
    sums = rows.group_by([*keys, "segment"]).aggregate(
        numerator=lambda t: t.remote_contacts.sum(), denominator=lambda t: t.contacts.sum()
    )
    return share_rows(sums, keys)


def segment_coci(sources: Sources, query: Query, spec: UtilisationSpec | None = None) -> ir.Table:
    rows = patient_segments(sources, query, spec)
    continuity = patient_continuity(sources, Query(period=query.period, start=query.start, end=query.end))
    coci = continuity.select(_period="period", _pid="patient_id", _coci="coci")
    joined = rows.join(coci, [rows.period == coci._period, rows.patient_id == coci._pid])
    keys = group_keys(query)
    grouped = joined.group_by([*keys, "segment"]).aggregate(value=lambda t: t._coci.mean(), n=lambda t: t.count())
    return grouped.select(*keys, bin=grouped.segment, value=grouped.value.round(DECIMALS), n=grouped.n)


def _measure(rows: ir.Table, measure: str) -> ir.Table:
    """Rows with ``_x``: the measure (contacts, or cost in cents of the windows that have cost)."""
    if measure == "contacts":
        return rows.mutate(_x=rows.contacts)
    costed = rows.filter(rows.has_cost)
    return costed.mutate(_x=costed.cost_cents)


def _ranked(rows: ir.Table, keys: list[str]) -> ir.Table:
    order = ibis.window(group_by=[rows[k] for k in keys], order_by=[rows._x, rows.patient_id])
    whole = ibis.window(group_by=[rows[k] for k in keys])
    return rows.mutate(
        _r=ibis.row_number().over(order) + 1, _n=rows.count().over(whole), _total=rows._x.sum().over(whole)
    )


def lorenz(sources: Sources, query: Query, measure: str, spec: UtilisationSpec | None = None) -> ir.Table:
    keys = group_keys(query)
    ranked = _ranked(_measure(patient_segments(sources, query, spec), measure), keys)
    ranked = ranked.filter(ranked._total > 0)
    ranked = ranked.mutate(_decile=(LORENZ_POINTS * ranked._r + ranked._n - 1) // ranked._n)
    per_decile = ranked.group_by([*keys, "_decile"]).aggregate(
        _sum=lambda t: t._x.sum(), n=lambda t: t._n.max(), _total=lambda t: t._total.max()
    )
    running = ibis.cumulative_window(group_by=[per_decile[k] for k in keys], order_by=per_decile._decile)
    cumulative = per_decile.mutate(_cum=per_decile._sum.sum().over(running))
    return cumulative.select(
        *keys,
        bin=(cumulative._decile * (100 // LORENZ_POINTS)).cast("string"),
        value=(cumulative._cum.cast("float64") / cumulative._total.cast("float64")).round(DECIMALS),
        n=cumulative.n,
    )


def gini(sources: Sources, query: Query, measure: str, spec: UtilisationSpec | None = None) -> ir.Table:
    keys = group_keys(query)
    ranked = _ranked(_measure(patient_segments(sources, query, spec), measure), keys)
    grouped = ranked.group_by(keys).aggregate(
        _weighted=lambda t: (t._r.cast("float64") * t._x.cast("float64")).sum(),
        _total=lambda t: t._x.sum(),
        n=lambda t: t.count(),
    )
    grouped = grouped.filter(grouped._total > 0)
    n = grouped.n.cast("float64")
    value = 2.0 * grouped._weighted / (n * grouped._total.cast("float64")) - (n + 1.0) / n
    return grouped.select(*keys, value=value.round(DECIMALS), n=grouped.n)


def top_decile_share(sources: Sources, query: Query, measure: str, spec: UtilisationSpec | None = None) -> ir.Table:
    keys = group_keys(query)
    rows = _measure(patient_segments(sources, query, spec), measure)
    groups = top_decile(rows.mutate(total=rows._x), keys)
    groups = groups.filter(groups._total > 0)
    scale = 100.0 if measure == "cost" else 1.0
    return groups.select(
        *keys,
        value=(groups._top.cast("float64") / groups._total.cast("float64")).round(DECIMALS),
        numerator=groups._top.cast("float64") / scale,
        denominator=groups._total.cast("float64") / scale,
        n=groups.n,
    )
