"""Customer guidance (asiakasohjaus): how quickly requests are answered and how often they are resolved.

Definitions: indicators.md, "guidance_same_day, guidance_next_working_day" and
"guidance_resolved". Keusote's central guidance unit set itself the goal that 80 %
of people who contact it are reached the same day and the rest by the next working
day (self-assessment 5/2021, seed 004); these entries measure exactly that from
``guidance_requests``. The station dimension is the request's ``unit_id`` (the
guidance unit or station that received it), renamed to ``station_id``.
"""

from __future__ import annotations

import ibis.expr.types as ir

from valvomo.indicators.common import exact_median, group_keys, period_start, restrict_dates, share
from valvomo.indicators.registry import Indicator, Query, Target, register
from valvomo.warehouse.sources import Sources

GUIDANCE_GRAIN = frozenset({"station"})
KEUSOTE_SOURCE = "Keusote self-assessment 5/2021 (seed 004)"
# Seed 004 gives the goal without a date; we hold it to the end of the RRP programme (2025Q4),
# the horizon of the programme the self-assessment reports to.
KEUSOTE_DEADLINE = "2025Q4"


def guidance_requests(sources: Sources, query: Query) -> ir.Table:
    """Requests received in the query's range, with ``period``, ``station_id`` and the dates used."""
    requests = sources.table("guidance_requests")
    requests = requests.mutate(
        station_id=requests.unit_id,
        _received_day=requests.received_at.date(),
        _response_day=requests.first_response_at.date(),
    )
    requests = restrict_dates(requests, requests._received_day, query)
    return requests.mutate(period=period_start(requests._received_day, query.period))


def _same_day(sources: Sources, query: Query) -> ir.Table:
    requests = guidance_requests(sources, query)
    met = requests._response_day.notnull() & (requests._response_day == requests._received_day)
    return share(requests, met.fill_null(False), query)


def _next_working_day(sources: Sources, query: Query) -> ir.Table:
    requests = guidance_requests(sources, query)
    calendar = sources.calendar().select(_day="day", _next="next_working_day")
    requests = requests.left_join(calendar, requests._received_day == calendar._day)
    met = requests._response_day.notnull() & (requests._response_day <= requests._next)
    return share(requests, met.fill_null(False), query)


def _response_hours_median(sources: Sources, query: Query) -> ir.Table:
    requests = guidance_requests(sources, query)
    answered = requests.filter(requests.first_response_at.notnull())
    # Whole seconds on every engine (Spark's unix_timestamp drops fractions, DuckDB's epoch keeps them).
    seconds = (
        answered.first_response_at.truncate("s").epoch_seconds() - answered.received_at.truncate("s").epoch_seconds()
    )
    answered = answered.mutate(_hours=seconds.cast("float64") / 3600.0)
    return exact_median(answered, "_hours", group_keys(query))


def _resolved(sources: Sources, query: Query) -> ir.Table:
    requests = guidance_requests(sources, query)
    with_outcome = requests.filter(requests.outcome.notnull())
    return share(with_outcome, with_outcome.outcome == "advice", query)


GUIDANCE_POPULATION = (
    "From guidance_requests; station = unit_id (the unit that received the request). Reference date: the "
    "Helsinki date of received_at. "
)

register(
    Indicator(
        id="guidance_same_day",
        names={
            "fi": "Asiakasohjaus: vastaus samana päivänä",
            "sv": "Klienthandledning: svar samma dag",
            "en": "Customer guidance: response the same day",
        },
        definition=GUIDANCE_POPULATION
        + "Denominator: all requests received in the period. Numerator: first_response_at on the same date as "
        "received_at. Unreached requests (null first_response_at) are in the denominator and not in the "
        "numerator. Keusote target 80 % same day. (indicators.md, guidance_same_day)",
        unit="share",
        direction="higher",
        family="guidance",
        grain=GUIDANCE_GRAIN,
        requires=("guidance_requests",),
        build=_same_day,
        disclosure="share",
        targets=(Target(0.80, KEUSOTE_DEADLINE, "regional", KEUSOTE_SOURCE),),
    )
)

register(
    Indicator(
        id="guidance_next_working_day",
        names={
            "fi": "Asiakasohjaus: vastaus viimeistään seuraavana arkipäivänä",
            "sv": "Klienthandledning: svar senast nästa vardag",
            "en": "Customer guidance: response by the next working day",
        },
        definition=GUIDANCE_POPULATION
        + "Denominator: all requests received in the period. Numerator: first_response_at on or before the "
        "next working day after the date of received_at (cumulative: includes the same day; Finnish public "
        "holidays and 24 Dec are not working days). Unreached requests are in the denominator and not in "
        "the numerator. Keusote target 100 % by the next working day. (indicators.md, "
        "guidance_next_working_day)",
        unit="share",
        direction="higher",
        family="guidance",
        grain=GUIDANCE_GRAIN,
        requires=("guidance_requests",),
        build=_next_working_day,
        disclosure="share",
        targets=(Target(1.0, KEUSOTE_DEADLINE, "regional", KEUSOTE_SOURCE),),
    )
)

register(
    Indicator(
        id="guidance_response_hours_median",
        names={
            "fi": "Asiakasohjaus: vasteajan mediaani, tuntia",
            "sv": "Klienthandledning: svarstidens median, timmar",
            "en": "Customer guidance: median response time, hours",
        },
        definition=GUIDANCE_POPULATION
        + "Over answered requests (first_response_at present): the median of hours from received_at to "
        "first_response_at; for an even count, the mean of the two middle values. Hours are Helsinki "
        "wall-clock hours (the warehouse stores local time), so a response across a daylight-saving change "
        "differs from elapsed time by one hour. n = answered requests. (indicators.md, "
        "guidance_response_hours_median)",
        unit="hours",
        direction="lower",
        family="guidance",
        grain=GUIDANCE_GRAIN,
        requires=("guidance_requests",),
        build=_response_hours_median,
        disclosure="statistic",
    )
)

register(
    Indicator(
        id="guidance_resolved",
        names={
            "fi": "Asiakasohjaus: asia ratkesi ohjauksessa",
            "sv": "Klienthandledning: ärendet löstes i handledningen",
            "en": "Customer guidance: resolved in the guidance contact",
        },
        definition=GUIDANCE_POPULATION
        + "From requests with an outcome recorded (any outcome, 'unreached' included): share with outcome = "
        "advice (the need was resolved in the guidance contact itself). (indicators.md, guidance_resolved)",
        unit="share",
        direction="higher",
        family="guidance",
        grain=GUIDANCE_GRAIN,
        requires=("guidance_requests",),
        build=_resolved,
        disclosure="share",
    )
)
