"""Care-gap rules on hand-computed cases: window boundary day, age at the index date, values, contacts."""

from __future__ import annotations

import datetime as dt

import pytest
from segment_rows import contact, diagnosis, lab, patient

from valvomo.indicators.registry import Query
from valvomo.indicators.runner import compute
from valvomo.segments.caregaps import (
    DEFAULT_FILE,
    RuleSet,
    _check,
    gap_patients,
    index_dates,
    load_rules,
    months_before,
)
from valvomo.segments.config_files import ConfigFileError, parse_config
from valvomo.segments.registry import SEGMENT_REGISTRY

INDEX = dt.date(2024, 12, 31)


def county(people, labs=(), extra_contacts=()):
    """``people``: (patient_id, birth_year, diagnosis code, system). Each has one diagnosed contact in 2024-02
    and the data end on 2024-12-31 (a last contact that day)."""
    contacts, diagnoses, patients = [], [], []
    for pid, birth_year, code, system in people:
        contacts.append(contact(f"d-{pid}", pid, "2024-02-05", profession="physician"))
        diagnoses.append(diagnosis(f"d-{pid}", code, system))
        patients.append(patient(pid, birth_year))
    contacts.append(contact("end", "Z", "2024-12-31"))
    patients.append(patient("Z", 1990))
    return {"contacts": [*contacts, *extra_contacts], "diagnoses": diagnoses, "patients": patients,
            "lab_results": list(labs)}  # fmt: skip


def gaps(make_sources, tables, rule_id):
    sources = make_sources(tables)
    rows = gap_patients(sources, load_rules(), INDEX)
    return sorted(r["patient_id"] for r in sources.backend.to_pyarrow(rows).to_pylist() if r["rule"] == rule_id)


def test_window_boundary_day(make_sources):
    # Within 12 months of 2024-12-31 is (2023-12-31, 2024-12-31]: a test on 2023-12-31 is outside.
    assert months_before(INDEX, 12) == dt.date(2023, 12, 31)
    people = [("A", 1960, "E11.9", "icd10"), ("B", 1960, "T90", "icpc2"), ("C", 1960, "E11", "icd10")]
    labs = [lab("A", "HbA1c", 50, "2023-12-31"), lab("B", "HbA1c", 50, "2024-01-01")]
    assert gaps(make_sources, county(people, labs), "t2d_no_hba1c_12m") == ["A", "C"]


def test_age_at_the_index_date(make_sources):
    # min_age 18: born 2006 -> 18 in 2024 (included); born 2007 -> 17 (not in the population).
    people = [("A", 2006, "E11.9", "icd10"), ("B", 2007, "E11.9", "icd10")]
    assert gaps(make_sources, county(people), "t2d_no_hba1c_12m") == ["A"]


def test_last_value_above_the_limit_and_no_contact_in_six_months(make_sources):
    people = [(p, 1960, "E11.9", "icd10") for p in ("HIGH", "EQUAL", "OLDHIGH", "SEEN", "NONE")]
    labs = [
        lab("HIGH", "HbA1c", 60, "2024-01-10"), lab("HIGH", "HbA1c", 54, "2024-03-01"),  # last 54 > 53
        lab("EQUAL", "HbA1c", 70, "2024-01-10"), lab("EQUAL", "HbA1c", 53, "2024-03-01"),  # last 53: not above
        lab("OLDHIGH", "HbA1c", 80, "2022-01-10"),  # above, long ago: the last value still counts
        lab("SEEN", "HbA1c", 80, "2024-03-01"),
    ]  # fmt: skip
    # SEEN had a nurse contact on 2024-07-01, inside (2024-06-30, 2024-12-31]; a practical nurse does not count.
    extra = [contact("s1", "SEEN", "2024-07-01"), contact("h1", "HIGH", "2024-08-01", profession="practical_nurse"),
             contact("h2", "HIGH", "2024-06-30", profession="physician")]  # fmt: skip
    assert gaps(make_sources, county(people, labs, extra), "hba1c_high_no_contact_6m") == ["HIGH", "OLDHIGH"]


