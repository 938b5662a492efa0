"""Care-gap rules (hoitopudokkaat, segmentation.md §3): YAML rules compiled to Ibis.

A rule names a **population** (patients with a listed ICD-10/ICPC-2 diagnosis on a
realised contact on or before the index date, aged ``min_age``..``max_age`` at the
index date, age = index year - birth year) and **conditions**, all of which must
hold for the patient to have the gap:

- ``no_lab``: no result of ``test`` within ``months`` months of the index date;
- ``last_value_above``: the latest result of ``test`` on or before the index date
  is above ``limit`` (strictly; same-time results: the highest counts); a patient
  without any result does not meet it;
- ``no_contact``: no realised patient contact with one of ``professions`` within
  ``months`` months.

"Within N months of the index date" is the window (index - N months, index]: an
event on the same day N months earlier is outside it, the next day inside (the
convention of the high-need list). Per period, the index date is the period's last
day, or the day of the latest realised patient contact when the data end earlier.
A patient's station is their home station, else the station of their latest
contact carrying the rule's diagnosis (ties: largest contact_id).

Rules with an unknown diagnosis code, lab test, profession or field, or a window
outside 1..120 months, are refused at load with their YAML path and line.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import ibis
import ibis.expr.types as ir
from pydantic import BaseModel, ConfigDict, Field, model_validator

from valvomo.indicators.common import age_band
from valvomo.indicators.populations.contacts import realised_patient_contacts
from valvomo.indicators.registry import PeriodKind, Query
from valvomo.schema import codes
from valvomo.segments.config_files import PathKey, read_config
from valvomo.segments.diagnosis_codes import code_problem, matches
from valvomo.segments.questionnaire import Texts
from valvomo.warehouse.sources import Sources

DEFAULT_FILE = Path(__file__).with_name("caregaps.yaml")
MAX_WINDOW_MONTHS = 120
KNOWN_LAB_TESTS = ("HbA1c", "LDL", "BP_SYS", "BP_DIA", "eGFR", "UACR", "TSH", "ALAT", "Hb")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Population(_Strict):
    diagnoses: dict[str, tuple[str, ...]] = Field(min_length=1)
    min_age: int | None = Field(None, ge=0, le=130)
    max_age: int | None = Field(None, ge=0, le=130)


class NoLab(_Strict):
    test: str
    months: int = Field(ge=1, le=MAX_WINDOW_MONTHS)


class LastValueAbove(_Strict):
    test: str
    limit: float


class NoContact(_Strict):
    professions: tuple[str, ...] = Field(min_length=1)
    months: int = Field(ge=1, le=MAX_WINDOW_MONTHS)


class Condition(_Strict):
    no_lab: NoLab | None = None
    last_value_above: LastValueAbove | None = None
    no_contact: NoContact | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Condition:
        if sum(x is not None for x in (self.no_lab, self.last_value_above, self.no_contact)) != 1:
            raise ValueError("write exactly one of no_lab, last_value_above, no_contact")
        return self

    @property
    def test(self) -> str | None:
        inner = self.no_lab or self.last_value_above
        return inner.test if inner is not None else None


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: Texts
    population: Population
    conditions: tuple[Condition, ...] = Field(min_length=1)

    def tests(self) -> list[str]:
        return [c.test for c in self.conditions if c.test is not None]


class RuleSet(_Strict):
    lab_tests: tuple[str, ...] = ()  # tests beyond KNOWN_LAB_TESTS that a county's rules may name
    rules: tuple[Rule, ...] = Field(min_length=1)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"unknown care-gap rule {rule_id!r}; known rules: {', '.join(r.id for r in self.rules)}")


def _check(rules: RuleSet) -> Iterator[tuple[PathKey, str]]:
    tests = set(KNOWN_LAB_TESTS) | set(rules.lab_tests)
    seen: set[str] = set()
    for index, rule in enumerate(rules.rules):
        at: PathKey = ("rules", index)
        if rule.id in seen:
            yield (*at, "id"), f"duplicate rule id {rule.id!r}"
        seen.add(rule.id)
        population = rule.population
        for system, listed in population.diagnoses.items():
            if system not in codes.DIAGNOSIS_SYSTEMS:
                yield (*at, "population", "diagnoses", system), (
                    f"unknown coding system {system!r}; expected one of {', '.join(codes.DIAGNOSIS_SYSTEMS)}"
                )
                continue
            for position, code in enumerate(listed):
                problem = code_problem(system, code)
                if problem:
                    yield (*at, "population", "diagnoses", system, position), problem
        if population.min_age is not None and population.max_age is not None and population.min_age > population.max_age:
            yield (*at, "population", "max_age"), f"must not be below min_age ({population.min_age})"
        for position, condition in enumerate(rule.conditions):
            where = (*at, "conditions", position)
            if condition.test is not None and condition.test not in tests:
                kind = "no_lab" if condition.no_lab else "last_value_above"
                yield (*where, kind, "test"), (
                    f"unknown lab test {condition.test!r}; expected one of {', '.join(sorted(tests))} "
                    "(or list it under lab_tests)"
                )
            if condition.no_contact is not None:
                for p, profession in enumerate(condition.no_contact.professions):
                    if profession not in codes.PROFESSIONS:
                        yield (*where, "no_contact", "professions", p), (
                            f"unknown profession {profession!r}; expected one of {', '.join(codes.PROFESSIONS)}"
                        )


def load_rules(path: Path | None = None) -> RuleSet:
    """The rules of ``path`` (a county's file) or the shipped ones; ``ConfigFileError`` if invalid."""
    return _load(Path(path) if path is not None else DEFAULT_FILE)


@lru_cache(maxsize=8)
def _load(path: Path) -> RuleSet:
    return read_config(path, RuleSet, _check)


# --------------------------------------------------------------------------- dates


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (the last day of that month when it is shorter)."""
    year, month_zero = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month_zero + 1, min(day.day, calendar.monthrange(year, month_zero + 1)[1]))


def period_end(day: dt.date, period: PeriodKind) -> dt.date:
    if period == "year":
        return dt.date(day.year, 12, 31)
    last_month = ((day.month - 1) // 3) * 3 + 3 if period == "quarter" else day.month
    return dt.date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])


def index_dates(first: dt.date, last: dt.date, query: Query) -> list[tuple[str, dt.date]]:
    """(period label, index date) of the periods from ``first`` to ``last`` (the data's first and latest
    contact days) that lie in the query's range; the index date is min(period end, ``last``)."""
    out = []
    day = first
    while day <= last:
        end = period_end(day, query.period)
        label = _label(day, query.period)
        index = min(end, last)
        if (query.start is None or day >= query.start) and (query.end is None or index <= query.end):
            out.append((label, index))
        day = end + dt.timedelta(days=1)
    return out


def _label(day: dt.date, period: PeriodKind) -> str:
    if period == "year":
        return str(day.year)
    if period == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def data_range(sources: Sources) -> tuple[dt.date, dt.date] | None:
    """First and latest day of realised patient contacts (the periods care gaps are counted for)."""
    contacts = realised_patient_contacts(sources.table("contacts"))
    days = contacts.started_at.date()
    row = sources.backend.to_pyarrow(contacts.aggregate(first=days.min(), last=days.max())).to_pylist()[0]
    if row["first"] is None:
        return None
    return row["first"], row["last"]


def _index_table(sources: Sources, query: Query, rules: RuleSet) -> ir.Table | None:
    bounds = data_range(sources)
    if bounds is None:
        return None
    dates = index_dates(*bounds, query)
    if not dates:
        return None
    windows = sorted(
        {c.no_lab.months for r in rules.rules for c in r.conditions if c.no_lab}
        | {c.no_contact.months for r in rules.rules for c in r.conditions if c.no_contact}
    )
    data = {
        "period": [label for label, _ in dates],
        "index_date": [day for _, day in dates],
        **{f"_after_{m}": [months_before(day, m) for _, day in dates] for m in windows},
    }
    return ibis.memtable(data, schema={"period": "string", "index_date": "date", **{f"_after_{m}": "date" for m in windows}})


# --------------------------------------------------------------------------- compilation


def _population(sources: Sources, rule: Rule, index: ir.Table) -> ir.Table:
    """(period, index_date, _after_*, patient_id, _diag_station) of the rule's population."""
    contacts = sources.table("contacts")
    realised = contacts.filter(contacts.cancelled_at.isnull()).select(
        _cid="contact_id", patient_id="patient_id", _station="station_id", _day=contacts.started_at.date()
    )
    diagnoses = sources.table("diagnoses")
    coded = diagnoses.filter(matches(diagnoses, [rule.population.diagnoses])).select(_cid="contact_id").distinct()
    diagnosed = realised.join(coded, "_cid")
    dated = diagnosed.join(index, diagnosed._day <= index.index_date)
    order = ibis.window(
        group_by=[dated.period, dated.patient_id], order_by=[dated._day.desc(), dated._cid.desc()]
    )
    latest = dated.mutate(_rank=ibis.row_number().over(order))
    latest = latest.filter(latest._rank == 0).drop("_rank", "_cid", "_day")
    patients = sources.table("patients").select(
        _pid="patient_id", _birth_year="birth_year", _home="home_station_id",
        _municipality="municipality", _language="language",
    )  # fmt: skip
    rows = latest.join(patients, latest.patient_id == patients._pid)
    rows = rows.mutate(age=rows.index_date.year().cast("int64") - rows._birth_year.cast("int64"))
    if rule.population.min_age is not None:
        rows = rows.filter(rows.age >= rule.population.min_age)
    if rule.population.max_age is not None:
        rows = rows.filter(rows.age <= rule.population.max_age)
    return rows.mutate(station_id=rows._home.coalesce(rows._station)).drop("_station", "_home", "_pid")


def _labs(sources: Sources, test: str) -> ir.Table:
    labs = sources.table("lab_results")
    labs = labs.filter(labs.test == test)
    return labs.select(_lpid="patient_id", _value="value", _taken="taken_at", _lday=labs.taken_at.date())


def _has_event_within(pop: ir.Table, events: ir.Table, pid: str, day: str, months: int) -> ir.Table:
    """(period, patient_id) pairs of ``pop`` with an event in (index - months, index]."""
    joined = pop.join(
        events,
        [pop.patient_id == events[pid], events[day] > pop[f"_after_{months}"], events[day] <= pop.index_date],
    )
    return joined.select(_hp="period", _hpid="patient_id").distinct()


def _condition_flag(sources: Sources, pop: ir.Table, condition: Condition, position: int) -> ir.Table:
    """(period, patient_id, _cond_<position>) for every row of ``pop``."""
    name = f"_cond_{position}"
    keys = pop.select("period", "patient_id")
    if condition.no_lab is not None:
        found = _has_event_within(pop, _labs(sources, condition.no_lab.test), "_lpid", "_lday", condition.no_lab.months)
    elif condition.no_contact is not None:
        contacts = realised_patient_contacts(sources.table("contacts"))
        contacts = contacts.filter(contacts.profession.isin(condition.no_contact.professions))
        events = contacts.select(_epid="patient_id", _eday=contacts.started_at.date())
        found = _has_event_within(pop, events, "_epid", "_eday", condition.no_contact.months)
    else:
        spec = condition.last_value_above
        assert spec is not None
        labs = _labs(sources, spec.test)
        joined = pop.join(labs, [pop.patient_id == labs._lpid, labs._lday <= pop.index_date])
        order = ibis.window(
            group_by=[joined.period, joined.patient_id], order_by=[joined._taken.desc(), joined._value.desc()]
        )
        ranked = joined.mutate(_rank=ibis.row_number().over(order))
        last = ranked.filter((ranked._rank == 0) & (ranked._value > spec.limit))
        met = last.select(_hp="period", _hpid="patient_id")
        flagged = keys.left_join(met, [keys.period == met._hp, keys.patient_id == met._hpid])
        return flagged.select("period", "patient_id", **{name: flagged._hp.notnull()})
    flagged = keys.left_join(found, [keys.period == found._hp, keys.patient_id == found._hpid])
    return flagged.select("period", "patient_id", **{name: flagged._hp.isnull()})


def rule_rows(sources: Sources, rule: Rule, index: ir.Table) -> ir.Table:
    """One row per (period, patient of the population): rule, index_date, age, station_id,
    municipality, language, ``gap`` (all conditions hold)."""
    pop = _population(sources, rule, index)
    flags = [_condition_flag(sources, pop, c, i) for i, c in enumerate(rule.conditions)]
    rows = pop
    for flag in flags:
        rows = rows.join(flag, ["period", "patient_id"])
    gap = ibis.and_(*(rows[f"_cond_{i}"] for i in range(len(flags))))
    return rows.select(
        rule=ibis.literal(rule.id),
        period="period",
        index_date="index_date",
        patient_id="patient_id",
        station_id="station_id",
        age="age",
        municipality=rows._municipality,
        language=rows._language,
        gap=gap,
    )


def care_gap_rows(sources: Sources, query: Query, rules: RuleSet) -> ir.Table | None:
    """``rule_rows`` of every rule, with ``age_band`` (at the index date); None when there are no periods."""
    index = _index_table(sources, query, rules)
    if index is None:
        return None
    tables = [rule_rows(sources, rule, index) for rule in rules.rules]
    rows = tables[0] if len(tables) == 1 else ibis.union(*tables)
    return rows.mutate(age_band=age_band(rows.age))


def care_gap_counts(sources: Sources, query: Query, rules: RuleSet) -> ir.Table:
    """Per period, requested dimensions and rule (``bin``): patients with the gap / the rule's population."""
    keys = ["period", *query.dimension_columns()]
    rows = care_gap_rows(sources, query, rules)
    if rows is None:
        schema = {"period": "string", **{k: "string" for k in keys[1:]}, "bin": "string",
                  "numerator": "int64", "denominator": "int64", "value": "float64"}  # fmt: skip
        return ibis.memtable({k: [] for k in schema}, schema=schema)
    counts = rows.group_by([*keys, "rule"]).aggregate(
        numerator=lambda t: t.count(where=t.gap), denominator=lambda t: t.count()
    )
    return counts.select(
        *keys,
        bin=counts.rule,
        numerator=counts.numerator,
        denominator=counts.denominator,
        value=counts.numerator.cast("float64") / counts.denominator.cast("float64"),
    )


def gap_patients(
    sources: Sources, rules: RuleSet, index_date: dt.date, *, station_ids: list[str] | None = None
) -> ir.Table:
    """The patients with a gap at ``index_date`` (patient-level; for authorised users only): rule,
    patient_id, station_id, age, last_result_on and last_value of the rule's first test, and
    last_contact_on (latest realised patient contact on or before the index date)."""
    windows = sorted(
        {c.no_lab.months for r in rules.rules for c in r.conditions if c.no_lab}
        | {c.no_contact.months for r in rules.rules for c in r.conditions if c.no_contact}
    )
    index = ibis.memtable(
        {"period": [index_date.isoformat()], "index_date": [index_date],
         **{f"_after_{m}": [months_before(index_date, m)] for m in windows}},
        schema={"period": "string", "index_date": "date", **{f"_after_{m}": "date" for m in windows}},
    )  # fmt: skip
    parts = []
    for rule in rules.rules:
        rows = rule_rows(sources, rule, index)
        rows = rows.filter(rows.gap)
        if station_ids is not None:
            rows = rows.filter(rows.station_id.isin(station_ids))
        tests = rule.tests()
        if tests:
            labs = _labs(sources, tests[0])
            labs = labs.filter(labs._lday <= index_date)
            order = ibis.window(group_by=labs._lpid, order_by=[labs._taken.desc(), labs._value.desc()])
            labs = labs.mutate(_rank=ibis.row_number().over(order))
            last = labs.filter(labs._rank == 0).select("_lpid", last_result_on="_lday", last_value="_value")
        else:
            last = ibis.memtable({"_lpid": [], "last_result_on": [], "last_value": []},
                                 schema={"_lpid": "string", "last_result_on": "date", "last_value": "float64"})  # fmt: skip
        rows = rows.left_join(last, rows.patient_id == last._lpid).drop("_lpid")
        parts.append(rows)
    rows = parts[0] if len(parts) == 1 else ibis.union(*parts)
    realised = realised_patient_contacts(sources.table("contacts"))
    seen = realised.filter(realised.started_at.date() <= index_date)
    latest = seen.group_by(_cpid=seen.patient_id).aggregate(last_contact_on=seen.started_at.max().date())
    rows = rows.left_join(latest, rows.patient_id == latest._cpid).drop("_cpid")
    return rows.select(
        "rule", "patient_id", "station_id", "age", "last_result_on", "last_value", "last_contact_on"
    ).order_by(["station_id", "rule", "patient_id"])


__all__ = [
    "Condition",
    "Rule",
    "RuleSet",
    "care_gap_counts",
    "care_gap_rows",
    "gap_patients",
    "index_dates",
    "load_rules",
    "months_before",
]
