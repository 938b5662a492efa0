"""`valvomo indicators`: output contract in JSON/CSV/table, disclosure control, clear errors (exit code 2).

The warehouse here is a small in-memory one handed to the result store; the
end-to-end test through synth + ingest is in test_cli_indicators_e2e.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from typer.testing import CliRunner

from valvomo.cli import app
from valvomo.config import get_settings
from valvomo.indicators.registry import Query
from valvomo.indicators.runner import compute
from valvomo.services.results import ResultStore, clear_cache
from valvomo.warehouse.backends import connect_duckdb
from valvomo.warehouse.sources import MemorySources

WAITS = (0, 2, 5, 9, 12, 20, 40, 100)


class TinyWarehouse(MemorySources):
    def __init__(self, tables, snapshot_id="cli-1"):
        super().__init__(tables, backend=connect_duckdb())
        self.snapshot_id = snapshot_id

    def is_empty(self) -> bool:
        return not self.has("contacts")


def contacts(n=160):
    """Care-guarantee contacts at three stations in 2024 H1 (station S3 gets only every 10th: few events)."""
    rows = []
    first = dt.datetime(2024, 1, 2, 8, 0)
    for i in range(n):
        assessed = first + dt.timedelta(days=(i * 7) % 150)
        station = "S3" if i % 10 == 0 else ("S1" if i % 2 else "S2")
        rows.append(
            {
                "contact_id": f"c{i}",
                "patient_id": f"p{i % 90}",
                "station_id": station,
                "profession": "physician" if i % 3 else "nurse",
                "contact_type": "R10",
                "service_type": "T11",
                "nature": "SH",
                "urgency": "non_urgent",
                "assessed_at": assessed,
                "started_at": assessed + dt.timedelta(days=WAITS[i % len(WAITS)], hours=2),
            }
        )
    return rows


@pytest.fixture(scope="module")
def warehouse():
    return TinyWarehouse({"contacts": contacts()})


@pytest.fixture
def cli(tmp_path, monkeypatch, warehouse):
    """Run the CLI with VALVOMO_HOME in a temporary directory over ``warehouse``."""
    monkeypatch.setenv("VALVOMO_HOME", str(tmp_path))
    monkeypatch.delenv("VALVOMO_DISCLOSURE_PROFILE", raising=False)
    monkeypatch.delenv("VALVOMO_LANGUAGE", raising=False)
    monkeypatch.delenv("VALVOMO_API_TOKEN", raising=False)
    monkeypatch.setattr(ResultStore, "_open_warehouse", lambda self: warehouse)
    get_settings.cache_clear()
    clear_cache()
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, ["indicators", *args])

    yield run
    get_settings.cache_clear()
    clear_cache()


def test_json_rows_have_the_contract_keys(cli):
    result = cli("--indicator", "access_7d", "--by", "station", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and all(
        list(r)
        == ["indicator", "period", "station_id", "value", "numerator", "denominator", "unit", "suppressed"]
        for r in rows
    )
    shown = [r for r in rows if not r["suppressed"]]
    # standard profile: counts are multiples of 5, shares are fractions recomputed from them
    assert all(r["numerator"] % 5 == 0 and r["denominator"] % 5 == 0 for r in shown)
    assert all(0 <= r["value"] <= 1 and r["value"] == r["numerator"] / r["denominator"] for r in shown)
    assert "Disclosure control: standard" in result.stderr or "Tietosuojakäsittely: vakio" in result.stderr


def test_small_groups_are_null_and_flagged(cli):
    result = cli("-i", "waiting_days_median", "--by", "station", "--period", "month", "--format", "json")
    rows = json.loads(result.stdout)
    s3 = [r for r in rows if r["station_id"] == "S3"]
    # S3 has 16 events over six months: at most 4 a month, so every monthly median is redacted
    assert s3 and all(r["suppressed"] and r["value"] is None and r["n"] is None for r in s3)
    assert list(s3[0]) == ["indicator", "period", "station_id", "value", "n", "unit", "suppressed"]


def test_distribution_rows_carry_bin(cli):
    rows = json.loads(cli("-i", "waiting_days_distribution", "--format", "json").stdout)
    assert {r["bin"] for r in rows} <= {"0", "1-7", "8-14", "15-28", "29-90", ">90"}
    assert all({"bin", "n", "numerator", "denominator"} <= set(r) for r in rows)


@pytest.fixture
def analyst_tokens(cli, tmp_path):
    from analyst_token import issue_tokens

    return issue_tokens(get_settings())


def test_unsuppressed_needs_an_analyst_token_and_is_audit_logged(cli, analyst_tokens, monkeypatch):
    """Issue 11 item 11: no token, a bad token or a viewer's token is refused (exit 2, one line);
    an analyst's token (option or VALVOMO_API_TOKEN) works and writes the audit log."""
    from valvomo.appdb import session_scope
    from valvomo.web.auth import audit

    args = ("-i", "access_7d", "--format", "json", "--unsuppressed")
    missing = cli(*args)
    assert missing.exit_code == 2 and "needs an analyst's API token" in missing.stderr
    assert "Traceback" not in missing.stderr and missing.stdout == ""
    assert cli(*args, "--token", "vlv_not-a-token").exit_code == 2
    viewer = cli(*args, "--token", analyst_tokens["viewer"])
    assert viewer.exit_code == 2 and "role 'viewer'" in viewer.stderr
    with session_scope(get_settings()) as db:
        assert audit.count(db, audit.CLI_UNSUPPRESSED) == 0
    allowed = cli(*args, "--token", analyst_tokens["analyst"])
    assert allowed.exit_code == 0, allowed.stderr
    monkeypatch.setenv("VALVOMO_API_TOKEN", analyst_tokens["analyst"])
    get_settings.cache_clear()
    assert cli(*args).exit_code == 0
    with session_scope(get_settings()) as db:
        entries = audit.read(db, audit.AuditFilter(action=audit.CLI_UNSUPPRESSED))
    assert len(entries) == 2
    assert entries[0].username == "cli-analyst"
    assert entries[0].detail["indicators"] == "access_7d"
    assert entries[0].detail["rows"] == len(json.loads(allowed.stdout)) > 0