def test_counts_per_station_and_period(make_sources):
    people = [("A", 1960, "I10", "icd10"), ("B", 1960, "K86", "icpc2"), ("C", 1960, "K87", "icpc2")]
    labs = [lab("A", "BP_SYS", 150, "2024-05-01")]
    sources = make_sources(county(people, labs))
    rows = compute("care_gaps", sources, Query(period="year", by=("station",)), registry=SEGMENT_REGISTRY)
    got = {(r["period"], r["station_id"], r["bin"]): (r["numerator"], r["denominator"]) for r in rows}
    assert got == {("2024", "S1", "hypertension_no_bp_12m"): (2, 3)}
    quarters = compute("care_gaps", sources, Query(period="quarter"), registry=SEGMENT_REGISTRY)
    # Q1 (index 2024-03-31): all three diagnosed in 2024-02, A's blood pressure comes later, in Q2.
    by_period = {r["period"]: (r["numerator"], r["denominator"]) for r in quarters}
    assert by_period == {"2024Q1": (3, 3), "2024Q2": (2, 3), "2024Q3": (2, 3), "2024Q4": (2, 3)}


def test_index_dates_end_with_the_data():
    dates = index_dates(dt.date(2024, 1, 3), dt.date(2024, 8, 20), Query(period="quarter"))
    assert dates == [("2024Q1", dt.date(2024, 3, 31)), ("2024Q2", dt.date(2024, 6, 30)), ("2024Q3", dt.date(2024, 8, 20))]


def test_months_before_clamps_to_the_month_end():
    assert months_before(dt.date(2024, 8, 31), 6) == dt.date(2024, 2, 29)


def _refused(text, pattern):
    with pytest.raises(ConfigFileError, match=pattern):
        parse_config(text, RuleSet, "rules.yaml", _check)


SHIPPED = DEFAULT_FILE.read_text(encoding="utf-8")


def _line(text, needle):
    return text.splitlines().index(needle) + 1


def test_an_unknown_code_is_refused_with_path_and_line():
    text = SHIPPED.replace("diagnoses: {icd10: [I10], icpc2: [K86, K87]}", "diagnoses: {icd10: [I10], icpc2: [K86, K8]}")
    line = _line(text, "      diagnoses: {icd10: [I10], icpc2: [K86, K8]}")
    _refused(text, rf"rules.yaml:{line}: rules\[2\].population.diagnoses.icpc2\[1\]: unknown icpc2 code 'K8'")


def test_an_unknown_field_is_refused_with_path_and_line():
    text = SHIPPED.replace("      min_age: 18\n", "      min_age: 18\n      sex: F\n", 1)
    line = _line(text, "      sex: F")
    _refused(text, rf"rules.yaml:{line}: rules\[0\].population.sex: unknown field 'sex'")


def test_a_bad_window_is_refused_with_path_and_line():
    text = SHIPPED.replace("{test: BP_SYS, months: 12}", "{test: BP_SYS, months: 0}")
    line = _line(text, "      - no_lab: {test: BP_SYS, months: 0}")
    _refused(text, rf"rules.yaml:{line}: rules\[2\].conditions\[0\].no_lab.months: Input should be greater than or equal to 1")


def test_an_unknown_test_or_profession_is_refused():
    _refused(SHIPPED.replace("test: BP_SYS", "test: BP_SYST"), r"rules\[2\].conditions\[0\].no_lab.test: unknown lab test 'BP_SYST'")
    _refused(SHIPPED.replace("professions: [physician, nurse", "professions: [doctor, nurse"),
             r"rules\[1\].conditions\[1\].no_contact.professions\[0\]: unknown profession 'doctor'")  # fmt: skip


def test_the_shipped_rules_are_the_three_of_the_spec():
    rules = load_rules()
    assert [r.id for r in rules.rules] == ["t2d_no_hba1c_12m", "hba1c_high_no_contact_6m", "hypertension_no_bp_12m"]
    assert all(r.label.fi and r.label.sv and r.label.en for r in rules.rules)
