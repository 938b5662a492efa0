"""`valvomo segments` and `valvomo caregaps`: the output contract of `valvomo indicators`, disclosure on, exit 2."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from valvomo.cli import app
from valvomo.config import get_settings
from valvomo.indicators.registry import Query
from valvomo.indicators.runner import compute
from valvomo.segments.caregaps import DEFAULT_FILE
from valvomo.segments.registry import SEGMENT_REGISTRY
from valvomo.services.results import ResultStore, clear_cache
from valvomo.warehouse.backends import connect_duckdb
from valvomo.warehouse.sources import MemorySources


class CountyWarehouse(MemorySources):
    snapshot_id = "seg-cli-1"

    def is_empty(self) -> bool:
        return not self.has("contacts")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from valvomo import synth

    out = tmp_path_factory.mktemp("segcli")
    synth.generate(out, population=3000, years=1, fmt="parquet", progress=False)
    tables = {p.stem: pq.read_table(p) for p in out.glob("*.parquet")}
    return CountyWarehouse(tables, backend=connect_duckdb(), manifest=json.loads((out / "manifest.json").read_text()))


@pytest.fixture
def cli(tmp_path, monkeypatch, warehouse):
    monkeypatch.setenv("VALVOMO_HOME", str(tmp_path))
    monkeypatch.setenv("VALVOMO_LANGUAGE", "en")
    monkeypatch.delenv("VALVOMO_DISCLOSURE_PROFILE", raising=False)
    monkeypatch.setattr(ResultStore, "_open_warehouse", lambda self: warehouse)
    get_settings.cache_clear()
    clear_cache()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()
    clear_cache()


def test_segment_mix_json_is_disclosure_controlled(cli, warehouse):
    result = cli("segments", "-o", "utilisation_segment_mix", "--by", "station", "--period", "year", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and all(
        list(r) == ["indicator", "period", "station_id", "bin", "value", "numerator", "denominator", "unit", "suppressed"]
        for r in rows
    )
    shown = [r for r in rows if not r["suppressed"]]
    assert shown and all(r["numerator"] % 5 == 0 and r["denominator"] % 5 == 0 for r in shown)
    assert "Disclosure control: standard" in result.stderr
    raw = compute("utilisation_segment_mix", warehouse, Query(period="year", by=("station",)), registry=SEGMENT_REGISTRY)
    assert len(raw) == len(rows) and any(r["numerator"] % 5 for r in raw)  # the rounding did something


def test_caregap_counts_csv(cli):
    result = cli("caregaps", "--period", "year", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and list(rows[0]) == [
        "indicator", "period", "station_id", "bin", "value", "numerator", "denominator", "unit", "suppressed",
    ]  # fmt: skip
    assert {r["bin"] for r in rows} == {"t2d_no_hba1c_12m", "hba1c_high_no_contact_6m", "hypertension_no_bp_12m"}
    assert all(r["value"] == "" for r in rows if r["suppressed"] == "true")


def test_table_output_names_the_outputs(cli):
    result = cli("segments", "-o", "gini_cost", "--period", "year")
    assert result.exit_code == 0, result.stderr
    assert "Gini coefficient of cost" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("segments", "-o", "nope"), "unknown segment output 'nope'"),
        (("segments", "--by", "profession", "-o", "gini_cost"), "cannot be broken down by 'profession'"),
        (("segments", "--period", "week"), "--period must be month, quarter or year"),
        (("segments", "-o", "care_gaps"), "valvomo caregaps"),
        (("caregaps", "--format", "xml"), "--format must be one of"),
        (("caregaps", "--from", "2024-13-01"), "--from must be a date"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(cli, args, message):
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_check_lists_rule_file_errors_with_line(cli, tmp_path):
    broken = tmp_path / "rules.yaml"
    text = DEFAULT_FILE.read_text(encoding="utf-8").replace("{test: HbA1c, months: 12}", "{test: HbA1c, months: 240}")
    broken.write_text(text, encoding="utf-8")
    line = text.splitlines().index("      - no_lab: {test: HbA1c, months: 240}") + 1
    result = cli("caregaps", "--check", str(broken))
    assert result.exit_code == 2
    assert f"{broken}:{line}: rules[0].conditions[0].no_lab.months" in result.stderr.replace("\n", "")
    good = cli("caregaps", "--check", str(DEFAULT_FILE))
    assert good.exit_code == 0 and "3 rules, all valid" in good.stderr


@pytest.fixture
def analyst_tokens(cli):
    from analyst_token import issue_tokens

    return issue_tokens(get_settings())


@pytest.mark.parametrize(
    ("args", "output_ids", "command"),
    [
        (("segments", "-o", "utilisation_segment_mix", "--by", "station", "--period", "year"),
         "utilisation_segment_mix", "segments"),
        (("caregaps", "--period", "year"), "care_gaps", "caregaps"),
    ],
)  # fmt: skip
def test_unsuppressed_needs_an_analyst_token_and_is_audit_logged(cli, warehouse, analyst_tokens, args, output_ids,
                                                                 command):  # fmt: skip
    """`--unsuppressed` on segments and caregaps: the rule and audit entry of `valvomo indicators`
    (cli._unsuppressed): refused without a token or with a viewer's (exit 2, one line, nothing on
    stdout, no audit entry); an analyst's token gives the raw rows and writes one audit entry."""
    from valvomo.appdb import session_scope
    from valvomo.web.auth import audit

    args = (*args, "--format", "json", "--unsuppressed")
    missing = cli(*args)
    assert missing.exit_code == 2 and "needs an analyst's API token" in missing.stderr
    assert "Traceback" not in missing.stderr and missing.stdout == ""
    bad = cli(*args, "--token", "vlv_not-a-token")
    assert bad.exit_code == 2 and "unknown, revoked" in bad.stderr
    viewer = cli(*args, "--token", analyst_tokens["viewer"])
    assert viewer.exit_code == 2 and "role 'viewer'" in viewer.stderr and viewer.stdout == ""
    with session_scope(get_settings()) as db:
        assert audit.count(db, audit.CLI_UNSUPPRESSED) == 0

    allowed = cli(*args, "--token", analyst_tokens["analyst"])
    assert allowed.exit_code == 0, allowed.stderr
    assert "not disclosure-controlled" in allowed.stderr
    rows = json.loads(allowed.stdout)
    by = ("station",)
    raw = compute(output_ids, warehouse, Query(period="year", by=by), registry=SEGMENT_REGISTRY)
    assert rows and rows == raw and not any(r["suppressed"] for r in rows)
    assert any(r["numerator"] % 5 for r in rows)  # not rounded: really unprotected
    with session_scope(get_settings()) as db:
        entries = audit.read(db, audit.AuditFilter(action=audit.CLI_UNSUPPRESSED))
    assert len(entries) == 1
    assert entries[0].username == "cli-analyst" and entries[0].detail["command"] == command
    assert entries[0].detail["indicators"] == output_ids and entries[0].detail["rows"] == len(rows)
