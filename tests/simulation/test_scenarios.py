"""Scenario files: validated with the field named (path and line), levers applied as documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from valvomo.simulation import metrics
from valvomo.simulation.model import simulate
from valvomo.simulation.scenario import ScenarioError, apply_scenario, load_scenario, parse_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "valvomo" / "simulation" / "examples"


def _issues(text: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "bad.yaml")
    return [(i.path, i.line, i.message) for i in caught.value.issues]


def test_unknown_lever_is_named_with_its_line() -> None:
    issues = _issues("name: x\nlevers:\n  fte_change: {nurse: 1}\n  warp_drive: 3\n")
    assert issues == [("levers.warp_drive", 4, issues[0][2])]
    assert "unknown field 'warp_drive'" in issues[0][2] and "fte_change" in issues[0][2]


def test_negative_fte_and_shares_above_one_are_refused() -> None:
    text = "name: x\nlevers:\n  fte:\n    nurse: -0.5\n  task_shift:\n    - from: physician\n      to: nurse\n      share: 1.2\n  direct_access: 1.5\n"
    issues = _issues(text)
    assert [(p, line) for p, line, _ in issues] == [
        ("levers.fte.nurse", 4),
        ("levers.task_shift[0].share", 8),
        ("levers.direct_access", 9),
    ]
    assert "FTE cannot be negative, got -0.5" in issues[0][2]
    assert "less than or equal to 1, got 1.2" in issues[1][2]


def test_other_mistakes_are_explained() -> None:
    assert _issues("levers: {}\n")[0][:2] == ("name", 1)
    assert "Input should be" in _issues("name: x\nlevers:\n  policy: fastest\n")[0][2]
    assert _issues("name: x\nlevers:\n  opening_days: [mon, funday]\n")[0][:2] == ("levers.opening_days[1]", 3)
    assert "not valid YAML" in _issues("name: [x\n")[0][2]
    assert "different professions" in _issues("name: x\nlevers:\n  task_shift: [{from: nurse, to: nurse, share: 0.1}]\n")[0][2]


def test_a_change_that_would_leave_negative_fte_is_refused(small_params) -> None:
    scenario = parse_scenario("name: x\nlevers:\n  fte_change: {nurse: -50}\n")
    with pytest.raises(ScenarioError, match="cannot be negative"):
        apply_scenario(small_params, scenario)
    with pytest.raises(ScenarioError, match="unknown station"):
        apply_scenario(small_params, parse_scenario("name: x\nstations: [ST-NOWHERE]\n"))
    with pytest.raises(ScenarioError, match="physiotherapist"):
        apply_scenario(small_params, parse_scenario("name: x\nlevers: {direct_access: 0.2}\n"))


def test_levers_change_the_parameters_as_documented(small_params) -> None:
    scenario = parse_scenario(
        "name: x\nstations: [ST-A]\nlevers:\n  fte_change: {nurse: 0.5}\n  fte: {physiotherapist: 1}\n"
        "  task_shift: [{from: physician, to: nurse, share: 0.25}]\n  direct_access: 0.5\n"
        "  digital_resolution: 0.1\n  demand_growth: 0.1\n  opening_days: [mon, tue, wed, thu, fri, sat]\n"
    )
    changed = apply_scenario(small_params, scenario)
    before, after = small_params.station("ST-A"), changed.station("ST-A")
    assert after.capacity["nurse"].fte == pytest.approx(before.capacity["nurse"].fte + 0.5)
    assert after.capacity["physiotherapist"].fte == 1.0
    assert after.remote_resolution == pytest.approx(0.3)
    total = lambda s, u: sum(d.daily_rate for d in s.demand if d.urgency == u)  # noqa: E731
    # Non-urgent: x (1 - 0.3) / (1 - 0.2) for digital resolution, x 1.1 for growth; moves keep the total.
    assert total(after, "non_urgent") == pytest.approx(total(before, "non_urgent") * 0.7 / 0.8 * 1.1)
    assert total(after, "urgent") == pytest.approx(total(before, "urgent") * 1.1)
    physio = [d for d in after.demand if d.profession == "physiotherapist"]
    assert physio and all(d.need_type == "musculoskeletal" and d.origin == "nurse" for d in physio)
    shifted = [d for d in after.demand if d.origin == "physician"]
    assert shifted and all(d.profession == "nurse" for d in shifted)
    assert changed.open_weekdays == (0, 1, 2, 3, 4, 5)
    assert changed.station("ST-B") == small_params.station("ST-B")  # outside the scope: untouched


def test_more_nurse_capacity_improves_the_station_with_common_random_numbers(small_params) -> None:
    scenario = parse_scenario("name: x\nstations: [ST-C]\nlevers:\n  fte_change: {nurse: 1.0}\n")
    changed = apply_scenario(small_params, scenario)
    base, more = simulate(small_params, 4, 0), simulate(changed, 4, 0)
    assert metrics.measures([more.stations["ST-C"]])["mean_wait"] < metrics.measures([base.stations["ST-C"]])["mean_wait"]
    # Common random numbers: the stations outside the scope see exactly the same year.
    assert (more.stations["ST-B"].wait_hist == base.stations["ST-B"].wait_hist).all()
    assert more.stations["ST-C"].needs == base.stations["ST-C"].needs


def test_example_scenarios_are_valid() -> None:
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert len(files) >= 2
    for path in files:
        assert load_scenario(path).name


def test_cli_refuses_a_bad_file_with_exit_code_2_and_no_traceback(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nlevers:\n  fte: {nurse: -1}\n  shares_above_one: 2\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "from valvomo.cli import app; app()", "simulate", "run", str(bad)],
        capture_output=True, text=True, env={"VALVOMO_HOME": str(tmp_path / "home"), "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{bad}:3: levers.fte.nurse: FTE cannot be negative" in " ".join(done.stderr.split())
    assert "levers.shares_above_one" in done.stderr
