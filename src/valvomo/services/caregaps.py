"""Care gaps for every interface: counts per station through disclosure control, and the patient list.

Counts are the ``care_gaps`` rows of the segment registry (``services.segments``),
disclosure-controlled like every aggregate. The **patient list** is the separate,
authorised path (disclosure.md, "Patient-level outputs"): rows name patient
pseudonyms, so they never pass through disclosure control and must reach only
users with patient-level access to the stations asked for; the web layer checks
that access and writes every view and export to the audit log (as for the
high-need list of ``services.patients``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from valvomo.config import Settings
from valvomo.segments.caregaps import data_range, gap_patients
from valvomo.segments.registry import configured_rules
from valvomo.services.results import ResultStore
from valvomo.services.segments import CARE_GAP_OUTPUT, segment_rows, segment_store
from valvomo.warehouse.sources import Sources


def care_gap_counts(
    settings: Settings,
    *,
    period: str = "quarter",
    by: str | Iterable[str] = ("station",),
    start: dt.date | None = None,
    end: dt.date | None = None,
    profile: str | None = None,
    store: ResultStore | None = None,
) -> list[dict]:
    """Per period, breakdown and rule (``bin``): patients with the gap / the rule's population, protected."""
    return segment_rows(
        settings, [CARE_GAP_OUTPUT], period=period, by=by, start=start, end=end, profile=profile,
        store=store or segment_store(settings),
    )  # fmt: skip


@dataclass(frozen=True)
class CareGapPatient:
    rule: str
    patient_id: str
    station_id: str | None
    age: int
    last_result_on: dt.date | None
    last_value: float | None
    last_contact_on: dt.date | None


@dataclass(frozen=True)
class CareGapList:
    index_date: dt.date
    station_ids: tuple[str, ...]
    patients: list[CareGapPatient] = field(default_factory=list)


def rule_labels(lang: str) -> dict[str, str]:
    """Rule id -> its label in ``lang`` (the configured rules)."""
    return {rule.id: rule.label.get(lang) for rule in configured_rules().rules}


def care_gap_list(
    sources: Sources,
    station_ids: Iterable[str],
    *,
    index_date: dt.date | None = None,
    rule: str | None = None,
) -> CareGapList:
    """The patients of ``station_ids`` with a care gap at ``index_date`` (default: the latest contact day),
    optionally of one rule (``KeyError`` naming the known rules when unknown). Patient-level."""
    rules = configured_rules()
    if rule is not None:
        rules.rule(rule)
    if index_date is None:
        bounds = data_range(sources)
        index_date = bounds[1] if bounds else dt.date.today()
    stations = tuple(sorted(set(station_ids)))
    table = gap_patients(sources, rules, index_date, station_ids=list(stations))
    if rule is not None:
        table = table.filter(table.rule == rule)
    rows = sources.backend.to_pyarrow(table).to_pylist()
    return CareGapList(
        index_date=index_date,
        station_ids=stations,
        patients=[
            CareGapPatient(
                rule=row["rule"], patient_id=row["patient_id"], station_id=row["station_id"], age=int(row["age"]),
                last_result_on=row["last_result_on"], last_value=row["last_value"],
                last_contact_on=row["last_contact_on"],
            )
            for row in rows
        ],
    )  # fmt: skip
