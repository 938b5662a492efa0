"""One entry point for the CLI, the API and the dashboard's background jobs.

``simulate_request`` opens the warehouse, takes the stored calibration of its
current snapshot (fitting it on first use), answers from the result store when
the same request was run before, and otherwise runs it and stores the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from valvomo.config import Settings
from valvomo.simulation.calibrate import Calibration, CalibrationError
from valvomo.simulation.experiment import compare
from valvomo.simulation.runner import RunSpec
from valvomo.simulation.scenario import BASELINE, Scenario
from valvomo.simulation.search import SearchRequest, search
from valvomo.simulation.store import SimulationStore, code_version, result_key
from valvomo.warehouse.store import Warehouse

Progress = Callable[[int, int], None]


class EmptyWarehouseError(CalibrationError):
    def __init__(self) -> None:
        super().__init__("the warehouse is empty; ingest a folder first (valvomo ingest FOLDER, or valvomo demo)")


@dataclass(frozen=True)
class Request:
    kind: Literal["run", "search"]
    scenario: Scenario = field(default_factory=lambda: BASELINE)
    spec: RunSpec = field(default_factory=RunSpec)
    search: SearchRequest | None = None

    def describe(self) -> dict:
        out = {"kind": self.kind, "scenario": self.scenario.canonical(), "seed": self.spec.seed,
               "replications": self.spec.replications}  # fmt: skip
        if self.search is not None:
            out["search"] = self.search.__dict__ | {"stations": list(self.search.stations)}
        return out


def _warehouse(settings: Settings) -> Warehouse:
    warehouse = Warehouse(settings)
    if warehouse.is_empty():
        raise EmptyWarehouseError()
    return warehouse


def current_calibration(settings: Settings, start_method: str | None = None) -> Calibration:
    warehouse = _warehouse(settings)
    return SimulationStore(settings).calibration(
        warehouse, warehouse.snapshot_id or "", workers=settings.simulation_workers, start_method=start_method
    )


def request_key(settings: Settings, request: Request) -> str:
    """The result key of ``request`` on the current snapshot (cheap: no calibration needed)."""
    return result_key(_warehouse(settings).snapshot_id or "", request.describe())


def stored_result(settings: Settings, key: str) -> dict | None:
    return SimulationStore(settings).get(key)


def simulate_request(settings: Settings, request: Request, progress: Progress | None = None) -> dict:
    key = request_key(settings, request)
    store = SimulationStore(settings)
    stored = store.get(key)
    if stored is not None:
        return stored
    calibration = current_calibration(settings, request.spec.start_method)
    if request.kind == "run":
        result = compare(calibration.params, request.scenario, request.spec, progress)
    else:
        assert request.search is not None
        result = search(calibration.params, request.scenario, request.search, request.spec, progress)
        result["scenario"] = {"name": request.scenario.name, **request.scenario.canonical()}
        result["station_names"] = {s.station_id: s.name for s in calibration.params.stations}
    result.update(key=key, kind=request.kind, code_version=code_version(), snapshot_id=calibration.params.snapshot_id,
                  params_fingerprint=calibration.params.fingerprint())  # fmt: skip
    store.put(key, result)
    return result
