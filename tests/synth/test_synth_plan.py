"""The county template, its replication to national size, and the calendar arithmetic."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from valvomo.synth import county, generate
from valvomo.synth.county import MUNICIPALITIES, STATIONS, allocate, plan_county
from valvomo.synth.slots import booking_lead_days
from valvomo.synth.timeline import Timeline, period_end
from valvomo.workdays import is_working_day, next_working_day


def test_default_county_is_one_itä_uusimaa() -> None:
    plan = plan_county(97_400)
    assert len(plan.replicas) == 1
    replica = plan.replicas[0]
    assert replica.county == "Itä-Uusimaa"
    assert replica.municipality_codes == ("018", "407", "434", "504", "616", "638", "753")
    assert sum(replica.municipality_residents) == 97_400
    sizes = dict(zip(replica.municipality_codes, replica.municipality_residents, strict=True))
    assert 49_000 <= sizes["638"] <= 52_000 and 21_000 <= sizes["753"] <= 22_500
    assert "ST-NASI" in replica.station_ids and "ST-OHJAUS" in replica.station_ids
    kinds = [s.kind for s in STATIONS]
    assert kinds.count("health_station") == 7 and kinds.count("nurse_led_station") == 2
    assert kinds.count("guidance_unit") == 1


def test_national_size_replicates_the_template_with_distinct_codes() -> None:
    plan = plan_county(5_600_000)
    assert len(plan.replicas) == 57
    assert sum(r.residents for r in plan.replicas) == 5_600_000
    station_ids = [s for r in plan.replicas for s in r.station_ids]
    codes = [c for r in plan.replicas for c in r.municipality_codes]
    assert len(set(station_ids)) == len(station_ids) == 57 * len(STATIONS)
    assert len(set(codes)) == len(codes) and all(len(c) == 3 for c in codes)
    real = {m.code for m in MUNICIPALITIES}
    assert not real & set(codes[len(MUNICIPALITIES) :])
    assert plan.replicas[1].first_patient == plan.replicas[0].residents


def test_allocate_is_exact_and_proportional() -> None:
    counts = allocate(1_001, np.array([1.0, 2.0, 7.0]))
    assert counts.sum() == 1_001 and counts.tolist() == [100, 200, 701]


def test_booking_lead_inverts_the_t3_relation() -> None:
    for t3 in (2.0, 10.0, 35.0):
        lead = booking_lead_days(t3)
        assert abs(0.75 * lead + np.sqrt(0.86 * lead) - t3) < 1e-9


def test_timeline_agrees_with_workdays() -> None:
    start = dt.date(2024, 1, 1)
    tl = Timeline.build(start, period_end(start, 1))
    for i in range(tl.start_index, tl.end_index, 3):
        day = tl.days[i].astype(dt.date)
        assert tl.working[i] == is_working_day(day)
        assert tl.days[tl.next_working[i]].astype(dt.date) == next_working_day(day)
        previous = tl.days[tl.previous_working[i]].astype(dt.date)
        assert previous <= day and is_working_day(previous)
    assert period_end(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)


def test_replicated_county_keeps_ids_unique_and_references_valid(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(county, "TEMPLATE_POPULATION", 1_000)
    generate(tmp_path, population=3_000, years=1, fmt="parquet", progress=False)
    stations = pq.read_table(tmp_path / "stations.parquet")
    patients = pq.read_table(tmp_path / "patients.parquet")
    contacts = pq.read_table(
        tmp_path / "contacts.parquet", columns=["contact_id", "patient_id", "station_id"]
    )
    assert stations.num_rows == 3 * len(STATIONS)
    assert "ST-NASI-R02" in stations.column("station_id").to_pylist()
    assert len(set(stations.column("county").to_pylist())) == 3
    assert len(pc.unique(patients.column("patient_id"))) == patients.num_rows == 3_000
    assert len(pc.unique(contacts.column("contact_id"))) == contacts.num_rows
    assert set(contacts.column("station_id").unique().to_pylist()) <= set(
        stations.column("station_id").to_pylist()
    )
    assert set(contacts.column("patient_id").unique().to_pylist()) <= set(
        patients.column("patient_id").to_pylist()
    )
    population = pq.read_table(tmp_path / "population.parquet")
    assert len(population.column("municipality").unique()) == 3 * len(MUNICIPALITIES)
    assert pc.sum(population.column("residents")).as_py() == 3_000


@pytest.mark.parametrize(("start", "years"), [(dt.date(2025, 3, 15), 1), (dt.date(2024, 2, 29), 2)])
def test_any_start_date_and_period_length(tmp_path: Path, start: dt.date, years: int) -> None:
    generate(tmp_path, population=300, years=years, start=start, fmt="parquet", progress=False)
    end = period_end(start, years)
    started = pq.read_table(tmp_path / "contacts.parquet").column("started_at")
    assert pc.min(started).as_py() >= dt.datetime.combine(start, dt.time())
    assert pc.max(started).as_py() < dt.datetime.combine(end, dt.time())
    years_listed = pq.read_table(tmp_path / "population.parquet").column("year").unique().to_pylist()
    assert years_listed == list(range(start.year, (end - dt.timedelta(days=1)).year + 1))
    taken = pq.read_table(tmp_path / "lab_results.parquet").column("taken_at")
    assert pc.max(taken).as_py() < dt.datetime.combine(end, dt.time())
