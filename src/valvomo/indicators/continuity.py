"""Continuity of care (jatkuvuus): COCI, UPC, SECON, MMCI and named-professional coverage.

Definitions: indicators.md, "Continuity". Each period's value looks back over a
12-month window that ends on the period's last day, so the windows of
consecutive quarters or months overlap. Windows are whole calendar months, so
they are handled as integer month indices (year * 12 + month - 1): a period's
window is the 12 month indices ending at its last month. The window join is an
Ibis range join between two small tables (periods x months present in the data)
followed by an equi-join of the visits on their month, which every engine runs
as a hash join; the heavy grouping is keyed by the window's integer end month and
the period label is attached to the much smaller per-patient rows.

Per-patient work dominates the run time (engine-notes.md), so the visits are
grouped as little as possible: one ordered pass gives each visit its predecessor
(for SECON); the windowed visits are counted once per (window, patient,
professional), from which COCI, UPC, SECON, MMCI and the share with COCI >= 0.5
derive, and once per (window, patient, station), which gives the patient's
station (``window_counts``). Within a materialisation run the per-patient rows
are a shared stage (``common.stage``), computed once for every period kind and
breakdown.

A patient's station is their ``home_station_id`` when present, otherwise the
station of most of their window visits (ties: smallest station_id). Age bands
use the year of the period's last day. Group values are means over patients,
rounded to 12 decimals so that engines summing in different orders agree to
the last printed digit.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from valvomo.indicators.common import (
    age_band,
    period_label,
    restrict_dates,
    stage,
    staged_period_kinds,
    staging,
)
from valvomo.indicators.populations.contacts import realised_patient_contacts
from valvomo.indicators.registry import (
    Indicator,
    PeriodKind,
    Query,
    UnsupportedQueryError,
    register,
)
from valvomo.schema import codes
from valvomo.warehouse.sources import Sources

CONTINUITY_GRAIN = frozenset({"station", "municipality", "age_band", "language"})
WINDOW_MONTHS = 12
MIN_VISITS = 2
PHYSICIANS = ("physician",)
NURSES = ("nurse", "public_health_nurse")
NAMED_PROFESSIONAL_MIN_CONTACTS = 4
MEAN_DECIMALS = 12
CONTINUOUS_COCI = 0.5  # COCI >= 0.5: "continuous" patients (compared exactly, in integers)


def month_index(day: ir.DateValue) -> ir.IntegerValue:
    """Months since year 0: consecutive calendar months have consecutive indices."""
    return day.year().cast("int64") * 12 + day.month().cast("int64") - 1


def last_month_index(day: ir.DateValue, period: PeriodKind) -> ir.IntegerValue:
    """Month index of the last month of the period containing ``day``."""
    year = day.year().cast("int64")
    if period == "year":
        return year * 12 + 11
    if period == "quarter":
        return year * 12 + day.quarter().cast("int64") * 3 - 1
    return month_index(day)


def window_periods(visits: ir.Table, query: Query) -> ir.Table:
    """(period, _last_mi): the periods with a visit in the query's date range. Periods come from the data."""
    days = visits.mutate(_day=visits.started_at.date())
    in_range = restrict_dates(days, days._day, query)
    return in_range.select(
        period=period_label(in_range._day, query.period),
        _last_mi=last_month_index(in_range._day, query.period),
    ).distinct()


def in_windows(visits: ir.Table, periods: ir.Table) -> ir.Table:
    """Each visit once per period whose window contains it, with the period's ``_last_mi``.

    The range condition is applied between two small tables (periods x months holding visits); the
    visits then join that bridge on their month index, so the large join is an equi-join. The
    period's label is attached later, to per-patient rows, to keep the heavy grouping on integers.
    """
    visits = visits.mutate(_mi=month_index(visits.started_at.date()))
    months = visits.select(_month=visits._mi).distinct()
    ends = periods.select("_last_mi")
    bridge = ends.join(
        months,
        [months._month >= ends._last_mi - (WINDOW_MONTHS - 1), months._month <= ends._last_mi],
    ).select("_last_mi", _mi="_month")
    return visits.join(bridge, "_mi")


