"""The synthetic county's segment story: prevalence, capped utilisation, questionnaire answers, care gaps."""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import pytest

from valvomo.synth import generate
from valvomo.synth.contacts import MAX_CONTACTS_PER_YEAR

POPULATION = 30_000


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = tmp_path_factory.mktemp("segcounty")
    generate(folder, population=POPULATION, years=2, start=dt.date(2024, 1, 1), seed=7, fmt="parquet", progress=False)
    db = duckdb.connect()
    for name in ("contacts", "diagnoses", "patients", "lab_results", "questionnaire_answers"):
        db.execute(f"create view {name} as select * from read_parquet('{folder / name}.parquet')")
    return folder, db


def test_no_patient_has_more_than_the_plausible_maximum_of_contacts(county):
    # The cap is 60 contact rows per patient-year of the period: 120 over these two years. Days are drawn
    # over the whole period, so one calendar year of a capped patient may hold somewhat more than 60.
    _, db = county
    (most,) = db.execute("select max(n) from (select patient_id, count(*) n from contacts group by 1)").fetchone()
    assert 80 <= most <= 2 * MAX_CONTACTS_PER_YEAR == 120
    (most_in_a_year,) = db.execute(
        "select max(n) from (select patient_id, year(started_at) y, count(*) n from contacts group by 1, 2)"
    ).fetchone()
    assert most_in_a_year <= 90


def test_questionnaire_answers_for_part_of_the_adults(county):
    _, db = county
    answering, sessions, rows, low, high = db.execute(
        "select count(distinct patient_id), count(distinct answer_id), count(*), min(score), max(score) "
        "from questionnaire_answers"
    ).fetchone()
    assert 0.03 * POPULATION <= answering <= 0.2 * POPULATION
    assert rows == 10 * sessions and (low, high) == (1, 5)
    (minors,) = db.execute(
        "select count(*) from questionnaire_answers q join patients p using (patient_id) where 2024 - p.birth_year < 17"
    ).fetchone()
    assert minors == 0


def test_care_gaps_concentrate_at_loviisa(county):
    _, db = county
    rows = db.execute(
        """with diabetics as (select distinct c.patient_id from diagnoses d join contacts c using (contact_id)
                              where d.code in ('E11.9', 'T90')),
                recent as (select distinct patient_id from lab_results
                           where test = 'HbA1c' and taken_at > timestamp '2024-12-31')
           select p.home_station_id, avg((r.patient_id is null)::int), count(*)
           from diabetics join patients p using (patient_id) left join recent r using (patient_id)
           group by 1""",
    ).fetchall()
    share = {station: gap for station, gap, n in rows if n >= 40}
    assert max(share, key=share.get) == "ST-LOVIISA"
    others = [v for s, v in share.items() if s != "ST-LOVIISA"]
    assert share["ST-LOVIISA"] > 1.5 * max(others)


def test_same_seed_same_questionnaire_bytes(county, tmp_path):
    folder, _ = county
    generate(tmp_path, population=POPULATION, years=2, start=dt.date(2024, 1, 1), seed=7, fmt="parquet", progress=False)
    for name in ("questionnaire_answers", "lab_results", "contacts"):
        first = hashlib.sha256((folder / f"{name}.parquet").read_bytes()).hexdigest()
        again = hashlib.sha256((tmp_path / f"{name}.parquet").read_bytes()).hexdigest()
        assert first == again, name
