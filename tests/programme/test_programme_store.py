"""The app database and the programme store: migrations, writes, and what is read back."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from valvomo.appdb import Base, current_revision, get_engine, session_scope, upgrade_to_head
from valvomo.appdb.migrate import alembic_config
from valvomo.programme import budget, compare, models, progress, risks, service
from valvomo.programme.indicator_values import MappingValues
from valvomo.programme.overview import build_overview
from valvomo.programme.yamlio import parse_document

PROGRAMME = """\
programme:
  id: store-test
  name: {fi: Varastotesti, en: Store test}
  organisation: Testialue
  start: 2021-01-01
  end: 2022-12-31
  cadence: half_year
  periods: [5/2021, 11/2021, 5/2022, 11/2022]
benefit_goals:
  - number: 1
  - number: 2
spearheads:
  - number: 1
    name: Kärki
    goal: 1
    measures:
      - {name: Pysähtynyt, unit: PK/Peso, progress: {5/2021: 25, 11/2021: 25, 5/2022: 25}}
      - {name: Etenevä, unit: THK/Tepa, progress: {5/2021: 25, 11/2021: 50, 5/2022: 75}}
      - {name: Valmis, progress: {5/2021: 100, 11/2021: 100, 5/2022: 100}}
      - {name: Toinen tavoite, goal: 2, progress: {5/2021: 0, 11/2021: 0}}
indicators:
  - indicator: access_7d
    goal: 1
    baseline: {at: 2020Q4}
    interim: {value: 0.66, deadline: 2021Q4}
    target: {value: 0.8, deadline: 2022Q4}
  - indicator: t3_days
    spearhead: 1
    baseline: {value: 29, at: 2021-01-04}
    target: {value: 14, deadline: 2022Q4}
  - key: concept
    manual: yes_no
    name: Onko konsepti käytössä?
    target: {value: yes, deadline: 2022Q4}
risks:
  - {description: Pieni, probability: 1, impact: 2}
  - {description: Suuri, probability: 4, impact: 5}
  - {description: Keskikokoinen, probability: 3, impact: 3}
budget:
  - name: Rivi
    planned_eur: 1000
    actuals: {2021-01: 100, 2021-06: 200.5, 2022-01: 300}
