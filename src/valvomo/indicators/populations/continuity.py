"""The continuity windows: one row per (12-month window, profession group, patient) (indicators.md, "Continuity").

Every continuity indicator (COCI, UPC, SECON and MMCI of physician visits, COCI of nurse visits, the
share of continuous patients, named-professional coverage) and the segment COCI read this one
population; they differ only in the profession group they pick and the grouping they apply.

How it is computed (one code path, staged or not):

1. **Visits**: realised T11 patient contacts (``populations.contacts.realised_patient_contacts``,
   ``service_type = T11``), each with its profession group: ``physician`` (profession ``physician``,
   professional present), ``nurse`` (``nurse`` or ``public_health_nurse``, professional present) or
   ``other``. Group ``all`` is every T11 visit (named-professional coverage counts contacts, whoever
   the professional).
2. **Codes**: inside the population, profession groups, professionals and stations are dense integer
   codes (each distinct id's rank in id order, assigned once per computation by a small distinct +
   row_number table joined to the visits), so the ordered pass and the groupings over the expanded
   rows hash integers, not the 20-character professional ids; the station id is attached to the
   per-patient rows at the end. (Coding the patients too was measured: their 8-character ids group as
   fast as integers, so it would not pay for its joins.)
3. **Predecessor**: one ordered pass per (patient, named group) (order: started_at, then contact_id)
   gives each physician or nurse visit the month of the previous visit of the same group when that
   visit was with the same professional (SECON's consecutive pairs).
4. **Windows**: windows are whole calendar months, so a window is the 12 month indices ending at its
   last month (``_last_mi``), and the visits are expanded to the windows containing their month by an
   equi-join to a small (window end, month) bridge: once with the few columns the professional counts
   need, once with those the station counts need (one shared expansion would be materialised whole).
   (Counting the visits per patient, professional, station and month first was measured: it merges
   1 % of the rows, so it is not done.)
5. **Per window**: counted per (window, group, patient, professional) — n_j and the same-professional
   pairs whose predecessor lies in the window — then per (window, group, patient): N, sum n_j²,
   max n_j, k and the indices. Stations: one grouping per (window, patient, station) counts the visits
   of every group, one per (window, patient) gives the total of group ``all`` and each group's majority
   station (most window visits, ties: smallest station_id) as one max over the exact integer key
   visits * 2^31 + (2^31 - 1 - station code) (a null station ranks below every station with as many
   visits).

A period's figures depend on its kind only through its window's last month, so inside a
materialisation run (``common.stage_cache``) the population is computed once for the window ends of
every period kind the run asks for and every profession group, and each query joins its own periods
(``window_periods``: the periods of its kind with a visit of its group in its date range). Outside a
run (a live query) the same expression is built for the query's period kind and group only.
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
from valvomo.indicators.populations.base import Population, register
from valvomo.indicators.populations.contacts import patient_attributes, realised_patient_contacts
from valvomo.indicators.registry import PeriodKind, Query, UnsupportedQueryError
from valvomo.schema import codes
from valvomo.warehouse.sources import Sources

WINDOW_MONTHS = 12
PHYSICIANS = ("physician",)
NURSES = ("nurse", "public_health_nurse")
PROFESSION_GROUPS = {"physician": PHYSICIANS, "nurse": NURSES}
ALL_VISITS = "all"
GROUPS = (*PROFESSION_GROUPS, ALL_VISITS)
OTHER = "other"
MIN_VISITS = 2  # the indices need N >= 2 (indicators.md, min_visits)
NAMED_PROFESSIONAL_MIN_CONTACTS = 4  # named_professional_coverage: >= 4 contacts in the window
GROUP_MIN_VISITS = {"physician": MIN_VISITS, "nurse": MIN_VISITS, ALL_VISITS: NAMED_PROFESSIONAL_MIN_CONTACTS}


# --- windows as month indices -----------------------------------------------------------------------


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


def periods_of_days(days: ir.Table, query: Query) -> ir.Table:
    """(period, _last_mi): the periods of ``query.period`` holding a ``_day`` of ``days`` in the
    query's date range."""
    in_range = restrict_dates(days, days._day, query)
    return in_range.select(
        period=period_label(in_range._day, query.period),
        _last_mi=last_month_index(in_range._day, query.period),
    ).distinct()


