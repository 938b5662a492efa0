"""`valvomo programme ...` and `valvomo report`: clear messages, exit codes, no tracebacks."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from plan_yaml import plan_yaml
from valvomo.cli import app
from valvomo.config import get_settings
from valvomo.programme.examples import example_path

runner = CliRunner()

GOOD = plan_yaml(
    "cli-test", "CLI-testi", start="2021-01-01", end="2021-12-31", cadence="quarter", periods=["2021Q1", "2021Q2"],
    measures="- {name: Toimenpide, progress: {2021Q1: 25, 2021Q2: 50}}\n",
)


@pytest.fixture
def home(settings, monkeypatch):
    monkeypatch.setenv("VALVOMO_HOME", str(settings.home))
    get_settings.cache_clear()
    yield settings.home
    get_settings.cache_clear()


def test_import_list_export_round_trip(home, tmp_path):
    source = tmp_path / "cli.yaml"
    source.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["programme", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "Imported cli-test: 1 goals, 1 spearheads, 1 measures." in result.output
    again = runner.invoke(app, ["programme", "import", str(source)])
    assert again.exit_code == 2 and "--replace" in again.output
    assert runner.invoke(app, ["programme", "import", str(source), "--replace"]).exit_code == 0
    listed = runner.invoke(app, ["programme", "list"])
    assert listed.exit_code == 0 and "cli-test" in listed.output
    exported = runner.invoke(app, ["programme", "export", "cli-test"])
    assert exported.exit_code == 0
    assert "progress: {2021Q1: 25, 2021Q2: 50}" in exported.output
    out = tmp_path / "out.yaml"
    assert runner.invoke(app, ["programme", "export", "cli-test", "--out", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == exported.output


def test_import_reports_every_error_without_traceback(home, tmp_path):
    source = tmp_path / "bad.yaml"
    source.write_text(GOOD.replace("goal: 1\n", "goal: 4\n").replace("2021Q2: 50", "2021Q2: 55"), encoding="utf-8")
    result = runner.invoke(app, ["programme", "import", str(source)])
    assert result.exit_code == 2
    assert f"{source}: 2 errors" in result.output
    assert f"{source}:14:11: spearheads[0].goal: benefit goal 4 does not exist" in result.output
    assert "55 is not a step of the percent meter" in result.output
    assert "Traceback" not in result.output
    missing = runner.invoke(app, ["programme", "import", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "cannot read the file" in missing.output


def test_unknown_programme_and_bad_options(home):
    result = runner.invoke(app, ["programme", "export", "nope"])
    assert result.exit_code == 2 and "no programme 'nope'" in result.output
    report = runner.invoke(app, ["report", "--programme", "nope", "--format", "html"])
    assert report.exit_code == 2 and "no programme 'nope'" in report.output
    assert runner.invoke(app, ["report", "--programme", "x", "--format", "odt"]).exit_code == 2
    assert runner.invoke(app, ["report", "--programme", "x", "--lang", "de"]).exit_code == 2


def test_load_examples_and_write_a_report(home, tmp_path):
    result = runner.invoke(app, ["programme", "load-examples"])
    assert result.exit_code == 0
    assert "helsinki-tsk, keski-suomi-tsk, rrp-lansi-uusimaa" in result.output
    out = tmp_path / "ks.html"
    report = runner.invoke(
        app, ["report", "--programme", "keski-suomi-tsk", "--period", "4/2021", "--format", "html", "--lang", "sv", "--out", str(out)]
    )
    assert report.exit_code == 0, report.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="sv">' in html and "Självvärdering 4/2021" in html
    assert "disclosure profile standard" in report.output
    wrong = runner.invoke(app, ["report", "--programme", "keski-suomi-tsk", "--period", "5/2021"])
    assert wrong.exit_code == 2 and "not a reporting period" in wrong.output


def test_examples_exist():
    for name in ("helsinki", "keski_suomi", "rrp_lansi_uusimaa"):
        assert example_path(name).exists()
