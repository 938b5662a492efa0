"""Continuity of care (jatkuvuus): COCI, UPC, SECON, MMCI and named-professional coverage.

Definitions: indicators.md, "Continuity". Each period's value looks back over a
12-month window that ends on the period's last day, so the windows of
consecutive quarters or months overlap. Every entry here is a thin grouping over
one shared population, the continuity windows
(``indicators/populations/continuity.py``, docs/populations.md): one row per
(window, profession group, patient) with N, the counts behind COCI, UPC, SECON
and MMCI and the patient's majority station, computed once per materialisation
run for every profession group and period kind.

A patient's station is their ``home_station_id`` when present, otherwise the
station of most of their window visits (ties: smallest station_id). Age bands
use the year of the period's last day. Group values are means over patients,
rounded to 12 decimals so that engines summing in different orders agree to
the last printed digit.
"""

from __future__ import annotations

import ibis.expr.types as ir

from valvomo.indicators.populations.continuity import (
    MIN_VISITS,
    NAMED_PROFESSIONAL_MIN_CONTACTS,
    NURSES,
    PHYSICIANS,
    WINDOW_MONTHS,
    add_patient_dimensions,
    continuity_windows,
    in_windows,
    majority_station,
    month_index,
    window_periods,
)
from valvomo.indicators.registry import Indicator, Query, register
from valvomo.warehouse.sources import Sources

__all__ = [
    "add_patient_dimensions", "in_windows", "majority_station", "month_index", "patient_continuity",
    "window_periods",
]  # fmt: skip

CONTINUITY_GRAIN = frozenset({"station", "municipality", "age_band", "language"})
MEAN_DECIMALS = 12
CONTINUOUS_COCI = 0.5  # COCI >= 0.5: "continuous" patients (compared exactly, in integers)
GROUP_OF = {PHYSICIANS: "physician", NURSES: "nurse"}


def patient_continuity(sources: Sources, query: Query, professions: tuple[str, ...] = PHYSICIANS) -> ir.Table:
    """One row per (period, patient) with N >= 2 visits of ``professions`` (physicians or nurses) in
    the period's window: N, sum n_j^2, max n_j, k, the same-professional pairs, the four indices,
    ``continuous`` and ``_majority_station`` (the continuity windows population).

    COCI = (sum n_j^2 - N) / (N (N - 1)); UPC = max n_j / N; SECON = same-professional
    consecutive pairs / (N - 1); MMCI = (1 - k / (N + 0.1)) / (1 - 1 / (N + 0.1)).
    """
    return continuity_windows(sources, query, GROUP_OF[professions])


def _keys(query: Query) -> list[str]:
    return ["period", *query.dimension_columns()]


def _mean_index(index: str, professions: tuple[str, ...]):
    def build(sources: Sources, query: Query) -> ir.Table:
        rows = add_patient_dimensions(patient_continuity(sources, query, professions), sources, query)
        grouped = rows.group_by(_keys(query)).aggregate(
            value=lambda t: t[index].mean(), n=lambda t: t.count()
        )
        return grouped.mutate(value=grouped.value.round(MEAN_DECIMALS))

    return build


def _continuous_share(sources: Sources, query: Query) -> ir.Table:
    rows = add_patient_dimensions(patient_continuity(sources, query, PHYSICIANS), sources, query)
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


def _named_professional_coverage(sources: Sources, query: Query) -> ir.Table:
    per_patient = continuity_windows(sources, query, "all")  # >= 4 T11 contacts in the window
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
