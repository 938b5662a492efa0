"""Utilisation and cost: coverage, contacts and cost per resident, physician share, top decile.

Definitions: indicators.md, "Utilisation and cost". Rates per resident divide
by ``population`` (residents of the same year and municipality set), which is
annual, so those indicators are defined for ``period = year`` only; a month or
quarter query raises ``UnsupportedQueryError`` (and ``compute_many`` skips them).

Which dimensions a rate supports follows from its denominator:
- municipality, age band, language: population has them; the numerator takes
  them from ``patients`` (age = year - birth_year), so they need that table.
  Numerators are restricted to patients whose municipality is in the
  population of that year (the "same municipality set").
- station: only when ``manifest.json`` says ``patients_are_all_residents``;
  then residents = patients listed at the station (``home_station_id``) and a
  contact counts for the station its patient is listed at.
- profession, contact_class split only the numerator (contacts per resident).

Euro sums are taken in integer cents so that every engine adds them exactly and
ranks high users identically (engine-notes.md: exact arithmetic for ranks).
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from valvomo.indicators.common import (
    add_period_and_dimensions,
    age_band,
    contact_class,
    group_keys,
    is_true,
    restrict_dates,
    share,
)
from valvomo.indicators.populations.contacts import patient_attributes, realised_patient_contacts
from valvomo.indicators.registry import (
    DIMENSION_COLUMNS,
    Indicator,
    PeriodKind,
    Query,
    Target,
    UnsupportedQueryError,
    register,
)
from valvomo.warehouse.sources import Sources

PATIENT_DIMENSIONS = ("station", "municipality", "age_band", "language")
EVENT_DIMENSIONS = ("profession", "contact_class")
ALL_RESIDENTS_FLAG = "patients_are_all_residents"
KEUSOTE_SOURCE = "Keusote self-assessment 5/2021, KS 21 result goals (seed 004)"

Measure = Callable[[ir.Table], ir.Value]


def realised_contacts(sources: Sources) -> ir.Table:
    """Realised contacts of any contact type (cost and referrals count every realised event)."""
    contacts = sources.table("contacts")
    return contacts.filter(contacts.cancelled_at.isnull())


def cost_cents(cost_eur: ir.FloatingValue) -> ir.IntegerValue:
    return (cost_eur * 100).round().cast("int64")


# Per-resident rates divide by residents on 31 Dec of the previous year (population), an annual figure.
PER_YEAR: tuple[PeriodKind, ...] = ("year",)
RESIDENTS_ARE_ANNUAL = "it divides by residents (population, an annual figure)"


def _listed_residents(sources: Sources, years: ir.Table, pcols: list[str]) -> ir.Table:
    """Residents per (_year, station, ...) when every resident is in ``patients``: the patients listed
    at each station (home_station_id) in each year of the data."""
    patients = sources.table("patients")
    listed = patients.filter(patients.home_station_id.notnull())
    rows = listed.cross_join(years)
    rows = rows.mutate(
        station_id=rows.home_station_id,
        age_band=age_band(rows._year - rows.birth_year),
    )
    return rows.group_by(["_year", *pcols]).aggregate(residents=lambda t: t.count())


def _population_residents(sources: Sources, years: ir.Table, pcols: list[str]) -> ir.Table:
    population = sources.table("population")
    rows = population.join(years, population.year == years._year)
    return rows.group_by(["_year", *pcols]).aggregate(residents=lambda t: t.residents.sum())


def per_resident(
    sources: Sources,
    query: Query,
    indicator_id: str,
    events: ir.Table,
    measure: Measure,
    *,
    scale: int = 1,
    zero_fill: bool = True,
    numerator_divisor: float | None = None,
) -> ir.Table:
    """``scale`` x numerator / residents per year and dimensions.

    ``measure`` aggregates a group of events into the numerator; it must be additive over patients'
    municipalities (counts, sums, distinct patients). ``zero_fill`` gives groups with residents but no
    events a 0 numerator (not for cost, where a missing figure is not a zero).
    """
    events = events.mutate(_day=events.started_at.date())
    events = restrict_dates(events, events._day, query)
    events = events.mutate(_year=events._day.year().cast("int64"))
    if "contact_class" in query.by:
        events = events.mutate(contact_class=contact_class(events.contact_type))
    pdims = [d for d in query.by if d in PATIENT_DIMENSIONS]
    edims = [d for d in query.by if d in EVENT_DIMENSIONS]
    pcols = [DIMENSION_COLUMNS[d] for d in pdims]
    ecols = [DIMENSION_COLUMNS[d] for d in edims]
    years = events.select("_year").distinct()

    if "station" in pdims:
        if not (sources.manifest.get(ALL_RESIDENTS_FLAG) and sources.has("patients")):
            raise UnsupportedQueryError(
                f"indicator {indicator_id!r} by station needs patients listing every resident "
                f'(manifest.json {{"{ALL_RESIDENTS_FLAG}": true}}) with home_station_id; residents are '
                "then the patients listed at each station"
            )
        residents = _listed_residents(sources, years, pcols)
        fine_cols = pcols
    elif sources.has("patients"):
        fine_cols = sorted({"municipality", *pcols}, key=lambda c: (c != "municipality", c))
        residents = _population_residents(sources, years, fine_cols)
    elif pdims:
        raise UnsupportedQueryError(
            f"indicator {indicator_id!r} by {', '.join(pdims)} needs the patients table (the patient's "
            "municipality, age and language)"
        )
    else:
        fine_cols = []
        residents = _population_residents(sources, years, [])

    if fine_cols:
        patients = patient_attributes(sources)
        events = events.join(patients, events.patient_id == patients._pid)
        events = events.mutate(
            station_id=events._home_station,
            municipality=events._municipality,
            language=events._language,
            age_band=age_band(events._year - events._birth_year),
        )
    fine = events.group_by(["_year", *fine_cols, *ecols]).aggregate(numerator=measure)
    # Inner join to the residents' keys: only patients of the population's municipality set (or listed
    # patients) count, and the numerator is then summed to the requested dimensions.
    fine = fine.join(residents.select("_year", *fine_cols), ["_year", *fine_cols])
    numerator = fine.group_by(["_year", *pcols, *ecols]).aggregate(numerator=lambda t: t.numerator.sum())
    denominator = residents.group_by(["_year", *pcols]).aggregate(denominator=lambda t: t.residents.sum())
    if zero_fill and not ecols:
        rows = denominator.left_join(numerator, ["_year", *pcols])
        rows = rows.select(
            "_year", *pcols, denominator=rows.denominator, numerator=rows.numerator.fill_null(0)
        )
    else:
        rows = numerator.join(denominator, ["_year", *pcols])
    if numerator_divisor is not None:
        rows = rows.mutate(numerator=rows.numerator.cast("float64") / numerator_divisor)
    value = ibis.ifelse(
        rows.denominator > 0,
        rows.numerator.cast("float64") * scale / rows.denominator.cast("float64"),
        ibis.null(),
    )
    return rows.mutate(period=rows._year.cast("string"), value=value.cast("float64"))


RATE_NOTE = (
    " Residents = population summed over age bands, sex and language of the same municipality set and "
    "year; by municipality/age_band/language the patient's attributes from patients (age = year - "
    "birth_year); by station only when manifest patients_are_all_residents (residents = patients listed "
    "at the station, contacts counted for the patient's home_station_id). Period: year only."
)


def _coverage(sources: Sources, query: Query) -> ir.Table:
    events = realised_patient_contacts(sources.table("contacts"))
    return per_resident(sources, query, "coverage", events, lambda t: t.patient_id.nunique())


register(
    Indicator(
        id="coverage",
        names={"fi": "Peittävyys", "sv": "Täckning", "en": "Coverage (share of residents with a contact)"},
        definition="Distinct patients with >= 1 realised patient contact in the year / residents (population, "
        "summed over age bands, sex and language) of the same municipality set and year. Patients whose "
        "municipality is not in that year's population are not counted."
        + RATE_NOTE
        + " (indicators.md, coverage)",
        unit="share",
        direction="higher",
        family="utilisation",
        grain=frozenset(PATIENT_DIMENSIONS),
        requires=("contacts", "population"),
        optional=("patients",),
        build=_coverage,
        periods=PER_YEAR,
        period_reason=RESIDENTS_ARE_ANNUAL,
        disclosure="rate",
        targets=(
            Target(0.50, "2021", "regional", f"{KEUSOTE_SOURCE}: coverage >= 50 % at every health station"),
        ),
    )
)


def _contacts_per_resident(sources: Sources, query: Query) -> ir.Table:
    events = realised_patient_contacts(sources.table("contacts"))
    return per_resident(sources, query, "contacts_per_resident", events, lambda t: t.count())


register(
    Indicator(
        id="contacts_per_resident",
        names={
            "fi": "Kontaktit asukasta kohden",
            "sv": "Kontakter per invånare",
            "en": "Contacts per resident",
        },
        definition="Realised patient contacts in the year / residents. By profession or contact_class only "
        "the numerator is split." + RATE_NOTE + " (indicators.md, contacts_per_resident)",
        unit="ratio",
        direction="none",
        family="utilisation",
        grain=frozenset(PATIENT_DIMENSIONS + EVENT_DIMENSIONS),
        requires=("contacts", "population"),
        optional=("patients",),
        build=_contacts_per_resident,
        periods=PER_YEAR,
        period_reason=RESIDENTS_ARE_ANNUAL,
        disclosure="rate",
    )
)


def _referrals_per_1000(sources: Sources, query: Query) -> ir.Table:
    contacts = realised_contacts(sources)
    events = contacts.filter(is_true(contacts.referral_specialised))
    return per_resident(sources, query, "referrals_per_1000", events, lambda t: t.count(), scale=1000)


register(
    Indicator(
        id="referrals_per_1000",
        names={
            "fi": "Lähetteet erikoissairaanhoitoon 1 000 asukasta kohden",
            "sv": "Remisser till specialiserad sjukvård per 1 000 invånare",
            "en": "Referrals to specialised care per 1 000 residents",
        },
        definition="Realised contacts (any contact type) with referral_specialised = true per 1 000 residents "
        "per year: value = 1000 x numerator / denominator."
        + RATE_NOTE
        + " (indicators.md, referrals_per_1000)",
        unit="rate_per_1000",
        direction="lower",
        family="utilisation",
        grain=frozenset((*PATIENT_DIMENSIONS, "profession")),
        requires=("contacts", "population"),
        optional=("patients",),
        build=_referrals_per_1000,
        periods=PER_YEAR,
        period_reason=RESIDENTS_ARE_ANNUAL,
        disclosure="rate",
        parameters={"scale": 1000},
    )
)


def _cost_per_resident(sources: Sources, query: Query) -> ir.Table:
    contacts = realised_contacts(sources)
    events = contacts.filter(contacts.cost_eur.notnull())
    events = events.mutate(_cents=cost_cents(events.cost_eur))
    return per_resident(
        sources,
        query,
        "cost_per_resident",
        events,
        lambda t: t._cents.sum(),
        zero_fill=False,
        numerator_divisor=100.0,
    )


register(
    Indicator(
        id="cost_per_resident",
        names={
            "fi": "Kustannukset asukasta kohden",
            "sv": "Kostnader per invånare",
            "en": "Cost per resident",
        },
        definition="Sum of cost_eur of realised contacts (any contact type; summed in whole cents) / residents. "
        "Groups without any recorded cost give no row." + RATE_NOTE + " (indicators.md, cost_per_resident)",
        unit="eur",
        direction="lower",
        family="utilisation",
        grain=frozenset((*PATIENT_DIMENSIONS, "profession")),
        requires=("contacts", "population"),
        optional=("patients",),
        build=_cost_per_resident,
        periods=PER_YEAR,
        period_reason=RESIDENTS_ARE_ANNUAL,
        disclosure="rate",
    )
)


def _cost_per_patient(sources: Sources, query: Query) -> ir.Table:
    contacts = realised_contacts(sources)
    events = contacts.mutate(_cents=cost_cents(contacts.cost_eur))
    events = add_period_and_dimensions(events, sources, query, reference="started_at")
    grouped = events.group_by(group_keys(query)).aggregate(
        _cents=lambda t: t._cents.sum(), n=lambda t: t.patient_id.nunique()
    )
    numerator = grouped._cents.cast("float64") / 100.0
    return grouped.mutate(numerator=numerator, value=numerator / grouped.n.cast("float64")).drop("_cents")


register(
    Indicator(
        id="cost_per_patient",
        names={"fi": "Kustannukset asiakasta kohden", "sv": "Kostnader per klient", "en": "Cost per patient"},
        definition="Sum of cost_eur of realised contacts (any contact type; summed in whole cents; contacts "
        "without cost add nothing) / distinct patients with a realised contact in the group. numerator = "
        "cost in euros, n = patients; a group without any recorded cost has value null. Reference date: "
        "started_at. (indicators.md, cost_per_patient)",
        unit="eur",
        direction="none",
        family="utilisation",
        grain=frozenset((*PATIENT_DIMENSIONS, "profession")),
        requires=("contacts",),
        optional=("patients", "stations"),
        build=_cost_per_patient,
        disclosure="statistic",
    )
)

PHYSICIAN_SHARE_PROFESSIONS = ("physician", "nurse", "public_health_nurse")


def _physician_share(sources: Sources, query: Query) -> ir.Table:
    contacts = realised_patient_contacts(sources.table("contacts"))
    events = contacts.filter(contacts.profession.isin(PHYSICIAN_SHARE_PROFESSIONS))
    events = add_period_and_dimensions(events, sources, query, reference="started_at")
    return share(events, events.profession == "physician", query)


register(
    Indicator(
        id="physician_share",
        names={
            "fi": "Lääkärikäyntien osuus",
            "sv": "Andelen läkarbesök",
            "en": "Physician share of contacts",
        },
        definition="Realised patient contacts with profession = physician / those with profession in "
        "{physician, nurse, public_health_nurse}. Reference date: started_at. Keusote target 40 % "
        "(nurse/physician 60/40). (indicators.md, physician_share)",
        unit="share",
        direction="none",
        family="utilisation",
        grain=frozenset({"station", "municipality", "age_band", "language", "contact_class"}),
        requires=("contacts",),
        optional=("patients", "stations"),
        build=_physician_share,
        disclosure="share",
        targets=(Target(0.40, "2021", "regional", f"{KEUSOTE_SOURCE}: nurse/physician visits 60/40"),),
    )
)


def top_decile(totals: ir.Table, keys: list[str]) -> ir.Table:
    """Per group: users ``n``, all users' ``_total``, and ``_top``: the total of the top
    ceil(0.1 x users) users ranked by total descending, ties by patient_id.

    ceil(users / 10) is (users + 9) // 10 in integers; row_number is 0-based, so the top k are rank < k.
    """
    ranked_by = ibis.window(
        group_by=[totals[k] for k in keys], order_by=[totals.total.desc(), totals.patient_id]
    )
    whole = ibis.window(group_by=[totals[k] for k in keys])
    ranked = totals.mutate(
        _rank=ibis.row_number().over(ranked_by), _users=totals.patient_id.count().over(whole)
    )
    top_k = (ranked._users + 9) // 10
    return ranked.group_by(keys).aggregate(
        n=lambda t: t.count(),
        _total=lambda t: t.total.sum(),
        _top=lambda t: t.total.sum(where=t._rank < top_k),
    )


def _ratio(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    return ibis.ifelse(
        denominator > 0, numerator.cast("float64") / denominator.cast("float64"), ibis.null()
    ).cast("float64")


def _top_decile_cost_share(sources: Sources, query: Query) -> ir.Table:
    contacts = realised_contacts(sources)
    events = contacts.filter(contacts.cost_eur.notnull())
    events = add_period_and_dimensions(
        events.mutate(_cents=cost_cents(events.cost_eur)), sources, query, reference="started_at"
    )
    keys = group_keys(query)
    totals = events.group_by([*keys, "patient_id"]).aggregate(total=lambda t: t._cents.sum())
    groups = top_decile(totals, keys)
    return groups.mutate(
        value=_ratio(groups._top, groups._total),
        numerator=groups._top.cast("float64") / 100.0,
        denominator=groups._total.cast("float64") / 100.0,
    ).drop("_top", "_total")


def _top_decile_contact_share(sources: Sources, query: Query) -> ir.Table:
    events = realised_patient_contacts(sources.table("contacts"))
    events = add_period_and_dimensions(events, sources, query, reference="started_at")
    keys = group_keys(query)
    totals = events.group_by([*keys, "patient_id"]).aggregate(total=lambda t: t.count())
    groups = top_decile(totals, keys)
    return groups.mutate(
        value=_ratio(groups._top, groups._total), numerator=groups._top, denominator=groups._total
    ).drop("_top", "_total")


TOP_DECILE_TEXT = (
    "Rank users by total {what} (descending, ties by patient_id); the top ceil(0.1 x users) users' {what} / "
    "all users' {what}, with ceil computed in integers as (users + 9) // 10. The period is the ranking "
    "window (indicators.md says the year; month and quarter rank within the month or quarter); by station, "
    "a user's total is their {what} at that station. n = users. Reference: 10 % of residents ~ 81 % of "
    "costs in Oulu (seed 002). (indicators.md, top_decile_cost_share)"
)

TOP_DECILE_GRAIN = frozenset(PATIENT_DIMENSIONS)

register(
    Indicator(
        id="top_decile_cost_share",
        names={
            "fi": "Eniten kustannuksia aiheuttavan kymmenyksen osuus kustannuksista",
            "sv": "Den dyraste tiondelens andel av kostnaderna",
            "en": "Top-decile share of cost",
        },
        definition="Users = patients with >= 1 realised contact (any contact type) with cost_eur in the period. "
        + TOP_DECILE_TEXT.format(what="cost")
        + " Costs are summed in whole cents; numerator and denominator are in euros.",
        unit="share",
        direction="none",
        family="utilisation",
        grain=TOP_DECILE_GRAIN,
        requires=("contacts",),
        optional=("patients", "stations"),
        build=_top_decile_cost_share,
        disclosure="statistic",
    )
)

register(
    Indicator(
        id="top_decile_contact_share",
        names={
            "fi": "Eniten asioivan kymmenyksen osuus kontakteista",
            "sv": "Den mest besökande tiondelens andel av kontakterna",
            "en": "Top-decile share of contacts",
        },
        definition="Users = patients with >= 1 realised patient contact in the period (needs no cost). "
        + TOP_DECILE_TEXT.format(what="realised patient contacts"),
        unit="share",
        direction="none",
        family="utilisation",
        grain=TOP_DECILE_GRAIN,
        requires=("contacts",),
        optional=("patients", "stations"),
        build=_top_decile_contact_share,
        disclosure="statistic",
    )
)
