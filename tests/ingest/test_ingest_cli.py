"""`valvomo ingest`, `valvomo warehouse-info` and `valvomo docs data-model` through typer's CliRunner."""

from __future__ import annotations

import pytest
from ingest_helpers import STATION_ROWS, contact, write_folder
from typer.testing import CliRunner

from valvomo.cli import app
from valvomo.config import get_settings
from valvomo.schema.docs import render_data_model
from valvomo.warehouse.store import Warehouse


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.setenv("VALVOMO_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_ingest_prints_rows_per_table(runner, tmp_path):
    folder = write_folder(
        tmp_path / "in", {"stations": STATION_ROWS, "contacts": [contact("C1"), contact("C2"), contact("C3")]}
    )
    result = runner.invoke(app, ["ingest", str(folder), "--no-progress", "--no-materialise"])
    assert result.exit_code == 0, result.output
    assert "stations" in result.output and "contacts" in result.output
    assert "snapshot " in result.output
    info = runner.invoke(app, ["warehouse-info"])
    assert info.exit_code == 0
    assert "contacts" in info.output and "3" in info.output


def test_append_flag(runner, tmp_path):
    assert (
        runner.invoke(
            app, ["ingest", "--no-materialise", str(write_folder(tmp_path / "a", {"contacts": [contact("C1")]}))]
        ).exit_code
        == 0
    )
    result = runner.invoke(
        app, ["ingest", "--no-materialise", "--append", str(write_folder(tmp_path / "b", {"contacts": [contact("C2")]}))]
    )
    assert result.exit_code == 0, result.output
    assert Warehouse(get_settings()).row_counts() == {"contacts": 2}


def test_validation_failure_exits_1_without_traceback(runner, tmp_path):
    folder = write_folder(tmp_path / "in", {"contacts": [contact("C1"), contact("C2", urgency="soon")]})
    result = runner.invoke(app, ["ingest", "--no-materialise", str(folder)])
    assert result.exit_code == 1
    assert (
        "contacts.csv:2  urgency  'soon' — unknown code; allowed values: urgent, non_urgent" in result.output
    )
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # typer.Exit(1), not an uncaught error


def test_missing_folder_exits_1(runner, tmp_path):
    result = runner.invoke(app, ["ingest", "--no-materialise", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "is not a folder" in result.output and "Traceback" not in result.output


def test_empty_warehouse_info(runner):
    result = runner.invoke(app, ["warehouse-info"])
    assert result.exit_code == 0 and "empty" in result.output


def test_docs_data_model_writes_and_checks(runner, tmp_path):
    target = tmp_path / "data-model.md"
    assert runner.invoke(app, ["docs", "data-model", "--output", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == render_data_model()
    assert runner.invoke(app, ["docs", "data-model", "--output", str(target), "--check"]).exit_code == 0
    target.write_text("stale", encoding="utf-8")
    assert runner.invoke(app, ["docs", "data-model", "--output", str(target), "--check"]).exit_code == 1