def continuity_visits(sources: Sources, professions: tuple[str, ...]) -> ir.Table:
    """Realised T11 patient contacts with a professional of the given professions."""
    contacts = realised_patient_contacts(sources.table("contacts"))
    return contacts.filter(
        contacts.service_type == codes.CARE_GUARANTEE_SERVICE_TYPE,
        contacts.professional_id.notnull(),
        contacts.profession.isin(professions),
    ).select("contact_id", "patient_id", "station_id", "professional_id", "started_at")


def with_predecessor(visits: ir.Table) -> ir.Table:
    """Each visit with the professional and month index of the patient's previous visit
    (order: started_at, then contact_id)."""
    order = ibis.window(group_by=visits.patient_id, order_by=[visits.started_at, visits.contact_id])
    return visits.mutate(
        _prev_professional=visits.professional_id.lag().over(order),
        _prev_mi=month_index(visits.started_at.date()).lag().over(order),
    )


def window_ends(visits: ir.Table, query: Query, kinds: tuple[PeriodKind, ...]) -> ir.Table:
    """(_last_mi): the window ends of the periods of the given kinds in the query's date range.

    A period's figures depend on its period kind only through the window's last month (a quarter's
    window is the 12 months ending in its last month, as is that month's), so one computation over
    these ends serves months, quarters and years alike.
    """
    ends = [
        window_periods(visits, Query(period=kind, start=query.start, end=query.end)).select("_last_mi")
        for kind in kinds
    ]
    return ends[0].distinct() if len(ends) == 1 else ibis.union(*ends, distinct=True)


def window_counts(visits: ir.Table, ends: ir.Table) -> tuple[ir.Table, ir.Table]:
    """The visits in each window ending at ``ends._last_mi``, counted two ways:

    * per (_last_mi, patient_id, professional_id): ``n_j`` visits and ``same``, the visits whose
      predecessor in the window was with the same professional;
    * per (_last_mi, patient_id, station_id): ``visits``.

    The predecessor of a visit is in the window exactly when its month is not before the window's
    first month (windows are contiguous and the visit itself is in the window). Both counts are taken
    straight from the windowed visits: at 10 million contacts almost every (window, patient,
    professional) has one station, so an intermediate count per all four keys would be as large as
    the per-professional one and cost a third grouping.
    """
    windowed = in_windows(with_predecessor(visits), ends)
    same = (windowed._prev_professional == windowed.professional_id) & (
        windowed._prev_mi >= windowed._last_mi - (WINDOW_MONTHS - 1)
    )
    windowed = windowed.mutate(_same=same.fill_null(False))
    per_professional = windowed.group_by(["_last_mi", "patient_id", "professional_id"]).aggregate(
        n_j=lambda t: t.count(),
        same=lambda t: t.count(where=t._same),
    )
    per_station = windowed.group_by(["_last_mi", "patient_id", "station_id"]).aggregate(visits=lambda t: t.count())
    return per_professional, per_station


def majority_station(per_station: ir.Table) -> ir.Table:
    """(_last_mi, patient_id, _majority_station) from one row per (_last_mi, patient_id, station_id)
    with ``visits``: the station of most window visits, ties by smallest id."""
    order = ibis.window(
        group_by=[per_station._last_mi, per_station.patient_id],
        order_by=[per_station.visits.desc(), per_station.station_id],
    )
    ranked = per_station.mutate(_rank=ibis.row_number().over(order))
    top = ranked.filter(ranked._rank == 0)
    return top.select("_last_mi", "patient_id", _majority_station=top.station_id)


def patient_continuity(
    sources: Sources, query: Query, professions: tuple[str, ...] = PHYSICIANS, min_visits: int = MIN_VISITS
) -> ir.Table:
    """One row per (period, patient) with N >= ``min_visits``: N, the four indices and the station.

    COCI = (sum n_j^2 - N) / (N (N - 1)); UPC = max n_j / N; SECON = same-professional
    consecutive pairs / (N - 1); MMCI = (1 - k / (N + 0.1)) / (1 - 1 / (N + 0.1)).
    """
    visits = continuity_visits(sources, professions)
    periods = window_periods(visits, query)
    return _patient_indices(visits, periods, min_visits).join(periods, "_last_mi")