def window_periods(visits: ir.Table, query: Query) -> ir.Table:
    """(period, _last_mi): the periods with a visit (``started_at``) in the query's date range.
    Periods come from the data."""
    return periods_of_days(visits.select(_day=visits.started_at.date()), query)


def in_windows(visits: ir.Table, periods: ir.Table) -> ir.Table:
    """Each visit (``started_at``) once per period whose window contains it, with the period's
    ``_last_mi`` (and the visit's month index ``_mi``)."""
    return _expand(visits.mutate(_mi=month_index(visits.started_at.date())), periods)


def _expand(rows: ir.Table, ends: ir.Table) -> ir.Table:
    """``rows`` (with a month index ``_mi``) once per window end in ``ends._last_mi`` whose 12 months
    contain ``_mi``. The range condition is applied between two small tables (window ends x months
    present); the rows then join that bridge on ``_mi``, so the large join is an equi-join and the
    heavy grouping stays on integers (the period label is attached to per-patient rows later)."""
    months = rows.select(_month=rows._mi).distinct()
    ends = ends.select("_last_mi").distinct()
    bridge = ends.join(
        months,
        [months._month >= ends._last_mi - (WINDOW_MONTHS - 1), months._month <= ends._last_mi],
    ).select("_last_mi", _mi="_month")
    return rows.join(bridge, "_mi")


def majority_station(per_station: ir.Table, keys: tuple[str, ...] = ("_last_mi", "patient_id")) -> ir.Table:
    """(*keys, _majority_station) from one row per (*keys, station_id) with ``visits``: the station of
    most window visits, ties by smallest id (two hash aggregations rather than a sorted ranking)."""
    most = per_station.group_by(list(keys)).aggregate(_most=lambda t: t.visits.max())
    most = most.rename({f"_m{k}": k for k in keys})
    top = per_station.join(
        most, [*(per_station[k] == most[f"_m{k}"] for k in keys), per_station.visits == most._most]
    )
    return top.group_by(list(keys)).aggregate(_majority_station=lambda t: t.station_id.min())


# --- the population ---------------------------------------------------------------------------------


def t11_visits(sources: Sources) -> ir.Table:
    """Realised T11 patient contacts with their profession group (``_group``: physician, nurse,
    other); ``professional_id`` is null for ``other`` (only their number and station matter)."""
    contacts = realised_patient_contacts(sources.table("contacts"))
    contacts = contacts.filter(contacts.service_type == codes.CARE_GUARANTEE_SERVICE_TYPE)
    named = contacts.professional_id.notnull()
    group = ibis.cases(
        *(
            (named & contacts.profession.isin(professions), name)
            for name, professions in PROFESSION_GROUPS.items()
        ),
        else_=OTHER,
    )
    visits = contacts.select(
        "contact_id", "patient_id", "station_id", "professional_id", "started_at", _group=group
    )
    return visits.mutate(
        professional_id=ibis.ifelse(visits._group == OTHER, ibis.null("string"), visits.professional_id)
    )


def _groups_visits(visits: ir.Table, groups: tuple[str, ...]) -> ir.Table:
    """The visits that count for ``groups`` (all of them when ``all`` is among them)."""
    if ALL_VISITS in groups:
        return visits
    return visits.filter(visits._group.isin(groups))


def visit_days(sources: Sources, groups: tuple[str, ...]) -> ir.Table:
    """(profession_group, _day): the days with a visit of each of ``groups`` (a small table, from
    which each query takes its periods)."""
    visits = t11_visits(sources)
    visits = _groups_visits(visits, groups)
    days = visits.select(profession_group=visits._group, _day=visits.started_at.date()).distinct()
    if ALL_VISITS not in groups:
        return days
    every = days.select(profession_group=ibis.literal(ALL_VISITS), _day=days._day).distinct()
    return ibis.union(days.filter(days.profession_group != OTHER), every)


