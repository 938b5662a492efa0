"""Target search: the smallest change of one lever that reaches a target with the asked confidence.

"Smallest nurse FTE that reaches 80 % within 7 days at 95 % confidence" means:
step the lever up from its current value; at each step run the replications
(the same seeds every step: common random numbers make the steps comparable)
and take the lower end of the 95 % interval of the 7-day share in the chosen
stations; the first step whose lower end is at or above the target is the
answer, and a bisection between it and the step before narrows it to the
requested resolution. Every step is kept with its estimate and interval, so
the answer can be checked rather than trusted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from valvomo.simulation import metrics
from valvomo.simulation.params import ModelParams
from valvomo.simulation.runner import RunSpec, replication_pool, run_replications
from valvomo.simulation.scenario import Scenario, ScenarioError, ScenarioIssue, apply_scenario

LEVERS = ("fte_change", "direct_access", "digital_resolution")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SearchRequest:
    lever: str  # "fte_change.nurse", "direct_access", "digital_resolution"
    stations: tuple[str, ...] = ()
    target: float = 0.80
    confidence: float = 0.95
    step: float = 0.5
    maximum: float = 10.0
    resolution: float = 0.1

    def __post_init__(self) -> None:
        head, _, profession = self.lever.partition(".")
        if head not in LEVERS or (head == "fte_change") != bool(profession):
            raise ScenarioError([ScenarioIssue("lever", None,
                                               f"expected fte_change.<profession>, direct_access or digital_resolution, got {self.lever!r}")])  # fmt: skip
        if not 0 < self.target < 1:
            raise ScenarioError([ScenarioIssue("target", None, f"the target share must be between 0 and 1, got {self.target}")])
        if self.step <= 0 or self.maximum <= 0 or self.resolution <= 0:
            raise ScenarioError([ScenarioIssue("step", None, "step, maximum and resolution must be positive")])


def _scenario(base: Scenario, request: SearchRequest, value: float) -> Scenario:
    head, _, profession = request.lever.partition(".")
    levers = base.levers.model_copy(deep=True)
    if head == "fte_change":
        levers.fte_change = {**levers.fte_change, profession: levers.fte_change.get(profession, 0.0) + value}
    else:
        setattr(levers, head, min(getattr(levers, head) + value, 1.0))
    stations = list(request.stations) or base.stations
    return base.model_copy(update={"levers": levers, "stations": stations})


def search(params: ModelParams, base: Scenario, request: SearchRequest, spec: RunSpec,
           progress: Progress | None = None) -> dict:  # fmt: skip
    """Returns the steps and the answer (``value`` None when the target is out of reach)."""
    steps: list[dict] = []
    cap = request.maximum if request.lever.startswith("fte") else min(request.maximum, 1.0)
    planned = int(cap / request.step) + 1 + 8

    def evaluate(value: float) -> dict:
        scenario = _scenario(base, request, value)
        reps = run_replications(apply_scenario(params, scenario), spec, None, pool)
        estimate = metrics.summarise(reps, list(request.stations) or None, request.confidence)["access_7d"]
        step = {"value": round(value, 6), **estimate.as_dict(), "reached": estimate.low >= request.target}
        steps.append(step)
        if progress:
            progress(len(steps), planned)
        return step

    with replication_pool(spec) as pool:
        found, below = None, None
        value = 0.0
        while value <= cap + 1e-9:
            step = evaluate(value)
            if step["reached"]:
                found = value
                break
            below = value
            value += request.step
        if found is not None and below is not None:
            low, high = below, found
            while high - low > request.resolution + 1e-9:
                # Bisection on the grid of the resolution, so the answer is a round number.
                middle = round(round((low + high) / 2 / request.resolution) * request.resolution, 6)
                if not low < middle < high:
                    break
                if evaluate(middle)["reached"]:
                    high = middle
                else:
                    low = middle
            found = high
    answer = next((s for s in steps if found is not None and abs(s["value"] - found) < 1e-9), None)
    return {
        "lever": request.lever,
        "stations": list(request.stations),
        "target": request.target,
        "confidence": request.confidence,
        "seed": spec.seed,
        "replications": spec.replications,
        "steps": steps,
        "answer": answer,
        "maximum": cap,
    }