def _patient_indices(visits: ir.Table, ends: ir.Table, min_visits: int) -> ir.Table:
    """``patient_continuity`` without the period label, for the windows ending at ``ends._last_mi``."""
    per_professional, per_station = window_counts(visits, ends)
    per_patient = per_professional.group_by(["_last_mi", "patient_id"]).aggregate(
        visits=lambda t: t.n_j.sum(),
        sum_squares=lambda t: (t.n_j * t.n_j).sum(),
        max_visits=lambda t: t.n_j.max(),
        professionals=lambda t: t.count(),
        same_pairs=lambda t: t.same.sum(),
    )
    per_patient = per_patient.filter(per_patient.visits >= min_visits)
    big_n = per_patient.visits.cast("float64")
    with_indices = per_patient.mutate(
        coci=(per_patient.sum_squares - per_patient.visits).cast("float64")
        / (per_patient.visits * (per_patient.visits - 1)).cast("float64"),
        upc=per_patient.max_visits.cast("float64") / big_n,
        secon=per_patient.same_pairs.cast("float64") / (per_patient.visits - 1).cast("float64"),
        mmci=(1.0 - per_patient.professionals.cast("float64") / (big_n + 0.1)) / (1.0 - 1.0 / (big_n + 0.1)),
        continuous=2 * (per_patient.sum_squares - per_patient.visits)
        >= per_patient.visits * (per_patient.visits - 1),
    )
    return with_indices.join(majority_station(per_station), ["_last_mi", "patient_id"])


def _of_patients(rows: ir.Table, per_patient: ir.Table) -> ir.Table:
    """``rows`` of the (_last_mi, patient_id) pairs in ``per_patient``: ranking stations only for the
    patients who are counted (a semi-join; the result joins ``per_patient`` anyway)."""
    return rows.semi_join(per_patient.select("_last_mi", "patient_id"), ["_last_mi", "patient_id"])


