"""JSON API for capacity scenarios under /api/simulations (docs/simulation.md, docs/api.md).

``POST /api/simulations`` starts a run or a target search as a background job
and answers 202 with its key at once; ``GET /api/simulations/{key}`` reports
progress and, when finished, the result. The same request on the same
warehouse snapshot and code gets the same key, and is answered from the stored
file. Bearer-token authentication as for /api/indicators; starting a job needs
the station-manager, analyst or admin role. Results describe simulated
patients; the calibration fit's historical shares pass through
``valvomo.disclosure``.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from valvomo.web import deps
from valvomo.web.api import ERROR_RESPONSES, ErrorBody
from valvomo.web.auth.users import Principal

router = APIRouter(prefix="/api/simulations", tags=["simulations"])
RUNNER_ROLES = ("station_manager", "analyst", "admin")
MAX_REPLICATIONS = 100
NO_CALIBRATION = {"model": ErrorBody, "description": "The warehouse holds nothing to calibrate the model on."}
UNAUTHORISED = {401: ERROR_RESPONSES[401]}


class SearchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lever: str = Field("fte_change.nurse", description="fte_change.<profession>, direct_access or digital_resolution")
    stations: list[str] = Field(default_factory=list, description="Stations whose 7-day share must reach the target.")
    target: float = Field(0.80, gt=0, lt=1)
    confidence: Literal[0.95, 0.99] = 0.95
    step: float = Field(0.5, gt=0)
    maximum: float = Field(10.0, gt=0, le=100)
    resolution: float = Field(0.1, gt=0)


class SimulationBody(BaseModel):
    """A run (scenario vs baseline) or a target search. ``scenario`` is the content of a scenario file
    as YAML text (errors then name its lines); omitted: the calibrated baseline."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["run", "search"] = "run"
    scenario: str | None = Field(None, description="Scenario YAML (docs/simulation.md).")
    seed: int = Field(20240101, ge=0)
    replications: int = Field(20, ge=2, le=MAX_REPLICATIONS)
    search: SearchBody | None = None


class JobStatus(BaseModel):
    key: str
    status: Literal["queued", "running", "done", "failed"]
    done: int
    total: int
    error: str | None = None
    url: str
    result: dict[str, Any] | None = None


def out_of_scope(user: Principal, scenario_stations, search_stations=()) -> list[str] | None:
    """The stations a run or search would change that the user may not plan for, or None if allowed.

    A station manager plans for their own stations only (as they see patient-level lists only
    there, ``deps.can_see_patient_level``); analysts and admins for any. The stations a request
    changes are the search's stations, else the scenario's; none named means every station, which
    is out of a station manager's scope (``["*"]``)."""
    if user.role != "station_manager":
        return None
    scope = list(search_stations or ()) or list(scenario_stations or ())
    if not scope:
        return ["*"]
    outside = sorted({s for s in scope if not deps.can_see_patient_level(user, s)})
    return outside or None


def scope_detail(outside: list[str]) -> str:
    if outside == ["*"]:
        return "a station manager runs scenarios for their own stations only: name them in the scenario's stations"
    return f"a station manager runs scenarios for their own stations only; not yours: {', '.join(outside)}"


def _settings(request: Request):
    return deps.get_app_settings(request)


def _jobs(request: Request):
    from valvomo.web.simulation_jobs import jobs_for

    return jobs_for(request.app)


def _status(request: Request, key: str, with_result: bool) -> JobStatus:
    jobs = _jobs(request)
    state = jobs.state(key)
    if state is None:
        raise HTTPException(status_code=404, detail=f"no simulation with key {key!r}")
    result = jobs.result(key) if with_result and state.status == "done" else None
    return JobStatus(key=key, status=state.status, done=state.done, total=state.total, error=state.error,
                     url=f"/api/simulations/{key}", result=result)  # fmt: skip


@router.post("", status_code=202, response_model=JobStatus, responses={
    **UNAUTHORISED,
    403: {"model": ErrorBody, "description": "Starting a simulation needs the station_manager, analyst or admin "
                                             "role; a station manager only for their own stations."},
    409: NO_CALIBRATION,
    422: {"description": "Bad scenario or request."},
})  # fmt: skip
def start(request: Request, body: SimulationBody, user: Principal = Depends(deps.api_user)) -> JSONResponse:
    """Start a run or a target search in the background; poll the returned ``url``."""
    from valvomo.simulation.calibrate import CalibrationError
    from valvomo.simulation.runner import RunSpec
    from valvomo.simulation.scenario import BASELINE, ScenarioError, parse_scenario
    from valvomo.simulation.search import SearchRequest
    from valvomo.simulation.service import Request as SimulationRequest

    if user.role not in RUNNER_ROLES:
        raise HTTPException(status_code=403, detail="starting a simulation needs the station_manager, analyst or admin role")
    settings = _settings(request)
    try:
        scenario = parse_scenario(body.scenario, "scenario") if body.scenario else BASELINE
        spec = RunSpec(seed=body.seed, replications=body.replications, workers=settings.simulation_workers,
                       start_method="spawn")  # fmt: skip
        search = None
        if body.kind == "search":
            ask = body.search or SearchBody()
            search = SearchRequest(ask.lever, tuple(ask.stations), ask.target, ask.confidence, ask.step,
                                   ask.maximum, ask.resolution)  # fmt: skip
        outside = out_of_scope(user, scenario.stations, search.stations if search else ())
        if outside:
            raise HTTPException(status_code=403, detail=scope_detail(outside))
        key = _jobs(request).submit(SimulationRequest(body.kind, scenario, spec, search))
    except ScenarioError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None
    except CalibrationError as error:
        raise HTTPException(status_code=409, detail=str(error)) from None
    return JSONResponse(_status(request, key, False).model_dump(), status_code=202)


@router.get("/calibration", responses={**UNAUTHORISED, 409: NO_CALIBRATION})
def calibration(request: Request, user: Principal = Depends(deps.api_user)) -> dict[str, Any]:
    """The calibration of the current snapshot: the fitted parameters and the goodness of fit
    (historical shares disclosure-controlled with the profile in force)."""
    from valvomo.simulation.calibrate import CalibrationError
    from valvomo.simulation.service import current_calibration
    from valvomo.web.simulation_views import protected_fits

    settings = _settings(request)
    try:
        result = current_calibration(settings)
    except CalibrationError as error:
        raise HTTPException(status_code=409, detail=str(error)) from None
    profile = deps.disclosure_profile_for(user, request)
    return {
        "window": {"start": result.window.start.isoformat(), "end": result.window.end.isoformat()},
        "snapshot_id": result.params.snapshot_id,
        "profile": profile,
        "fits": protected_fits(result.fits, profile),
        "params": result.params.to_dict(),
    }


@router.get("/{key}", response_model=JobStatus, responses={
    **UNAUTHORISED, 404: {"model": ErrorBody, "description": "No simulation with this key."},
})  # fmt: skip
def status(request: Request, key: str, user: Principal = Depends(deps.api_user)) -> JobStatus:
    """Progress of a job, and its result once done."""
    if not key.isalnum() or len(key) > 64:
        raise HTTPException(status_code=404, detail=f"no simulation with key {key!r}")
    return _status(request, key, True)
