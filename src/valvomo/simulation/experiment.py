"""Scenario versus baseline: run both with the same seeds and summarise with intervals.

The result is a plain dict (JSON-ready) so that the CLI prints it, the API
returns it and the result store keeps it as a file: one shape everywhere.
Every measure is given for the county and for each station as the mean over
replications with its 95 % interval; the difference scenario - baseline is
paired by replication (common random numbers), so its interval is narrower
than the two intervals side by side suggest.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np

from valvomo.simulation import metrics
from valvomo.simulation.model import ReplicationOutcome
from valvomo.simulation.params import ModelParams
from valvomo.simulation.runner import RunSpec, replication_pool, run_replications
from valvomo.simulation.scenario import BASELINE, Scenario, apply_scenario
from valvomo.simulation.stats import interval

Progress = Callable[[int, int], None]
CONFIDENCE = 0.95


def _clean(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.floating | np.integer):
        return _clean(value.item())
    return value


def _intervals(reps: Sequence[ReplicationOutcome], stations: Sequence[str] | None) -> dict:
    return {m: i.as_dict() for m, i in metrics.summarise(reps, stations, CONFIDENCE).items()}


def _weekly_backlog(reps: Sequence[ReplicationOutcome]) -> list[dict]:
    series = np.array([np.sum([s.backlog for s in rep.stations.values()], axis=0) for rep in reps], dtype=float)
    weeks = series.shape[1] // 7
    out = []
    for week in range(weeks):
        values = series[:, week * 7 : week * 7 + 7].mean(axis=1)
        out.append({"week": week + 1, **interval(values, CONFIDENCE).as_dict()})
    return out


def _weekly_t3(reps: Sequence[ReplicationOutcome]) -> list[dict]:
    """T3 of the county each Monday (mean over stations and professions), with its interval."""
    per_rep = []
    for rep in reps:
        series = [t3 for station in rep.stations.values() for t3 in station.t3.values()]
        per_rep.append(np.mean(series, axis=0) if series else np.zeros(0))
    weeks = min((len(s) for s in per_rep), default=0)
    values = np.array([s[:weeks] for s in per_rep], dtype=float)
    return [{"week": w + 1, **interval(values[:, w], CONFIDENCE).as_dict()} for w in range(weeks)]


def _distribution(reps: Sequence[ReplicationOutcome], stations: Sequence[str] | None) -> dict[str, float]:
    hist = np.sum([o.wait_hist for rep in reps for o in metrics.scope_outcomes(rep, stations)], axis=0)
    return metrics.waiting_distribution(hist)


def _utilisation(reps: Sequence[ReplicationOutcome]) -> dict[str, dict]:
    per_rep = [metrics.profession_utilisation(list(rep.stations.values())) for rep in reps]
    professions = sorted({p for r in per_rep for p in r})
    return {p: interval([r.get(p, math.nan) for r in per_rep], CONFIDENCE).as_dict() for p in professions}


def summary(reps: Sequence[ReplicationOutcome], station_ids: Sequence[str]) -> dict:
    return {
        "county": _intervals(reps, None),
        "stations": {sid: _intervals(reps, [sid]) for sid in station_ids},
        "distribution": {"county": _distribution(reps, None), **{sid: _distribution(reps, [sid]) for sid in station_ids}},
        "utilisation": _utilisation(reps),
        "backlog": _weekly_backlog(reps),
        "t3_weekly": _weekly_t3(reps),
        "events": int(sum(rep.events for rep in reps)),
    }


def _differences(scenario: Sequence[ReplicationOutcome], baseline: Sequence[ReplicationOutcome], station_ids) -> dict:
    return {
        "county": {m: i.as_dict() for m, i in metrics.difference(scenario, baseline, None, CONFIDENCE).items()},
        "stations": {
            sid: {m: i.as_dict() for m, i in metrics.difference(scenario, baseline, [sid], CONFIDENCE).items()}
            for sid in station_ids
        },
    }


def compare(params: ModelParams, scenario: Scenario, spec: RunSpec, progress: Progress | None = None) -> dict:
    """Baseline and scenario, same seed and replications; returns the JSON-ready report."""
    started = time.perf_counter()
    station_ids = sorted(s.station_id for s in params.stations)
    total = spec.replications * (1 if scenario.canonical() == BASELINE.canonical() else 2)

    def report(offset: int) -> Progress | None:
        return (lambda done, _n: progress(offset + done, total)) if progress else None

    with replication_pool(spec) as pool:
        baseline_reps = run_replications(params, spec, report(0), pool)
        scenario_reps = (
            run_replications(apply_scenario(params, scenario), spec, report(spec.replications), pool)
            if total > spec.replications else None
        )  # fmt: skip
    report_dict = {
        "scenario": {"name": scenario.name, "description": scenario.description, **scenario.canonical()},
        "seed": spec.seed,
        "replications": spec.replications,
        "snapshot_id": params.snapshot_id,
        "horizon": {"start": params.start.isoformat(), "days": params.days},
        "stations": station_ids,
        "station_names": {s.station_id: s.name for s in params.stations},
        "baseline": summary(baseline_reps, station_ids),
    }
    if scenario_reps is not None:
        report_dict["scenario_results"] = summary(scenario_reps, station_ids)
        report_dict["difference"] = _differences(scenario_reps, baseline_reps, station_ids)
    report_dict["elapsed_seconds"] = round(time.perf_counter() - started, 3)
    return _clean(report_dict)
