"""Waiting for psychosocial interventions (IPC, Cool Kids, IPT-A), by method.

Definition: indicators.md, "intervention_wait_days". Keusote's measure 6 brought
evidence-based interventions for young people's depression and anxiety to primary
care (seed 004); whether they are reached in time is the days from the
recommendation to the first session. Each statistic is its own registry entry so
that it has its own unit, direction and disclosure: the mean (``intervention_wait_days``),
the exact median, the minimum and the maximum, all with ``n``. The method is the
``bin`` column (one row per method and group): waiting for IPC and for Cool Kids are
different queues, so an all-methods figure would hide what the measure is for.
"""

from __future__ import annotations

import ibis.expr.types as ir

from valvomo.indicators.common import add_period_and_dimensions, days_between, exact_median, group_keys
from valvomo.indicators.registry import Indicator, Query, register
from valvomo.warehouse.sources import Sources

INTERVENTION_GRAIN = frozenset({"station", "municipality", "age_band", "language"})

INTERVENTION_POPULATION = (
    "From interventions with first_session_on present: wait = days between recommended_on and "
    "first_session_on. Reference date: first_session_on. One row per method (the bin column) and group; "
    "n = interventions. By municipality, age band or language: the patient's (patients table; without it "
    "municipality is the station's). "
)


def intervention_waits(sources: Sources, query: Query) -> ir.Table:
    """Started interventions with ``wait_days``, ``bin`` = method, ``period`` and dimensions."""
    interventions = sources.table("interventions")
    started = interventions.filter(interventions.first_session_on.notnull())
    started = started.mutate(
        wait_days=days_between(started.first_session_on, started.recommended_on),
        bin=started.method,
    )
    return add_period_and_dimensions(started, sources, query, reference="first_session_on")


def _mean(sources: Sources, query: Query) -> ir.Table:
    waits = intervention_waits(sources, query)
    return waits.group_by([*group_keys(query), "bin"]).aggregate(
        value=waits.wait_days.cast("float64").mean(), n=waits.count()
    )


def _median(sources: Sources, query: Query) -> ir.Table:
    return exact_median(intervention_waits(sources, query), "wait_days", [*group_keys(query), "bin"])


def _extreme(largest: bool):
    def build(sources: Sources, query: Query) -> ir.Table:
        waits = intervention_waits(sources, query)
        value = waits.wait_days.max() if largest else waits.wait_days.min()
        return waits.group_by([*group_keys(query), "bin"]).aggregate(value=value.cast("float64"), n=waits.count())

    return build


for _id, _build, _what, _fi, _sv, _en in (
    ("intervention_wait_days", _mean, "mean", "keskiarvo", "medelvärde", "mean"),
    ("intervention_wait_days_median", _median,
     "exact median (for an even count, the mean of the two middle values)", "mediaani", "median", "median"),
    ("intervention_wait_days_min", _extreme(False), "minimum", "lyhin", "kortaste", "minimum"),
    ("intervention_wait_days_max", _extreme(True), "maximum", "pisin", "längsta", "maximum"),
):  # fmt: skip
    register(
        Indicator(
            id=_id,
            names={
                "fi": f"Psykososiaalisen intervention odotusaika, {_fi}, vrk",
                "sv": f"Väntetid till psykosocial intervention, {_sv}, dygn",
                "en": f"Waiting time for a psychosocial intervention, {_en}, days",
            },
            definition=f"{INTERVENTION_POPULATION}Value: the {_what} of wait per method. "
            "(indicators.md, intervention_wait_days)",
            unit="days",
            direction="lower",
            family="access",
            grain=INTERVENTION_GRAIN,
            requires=("interventions",),
            optional=("patients", "stations"),
            build=_build,
            disclosure="statistic",
            distribution=True,
            parameters={"bin": "method"},
        )
    )