# Inside the stage, profession groups, professionals and stations are small integer codes: the ordered
# pass and the groupings over the expanded rows hash and compare integers instead of strings.
GROUP_CODES = {name: code for code, name in enumerate((*PROFESSION_GROUPS, OTHER))}
ALL_CODE = len(GROUP_CODES)
# The majority station is one max over visits * STATION_SLOTS + (STATION_SLOTS - 1 - station code) (null
# station: 0): most visits first, then the smallest code. Exact while a window has fewer than 2^32 visits
# and there are fewer than 2^31 - 1 stations.
STATION_SLOTS = 2**31


def _code_table(visits: ir.Table, column: str, code: str) -> ir.Table:
    """(``_value``, ``code``): each non-null value of ``visits[column]`` and its rank in value order (0, 1, ...)."""
    values = visits.select(_value=visits[column]).distinct()
    values = values.filter(values._value.notnull())
    return values.mutate(**{code: ibis.row_number().over(order_by=values._value)})


def visits_with_predecessor(visits: ir.Table) -> ir.Table:
    """``visits`` (of ``_groups_visits``, with the codes ``_g``, ``_professional`` and ``_station``) with
    their month index ``_mi`` and ``_same_mi``: the month of the patient's previous visit of the same
    group when it was with the same professional, else null."""
    order = ibis.window(
        group_by=[visits.patient_id, visits._g], order_by=[visits.started_at, visits.contact_id]
    )
    mi = month_index(visits.started_at.date())
    visits = visits.mutate(
        _mi=mi, _prev_professional=visits._professional.lag().over(order), _prev_mi=mi.lag().over(order)
    )
    same = (visits._prev_professional == visits._professional).fill_null(False)
    return visits.select(
        "_g", "patient_id", "_professional", "_mi",
        _same_mi=ibis.ifelse(same, visits._prev_mi, ibis.null("int64")),
    )  # fmt: skip


def _coded_visits(visits: ir.Table, stations: ir.Table) -> ir.Table:
    """``visits`` with the integer codes ``_g`` (profession group), ``_professional`` and ``_station``."""
    professionals = _code_table(visits, "professional_id", "_professional")
    coded = visits.left_join(stations, visits.station_id == stations._value)
    coded = coded.left_join(professionals, coded.professional_id == professionals._value)
    group = ibis.cases(*((coded._group == name, code) for name, code in GROUP_CODES.items()))
    return coded.select(
        "contact_id", "patient_id", "started_at", "_professional", "_station", _g=group.cast("int8")
    )


def _majority_key(visits: ir.IntegerValue, station: ir.IntegerValue) -> ir.IntegerValue:
    """A station's rank for the majority (the larger, the better): visits, then the smaller code."""
    return visits * STATION_SLOTS + ibis.ifelse(station.isnull(), 0, STATION_SLOTS - 1 - station)


