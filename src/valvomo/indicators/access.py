"""Access indicators: care guarantee, waiting times, urgent care, assessment timeliness.

Definitions: indicators.md, "Access". The populations they count are defined once in
``indicators/populations/access.py`` (docs/populations.md): the care-guarantee access events, shared
by the 7/14/90-day shares, the waiting-time distribution and its percentiles; the urgent assessed
contacts; the assessed contacts with a first contact moment. Each indicator here is a numerator /
denominator / statistic over one of them.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from valvomo.indicators.common import add_period_and_dimensions, group_keys, nearest_rank, share
from valvomo.indicators.populations.access import (  # noqa: F401  (access_events: read by the simulation)
    ACCESS_EVENTS_DEFINITION,
    ASSESSMENT_EVENTS_DEFINITION,
    URGENT_EVENTS_DEFINITION,
    access_events,
    shared_access_events,
    shared_assessment_timeliness_events,
    shared_urgent_access_events,
)
from valvomo.indicators.registry import Indicator, Query, Target, register
from valvomo.warehouse.sources import Sources

ACCESS_GRAIN = frozenset({"station", "profession", "municipality", "age_band", "language", "contact_class"})

WAITING_BINS: tuple[tuple[str, int, int | None], ...] = (
    ("0", 0, 0),
    ("1-7", 1, 7),
    ("8-14", 8, 14),
    ("15-28", 15, 28),
    ("29-90", 29, 90),
    (">90", 91, None),
)

# The care-guarantee population, as the indicator definitions quote it (populations/access.py).
ACCESS_POPULATION = ACCESS_EVENTS_DEFINITION


def _access_share(max_days: int):
    def build(sources: Sources, query: Query) -> ir.Table:
        events = add_period_and_dimensions(shared_access_events(sources), sources, query, reference="started_at")
        return share(events, events.waiting_days <= max_days, query)

    return build


RRP_ACCESS_TARGETS = (
    Target(0.66, "2024Q2", "national", "RRP pillar 4, investment 1 (seed 002)"),
    Target(0.80, "2025Q4", "national", "RRP pillar 4, investment 1 (seed 002)"),
)

for _days, _id, _fi, _sv, _en, _targets in (
    (7, "access_7d", "Kiireettömät käynnit 7 vrk:ssa", "Icke-brådskande besök inom 7 dygn", "Non-urgent visits within 7 days", RRP_ACCESS_TARGETS),
    (14, "access_14d", "Kiireettömät käynnit 14 vrk:ssa", "Icke-brådskande besök inom 14 dygn", "Non-urgent visits within 14 days", ()),
    (90, "access_3m", "Kiireettömät käynnit 3 kk:ssa", "Icke-brådskande besök inom 3 månader", "Non-urgent visits within 3 months", ()),
):
    register(
        Indicator(
            id=_id,
            names={"fi": _fi, "sv": _sv, "en": _en},
            definition=f"{ACCESS_POPULATION} Numerator: access events with waiting days <= {_days}. "
            "Value = numerator / denominator. Reference date: started_at. (indicators.md, access_7d)",
            unit="share",
            direction="higher",
            family="access",
            grain=ACCESS_GRAIN,
            requires=("contacts",),
            optional=("patients", "stations"),
            build=_access_share(_days),
            disclosure="share",
            targets=_targets,
            parameters={"max_days": _days},
        )
    )


def _waiting_distribution(sources: Sources, query: Query) -> ir.Table:
    events = add_period_and_dimensions(shared_access_events(sources), sources, query, reference="started_at")
    wait = events.waiting_days
    cases = []
    for label, low, high in WAITING_BINS:
        condition = wait >= low if high is None else wait.between(low, high)
        cases.append((condition, label))
    events = events.mutate(bin=ibis.cases(*cases))
    keys = group_keys(query)
    per_bin = events.group_by([*keys, "bin"]).aggregate(numerator=lambda t: t.count())
    # The group total as a window sum, not a join: a join on the keys would drop groups whose
    # dimension is null (a patient without a recorded language), since null never equals null.
    joined = per_bin.mutate(denominator=per_bin.numerator.sum().over(ibis.window(group_by=keys)))
    return joined.mutate(value=joined.numerator.cast("float64") / joined.denominator, n=joined.numerator)


register(
    Indicator(
        id="waiting_days_distribution",
        names={"fi": "Odotusaikojen jakauma", "sv": "Fördelning av väntetider", "en": "Waiting-time distribution"},
        definition=f"{ACCESS_POPULATION} One row per bin (0, 1-7, 8-14, 15-28, 29-90, >90 days) with n and "
        "share of the period's access events. (indicators.md, waiting_days_distribution)",
        unit="share",
        direction="none",
        family="access",
        grain=ACCESS_GRAIN,
        requires=("contacts",),
        optional=("patients", "stations"),
        build=_waiting_distribution,
        disclosure="share",
        distribution=True,
        parameters={"bins_labels": tuple(b[0] for b in WAITING_BINS)},
    )
)


def _waiting_percentile(num: int, den: int):
    def build(sources: Sources, query: Query) -> ir.Table:
        events = add_period_and_dimensions(shared_access_events(sources), sources, query, reference="started_at")
        return nearest_rank(events, "waiting_days", num, den, query)

    return build


for _id, _num, _den, _fi, _sv, _en in (
    ("waiting_days_median", 1, 2, "Odotusajan mediaani", "Median väntetid", "Median waiting time"),
    ("waiting_days_p90", 9, 10, "Odotusajan 90. persentiili", "Väntetidens 90:e percentil", "Waiting time, 90th percentile"),
):
    register(
        Indicator(
            id=_id,
            names={"fi": _fi, "sv": _sv, "en": _en},
            definition=f"{ACCESS_POPULATION} Nearest-rank percentile ({_num}/{_den}) of waiting days: the value "
            "at 1-based rank ceil(p x N). (indicators.md, waiting_days_distribution)",
            unit="days",
            direction="lower",
            family="access",
            grain=ACCESS_GRAIN,
            requires=("contacts",),
            optional=("patients", "stations"),
            build=_waiting_percentile(_num, _den),
            disclosure="statistic",
        )
    )


def _urgent_next_working_day(sources: Sources, query: Query) -> ir.Table:
    events = add_period_and_dimensions(shared_urgent_access_events(sources), sources, query, reference="started_at")
    started = events.started_at.date()
    met = (started == events.assessed_day) | (started <= events.next_working_day)
    return share(events, met, query)


register(
    Indicator(
        id="urgent_next_working_day",
        names={
            "fi": "Kiireelliset käynnit samana tai seuraavana arkipäivänä",
            "sv": "Brådskande besök samma eller nästa vardag",
            "en": "Urgent visits the same or next working day",
        },
        definition=f"{URGENT_EVENTS_DEFINITION} Met when the date of started_at equals the date of assessed_at "
        "or is on or before the next working day after it. Reference date: started_at. "
        "(indicators.md, urgent_next_working_day)",
        unit="share",
        direction="higher",
        family="access",
        grain=ACCESS_GRAIN,
        requires=("contacts",),
        optional=("patients",),
        build=_urgent_next_working_day,
        disclosure="share",
    )
)


def _assessment_same_day(sources: Sources, query: Query) -> ir.Table:
    events = shared_assessment_timeliness_events(sources)
    events = add_period_and_dimensions(events, sources, query, reference="contacted_at")
    met = ibis.ifelse(
        events.contact_day_is_working,
        events.assessed_day == events.contact_day,
        events.assessed_day <= events.next_working_day,
    )
    return share(events, met, query)


register(
    Indicator(
        id="assessment_same_day",
        names={
            "fi": "Hoidon tarpeen arvio samana päivänä",
            "sv": "Bedömning av vårdbehov samma dag",
            "en": "Care-need assessment the same day",
        },
        definition=f"{ASSESSMENT_EVENTS_DEFINITION} If the contact's date is a working day: met when the "
        "assessment date equals the contact date. If not: met when the assessment date is on or before the "
        "next working day after it. Reference date: contacted_at. (indicators.md, assessment_same_day)",
        unit="share",
        direction="higher",
        family="access",
        grain=ACCESS_GRAIN,
        requires=("contacts",),
        optional=("patients",),
        build=_assessment_same_day,
        disclosure="share",
    )
)
