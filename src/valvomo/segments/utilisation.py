"""Utilisation segments (segmentation.md §2): episodic, regular and high-need patients.

Per period, each patient is placed by their use of services over the 12 calendar
months ending with the period's last month (the rolling window of the continuity
indicators, built with the same helpers: ``populations.continuity.window_periods`` and
``populations.continuity.in_windows``). Only patients with at least one realised patient
contact (``populations.contacts.realised_patient_contacts``) in the window are placed:

- **high-need**: the top ceil(0.1 x users) of all the window's users ranked by
  cost (integer cents, descending; ties by patient_id, as ``top_decile_cost_share``
  ranks); when no contact of the window has a cost, ranked by contacts instead;
- **regular**: not high-need, and a chronic-condition diagnosis (configured
  ICD-10/ICPC-2 list) on a contact in the window, or at least
  ``regular_min_contacts`` (default 3) contacts;
- **episodic**: everyone else, i.e. at most 2 contacts and no chronic diagnosis.

High-need is decided county-wide, so a patient has one segment whatever the
breakdown. The patient's station, municipality, language and age band are those
of the continuity indicators (``continuity.add_patient_dimensions``: home station,
else the station of most window contacts). Cost and contacts count the realised
patient contacts in the window at any station.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import ibis
import ibis.expr.types as ir
from pydantic import BaseModel, ConfigDict, Field

from valvomo.indicators.common import REMOTE, stage
from valvomo.indicators.populations.contacts import realised_patient_contacts
from valvomo.indicators.populations.continuity import (
    add_patient_dimensions,
    in_windows,
    majority_station,
    window_periods,
)
from valvomo.indicators.registry import Query
from valvomo.indicators.utilisation import cost_cents
from valvomo.segments.config_files import PathKey, read_config
from valvomo.segments.diagnosis_codes import code_problem, matches
from valvomo.segments.questionnaire import Texts
from valvomo.warehouse.sources import Sources

DEFAULT_FILE = Path(__file__).with_name("utilisation.yaml")
SEGMENTS = ("episodic", "regular", "high_need")
SEGMENT_NAMES = {
    "episodic": {"fi": "satunnaisasiakas", "sv": "tillfällig klient", "en": "episodic"},
    "regular": {"fi": "säännöllinen asiakas", "sv": "regelbunden klient", "en": "regular"},
    "high_need": {"fi": "paljon palveluja tarvitseva", "sv": "behöver mycket tjänster", "en": "high-need"},
}
DECILE = 10  # high-need: the top ceil(users / DECILE)


class ChronicCondition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    names: Texts
    icd10: tuple[str, ...] = ()
    icpc2: tuple[str, ...] = ()

    def code_list(self) -> dict[str, tuple[str, ...]]:
        return {"icd10": self.icd10, "icpc2": self.icpc2}


class UtilisationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    regular_min_contacts: int = Field(3, ge=1, le=365)
    chronic_conditions: tuple[ChronicCondition, ...] = Field(min_length=1)


def _check(spec: UtilisationSpec) -> Iterator[tuple[PathKey, str]]:
    for index, condition in enumerate(spec.chronic_conditions):
        if not condition.icd10 and not condition.icpc2:
            yield ("chronic_conditions", index), "needs at least one icd10 or icpc2 code"
        for system, listed in condition.code_list().items():
            for position, code in enumerate(listed):
                problem = code_problem(system, code)
                if problem:
                    yield ("chronic_conditions", index, system, position), problem


def load_utilisation_spec(path: Path | None = None) -> UtilisationSpec:
    """The chronic-condition list and thresholds from ``path`` or the shipped default."""
    return _load(Path(path) if path is not None else DEFAULT_FILE)


@lru_cache(maxsize=8)
def _load(path: Path) -> UtilisationSpec:
    return read_config(path, UtilisationSpec, _check)


def _windowed_contacts(sources: Sources, query: Query, spec: UtilisationSpec) -> tuple[ir.Table, ir.Table]:
    """Realised patient contacts with their chronic flag, remote flag and cents, once per window containing
    them. The per-contact columns are computed before the window join, which multiplies the rows."""
    contacts = realised_patient_contacts(sources.table("contacts"))
    contacts = contacts.select(
        "contact_id", "patient_id", "station_id", "started_at",
        _remote=contacts.contact_type.isin(REMOTE), _cents=cost_cents(contacts.cost_eur),
    )  # fmt: skip
    chronic = _chronic_contacts(sources, spec)
    if chronic is not None:
        contacts = contacts.left_join(chronic, contacts.contact_id == chronic._chronic_contact)
        contacts = contacts.mutate(_chronic=contacts._chronic_contact.notnull()).drop("_chronic_contact")
    else:
        contacts = contacts.mutate(_chronic=ibis.literal(False))
    periods = window_periods(contacts, query)
    return in_windows(contacts.drop("contact_id"), periods), periods


def _chronic_contacts(sources: Sources, spec: UtilisationSpec) -> ir.Table | None:
    if not sources.has("diagnoses"):
        return None
    diagnoses = sources.table("diagnoses")
    chronic = diagnoses.filter(matches(diagnoses, [c.code_list() for c in spec.chronic_conditions]))
    return chronic.select(_chronic_contact="contact_id").distinct()


def _patient_rows(sources: Sources, query: Query, spec: UtilisationSpec) -> ir.Table:
    windowed, periods = _windowed_contacts(sources, query, spec)
    per_patient = windowed.group_by(["_last_mi", "patient_id"]).aggregate(
        contacts=lambda t: t.count(),
        remote_contacts=lambda t: t.count(where=t._remote),
        chronic_contacts=lambda t: t.count(where=t._chronic),
        cost_cents=lambda t: t._cents.sum().fill_null(0),
        costed=lambda t: t.count(where=t._cents.notnull()),
    )
    whole = ibis.window(group_by=per_patient._last_mi)
    with_basis = per_patient.mutate(
        _by_cost=per_patient.costed.sum().over(whole) > 0,
        _users=per_patient.count().over(whole),
    )
    with_basis = with_basis.mutate(
        _rank_value=ibis.ifelse(with_basis._by_cost, with_basis.cost_cents, with_basis.contacts)
    )
    ranked_by = ibis.window(
        group_by=with_basis._last_mi, order_by=[with_basis._rank_value.desc(), with_basis.patient_id]
    )
    ranked = with_basis.mutate(_rank=ibis.row_number().over(ranked_by))
    high_need = ranked._rank < (ranked._users + DECILE - 1) // DECILE  # row_number is 0-based
    regular = (ranked.chronic_contacts > 0) | (ranked.contacts >= spec.regular_min_contacts)
    placed = ranked.mutate(
        segment=ibis.cases((high_need, "high_need"), (regular, "regular"), else_="episodic"),
        has_cost=ranked._by_cost,
        chronic=ranked.chronic_contacts > 0,
    ).drop("_by_cost", "_users", "_rank_value", "_rank", "chronic_contacts")
    per_station = windowed.group_by(["_last_mi", "patient_id", "station_id"]).aggregate(visits=lambda t: t.count())
    rows = placed.join(majority_station(per_station), ["_last_mi", "patient_id"])
    return rows.join(periods, "_last_mi")


def patient_segments(sources: Sources, query: Query, spec: UtilisationSpec | None = None) -> ir.Table:
    """One row per (period, placed patient): contacts, remote_contacts, cost_cents, costed, has_cost,
    chronic, segment, and the patient dimensions the query asks for (``station_id`` always).

    Inside ``stage_cache`` the per-patient rows are computed once per spec and date range."""
    spec = spec or load_utilisation_spec()
    key = ("segments.patient_segments", spec, query.period, query.start, query.end)
    base = stage(sources, key, lambda: _patient_rows(sources, Query(period=query.period, start=query.start, end=query.end), spec))
    return add_patient_dimensions(base, sources, query)
