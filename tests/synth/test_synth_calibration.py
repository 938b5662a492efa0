"""The synthetic county is calibrated to national levels and its stations tell their stories.

Every figure is computed directly on the written files with DuckDB SQL (not with the
indicator engine), following the definitions in indicators.md closely enough to
check the calibration within tolerances.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from valvomo.schema import LOAD_ORDER, TABLES
from valvomo.synth import generate
from valvomo.workdays import is_working_day

POPULATION = 40_000
PATIENT_CONTACT = (
    "cancelled_at is null and contact_type in ('R10','R20','R30','R40','R41','R50','R51','R52','R55','R56')"
)
ACCESS_EVENT = (
    f"{PATIENT_CONTACT} and service_type = 'T11' and nature = 'SH' and urgency = 'non_urgent' and licensed"
    " and assessed_at is not null and assessed_at <= started_at and not coalesce(care_plan, false)"
    " and not coalesce(certificate_only, false) and specialty is null"
)
HEALTH_STATIONS = (
    "ST-NASI",
    "ST-NIKKILA",
    "ST-SODERKULLA",
    "ST-LOVIISA",
    "ST-LAPINJARVI",
    "ST-KOSKENKYLA",
    "ST-ASKOLA",
    "ST-MYRSKYLA",
    "ST-PUKKILA",
)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    folder: Path = tmp_path_factory.mktemp("calibration")
    generate(folder, population=POPULATION, years=1, start=dt.date(2024, 1, 1), seed=20240101, progress=False)
    con = duckdb.connect()
    for name in LOAD_ORDER:
        con.execute(f"create table {name} as select * from read_csv('{folder / name}.csv', header = true)")
    return con


def one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()


def by_station(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, float]:
    return dict(con.execute(sql).fetchall())


def test_population_structure(db) -> None:
    total, swedish = one(
        db, "select sum(residents), sum(residents) filter (where language = 'sv') from population"
    )
    assert total == POPULATION
    assert 0.26 <= swedish / total <= 0.32
    shares = by_station(db, "select municipality, sum(residents) / 40000 from population group by 1")
    assert 0.49 <= shares["638"] <= 0.54 and 0.21 <= shares["753"] <= 0.24 and 0.14 <= shares["434"] <= 0.16
    swedish_by = by_station(
        db,
        "select municipality, sum(residents) filter (where language = 'sv') / sum(residents) from population group by 1",
    )
    assert swedish_by["434"] > 0.35 and swedish_by["018"] < 0.06 and swedish_by["616"] < 0.06
    old = one(
        db,
        "select sum(residents) filter (where age_band in ('65-69','70-74','75-79','80-84','85+')) / sum(residents) from population",
    )[0]
    assert 0.2 <= old <= 0.32


def test_use_of_services(db) -> None:
    users, contacts = one(
        db, f"select count(distinct patient_id), count(*) from contacts where {PATIENT_CONTACT}"
    )
    assert 0.70 <= users / POPULATION <= 0.85
    assert 5.0 <= contacts / users <= 7.0
    cancelled, non_patient = one(
        db,
        "select avg((cancelled_at is not null)::int), avg((contact_type in ('R60','R71','R72'))::int) from contacts",
    )
    assert 0.03 <= cancelled <= 0.07
    assert 0.01 <= non_patient <= 0.05
    t11 = one(db, f"select avg((service_type = 'T11')::int) from contacts where {PATIENT_CONTACT}")[0]
    assert 0.5 <= t11 <= 0.7


def test_remote_shares(db) -> None:
    overall, t11, phone = one(
        db,
        f"""select avg((contact_type like 'R5%')::int),
                   avg((contact_type like 'R5%')::int) filter (where service_type = 'T11'),
                   avg((contact_type = 'R50')::int) filter (where contact_type like 'R5%')
            from contacts where {PATIENT_CONTACT}""",
    )
    assert 0.26 <= overall <= 0.34
    assert 0.40 <= t11 <= 0.50
    assert phone > 0.5
    adults = one(
        db,
        f"""select avg((contact_type like 'R5%')::int) from contacts c join patients p using (patient_id)
            where {PATIENT_CONTACT} and year(started_at) - p.birth_year >= 20""",
    )[0]
    assert 0.26 <= adults <= 0.36


def test_nurses_carry_three_quarters_of_access_events(db) -> None:
    nurses = one(
        db,
        f"select avg((profession in ('nurse', 'public_health_nurse'))::int) from contacts where {ACCESS_EVENT}",
    )[0]
    assert 0.70 <= nurses <= 0.82


def test_seven_day_share_varies_between_stations_with_the_understaffed_one_lowest(db) -> None:
    shares = by_station(
        db,
        f"""with events as (
                select *, row_number() over (partition by patient_id, assessed_at order by started_at, contact_id) rn
                from contacts where {ACCESS_EVENT})
            select station_id, avg((date_diff('day', assessed_at::date, started_at::date) <= 7)::int)
            from events where rn = 1 group by 1""",
    )
    health = {s: shares[s] for s in HEALTH_STATIONS}
    assert min(health, key=health.get) == "ST-LOVIISA"
    assert max(health, key=health.get) == "ST-SODERKULLA"
    assert 0.38 <= health["ST-LOVIISA"] <= 0.52
    assert 0.84 <= health["ST-SODERKULLA"] <= 0.95
    assert all(0.38 <= v <= 0.95 for v in health.values())
    long_waits = one(
        db,
        f"""select avg((date_diff('day', assessed_at::date, started_at::date) > 14)::int)
            from contacts where {ACCESS_EVENT} and station_id = 'ST-LOVIISA'""",
    )[0]
    assert long_waits > 0.3


def test_urgent_needs_are_seen_the_same_or_next_working_day(db) -> None:
    rows = db.execute(
        f"select assessed_at::date, started_at::date from contacts where {PATIENT_CONTACT} and urgency = 'urgent'"
        " and assessed_at is not null"
    ).fetchall()
    met = 0
    for assessed, started in rows:
        following = assessed + dt.timedelta(days=1)
        while not is_working_day(following):
            following += dt.timedelta(days=1)
        met += started <= following
    assert met / len(rows) >= 0.9


def test_assessment_recording_is_incomplete_at_one_station_only(db) -> None:
    recorded = by_station(
        db,
        f"""select station_id, avg((assessed_at is not null)::int) from contacts
            where {PATIENT_CONTACT} and service_type = 'T11' and nature = 'SH' and urgency = 'non_urgent'
              and licensed and first_visit group by 1""",
    )
    assert 0.55 <= recorded["ST-NIKKILA"] <= 0.72
    assert all(v >= 0.95 for s, v in recorded.items() if s != "ST-NIKKILA")


def test_continuity_is_poor_at_one_station(db) -> None:
    coci = by_station(
        db,
        f"""with visits as (
                select c.patient_id, p.home_station_id station, c.professional_id from contacts c
                join patients p using (patient_id)
                where {PATIENT_CONTACT} and c.service_type = 'T11' and c.profession = 'physician'
                  and c.professional_id is not null),
            per_professional as (select patient_id, station, professional_id, count(*) n from visits group by all),
            per_patient as (select patient_id, station, sum(n) total, sum(n * n) squares from per_professional
                            group by all having sum(n) >= 2)
            select station, avg((squares - total) / (total * (total - 1.0))) from per_patient group by 1""",
    )
    assert coci["ST-NASI"] < 0.15
    assert all(coci[s] > 0.35 for s in HEALTH_STATIONS if s != "ST-NASI")
    named_nurse, named_physician = one(
        db,
        "select avg((named_nurse_id is not null)::int), avg((named_physician_id is not null)::int) from patients",
    )
    assert 0.35 <= named_nurse <= 0.65 and 0.1 <= named_physician < named_nurse


def test_third_next_available_appointment(db) -> None:
    t3 = by_station(
        db,
        """with instants as (
                select generate_series t from generate_series(timestamp '2024-01-08 08:00', timestamp '2024-12-16 08:00',
                                                              interval 14 day)),
            measured as (
                select distinct i.t, s.station_id, s.professional_id from slots s, instants i
                where s.profession = 'physician' and s.starts_at > i.t and s.starts_at <= i.t + interval 14 day),
            free as (
                select i.t, s.professional_id, s.starts_at,
                       row_number() over (partition by i.t, s.professional_id order by s.starts_at) rn
                from slots s, instants i
                where s.profession = 'physician' and s.slot_type = 'non_urgent' and s.published_at <= i.t
                  and s.starts_at > i.t and s.starts_at <= i.t + interval 182 day
                  and (s.booked_at is null or s.booked_at > i.t) and (s.cancelled_at is null or s.cancelled_at > i.t)),
            values_ as (
                select m.t, m.station_id, coalesce(date_diff('day', m.t::date, f.starts_at::date), 182) d
                from measured m left join free f on f.t = m.t and f.professional_id = m.professional_id and f.rn = 3),
            per_instant as (select t, station_id, median(d) v from values_ group by all)
            select station_id, avg(v) from per_instant group by 1""",
    )
    health = {s: t3[s] for s in HEALTH_STATIONS if s in t3}
    assert max(health, key=health.get) == "ST-LOVIISA"
    assert 25 <= health["ST-LOVIISA"] <= 48
    assert health["ST-SODERKULLA"] <= 6
    assert all(1 <= v <= 48 for v in health.values())


def test_appointments_only_on_working_days(db) -> None:
    closed = db.execute(
        "select distinct started_at::date, urgency from contacts where dayofweek(started_at) in (0, 6)"
        " or started_at::date in ('2024-01-01','2024-03-29','2024-04-01','2024-05-01','2024-06-21','2024-12-24',"
        "'2024-12-25','2024-12-26')"
    ).fetchall()
    assert closed, "a few urgent contacts happen on weekends and holidays"
    assert {urgency for _, urgency in closed} == {"urgent"}
    on_closed_days = one(
        db,
        "select avg((dayofweek(started_at) in (0, 6) or started_at::date = '2024-12-25')::int) from contacts",
    )[0]
    assert on_closed_days < 0.01
    slot_days = [d for (d,) in db.execute("select distinct starts_at::date from slots").fetchall()]
    assert all(is_working_day(d) for d in slot_days)
    for holiday in (dt.date(2024, 12, 24), dt.date(2024, 12, 25), dt.date(2024, 3, 29), dt.date(2024, 4, 1)):
        assert holiday not in slot_days


def test_weekday_pattern_and_summer_dip(db) -> None:
    per_day = dict(
        db.execute(
            "select started_at::date, count(*) from contacts where dayofweek(started_at) between 1 and 5 group by 1"
        ).fetchall()
    )
    working = {d: n for d, n in per_day.items() if is_working_day(d)}
    by_weekday: dict[int, list[int]] = {}
    by_month: dict[int, list[int]] = {}
    for day, n in working.items():
        by_weekday.setdefault(day.weekday(), []).append(n)
        by_month.setdefault(day.month, []).append(n)
    weekday_mean = {k: sum(v) / len(v) for k, v in by_weekday.items()}
    month_mean = {k: sum(v) / len(v) for k, v in by_month.items()}
    assert max(weekday_mean, key=weekday_mean.get) == 0
    busy = sum(month_mean[m] for m in (1, 2, 3, 4, 5, 9, 10, 11)) / 8
    assert month_mean[7] < 0.75 * busy


def test_top_decile_of_users_carries_most_of_the_cost(db) -> None:
    share = one(
        db,
        """with users as (select patient_id, sum(cost_eur) as total_cost from contacts
                          where cancelled_at is null and cost_eur is not null group by 1),
                ranked as (select total_cost, row_number() over (order by total_cost desc, patient_id) rn, count(*) over () n
                           from users)
           select sum(total_cost) filter (where rn <= ceil(0.1 * n)) / sum(total_cost) from ranked""",
    )[0]
    assert share > 0.5
    physician, nurse, phone = one(
        db,
        f"""select median(cost_eur) filter (where profession = 'physician' and contact_type = 'R10'),
                   median(cost_eur) filter (where profession = 'nurse' and contact_type = 'R10'),
                   median(cost_eur) filter (where profession = 'nurse' and contact_type = 'R50')
            from contacts where {PATIENT_CONTACT}""",
    )
    assert 100 <= physician <= 200 and 50 <= nurse <= 80 and phone < nurse


def test_guidance_feedback_and_interventions(db) -> None:
    same_day, unreached = one(
        db,
        """select avg((first_response_at::date = received_at::date)::int), avg((first_response_at is null)::int)
           from guidance_requests where unit_id = 'ST-OHJAUS'""",
    )
    assert 0.70 <= same_day <= 0.85 and 0.01 <= unreached <= 0.06
    nps = by_station(
        db,
        "select station_id, 100 * (avg((score >= 9)::int) - avg((score <= 6)::int)) from feedback group by 1",
    )
    overall = one(db, "select 100 * (avg((score >= 9)::int) - avg((score <= 6)::int)) from feedback")[0]
    assert 40 <= overall <= 70
    assert nps["ST-LOVIISA"] < nps["ST-SODERKULLA"] - 15
    mean, low, high = one(
        db,
        """select avg(d), min(d), max(d) from (select date_diff('day', recommended_on, first_session_on) d
           from interventions where first_session_on is not null)""",
    )
    assert 12 <= mean <= 21 and low >= 4 and high <= 48
    assert set(m for (m,) in db.execute("select distinct method from interventions").fetchall()) == {
        "IPC",
        "CoolKids",
        "IPT-A",
    }


def test_chronic_conditions_and_their_follow_up(db) -> None:
    diabetic, hypertensive = one(
        db,
        """select count(distinct patient_id) filter (where code in ('E11.9', 'T90')),
                  count(distinct patient_id) filter (where code in ('I10', 'K86', 'K87'))
           from diagnoses join contacts using (contact_id)""",
    )
    assert 0.03 <= diabetic / POPULATION <= 0.10
    assert 0.06 <= hypertensive / POPULATION <= 0.25
    with_hba1c, gap = one(
        db,
        """with diabetics as (select distinct patient_id from diagnoses join contacts using (contact_id)
                              where code in ('E11.9', 'T90')),
                latest as (select patient_id, max(taken_at) taken from lab_results where test = 'HbA1c' group by 1)
           select avg((taken is not null)::int), avg((taken is null or taken < timestamp '2024-01-01')::int)
           from diabetics left join latest using (patient_id)""",
    )
    assert with_hba1c >= 0.7
    assert 0.05 <= gap <= 0.3
    assert one(db, "select count(*) from lab_results where test = 'BP_SYS'")[0] > 0


def test_no_wall_clock_time_in_the_spring_forward_gap(db) -> None:
    for name in LOAD_ORDER:
        for column in TABLES[name].columns:
            if column.dtype != "timestamp":
                continue
            gap = one(
                db,
                f"select count(*) from {name} where {column.name}::date = date '2024-03-31'"
                f" and hour({column.name}) = 3",
            )[0]
            assert gap == 0, f"{name}.{column.name}"
