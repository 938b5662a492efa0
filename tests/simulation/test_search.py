"""Target search: the smallest lever change whose interval's lower end reaches the target."""

from __future__ import annotations

import pytest

from valvomo.simulation import metrics
from valvomo.simulation.runner import RunSpec, run_replications
from valvomo.simulation.scenario import BASELINE, ScenarioError, apply_scenario, parse_scenario
from valvomo.simulation.search import SearchRequest, search


def test_search_finds_the_smallest_fte_and_shows_its_steps(small_params) -> None:
    spec = RunSpec(seed=5, replications=4)
    request = SearchRequest(lever="fte_change.nurse", stations=("ST-A",), target=0.8, step=1.0, maximum=6, resolution=0.25)
    result = search(small_params, BASELINE, request, spec)
    steps = result["steps"]
    assert steps[0]["value"] == 0 and not steps[0]["reached"]
    answer = result["answer"]
    assert answer is not None and answer["reached"] and answer["low"] >= 0.8
    # Every step below the answer that was tried failed; the answer is on the resolution grid.
    assert all(not s["reached"] for s in steps if s["value"] < answer["value"])
    assert answer["value"] / 0.25 == pytest.approx(round(answer["value"] / 0.25))
    # Re-running the answer as a scenario gives the same estimate (same seeds).
    scenario = parse_scenario(f"name: x\nstations: [ST-A]\nlevers:\n  fte_change: {{nurse: {answer['value']}}}\n")
    reps = run_replications(apply_scenario(small_params, scenario), spec)
    assert metrics.summarise(reps, ["ST-A"])["access_7d"].mean == pytest.approx(answer["mean"])


def test_out_of_reach_target_has_no_answer(small_params) -> None:
    request = SearchRequest(lever="fte_change.physician", stations=("ST-C",), target=0.99, step=0.5, maximum=1.0)
    result = search(small_params, BASELINE, request, RunSpec(seed=5, replications=3))
    assert result["answer"] is None and [s["value"] for s in result["steps"]] == [0, 0.5, 1.0]


def test_bad_search_requests_are_refused() -> None:
    with pytest.raises(ScenarioError, match="fte_change.<profession>"):
        SearchRequest(lever="fte")
    with pytest.raises(ScenarioError, match="between 0 and 1"):
        SearchRequest(lever="direct_access", target=80)
