"""Segment outputs for every interface: computed on request, cached per snapshot, disclosure-controlled.

The rows are those of the segment registry (``valvomo.segments.registry``) in
the output contract of ``valvomo indicators`` (indicators.md): the same
``ResultStore`` serves them, given ``SEGMENT_REGISTRY`` instead of the indicator
registry, so live computation, the per-snapshot cache, whole-period date ranges
and disclosure control (``protect_rows`` and complementary suppression across a
breakdown) work exactly as for the indicators. Segment rows are never
materialised at ingest: they are cheap enough to compute on first request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from valvomo.config import Settings
from valvomo.indicators.registry import PERIOD_KINDS
from valvomo.indicators.runner import stage_cache
from valvomo.segments.registry import SEGMENT_REGISTRY
from valvomo.services.results import ResultStore

CARE_GAP_OUTPUT = "care_gaps"
QUESTIONNAIRE_OUTPUT = "questionnaire_segment_mix"
UTILISATION_OUTPUTS = tuple(e.id for e in SEGMENT_REGISTRY if e.id not in (CARE_GAP_OUTPUT, QUESTIONNAIRE_OUTPUT))
SEGMENT_OUTPUTS = (*UTILISATION_OUTPUTS, QUESTIONNAIRE_OUTPUT)


def segment_store(settings: Settings, *, warehouse=None) -> ResultStore:
    """A result store over the segment registry (the warehouse of ``settings`` unless one is given)."""
    return ResultStore(settings, warehouse=warehouse, registry=SEGMENT_REGISTRY)


def segment_rows(
    settings: Settings,
    outputs: Iterable[str] | None = None,
    *,
    period: str = "quarter",
    by: str | Iterable[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    profile: str | None = None,
    store: ResultStore | None = None,
) -> list[dict]:
    """Rows of the named segment outputs (default: every questionnaire and utilisation output the loaded
    tables allow; care gaps have their own service), disclosure-controlled with ``profile``
    (default ``settings.disclosure_profile``)."""
    store = store or segment_store(settings)
    if outputs is None:
        available = set(store.available(period, by))
        outputs = [o for o in SEGMENT_OUTPUTS if o in available]
        if not outputs:
            return []
    # Every utilisation output reads the same per-patient rows: compute them once for the request.
    with stage_cache(store.warehouse, period_kinds=(period,) if period in PERIOD_KINDS else PERIOD_KINDS):
        return store.query(list(outputs), period=period, by=by, start=start, end=end, profile=profile)