"""


class HandMadeValues:
    """A small IndicatorValues with hand-made figures (quarters)."""

    data = {
        "access_7d": {"2020Q4": 0.50, "2021Q1": 0.58, "2021Q2": None, "2021Q3": 0.62, "2022Q1": 0.70},
        "t3_days": {"2021Q1": 25.0, "2021Q3": 26.0, "2022Q1": 20.0},
    }

    def series(self, indicator_id, period_kind, start=None, end=None):
        return MappingValues(self.data).series(indicator_id, period_kind, start, end)


@pytest.fixture
def stored(settings):
    with session_scope(settings) as session:
        service.save_document(session, parse_document(PROGRAMME))
    return settings


PROGRAMME_TABLES = {table.name for table in models.Base.metadata.sorted_tables if table.name in {
    "programme", "programme_period", "benefit_goal", "spearhead", "spearhead_goal", "measure", "assessment",
    "narrative", "indicator_link", "indicator_observation", "risk", "budget_line", "budget_actual"}}


def test_programme_revision_is_the_root_of_the_history(settings):
    script = ScriptDirectory.from_config(alembic_config(settings))
    root = script.get_revision("0001_programme")
    assert root.down_revision is None
    chain = [revision.revision for revision in script.walk_revisions()]
    assert chain[-1] == "0001_programme"
    assert current_revision(settings) == script.get_current_head()
    assert (settings.home / "app.sqlite3").exists()
    tables = set(inspect(get_engine(settings)).get_table_names())
    assert PROGRAMME_TABLES | {"alembic_version"} <= tables
    assert upgrade_to_head(settings) == script.get_current_head()  # idempotent


def _table_of(diff) -> str | None:
    kind, *rest = diff
    if kind in ("add_table", "remove_table"):
        return rest[0].name
    if kind in ("add_index", "remove_index"):
        return rest[0].table.name
    if kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        return rest[0].table.name
    return rest[1] if len(rest) > 1 else None


def test_migration_matches_the_models(settings):
    assert len(PROGRAMME_TABLES) == 13
    with get_engine(settings).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = []
        for diff in compare_metadata(context, Base.metadata):
            entries = diff if isinstance(diff, list) else [diff]
            diffs += [entry for entry in entries if _table_of(entry) in PROGRAMME_TABLES]
    assert diffs == []


def test_sqlite_enforces_foreign_keys(settings):
    with get_engine(settings).connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_save_list_get_and_replace(stored):
    with session_scope(stored) as session:
        (summary,) = service.list_programmes(session)
        assert (summary.id, summary.goals, summary.spearheads, summary.measures) == ("store-test", 2, 1, 4)
        assert summary.latest_assessed_period == "5/2022"
        assert summary.display_name("en") == "Store test"
        with pytest.raises(service.ProgrammeExists):
            service.save_document(session, parse_document(PROGRAMME))
    with session_scope(stored) as session:
        service.save_document(session, parse_document(PROGRAMME.replace("Kärki", "Uusi kärki")), replace=True)
    with session_scope(stored) as session:
        programme = service.get_programme(session, "store-test")
        assert programme.spearheads[0].name == {"fi": "Uusi kärki"}
        with pytest.raises(service.ProgrammeNotFound, match="stored programmes: store-test"):
            service.get_programme(session, "nope")


def test_record_assessment_on_either_scale(stored):
    with session_scope(stored) as session:
        programme = service.get_programme(session, "store-test")
        measure = programme.spearheads[0].measures[0]
        assessment = service.record_assessment(session, measure.id, "11/2022", 50, narrative=" Eteni. ", author="Maija")
        assert (assessment.percent, assessment.narrative, assessment.author) == (50, "Eteni.", "Maija")
        assert assessment.recorded_at is not None
        service.record_assessment(session, measure.id, "11/2022", 4, scale="levels")
        assert measure.assessment_for("11/2022").percent == 75
        with pytest.raises(service.ProgrammeError, match="not a step of the percent meter"):
            service.record_assessment(session, measure.id, "11/2022", 60)
        with pytest.raises(service.ProgrammeError, match="not a reporting period"):
            service.record_assessment(session, measure.id, "5/2023", 50)
        service.clear_assessment(session, measure.id, "11/2022")
        assert measure.assessment_for("11/2022") is None
    with session_scope(stored) as session:
        text_out = service.export_yaml(session, "store-test")
        assert "Maija" not in text_out


def test_narratives_indicator_values_budget_and_risks_are_editable(stored):
    with session_scope(stored) as session:
        programme = service.get_programme(session, "store-test")
        narrative = service.save_narrative(session, "store-test", "5/2021", "Tehty paljon.", spearhead_number=1)
        again = service.save_narrative(session, "store-test", "5/2021", "Tehty vielä enemmän.", spearhead_number=1)
        assert again is narrative and narrative.text == {"fi": "Tehty vielä enemmän."}
        service.save_narrative(session, "store-test", "5/2021", "Goal text", goal_number=2, lang="en")
        with pytest.raises(service.ProgrammeError):
            service.save_narrative(session, "store-test", "5/2021", "x")
        observation = service.record_indicator_value(session, "store-test", "concept", "2022Q1", True)
        assert observation.value == 1.0
        with pytest.raises(service.ProgrammeError, match="yes/no"):
            service.record_indicator_value(session, "store-test", "concept", "2022Q1", 3)
        with pytest.raises(service.ProgrammeError, match="registry indicator"):
            service.record_indicator_value(session, "store-test", "access_7d", "2022Q1", 0.5)
        line = programme.budget_lines[0]
        service.record_budget_actual(session, line.id, "2022-02", "49.5")
        with pytest.raises(service.ProgrammeError, match="not a month"):
            service.record_budget_actual(session, line.id, "2022Q1", 10)
        risk = programme.risks[0]
        service.update_risk(session, risk.id, probability=5, impact=5, status="mitigated", mitigation="Lisää väkeä")
        assert risk.score == 25 and risk.status == "mitigated"
        with pytest.raises(service.ProgrammeError):
            service.update_risk(session, risk.id, impact=6)
    with session_scope(stored) as session:
        exported = parse_document(service.export_yaml(session, "store-test"))
        assert exported.indicators[2].values == {"2022Q1": True}
        assert str(exported.budget[0].actuals["2022-02"]) == "49.5"
        assert exported.risks[0].score == 25


def test_delete_cascades(stored):
    with session_scope(stored) as session:
        service.delete_programme(session, "store-test")
    with session_scope(stored) as session:
        assert session.query(models.Assessment).count() == 0
        assert session.query(models.IndicatorLink).count() == 0


def test_stalled_measures_distribution_and_means(stored):
    with session_scope(stored) as session:
        programme = service.get_programme(session, "store-test")
        assert [m.name["fi"] for m in progress.stalled_measures(programme, "5/2022")] == ["Pysähtynyt"]
        assert progress.stalled_measures(programme, "11/2021") == []  # only two assessments so far
        goal_1 = programme.goal_by_number(1)
        dist = progress.distribution(progress.measures_of_goal(programme, goal_1), "5/2022")
        assert dist.counts == {0: 0, 25: 1, 50: 0, 75: 1, 100: 1} and dist.not_assessed == 0
        assert dist.mean_percent == pytest.approx(200 / 3)
        goal_2 = programme.goal_by_number(2)
        assert progress.distribution(progress.measures_of_goal(programme, goal_2), "5/2022").not_assessed == 1


def test_risk_scores_and_budget(stored):
    assert risks.score(4, 5) == 20
    assert [risks.band(s) for s in (4, 5, 10, 15)] == ["low", "moderate", "high", "critical"]
    with pytest.raises(ValueError):
        risks.score(0, 3)
    with session_scope(stored) as session:
        programme = service.get_programme(session, "store-test")
        assert [r.description["fi"] for r in risks.by_score(programme.risks)] == ["Suuri", "Keskikokoinen", "Pieni"]
        summary = budget.summary(programme, dt.date(2021, 6, 30))
        (line,) = summary.lines
        assert (line.planned, line.actual, line.months) == (1000, pytest.approx(300.5), 2)
        assert line.used_share == pytest.approx(0.3005)
        assert budget.summary(programme).actual == pytest.approx(600.5)


def test_overview_evaluates_indicator_links(stored):
    with session_scope(stored) as session:
        programme = service.get_programme(session, "store-test")
        overview = build_overview(programme, "11/2021", HandMadeValues())
        assert overview.indicator_period == "2021Q3"
        assert overview.shown_periods == ["5/2021", "11/2021"]
        access, t3, concept = overview.indicators
        assert access.current.value == 0.62
        assert access.baseline.value == 0.50 and access.baseline_computed
        assert [p.label for p in access.series] == ["2021Q1", "2021Q2", "2021Q3"]
        assert access.series[1].suppressed
        # 2021Q3 is before the interim deadline 2021Q4: the path from 50 % to 66 % is near 62 %.
        assert access.evaluation.status in ("on_track", "off_track")
        assert access.evaluation.expected == pytest.approx(0.50 + 0.16 * 273 / 365, abs=1e-3)
        assert t3.direction == "lower" and t3.current.value == 26.0
        assert t3.evaluation.status == "off_track"  # 26 days is above the path from 29 to 14
        assert concept.evaluation.status == "no_data"
        goal_1 = overview.goals[0]
        assert [r.key for r in goal_1.indicators] == ["access_7d", "t3_days"]
        assert overview.general_indicators == [concept]
        rows = goal_1.spearheads[0].measures
        assert rows[0].values == [25, 25, None, None]  # 5/2022 is after the report period


def test_overview_without_values_reports_why(stored):
    with session_scope(stored) as session:
        overview = build_overview(service.get_programme(session, "store-test"), "5/2022", None)
        assert overview.indicators[0].error == "no indicator values available"
        assert overview.warnings


def test_comparison_across_programmes(stored):
    second = PROGRAMME.replace("id: store-test", "id: other").replace("progress: {5/2021: 0, 11/2021: 0}", "progress: {5/2021: 50}")
    with session_scope(stored) as session:
        service.save_document(session, parse_document(second))
    with session_scope(stored) as session:
        programmes = [service.get_programme(session, pid) for pid in ("store-test", "other")]
        result = compare.compare(programmes, HandMadeValues(), {"other": "11/2021"})
        assert result.periods == {"store-test": "5/2022", "other": "11/2021"}
        assert result.goal_keys() == [("benefit_goals", 1), ("benefit_goals", 2)]
        row = result.row("store-test", "benefit_goals", 1)
        assert row.distribution.counts[25] == 1 and row.stalled == 1
        assert result.row("other", "benefit_goals", 2).distribution.not_assessed == 1
        ids = [entry.indicator_id for entry in result.indicators]
        assert ids == ["access_7d", "t3_days"]
        access = result.indicators[0]
        assert access.cells["store-test"].current.value == 0.70
        assert access.cells["other"].current.value == 0.62
