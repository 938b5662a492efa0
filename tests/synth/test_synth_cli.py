"""`valvomo synth` writes the county and reports rows per table; bad options give clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from valvomo.cli import app
from valvomo.schema import LOAD_ORDER

runner = CliRunner()


def test_synth_command_writes_the_county(tmp_path: Path) -> None:
    out = tmp_path / "county"
    result = runner.invoke(
        app,
        [
            "synth",
            "--population",
            "400",
            "--years",
            "1",
            "--start",
            "2024-01-01",
            "--seed",
            "5",
            "--out",
            str(out),
            "--format",
            "parquet",
        ],
    )
    assert result.exit_code == 0, result.output
    for name in LOAD_ORDER:
        assert (out / f"{name}.parquet").exists()
        assert f"{name}.parquet" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["population"] == 400 and manifest["seed"] == 5 and manifest["patients_are_all_residents"]
    assert "400" in result.output


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--start", "2024-02-30"], "YYYY-MM-DD"),
        (["--population", "50"], "at least 100"),
        (["--years", "0"], "from 1 to 20"),
        (["--seed", "-4"], "zero or positive"),
        (["--format", "xlsx"], "csv or parquet"),
        (["--population", "many"], "integer"),
    ],
)
def test_bad_options_give_a_clear_error(tmp_path: Path, options: list[str], fragment: str) -> None:
    result = runner.invoke(app, ["synth", "--out", str(tmp_path / "x"), *options])
    assert result.exit_code == 2
    assert fragment in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_out_must_be_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, ["synth", "--population", "100", "--out", str(target)])
    assert result.exit_code == 2
    assert "not a folder" in " ".join(result.output.split())