def _window_rows(sources: Sources, groups: tuple[str, ...], ends: ir.Table) -> ir.Table:
    """The population for the windows ending at ``ends._last_mi`` and the given groups."""
    visits = _groups_visits(t11_visits(sources), groups)
    stations = _code_table(visits, "station_id", "_station")
    coded = _coded_visits(visits, stations)
    named_groups = [g for g in groups if g in PROFESSION_GROUPS]
    # Stations: one grouping per (window, patient, station) counts the visits of every group; one per
    # (window, patient) then gives each group's majority key and the total (group all). Two expansions,
    # each of the few columns its grouping needs (one shared expansion would be materialised whole).
    at_stations = _expand(
        coded.select("_g", "patient_id", "_station", _mi=month_index(coded.started_at.date())), ends
    )
    counts = {g: at_stations.count(where=at_stations._g == GROUP_CODES[g]).fill_null(0) for g in named_groups}
    per_station = at_stations.group_by(["_last_mi", "patient_id", "_station"]).aggregate(
        _all=at_stations.count(), **{f"_{g}": count for g, count in counts.items()}
    )
    majority = per_station.group_by(["_last_mi", "patient_id"]).aggregate(
        _total=per_station._all.sum(),
        **{f"_key_{g}": _majority_key(per_station[f"_{g}"], per_station._station).max() for g in (*named_groups, ALL_VISITS)},
    )  # fmt: skip
    patient_parts = []
    if named_groups:
        named = visits_with_predecessor(coded.filter(coded._g.isin([GROUP_CODES[g] for g in named_groups])))
        named = _expand(named.select("_g", "patient_id", "_professional", "_mi", "_same_mi"), ends)
        per_professional = named.group_by(["_last_mi", "_g", "patient_id", "_professional"]).aggregate(
            n_j=lambda t: t.count(),
            same=lambda t: t.count(where=t._same_mi >= t._last_mi - (WINDOW_MONTHS - 1)).fill_null(
                0
            ),  # PySpark: null if none
        )
        per_patient = per_professional.group_by(["_last_mi", "_g", "patient_id"]).aggregate(
            visits=lambda t: t.n_j.sum(),
            sum_squares=lambda t: (t.n_j * t.n_j).sum(),
            max_visits=lambda t: t.n_j.max(),
            professionals=lambda t: t.count(),
            same_pairs=lambda t: t.same.sum(),
        )
        minimum = ibis.cases(*((per_patient._g == GROUP_CODES[g], GROUP_MIN_VISITS[g]) for g in named_groups))
        per_patient = per_patient.filter(per_patient.visits >= minimum)
        rows = per_patient.join(majority, ["_last_mi", "patient_id"])
        key = ibis.cases(*((rows._g == GROUP_CODES[g], rows[f"_key_{g}"]) for g in named_groups))
        patient_parts.append(rows.select(*per_patient.columns, _key=key))
    if ALL_VISITS in groups:
        totals = majority.filter(majority._total >= GROUP_MIN_VISITS[ALL_VISITS])
        patient_parts.append(
            totals.select(
                "_last_mi",
                _g=ibis.literal(ALL_CODE, "int8"),
                patient_id="patient_id",
                visits="_total",
                sum_squares=ibis.null("int64"),
                max_visits=ibis.null("int64"),
                professionals=ibis.null("int64"),
                same_pairs=ibis.null("int64"),
                _key=f"_key_{ALL_VISITS}",
            )  # fmt: skip
        )
    patients = _union(patient_parts)
    slot = patients._key % STATION_SLOTS
    patients = patients.mutate(
        _station=ibis.ifelse(slot == 0, ibis.null("int64"), (STATION_SLOTS - 1 - slot).cast("int64"))
    )
    patients = patients.left_join(stations, patients._station == stations._station)
    big_n = patients.visits.cast("float64")
    group_names = {code: name for name, code in GROUP_CODES.items() if name != OTHER}
    return patients.select(
        "_last_mi",
        profession_group=ibis.cases(*((patients._g == code, name) for code, name in group_names.items()),
                                    else_=ALL_VISITS),
        patient_id="patient_id",
        visits="visits",
        sum_squares="sum_squares",
        max_visits="max_visits",
        professionals="professionals",
        same_pairs="same_pairs",
        coci=(patients.sum_squares - patients.visits).cast("float64")
        / (patients.visits * (patients.visits - 1)).cast("float64"),
        upc=patients.max_visits.cast("float64") / big_n,
        secon=patients.same_pairs.cast("float64") / (patients.visits - 1).cast("float64"),
        mmci=(1.0 - patients.professionals.cast("float64") / (big_n + 0.1)) / (1.0 - 1.0 / (big_n + 0.1)),
        continuous=2 * (patients.sum_squares - patients.visits) >= patients.visits * (patients.visits - 1),
        _majority_station=patients._value,
    )  # fmt: skip


def _union(parts: list[ir.Table]) -> ir.Table:
    return parts[0] if len(parts) == 1 else ibis.union(*parts)


