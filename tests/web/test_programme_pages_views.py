"""The programme pages read back: list, overview and comparison in fi, sv and en, with the figures
of the programme service (valvomo.programme.overview / compare) and the indicator engine."""

from __future__ import annotations

import datetime as dt

import programme_pages_support as support
import pytest
from pages_html import html_tables
from programme_pages_support import measure_named, programme, text_of

from valvomo.appdb import session_scope
from valvomo.programme import compare, overview, service
from valvomo.programme.indicator_values import ResultsServiceValues
from valvomo.programme.targets import Point, path_value
from valvomo.services.outputs import output_series

NBSP = "\u00a0"
HEADINGS = {
    "fi": ("Ohjelmat", "Eteneminen hyötytavoitteittain", "Ohjelmien vertailu", "Ei edennyt kahteen jaksoon"),
    "sv": ("Program", "Framsteg per nyttomål", "Jämförelse av program", "Inget framsteg på två perioder"),
    "en": ("Programmes", "Progress per benefit goal", "Comparison of programmes", "Not moved in two periods"),
}

# the programme database fixtures (``settings`` overrides the web conftest's)
examples_database = support.examples_database
settings = support.settings


def table(html: str, table_id: str) -> dict:
    found = [t for t in html_tables(html) if t["id"] == table_id]
    assert found, f"no table #{table_id}"
    return found[0]


def percent(value: int, lang: str) -> str:
    return f"{value}%" if lang == "en" else f"{value}{NBSP}%"


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_programme_list(logged_in, settings, lang):
    client = logged_in("viewer")
    page = client.get(f"/programmes?lang={lang}")
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text
    assert f"<h1>{HEADINGS[lang][0]}</h1>" in page.text
    with session_scope(settings) as db:
        summaries = service.list_programmes(db)
    rows = table(page.text, "programmes-table")["rows"][1:]
    assert [row[0] for row in rows] == [s.display_name(lang) for s in summaries]
    # goals, spearheads and measures as the service counts them (Helsinki: 5 goals, 13 spearheads, 49 measures)
    assert [row[5:8] for row in rows] == [[str(s.goals), str(s.spearheads), str(s.measures)] for s in summaries]
    assert rows[0][5:8] == ["5", "13", "49"]
    for summary in summaries:
        assert f'href="/programmes/{summary.id}"' in page.text
    assert 'href="/programmes/compare"' in page.text


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/programmes/helsinki-tsk", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_unknown_programme_and_period(logged_in):
    client = logged_in("viewer")
    assert client.get("/programmes/no-such-plan").status_code == 404
    assert client.get("/programmes/helsinki-tsk?period=6/2021").status_code == 400
    assert client.get("/programmes/compare?period-helsinki-tsk=2024Q1").status_code == 400


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_overview_tables_equal_the_programme_service(logged_in, settings, lang):
    client = logged_in("viewer")
    page = client.get(f"/programmes/helsinki-tsk?lang={lang}")
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text and HEADINGS[lang][1] in page.text
    plan = programme(settings, "helsinki-tsk")
    ov = overview.build_overview(plan, None, ResultsServiceValues(settings))
    assert ov.period == "11/2021"  # the latest assessed period is the default
    assert plan.name[lang] in page.text

    # progress per benefit goal: measures per meter step (0, 25, 50, 75, 100 %), not assessed
    goals = table(page.text, "goal-progress")["rows"]
    assert len(goals) == 1 + len(ov.goals) + 1  # header, goals, total
    for row, view in zip(goals[1:-1], ov.goals, strict=True):
        counts = [view.distribution.counts[step] for step in (0, 25, 50, 75, 100)]
        assert row[1:6] == [str(c) for c in counts]
        assert row[6] == str(view.distribution.not_assessed)
    assert sum(int(c) for c in goals[-1][1:7]) == len(plan.measures()) == 49

    # the measures table of goal 1: the stored meter per period, later periods blank
    measures = table(page.text, "goal-1-measures")["rows"]
    header = measures[0]
    assert header[2:6] == ["5/2021", "11/2021", "5/2022", "11/2022"]
    shown = {row[0]: row for row in measures[1:] if len(row) > 1}
    goal_rows = [row for sv in ov.goals[0].spearheads for row in sv.measures]
    assert len(shown) == len(goal_rows) > 0
    for row in goal_rows:
        cells = next(c for name, c in shown.items() if name.startswith(row.measure.name["fi"]))
        expected = [percent(v, lang) if v is not None else "–" for v in row.values[:2]]
        assert cells[2:4] == expected and cells[4:6] == ["", ""]
    # a hand-checked row of the seed: "Aikuissosiaalityö ..." 25 % in 5/2021, 50 % in 11/2021
    adult = shown["Aikuissosiaalityö Tulevaisuuden Sote-keskuksessa (THK)"]
    assert adult[2:4] == [percent(25, lang), percent(50, lang)]
    assert adult[6].startswith(percent(50, lang) + " (")

    # the spearheads' mean progress: spearhead 1 = mean(25, 25, 25) = 25.0 in 5/2021,
    # mean(25, 50, 50) = 41.7 in 11/2021 (hand-computed from the seed values above)
    means = table(page.text, "goal-1-means")["rows"]
    decimal = "." if lang == "en" else ","
    assert means[1][1:] == [percent(f"25{decimal}0", lang), percent(f"41{decimal}7", lang)]
    assert page.text.count('role="img"') >= 1 + 5  # the goal chart and a spearhead chart per goal


