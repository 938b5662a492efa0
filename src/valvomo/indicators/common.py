"""Shared building blocks of indicator expressions (indicators.md, "Shared definitions").

Everything here is an Ibis expression builder, so it compiles on DuckDB and
PySpark alike. Dates: stored timestamps are naive Europe/Helsinki wall clock, so
the date of a timestamp is ``ts.date()``; days between dates use
``delta(unit="day")`` because interval-vs-integer comparison fails on PySpark
(engine-notes.md).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from valvomo.indicators.registry import DIMENSION_COLUMNS, Dimension, PeriodKind, Query
from valvomo.schema import codes
from valvomo.warehouse.sources import Sources

PHYSICAL = codes.PHYSICAL_CONTACT_TYPES
REMOTE = codes.REMOTE_CONTACT_TYPES
PATIENT_CONTACT_TYPES = PHYSICAL + REMOTE


def period_label(day: ir.DateValue, period: PeriodKind) -> ir.StringValue:
    """``2024`` / ``2024Q1`` / ``2024-03`` for the period containing ``day``."""
    year = day.year().cast("string")
    if period == "year":
        return year
    if period == "quarter":
        return year + "Q" + day.quarter().cast("string")
    if period == "month":
        return year + "-" + day.month().cast("string").lpad(2, "0")
    raise ValueError(f"unknown period {period!r}")


def days_between(later: ir.DateValue, earlier: ir.DateValue) -> ir.IntegerValue:
    """Calendar days from ``earlier`` to ``later`` (same day = 0)."""
    return later.delta(earlier, unit="day")


def is_true(flag: ir.BooleanValue) -> ir.BooleanValue:
    """``flag`` with null read as false ("care_plan not true")."""
    return flag.fill_null(False)


def realised_patient_contacts(contacts: ir.Table) -> ir.Table:
    """Realised (not cancelled) patient contacts: physical or remote codes only."""
    return contacts.filter(contacts.cancelled_at.isnull(), contacts.contact_type.isin(PATIENT_CONTACT_TYPES))


def first_per_assessment(events: ir.Table) -> ir.Table:
    """Within each (patient_id, assessed_at) keep the earliest event by started_at, then contact_id:
    one assessment, one access event."""
    window = ibis.window(group_by=[events.patient_id, events.assessed_at], order_by=[events.started_at, events.contact_id])
    ranked = events.mutate(_rank=ibis.row_number().over(window))
    return ranked.filter(ranked._rank == 0).drop("_rank")


def contact_class(contact_type: ir.StringValue) -> ir.StringValue:
    return (
        ibis.cases(
            (contact_type.isin(PHYSICAL), "physical"),
            (contact_type.isin(REMOTE), "remote"),
            else_="other",
        )
    )


def age_band(age: ir.IntegerValue) -> ir.StringValue:
    """Five-year band ``0-4`` … ``80-84``, ``85+``."""
    lower = (age.clip(lower=0) // 5) * 5
    return ibis.cases(
        (age >= 85, "85+"),
        else_=lower.cast("int64").cast("string") + "-" + (lower + 4).cast("int64").cast("string"),
    )


def restrict_dates(events: ir.Table, day: ir.DateValue, query: Query) -> ir.Table:
    """Keep events whose reference date lies in [query.start, query.end]."""
    if query.start is not None:
        events = events.filter(day >= ibis.literal(query.start))
    if query.end is not None:
        events = events.filter(day <= ibis.literal(query.end))
    return events


def add_period_and_dimensions(
    events: ir.Table,
    sources: Sources,
    query: Query,
    *,
    reference: str,
    event_year: ir.IntegerValue | None = None,
) -> ir.Table:
    """Add ``period`` (from the timestamp/date column ``reference``) and the requested dimension columns.

    ``municipality``, ``age_band`` and ``language`` describe the patient (from
    ``patients``); ``municipality`` falls back to the station's municipality when
    there is no patients table. ``contact_class`` derives from ``contact_type``.
    Rows are restricted to the query's date range.
    """
    ref = events[reference]
    day = ref.date() if ref.type().is_timestamp() else ref
    events = events.mutate(_day=day)
    events = restrict_dates(events, events._day, query)
    events = events.mutate(period=period_label(events._day, query.period))
    needs_patient = {"age_band", "language"} & set(query.by) or (
        "municipality" in query.by and sources.has("patients")
    )
    if needs_patient:
        if not sources.has("patients"):
            from valvomo.indicators.registry import UnsupportedQueryError

            raise UnsupportedQueryError("breakdowns by age band or language need the patients table")
        patients = sources.table("patients").select(
            _pid="patient_id", _birth_year="birth_year", _municipality="municipality", _language="language"
        )
        events = events.left_join(patients, events.patient_id == patients._pid)
        if "age_band" in query.by:
            events = events.mutate(age_band=age_band(events._day.year() - events._birth_year))
        if "language" in query.by:
            events = events.mutate(language=events._language)
        if "municipality" in query.by:
            events = events.mutate(municipality=events._municipality)
    elif "municipality" in query.by:
        stations = sources.table("stations").select(_sid="station_id", municipality="municipality")
        events = events.left_join(stations, events.station_id == stations._sid)
    if "contact_class" in query.by:
        events = events.mutate(contact_class=contact_class(events.contact_type))
    return events


def group_keys(query: Query) -> list[str]:
    return ["period", *query.dimension_columns()]


def share(events: ir.Table, met: ir.BooleanValue, query: Query) -> ir.Table:
    """Numerator = events where ``met``; denominator = all events; value = their ratio."""
    grouped = events.mutate(_met=met).group_by(group_keys(query)).aggregate(
        numerator=lambda t: t.count(where=t._met),
        denominator=lambda t: t.count(),
    )
    return grouped.mutate(value=grouped.numerator.cast("float64") / grouped.denominator)


def nearest_rank(events: ir.Table, column: str, fraction_num: int, fraction_den: int, query: Query) -> ir.Table:
    """Nearest-rank percentile p = num/den of ``column`` per group: the value at 1-based rank ceil(p·N).

    Ranks are computed in integers so every engine picks the same element (engine-notes.md).
    """
    keys = group_keys(query)
    ordered = ibis.window(group_by=keys, order_by=[events[column]])
    whole = ibis.window(group_by=keys)
    ranked = events.mutate(_rank=ibis.row_number().over(ordered) + 1, _n=events.count().over(whole))
    wanted = (ranked._n * fraction_num + fraction_den - 1) // fraction_den
    picked = ranked.filter(ranked._rank == wanted)
    return picked.select(*keys, value=picked[column].cast("float64"), n=picked._n)


def dimension_column(dim: Dimension) -> str:
    return DIMENSION_COLUMNS[dim]


def exact_median(events: ir.Table, column: str, keys: list[str]) -> ir.Table:
    """Exact median of ``column`` per ``keys``: the middle value, or for an even count the mean of
    the two middle values; also ``n``, the number of values.

    The middle ranks are integers ((n + 1) // 2 and n // 2 + 1, 1-based), so every engine picks the
    same elements; approximate quantiles are never used (engine-notes.md). Ties in ``column`` do not
    matter: equal values give the same median whichever row is ranked first.
    """
    ordered = ibis.window(group_by=keys, order_by=[events[column]])
    whole = ibis.window(group_by=keys)
    ranked = events.mutate(_rank=ibis.row_number().over(ordered) + 1, _n=events.count().over(whole))
    middle = ranked.filter((ranked._rank == (ranked._n + 1) // 2) | (ranked._rank == ranked._n // 2 + 1))
    return middle.group_by(keys).aggregate(
        value=middle[column].cast("float64").mean(),
        n=middle._n.max(),
    )
