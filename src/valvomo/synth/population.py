"""The ``stations``, ``population`` and ``patients`` tables: who lives where, listed where.

``population`` is what Statistics Finland publishes (residents on 31 Dec of the
previous year by municipality, five-year age band, sex and language), one row set
per statistical year of the period. ``patients`` lists *every* resident
(``manifest.json`` says so), with the home station and the named professionals, so
that coverage can be computed per station.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from valvomo.schema import codes
from valvomo.synth import columns
from valvomo.synth.county import STATIONS, CountyPlan, Replica
from valvomo.synth.demography import Residents
from valvomo.synth.ids import IdFormat
from valvomo.synth.staff import Staff


def stations_table(plan: CountyPlan) -> dict[str, pa.Array]:
    rows: dict[str, list[str]] = {
        k: [] for k in ("station_id", "name_fi", "name_sv", "municipality", "county", "kind")
    }
    for replica in plan.replicas:
        for s, story in enumerate(STATIONS):
            name_fi, name_sv = replica.station_names(story)
            rows["station_id"].append(replica.station_ids[s])
            rows["name_fi"].append(name_fi)
            rows["name_sv"].append(name_sv)
            rows["municipality"].append(replica.station_municipality(story))
            rows["county"].append(replica.county)
            rows["kind"].append(story.kind)
    return {k: pa.array(v, pa.string()) for k, v in rows.items()}


def statistical_years(start: dt.date, end: dt.date) -> list[int]:
    """Calendar years the period [start, end) touches."""
    return list(range(start.year, (end - dt.timedelta(days=1)).year + 1))


def population_table(
    replica: Replica, residents: Residents, years: list[int], start: dt.date
) -> dict[str, pa.Array]:
    """Residents by year, municipality, age band, sex and language (all cells, zeros included)."""
    n_bands, n_sex, n_lang = len(codes.AGE_BANDS), len(codes.SEXES), len(codes.LANGUAGES)
    n_muni = len(replica.municipality_codes)
    out: dict[str, list] = {
        k: [] for k in ("year", "municipality", "age_band", "sex", "language", "residents")
    }
    for year in years:
        # Age on 31 Dec of the previous year; the cohort is closed, so it just ages.
        age = residents.age + (year - start.year)
        band = np.minimum(age // 5, n_bands - 1)
        cell = (
            (residents.municipality * n_bands + band) * n_sex + residents.sex
        ) * n_lang + residents.language
        counts = np.bincount(cell, minlength=n_muni * n_bands * n_sex * n_lang)
        m, b, s, g = np.unravel_index(np.arange(len(counts)), (n_muni, n_bands, n_sex, n_lang))
        out["year"].extend([year] * len(counts))
        out["municipality"].extend(np.array(replica.municipality_codes)[m].tolist())
        out["age_band"].extend(np.array(codes.AGE_BANDS)[b].tolist())
        out["sex"].extend(np.array(codes.SEXES)[s].tolist())
        out["language"].extend(np.array(codes.LANGUAGES)[g].tolist())
        out["residents"].extend(counts.tolist())
    types = {"year": pa.int64(), "residents": pa.int64()}
    return {k: pa.array(v, types.get(k, pa.string())) for k, v in out.items()}


def patients_table(
    replica: Replica, residents: Residents, staff: Staff, ids: IdFormat, first: int, stop: int
) -> dict[str, pa.Array]:
    """Residents ``first..stop-1`` of a replica as patients rows."""
    part = slice(first, stop)
    named_nurse = np.where(residents.named_nurse[part], residents.usual_nurse[part], -1)
    named_physician = np.where(residents.named_physician[part], residents.usual_physician[part], -1)
    return {
        "patient_id": ids.patients(replica.first_patient + np.arange(first, stop)),
        "birth_year": pa.array(residents.birth_year[part], pa.int64()),
        "sex": columns.pick_strings(codes.SEXES, residents.sex[part]),
        "municipality": columns.pick_strings(replica.municipality_codes, residents.municipality[part]),
        "language": columns.pick_strings(codes.LANGUAGES, residents.language[part]),
        "home_station_id": columns.pick_strings(replica.station_ids, residents.station[part]),
        "named_nurse_id": columns.pick_strings(staff.ids, named_nurse),
        "named_physician_id": columns.pick_strings(staff.ids, named_physician),
    }
