"""Capacity scenarios ("/simulation"): the scenario editor, background runs and their results.

The form builds a scenario (the same schema as a scenario file), starts a run or
a target search as a background job (``web.simulation_jobs``) and redirects to
the result page, which shows progress while the job runs (it reloads itself
every few seconds, no script) and the charts, tables and the target-search
answer when it is done. Running needs the station-manager, analyst or admin
role, and a station manager runs scenarios for their own stations only
(``api_simulation.out_of_scope``); every logged-in user may read results.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from valvomo.web import deps
from valvomo.web.auth.users import Principal
from valvomo.web.i18n import gettext

router = APIRouter()
RUNNER_ROLES = ("station_manager", "analyst", "admin")
REPLICATION_CHOICES = (10, 20, 40)


def _stations(settings) -> list[dict]:
    """Stations that have an appointment calendar to simulate (not the guidance unit)."""
    from valvomo.services.results import EmptyWarehouseError
    from valvomo.simulation.calibrate import EXCLUDED_KINDS
    from valvomo.web.pages.context import result_store

    try:
        with result_store(settings).reading(require_data=False) as warehouse:
            if not warehouse.has("stations"):
                return []
            table = warehouse.table("stations")
            rows = table.filter(~table.kind.isin(list(EXCLUDED_KINDS))).select("station_id", "name_fi", "name_sv")
            found = rows.to_pyarrow().to_pylist()
    except EmptyWarehouseError:  # nothing ingested yet
        return []
    return sorted(found, key=lambda r: r["name_fi"])


def _form_context(request: Request, user: Principal, form: dict | None = None, errors: dict | None = None) -> dict:
    from valvomo.simulation.params import POLICIES, WEEKDAYS
    from valvomo.simulation.store import SimulationStore
    from valvomo.web.simulation_views import (
        FORM_PROFESSIONS,
        POLICY_LABELS,
        SEARCH_LEVERS,
        WEEKDAY_LABELS,
        profession_label,
        recent_results,
    )

    settings = deps.get_app_settings(request)
    lang = deps.get_lang(request)
    form = form or {"opening_days": list(WEEKDAYS[:5]), "policy": "earliest_slot", "replications": "20",
                    "target": "80", "lever": "fte_change.nurse"}  # fmt: skip
    stations = _stations(settings)
    if user.role == "station_manager":  # they plan for their own stations only (out_of_scope)
        stations = [s for s in stations if s["station_id"] in user.stations]
    name_key = "name_sv" if lang == "sv" else "name_fi"
    return {
        "form": form,
        "errors": errors or {},
        "stations": [{"id": s["station_id"], "name": s.get(name_key) or s["name_fi"]} for s in stations],
        "professions": [{"id": p, "label": profession_label(p, lang)} for p in FORM_PROFESSIONS],
        "weekdays": [{"id": d, "label": gettext(lang, WEEKDAY_LABELS[d])} for d in WEEKDAYS],
        "policies": [{"id": p, "label": gettext(lang, POLICY_LABELS[p])} for p in POLICIES],
        "levers": [{"id": k, "label": gettext(lang, v)} for k, v in SEARCH_LEVERS.items()],
        "replication_choices": REPLICATION_CHOICES,
        "can_run": user.role in RUNNER_ROLES,
        "own_stations_only": user.role == "station_manager",
        "has_data": bool(stations),
        "recent": recent_results(SimulationStore(settings), lang),
    }


@router.get("/simulation", response_class=HTMLResponse, name="simulation")
def editor(request: Request, user: Principal = Depends(deps.current_user)):
    return deps.render(request, "simulation/editor.html", _form_context(request, user))


@router.post("/simulation", response_class=HTMLResponse, name="simulation_start")
async def start(request: Request, user: Principal = Depends(deps.require_role(*RUNNER_ROLES))):
    from starlette.concurrency import run_in_threadpool

    raw = await request.form()
    form = {key: raw.get(key) for key in raw if key not in ("stations", "opening_days", "search_stations")}
    form["stations"] = raw.getlist("stations")
    form["opening_days"] = raw.getlist("opening_days")
    return await run_in_threadpool(_start, request, user, form)


def _start(request: Request, user: Principal, form: dict):
    from valvomo.simulation.calibrate import CalibrationError
    from valvomo.simulation.runner import RunSpec
    from valvomo.simulation.scenario import ScenarioError
    from valvomo.simulation.search import SearchRequest
    from valvomo.simulation.service import Request as SimulationRequest
    from valvomo.web.api_simulation import out_of_scope
    from valvomo.web.simulation_jobs import jobs_for
    from valvomo.web.simulation_views import scenario_from_form

    lang = deps.get_lang(request)
    settings = deps.get_app_settings(request)
    scenario, errors = scenario_from_form(form, lang)
    replications = int(form["replications"]) if str(form.get("replications")) in {str(c) for c in REPLICATION_CHOICES} else 20
    action = form.get("action", "run")
    search = None
    if action == "search" and scenario is not None:
        try:
            target = float(str(form.get("target", "80")).replace(",", ".")) / 100
            search = SearchRequest(lever=form.get("lever") or "fte_change.nurse", stations=tuple(form["stations"]),
                                   target=target)  # fmt: skip
        except (ValueError, ScenarioError):
            errors["target"] = gettext(lang, "Enter the target as a percentage between 1 and 99.")
    if errors:
        return deps.render(request, "simulation/editor.html", _form_context(request, user, form, errors), status_code=422)
    if out_of_scope(user, scenario.stations, search.stations if search else ()):
        errors = {"stations": gettext(lang, "Choose one or more of your own stations: a station manager plans for them only.")}
        return deps.render(request, "simulation/editor.html", _form_context(request, user, form, errors), status_code=403)
    spec = RunSpec(seed=20240101, replications=replications, workers=settings.simulation_workers, start_method="spawn")
    try:
        key = jobs_for(request.app).submit(SimulationRequest("search" if search else "run", scenario, spec, search))
    except (CalibrationError, ScenarioError) as error:
        errors = {"name": str(error)}
        return deps.render(request, "simulation/editor.html", _form_context(request, user, form, errors), status_code=422)
    return RedirectResponse(f"/simulation/results/{key}", status_code=303)


@router.get("/simulation/results/{key}", response_class=HTMLResponse, name="simulation_result")
def result(request: Request, key: str, user: Principal = Depends(deps.current_user)):
    from valvomo.web.simulation_jobs import jobs_for
    from valvomo.web.simulation_views import run_view, search_view

    if not key.isalnum() or len(key) > 64:
        raise HTTPException(status_code=404)
    jobs = jobs_for(request.app)
    state = jobs.state(key)
    if state is None:
        raise HTTPException(status_code=404)
    lang = deps.get_lang(request)
    if state.status != "done":
        return deps.render(request, "simulation/progress.html", {"state": state, "key": key})
    data = jobs.result(key)
    view = run_view(data, lang) if data.get("kind") == "run" else search_view(data, lang)
    return deps.render(request, "simulation/result.html", {"view": view, "key": key})