def add_patient_dimensions(per_patient: ir.Table, sources: Sources, query: Query) -> ir.Table:
    """Add the requested patient dimensions to per-(period, patient) rows that carry ``_last_mi`` and
    ``_majority_station``: station = home_station_id else majority station; municipality, language and
    age band (year of the period's last day - birth_year) from ``patients``."""
    if sources.has("patients"):
        patients = sources.table("patients").select(
            _pid="patient_id",
            _home_station="home_station_id",
            _birth_year="birth_year",
            _municipality="municipality",
            _language="language",
        )
        rows = per_patient.left_join(patients, per_patient.patient_id == patients._pid)
        rows = rows.mutate(station_id=rows._home_station.coalesce(rows._majority_station))
    else:
        if {"age_band", "language"} & set(query.by):
            raise UnsupportedQueryError("continuity by age band or language needs the patients table")
        rows = per_patient.mutate(station_id=per_patient._majority_station)
    if "age_band" in query.by:
        rows = rows.mutate(age_band=age_band(rows._last_mi // 12 - rows._birth_year))
    if "language" in query.by:
        rows = rows.mutate(language=rows._language)
    if "municipality" in query.by:
        if sources.has("patients"):
            rows = rows.mutate(municipality=rows._municipality)
        else:
            stations = sources.table("stations").select(_sid="station_id", municipality="municipality")
            rows = rows.left_join(stations, rows.station_id == stations._sid)
    return rows


def _keys(query: Query) -> list[str]:
    return ["period", *query.dimension_columns()]


def shared_patient_continuity(sources: Sources, query: Query, professions: tuple[str, ...]) -> ir.Table:
    """``patient_continuity``; within a materialisation run (``common.stage``) the per-patient rows are
    computed once per professions and date range for the window ends of all the period kinds the run
    asks for: they do not depend on the breakdown or on the period kind, and COCI, UPC, SECON, MMCI and
    the continuous share all read them."""
    if not staging(sources):
        return patient_continuity(sources, query, professions)
    visits = continuity_visits(sources, professions)
    kinds = staged_period_kinds(sources, query)
    key = ("patient_continuity", professions, MIN_VISITS, kinds, query.start, query.end)
    rows = stage(sources, key, lambda: _patient_indices(visits, window_ends(visits, query, kinds), MIN_VISITS))
    return rows.join(window_periods(visits, query), "_last_mi")


def _mean_index(index: str, professions: tuple[str, ...]):
    def build(sources: Sources, query: Query) -> ir.Table:
        rows = add_patient_dimensions(shared_patient_continuity(sources, query, professions), sources, query)
        grouped = rows.group_by(_keys(query)).aggregate(
            value=lambda t: t[index].mean(), n=lambda t: t.count()
        )
        return grouped.mutate(value=grouped.value.round(MEAN_DECIMALS))

    return build


def _continuous_share(sources: Sources, query: Query) -> ir.Table:
    rows = add_patient_dimensions(shared_patient_continuity(sources, query, PHYSICIANS), sources, query)
    grouped = rows.group_by(_keys(query)).aggregate(
        numerator=lambda t: t.count(where=t.continuous), denominator=lambda t: t.count()
    )
    return grouped.mutate(value=grouped.numerator.cast("float64") / grouped.denominator)


WINDOW_TEXT = (
    "Window: the 12 months ending on the last day of the period (a year for an annual period); periods "
    "are those with visits in the query's date range. Visits: realised patient contacts with "
    "service_type = T11, professional_id present and profession in {professions}. For each patient with "
    "N >= 2 visits, with n_j visits to professional j (k professionals), visits ordered by started_at then "
    "contact_id: "
)
STATION_TEXT = (
    " A patient's station is their home_station_id when present, otherwise the station of most of their "
    "window visits (ties: smallest station_id). The value for a group is the mean over its patients "
    "(rounded to 12 decimals); n = patients. (indicators.md, coci, upc, secon, mmci)"
)

INDEX_FORMULAS = {
    "coci": "COCI (Bice-Boxerman) = (sum n_j^2 - N) / (N (N - 1)).",
    "upc": "UPC = max_j n_j / N.",
    "secon": "SECON = (number of consecutive visit pairs with the same professional) / (N - 1).",
    "mmci": "MMCI = (1 - k / (N + 0.1)) / (1 - 1 / (N + 0.1)).",
}

INDEX_NAMES = {
    "coci": (
        "Hoidon jatkuvuus (COCI)",
        "Vårdens kontinuitet (COCI)",
        "Continuity of care index (COCI)",
    ),
    "upc": (
        "Hoidon jatkuvuus: tavallisimman ammattilaisen osuus (UPC)",
        "Vårdens kontinuitet: andel hos vanligaste yrkesperson (UPC)",
        "Usual provider of care (UPC)",
    ),
    "secon": (
        "Hoidon jatkuvuus: peräkkäiset käynnit saman ammattilaisen luona (SECON)",
        "Vårdens kontinuitet: på varandra följande besök hos samma yrkesperson (SECON)",
        "Sequential continuity (SECON)",
    ),
    "mmci": (
        "Hoidon jatkuvuus (MMCI)",
        "Vårdens kontinuitet (MMCI)",
        "Modified modified continuity index (MMCI)",
    ),
}


def _continuity_entry(
    indicator_id: str, index: str, professions: tuple[str, ...], names: tuple[str, str, str]
) -> Indicator:
    fi, sv, en = names
    return Indicator(
        id=indicator_id,
        names={"fi": fi, "sv": sv, "en": en},
        definition=WINDOW_TEXT.format(professions=", ".join(professions))
        + INDEX_FORMULAS[index]
        + STATION_TEXT,
        unit="index",
        direction="higher",
        family="continuity",
        grain=CONTINUITY_GRAIN,
        requires=("contacts",),
        optional=("patients", "stations"),
        build=_mean_index(index, professions),
        disclosure="statistic",
        parameters={
            "professions": professions,
            "min_visits": MIN_VISITS,
            "window_months": WINDOW_MONTHS,
            "index": index,
        },
    )


for _index in ("coci", "upc", "secon", "mmci"):
    register(_continuity_entry(_index, _index, PHYSICIANS, INDEX_NAMES[_index]))

register(
    _continuity_entry(
        "coci_nurse",
        "coci",
        NURSES,
        (
            "Hoidon jatkuvuus hoitajakäynneillä (COCI)",
            "Vårdens kontinuitet vid skötarbesök (COCI)",
            "Continuity of care index, nurse visits (COCI)",
        ),
    )
)

register(
    Indicator(
        id="coci_share_continuous",
        names={
            "fi": "Jatkuvan hoitosuhteen potilaiden osuus (COCI ≥ 0,5)",
            "sv": "Andelen patienter med kontinuerlig vårdrelation (COCI ≥ 0,5)",
            "en": "Share of patients with continuous care (COCI >= 0.5)",
        },
        definition=WINDOW_TEXT.format(professions="physician")
        + INDEX_FORMULAS["coci"]
        + " Numerator: patients with COCI >= 0.5; denominator: patients with N >= 2 (the share the "
        "coci row reports beside its mean)." + STATION_TEXT,
        unit="share",
        direction="higher",
        family="continuity",
        grain=CONTINUITY_GRAIN,
        requires=("contacts",),
        optional=("patients", "stations"),
        build=_continuous_share,
        disclosure="share",
        parameters={
            "professions": PHYSICIANS,
            "min_visits": MIN_VISITS,
            "window_months": WINDOW_MONTHS,
            "threshold": CONTINUOUS_COCI,
        },
    )
)


def _t11_visits(sources: Sources) -> ir.Table:
    contacts = realised_patient_contacts(sources.table("contacts"))
    return contacts.filter(contacts.service_type == codes.CARE_GUARANTEE_SERVICE_TYPE).select(
        "patient_id", "station_id", "started_at"
    )


def _frequent_patients(visits: ir.Table, ends: ir.Table) -> ir.Table:
    """(_last_mi, patient_id, visits, _majority_station) for patients with at least
    ``NAMED_PROFESSIONAL_MIN_CONTACTS`` of ``visits`` in the windows ending at ``ends._last_mi``."""
    windowed = in_windows(visits, ends)
    counts = windowed.group_by(["_last_mi", "patient_id", "station_id"]).aggregate(visits=lambda t: t.count())
    per_patient = counts.group_by(["_last_mi", "patient_id"]).aggregate(visits=lambda t: t.visits.sum())
    per_patient = per_patient.filter(per_patient.visits >= NAMED_PROFESSIONAL_MIN_CONTACTS)
    return per_patient.join(majority_station(_of_patients(counts, per_patient)), ["_last_mi", "patient_id"])


def _named_professional_coverage(sources: Sources, query: Query) -> ir.Table:
    visits = _t11_visits(sources)
    periods = window_periods(visits, query)
    if staging(sources):  # once per date range for all period kinds (see shared_patient_continuity)
        kinds = staged_period_kinds(sources, query)
        key = ("frequent_patients", kinds, query.start, query.end)
        frequent = stage(sources, key, lambda: _frequent_patients(visits, window_ends(visits, query, kinds)))
    else:
        frequent = _frequent_patients(visits, periods)
    per_patient = frequent.join(periods, "_last_mi")
    named = sources.table("patients").select(_named_pid="patient_id", _named_nurse="named_nurse_id")
    rows = per_patient.left_join(named, per_patient.patient_id == named._named_pid)
    rows = add_patient_dimensions(rows, sources, query)
    grouped = rows.group_by(_keys(query)).aggregate(
        numerator=lambda t: t.count(where=t._named_nurse.notnull()), denominator=lambda t: t.count()
    )
    return grouped.mutate(value=grouped.numerator.cast("float64") / grouped.denominator)


register(
    Indicator(
        id="named_professional_coverage",
        names={
            "fi": "Hoitovastaavan nimeämisen kattavuus",
            "sv": "Täckning av namngiven vårdansvarig",
            "en": "Named responsible professional coverage",
        },
        definition="Patients with >= 4 realised T11 patient contacts in the 12-month window ending on the last "
        "day of the period: share with named_nurse_id present (needs patients). A patient's station is their "
        "home_station_id when present, otherwise the station of most of their window contacts (ties: smallest "
        "station_id). (indicators.md, named_professional_coverage)",
        unit="share",
        direction="higher",
        family="continuity",
        grain=CONTINUITY_GRAIN,
        requires=("contacts", "patients"),
        build=_named_professional_coverage,
        disclosure="share",
        parameters={"min_contacts": NAMED_PROFESSIONAL_MIN_CONTACTS, "window_months": WINDOW_MONTHS},
    )
)