def test_unsuppressed_equals_live_computation_and_warns(cli, warehouse, analyst_tokens):
    result = cli(
        "-i",
        "access_7d",
        "-i",
        "waiting_days_median",
        "--by",
        "station,profession",
        "--period",
        "year",
        "--format",
        "json",
        "--unsuppressed",
        "--token",
        analyst_tokens["analyst"],
    )
    assert result.exit_code == 0, result.stderr
    assert "not disclosure-controlled" in result.stderr
    query = Query(period="year", by=("station", "profession"))
    expected = compute("access_7d", warehouse, query) + compute("waiting_days_median", warehouse, query)
    assert json.loads(result.stdout) == expected


def test_cli_equals_store_before_and_after_materialising(cli, tmp_path, warehouse):
    args = (
        "-i",
        "access_7d",
        "-i",
        "waiting_days_distribution",
        "-i",
        "coci",
        "--by",
        "station",
        "--period",
        "quarter",
        "--from",
        "2024-01-01",
        "--to",
        "2024-06-30",
        "--format",
        "json",
    )
    before = json.loads(cli(*args).stdout)
    materialised = CliRunner().invoke(
        app, ["materialise", "--quiet", "-i", "access_7d", "-i", "waiting_days_distribution"]
    )
    assert materialised.exit_code == 0 and "Stored" in materialised.stderr
    assert (tmp_path / "results" / "cli-1" / "manifest.json").exists()
    after = json.loads(cli(*args).stdout)
    assert before == after
    store = ResultStore(get_settings(), warehouse=warehouse)
    # 2 indicators x (4 breakdowns by quarter + county and station by month and by year) = 2 x 8
    assert store.status()["combinations"] == 16
    # access_7d and the distribution come from the store, coci is computed live: the same rows either way
    assert after == store.query(
        ["access_7d", "waiting_days_distribution", "coci"],
        period="quarter",
        by="station",
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 6, 30),
    )
    # --from/--to keep whole periods only
    assert {r["period"] for r in after} == {"2024Q1", "2024Q2"}