def test_stalled_measures_are_flagged_in_text(logged_in, settings):
    # "Toimintamallien ... kehittäminen" stood at 25 % in 5/2021 and 11/2021: another 25 % in 5/2022
    # makes three equal values below 100 % = not moved in two periods. "Aikuissosiaalityö" went
    # 25 → 50 %, so 50 % in 5/2022 is one period without movement only: not stalled.
    plan = programme(settings, "helsinki-tsk")
    still = measure_named(plan, "Toimintamallien (THK, PK, SP) yhteisen työn kehittäminen")
    moved = measure_named(plan, "Aikuissosiaalityö Tulevaisuuden Sote-keskuksessa (THK)")
    with session_scope(settings) as db:
        service.record_assessment(db, still.id, "5/2022", 25)
        service.record_assessment(db, moved.id, "5/2022", 50)
    client = logged_in("viewer")
    page = client.get("/programmes/helsinki-tsk?period=5/2022&lang=en")
    ov = overview.build_overview(programme(settings, "helsinki-tsk"), "5/2022", ResultsServiceValues(settings))
    assert [row.measure.id for row in ov.stalled] == [still.id]
    assert f'id="measure-{still.id}" class="stalled"' in page.text
    assert f'id="measure-{moved.id}" class=""' in page.text
    rows = {row[0]: row for row in table(page.text, "goal-1-measures")["rows"] if len(row) > 1}
    assert "Not moved in two periods" in rows[still.name["fi"]][7]
    assert "Not moved in two periods" not in rows[moved.name["fi"]][7]
    assert "1 measure has had the same value" in text_of(page.text)


