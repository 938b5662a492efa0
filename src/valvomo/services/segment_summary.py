"""Segment and care-gap figures for the self-assessment report and the programme indicator links.

One small function, ``segment_figures``, so that ``valvomo.reports`` and
``valvomo.programme`` can cite the county's segment and care-gap figures
(disclosure-controlled, with their names in the report's language) without
knowing the segment registry: the share of high-need patients, the top tenth's
share of cost, the Gini of cost, and each care-gap rule's share.
"""

from __future__ import annotations

from dataclasses import dataclass

from valvomo.config import Settings
from valvomo.disclosure import format_cell
from valvomo.segments.registry import SEGMENT_REGISTRY, configured_rules
from valvomo.services.results import ResultStore
from valvomo.services.segments import CARE_GAP_OUTPUT, segment_store

CITED = (("utilisation_segment_mix", "high_need"), ("top_decile_cost_share_12m", None), ("gini_cost", None))


@dataclass(frozen=True)
class SegmentFigure:
    id: str  # output id, or "care_gaps:<rule>"
    name: str
    period: str
    value: float | None
    text: str  # as shown in the report ("<8" when redacted)
    suppressed: bool
    unit: str


def segment_figures(
    settings: Settings,
    *,
    lang: str = "fi",
    period_kind: str = "year",
    period: str | None = None,
    profile: str | None = None,
    store: ResultStore | None = None,
) -> list[SegmentFigure]:
    """County-level figures of ``period`` (default: the latest period with a segment mix), protected with
    ``profile`` (default the configured one). Figures the loaded tables do not allow are left out."""
    store = store or segment_store(settings)
    profile = profile or settings.disclosure_profile
    available = set(store.available(period_kind, ()))
    wanted = [o for o, _ in CITED if o in available] + ([CARE_GAP_OUTPUT] if CARE_GAP_OUTPUT in available else [])
    if not wanted:
        return []
    rows = store.query(wanted, period=period_kind, by=(), profile=profile)
    periods = sorted({r["period"] for r in rows if r["indicator"] == "utilisation_segment_mix"} or {r["period"] for r in rows})
    if not periods:
        return []
    chosen = period if period in periods else periods[-1]
    labels = {r.id: r.label.get(lang) for r in configured_rules().rules}
    figures = []
    for row in rows:
        if row["period"] != chosen:
            continue
        entry = SEGMENT_REGISTRY.get(row["indicator"])
        if row["indicator"] == CARE_GAP_OUTPUT:
            key, name = f"{CARE_GAP_OUTPUT}:{row['bin']}", labels.get(row["bin"], row["bin"])
        elif (row["indicator"], row.get("bin")) in CITED:
            key = row["indicator"] if row.get("bin") is None else f"{row['indicator']}:{row['bin']}"
            name = entry.name(lang)
        else:
            continue
        suppressed = bool(row.get("suppressed"))
        text = format_cell(row.get("value"), suppressed, lang, profile=profile, unit=row["unit"])
        figures.append(SegmentFigure(key, name, chosen, row.get("value"), text, suppressed, row["unit"]))
    return figures