def test_csv_has_flag_column_and_empty_redacted_cells(cli):
    result = cli("-i", "access_7d", "--by", "station", "--period", "month", "--format", "csv")
    assert result.exit_code == 0
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(records[0]) == [
        "indicator",
        "period",
        "station_id",
        "value",
        "numerator",
        "denominator",
        "unit",
        "suppressed",
    ]
    hidden = [r for r in records if r["suppressed"] == "true"]
    assert hidden and all(r["value"] == "" and r["numerator"] == "" for r in hidden)
    assert {r["suppressed"] for r in records} == {"true", "false"}


def test_table_is_localised_and_names_the_profile(cli, monkeypatch):
    monkeypatch.setenv("VALVOMO_LANGUAGE", "sv")
    get_settings.cache_clear()
    result = cli("-i", "access_7d", "--by", "station", "--period", "month")
    assert result.exit_code == 0
    assert "Icke-brådskande besök inom 7 dygn" in result.stdout
    assert "Röjandekontroll: standard" in result.stdout
    assert "<8" in result.stdout and "\u00a0%" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--indicator", "nope"), "unknown indicator 'nope'"),
        (("-i", "access_7d", "--by", "ward"), "unknown dimension 'ward'"),
        (("-i", "coci", "--by", "profession"), "its grain allows: age_band, language, municipality, station"),
        (
            (
                "-i",
                "t3_days",
            ),
            "no table 'slots'",
        ),
        (("--period", "week"), "--period must be month, quarter or year"),
        (("--from", "1.1.2024"), "--from must be a date YYYY-MM-DD"),
        (("--format", "xml"), "--format must be one of table, csv, json"),
    ],
)
def test_input_errors_exit_2_without_traceback(cli, args, message):
    result = cli(*args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr + result.stdout


def test_empty_warehouse_exits_2(cli, monkeypatch):
    empty = TinyWarehouse({})
    monkeypatch.setattr(ResultStore, "_open_warehouse", lambda self: empty)
    result = cli("--format", "json")
    assert result.exit_code == 2
    assert "the warehouse is empty; run `valvomo ingest DIR` or `valvomo demo`" in " ".join(
        result.stderr.split()
    )


def test_docs_indicators_check(tmp_path):
    target = tmp_path / "indicators.md"
    runner = CliRunner()
    assert runner.invoke(app, ["docs-indicators", "--output", str(target), "--check"]).exit_code == 1
    assert runner.invoke(app, ["docs-indicators", "--output", str(target)]).exit_code == 0
    assert runner.invoke(app, ["docs-indicators", "--output", str(target), "--check"]).exit_code == 0


def test_table_prints_station_names_beside_codes_and_periods_as_shown(tmp_path, monkeypatch):
    """Issue 11 items 6 and 7: the CLI table names the station beside its code and prints the
    period the way the dashboard does (Q1/2024)."""
    stations = [{"station_id": s, "name_fi": f"Asema {s}", "name_sv": f"Station {s}", "kind": "health_station",
                 "municipality": "638"} for s in ("S1", "S2", "S3")]
    named = TinyWarehouse({"contacts": contacts(), "stations": stations}, snapshot_id="cli-named")
    monkeypatch.setenv("VALVOMO_HOME", str(tmp_path))
    monkeypatch.setenv("VALVOMO_LANGUAGE", "sv")
    monkeypatch.setattr(ResultStore, "_open_warehouse", lambda self: named)
    get_settings.cache_clear()
    clear_cache()
    try:
        result = CliRunner().invoke(app, ["indicators", "-i", "access_7d", "--by", "station"])
    finally:
        get_settings.cache_clear()
        clear_cache()
    assert result.exit_code == 0, result.stderr
    assert "Stationens namn" in result.stdout
    assert "Station S1" in result.stdout and "S1" in result.stdout
    assert "Q1/2024" in result.stdout and "2024Q1" not in result.stdout