def test_keski_suomi_levels_and_stalled_count(logged_in, settings):
    client = logged_in("viewer")
    page = client.get("/programmes/keski-suomi-tsk?lang=fi")
    plan = programme(settings, "keski-suomi-tsk")
    ov = overview.build_overview(plan, None, ResultsServiceValues(settings))
    assert ov.period == "4/2021"
    assert page.text.count('class="stalled"') == len(ov.stalled) > 0
    assert f"{len(ov.stalled)} toimenpiteellä on ollut sama" in text_of(page.text)
    # the levels meter is written as levels in the measures table: a stored 75 % is level 4
    first = ov.goals[0].spearheads[0].measures[0]
    row = next(r for r in table(page.text, "goal-1-measures")["rows"] if r[0] == first.measure.name["fi"])
    assert row[2:9] == [str(v // 25 + 1) if v is not None else "–" for v in first.values]


def test_indicators_values_status_risks_and_budget(logged_in, settings):
    with session_scope(settings) as db:
        line = service.get_programme(db, "rrp-lansi-uusimaa").budget_lines[0]
        service.record_budget_actual(db, line.id, "2024-03", 12000)
    client = logged_in("analyst")
    page = client.get("/programmes/rrp-lansi-uusimaa?period=2024Q4&lang=fi")
    assert page.status_code == 200

    # access_7d: the engine's county value for 2024Q4, and the status on the path from the interim
    # target 66 % (30.6.2024) to the final 80 % (31.12.2025): at 31.12.2024, 184 of 549 days along,
    # 0.66 + 0.14 × 184 / 549 = 0.6869.
    expected_path = 0.66 + 0.14 * 184 / 549
    assert path_value([Point(0.66, dt.date(2024, 6, 30)), Point(0.80, dt.date(2025, 12, 31))],
                      dt.date(2024, 12, 31)) == pytest.approx(expected_path)  # fmt: skip
    value = next(r["value"] for r in output_series(settings, "access_7d", "quarter") if r["period"] == "2024Q4")
    row = next(r for r in table(page.text, "goal-1-indicators-table")["rows"] if r[0].startswith("Niiden toteutuneiden"))
    shown = f"{value * 100:.1f}".replace(".", ",") + NBSP + "%"
    assert row[5] == f"{shown} Q4/2024"
    assert row[6] == ("Oikealla polulla" if value >= expected_path else "Jäljessä tavoitteesta")
    assert row[3] == f"≥ 66,0{NBSP}% viimeistään Q2/2024" and row[4] == f"≥ 80,0{NBSP}% viimeistään Q4/2025"
    assert 'href="/indicators/access_7d"' in page.text
    values = table(page.text, "indicator-access_7d-values")["rows"][1:]
    series = {r["period"]: r["value"] for r in output_series(settings, "access_7d", "quarter")}
    assert [v[0] for v in values] == [f"Q{p[-1]}/{p[:4]}" for p in sorted(series)]

    # risks by score: 4 × 5 = 20 before 4 × 4 = 16
    risks = table(page.text, "risks-table")["rows"][1:]
    assert [(r[2], r[3], r[4]) for r in risks] == [("4", "5", "20"), ("4", "4", "16")]
    assert risks[0][5] == "kriittinen"  # 15–25

    # budget: 12 000 € spent on line 1 by 31.12.2024 of 9 480 524 € planned:
    # 12 000 / 9 480 524 = 0.13 % used, 9 468 524 € left
    budget = table(page.text, "budget-table")
    assert budget["caption"].endswith("31.12.2024 mennessä")
    first = budget["rows"][1]
    assert first[2:] == [f"9{NBSP}480{NBSP}524{NBSP}€", f"12{NBSP}000{NBSP}€", f"0,1{NBSP}%", f"9{NBSP}468{NBSP}524{NBSP}€"]
    total = budget["rows"][-1]
    assert total[0] == "Yhteensä" and total[3] == f"12{NBSP}000{NBSP}€"


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_comparison(logged_in, settings, lang):
    client = logged_in("viewer")
    page = client.get(f"/programmes/compare?lang={lang}&period-helsinki-tsk=5/2021")
    assert page.status_code == 200
    assert HEADINGS[lang][2] in page.text
    with session_scope(settings) as db:
        plans = [service.get_programme(db, s.id) for s in service.list_programmes(db)]
        result = compare.compare(plans, ResultsServiceValues(settings), {"helsinki-tsk": "5/2021"})
    assert result.periods == {"helsinki-tsk": "5/2021", "keski-suomi-tsk": "4/2021", "rrp-lansi-uusimaa": "2023Q4"}
    for kind, number in result.goal_keys():
        rows = table(page.text, f"compare-{kind}-{number}")["rows"][1:]
        expected = [r for r in (result.row(p.id, kind, number) for p in plans) if r is not None]
        assert len(rows) == len(expected)
        for row, goal in zip(rows, expected, strict=True):
            assert row[2:7] == [str(goal.distribution.counts[s]) for s in (0, 25, 50, 75, 100)]
            assert row[7] == str(goal.distribution.not_assessed) and row[8] == str(goal.stalled)
    side = table(page.text, "compare-indicators")["rows"]
    assert len(side) == 1 + len(result.indicators)
    access = next(row for row in side[1:] if row[0] and "7" in row[0] and row is not side[0])
    assert len(access) == 1 + 3
