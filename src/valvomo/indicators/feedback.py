"""Customer experience: Net Promoter Score from the feedback table.

Definition: indicators.md, "nps". Keusote's goal for its guidance service was
NPS > 60 in 2021 (seed 004; March 2021 actual: 53).
"""

from __future__ import annotations

import ibis.expr.types as ir

from valvomo.indicators.common import group_keys, period_start, restrict_dates
from valvomo.indicators.registry import Indicator, Query, Target, register
from valvomo.warehouse.sources import Sources

PROMOTER_MIN = 9
DETRACTOR_MAX = 6


def _nps(sources: Sources, query: Query) -> ir.Table:
    feedback = sources.table("feedback")
    responses = feedback.mutate(_day=feedback.answered_at.date())
    responses = restrict_dates(responses, responses._day, query)
    responses = responses.mutate(period=period_start(responses._day, query.period))
    grouped = responses.group_by(group_keys(query)).aggregate(
        _promoters=lambda t: t.count(where=t.score >= PROMOTER_MIN),
        _detractors=lambda t: t.count(where=t.score <= DETRACTOR_MAX),
        n=lambda t: t.count(),
    )
    net = grouped._promoters - grouped._detractors
    return grouped.mutate(numerator=net, value=100.0 * net.cast("float64") / grouped.n.cast("float64")).drop(
        "_promoters", "_detractors"
    )


register(
    Indicator(
        id="nps",
        names={"fi": "Asiakaspalaute (NPS)", "sv": "Kundrespons (NPS)", "en": "Net Promoter Score (NPS)"},
        definition="From feedback: 100 x (share of scores 9-10 - share of scores 0-6); n responses. "
        "numerator = promoters - detractors, so value = 100 x numerator / n. Reference date: answered_at. "
        "By station only (the response's station). Keusote target > 60. (indicators.md, nps)",
        unit="score",
        direction="higher",
        family="feedback",
        grain=frozenset({"station"}),
        requires=("feedback",),
        build=_nps,
        disclosure="statistic",
        targets=(Target(60, "2021", "regional", "Keusote self-assessment 5/2021 (seed 004)", strict=True),),
        parameters={"promoters": "9-10", "detractors": "0-6"},
    )
)