def continuity_windows(sources: Sources, query: Query, group: str) -> ir.Table:
    """The population's rows of ``group`` for the periods of ``query`` (kind and date range), with
    ``period``: one row per (period, patient) with at least the group's minimum of visits in the
    period's window (``GROUP_MIN_VISITS``).

    Inside ``stage_cache`` the rows of every group for the window ends of every period kind of the run
    are one stage (per date range) and the visit days another; a live query computes the query's
    group and period kind only. The same expressions either way.
    """
    if group not in GROUPS:
        raise ValueError(f"unknown profession group {group!r}")
    groups = GROUPS if staging(sources) else (group,)
    kinds = staged_period_kinds(sources, query)
    days = stage(sources, ("continuity_visit_days", groups), lambda: visit_days(sources, groups))

    def build() -> ir.Table:
        ends = [periods_of_days(days, Query(period=k, start=query.start, end=query.end)) for k in kinds]
        return _window_rows(sources, groups, _union([e.select("_last_mi") for e in ends]))

    rows = stage(sources, ("continuity_windows", groups, kinds, query.start, query.end), build)
    rows = rows.filter(rows.profession_group == group)
    days = days.filter(days.profession_group == group)
    return rows.join(periods_of_days(days, query), "_last_mi")


def add_patient_dimensions(per_patient: ir.Table, sources: Sources, query: Query) -> ir.Table:
    """Add the requested patient dimensions to per-(period, patient) rows that carry ``_last_mi`` and
    ``_majority_station``: station = home_station_id else majority station; municipality, language and
    age band (year of the period's last day - birth_year) from ``patients``."""
    if sources.has("patients"):
        patients = patient_attributes(sources)
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


CONTINUITY_WINDOWS = register(
    Population(
        id="continuity_windows",
        title="Continuity windows: visits per patient in each 12-month window, by profession group",
        definition=(
            "Realised T11 patient contacts (service_type = T11, not cancelled, physical or remote "
            "contact type). Profession groups: physician (profession physician, professional_id "
            "present), nurse (nurse or public_health_nurse, professional_id present) and all (every "
            "such contact). A period's window is the 12 calendar months ending on its last day (a "
            "quarter's window is the one of its last month, a year's the calendar year). One row per "
            "window, group and patient with at least 2 visits of a physician or nurse group, or at "
            "least 4 contacts of group all: N, the counts n_j per professional and the consecutive "
            "same-professional pairs (visits ordered by started_at, then contact_id, within the "
            "group) behind COCI, UPC, SECON and MMCI, and the patient's majority station (most window "
            "visits of the group, ties: smallest station_id). Each indicator takes the periods of its "
            "kind that hold a visit of its group in its date range."
        ),
        spec="indicators.md, Continuity (coci, upc, secon, mmci; named_professional_coverage)",
        grain="one row per (period window end _last_mi, profession_group, patient_id)",
        columns={
            "_last_mi": "month index (year * 12 + month - 1) of the window's last month",
            "profession_group": "physician, nurse or all",
            "patient_id": "the patient",
            "visits": "N: the patient's visits of the group in the window",
            "sum_squares": "sum over professionals of n_j^2 (null for group all)",
            "max_visits": "max n_j (null for group all)",
            "professionals": "k: professionals seen (null for group all)",
            "same_pairs": "consecutive visit pairs in the window with the same professional (null for all)",
            "coci": "(sum n_j^2 - N) / (N (N - 1))",
            "upc": "max n_j / N",
            "secon": "same_pairs / (N - 1)",
            "mmci": "(1 - k / (N + 0.1)) / (1 - 1 / (N + 0.1))",
            "continuous": "COCI >= 0.5, compared exactly in integers",
            "_majority_station": "station of most of the window visits (ties: smallest station_id)",
        },
        build=continuity_windows,
        used_by=(
            "coci",
            "upc",
            "secon",
            "mmci",
            "coci_nurse",
            "coci_share_continuous",
            "named_professional_coverage",
            "segment_coci",
        ),  # fmt: skip
    )
)
