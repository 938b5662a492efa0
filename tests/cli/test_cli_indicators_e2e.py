"""End to end: synthetic county -> ingest -> `valvomo materialise` / `valvomo indicators`.

A county of 3 000 residents and one year (about 15 000 contacts) is generated
and ingested once for the module; the CLI then reads it through the real
warehouse and result store.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from typer.testing import CliRunner

from valvomo.cli import app
from valvomo.config import Settings, get_settings
from valvomo.disclosure import protect_breakdown, protect_rows
from valvomo.indicators.registry import Query
from valvomo.indicators.runner import compute
from valvomo.services.results import ResultStore, clear_cache
from valvomo.warehouse.store import Warehouse

UNITS = {"share", "days", "count", "eur", "score", "rate_per_1000", "index", "hours", "ratio"}
KEYS = {"indicator", "period", "value", "unit", "suppressed"}


@pytest.fixture(scope="module")
def county_home(tmp_path_factory):
    from valvomo.ingest import ingest_folder
    from valvomo.synth import generate

    root = tmp_path_factory.mktemp("county")
    generate(
        root / "source",
        population=3000,
        years=1,
        start=dt.date(2024, 1, 1),
        seed=11,
        fmt="csv",
        progress=False,
    )
    home = root / "home"
    ingest_folder(Settings(home=home), root / "source", progress=False)
    return home


@pytest.fixture(scope="module")
def county_source(county_home):
    return county_home.parent / "source"


@pytest.fixture
def run(county_home, monkeypatch):
    monkeypatch.setenv("VALVOMO_HOME", str(county_home))
    for name in ("VALVOMO_DISCLOSURE_PROFILE", "VALVOMO_LANGUAGE", "VALVOMO_BACKEND", "VALVOMO_TARGETS_FILE"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    clear_cache()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()
    clear_cache()


def test_every_indicator_the_data_allow(run):
    result = run("indicators", "--period", "year", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    indicators = {r["indicator"] for r in rows}
    # the synthetic county has every table: access, T3 (slots), guidance, feedback and rates all appear
    assert {"access_7d", "t3_days", "guidance_same_day", "nps", "coverage", "coci"} <= indicators
    for row in rows:
        assert set(row) >= KEYS and row["unit"] in UNITS and row["period"] in ("2023", "2024", "2025")
        assert (row["value"] is None) or not row["suppressed"]
        if row["unit"] == "share" and row["value"] is not None:
            assert 0 <= row["value"] <= 1


def test_cli_rows_equal_store_and_live_computation(run, county_home):
    from analyst_token import issue_tokens

    materialised = run("materialise", "--quiet", "-i", "access_7d", "-i", "waiting_days_distribution")
    assert materialised.exit_code == 0, materialised.stderr
    settings = get_settings()
    tokens = issue_tokens(settings)
    store = ResultStore(settings)
    # 2 indicators x (4 breakdowns by quarter + county and station by month and by year) = 2 x 8
    assert store.is_materialised() and store.status()["combinations"] == 16
    for indicator in ("access_7d", "waiting_days_distribution"):
        result = run("indicators", "-i", indicator, "--by", "station,profession", "--format", "json")
        assert result.exit_code == 0
        rows = json.loads(result.stdout)
        live = compute(indicator, Warehouse(settings), Query(period="quarter", by=("station", "profession")))
        protected = protect_breakdown(protect_rows(live, "standard"), "standard")
        assert rows == store.query([indicator], by="station,profession") == protected
        assert len(rows) > 40 and any(r["suppressed"] for r in rows)
        unsuppressed = json.loads(
            run(
                "indicators",
                "-i",
                indicator,
                "--by",
                "station,profession",
                "--format",
                "json",
                "--unsuppressed",
                "--token",
                tokens["analyst"],
            ).stdout
        )
        assert unsuppressed == live


def test_csv_flag_column(run):
    result = run(
        "indicators", "-i", "waiting_days_median", "--by", "station", "--period", "month", "--format", "csv"
    )
    assert result.exit_code == 0
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(records[0]) == ["indicator", "period", "station_id", "value", "n", "unit", "suppressed"]
    assert all((r["value"] == "") == (r["suppressed"] == "true") for r in records)
    assert len({r["period"] for r in records}) == 12


def test_rate_asked_per_quarter_is_a_clear_error(run):
    result = run("indicators", "-i", "coverage", "--period", "quarter")
    assert result.exit_code == 2
    assert "defined per year" in " ".join(result.stderr.split()) and "Traceback" not in result.stderr


def test_empty_home_exits_2(run, tmp_path, monkeypatch):
    monkeypatch.setenv("VALVOMO_HOME", str(tmp_path / "nothing-here"))
    get_settings.cache_clear()
    result = run("indicators", "--format", "json")
    assert result.exit_code == 2
    assert "the warehouse is empty" in result.stderr


def test_new_ingest_is_followed_and_old_results_removed(county_source, tmp_path):
    from valvomo.ingest import ingest_folder

    settings = Settings(home=tmp_path / "home")
    clear_cache()
    first = ingest_folder(settings, county_source, progress=False).snapshot_id
    store = ResultStore(settings)
    store.materialise(progress=False, indicators=["access_7d"])
    assert store.snapshot_id == first and store.is_materialised()
    second = ingest_folder(settings, county_source, progress=False).snapshot_id
    assert second != first and store.snapshot_id == first  # a store keeps reading its snapshot ...
    store.refresh()
    assert store.snapshot_id == second and not store.is_materialised()  # ... until refreshed
    store.materialise(progress=False, indicators=["access_7d"])
    assert [p.name for p in (settings.home / "results").iterdir()] == [second]
    clear_cache()
