"""Patient-level high-need list of a station ("/stations/{id}/patients", ".csv", ".xlsx").

Only users with patient-level access to the station see it
(``deps.can_see_patient_level``: a station manager for their own stations, an
analyst county-wide); everyone else gets 403. Every view and every export is
written to the audit log with the filter and the number of rows
(disclosure.md, "Patient-level outputs"). The list itself is computed by
``valvomo.services.patients`` on the warehouse, never in the handler.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from valvomo.services.patients import high_need_patients
from valvomo.web import deps
from valvomo.web.auth.audit import PATIENT_EXPORT, PATIENT_REFUSED, PATIENT_VIEW
from valvomo.web.pages.context import render_page, view_context
from valvomo.web.pages.downloads import file_response
from valvomo.web.views import common
from valvomo.web.views import patients as patients_views

router = APIRouter()

def _authorised(request: Request, user, station_id: str, fmt: str = "html") -> None:
    """403 for a user without patient-level access to the station; the refusal is audit-logged
    too, so that an attempt to reach patient rows is as visible as a view (issue 11, item 9)."""
    if not deps.can_see_patient_level(user, station_id):
        deps.audit(request, PATIENT_REFUSED, {"page": "high_need", "station_id": station_id, "format": fmt,
                                              "role": getattr(user, "role", "")})
        raise HTTPException(status_code=403)


def _high_need(ctx, station_id: str):
    if station_id not in common.stations(ctx):
        raise HTTPException(status_code=404)
    with ctx.store.reading() as warehouse:
        return high_need_patients(warehouse, station_id)


def _view(request: Request) -> patients_views.PatientListView:
    query = request.query_params
    return patients_views.PatientListView.parse(query.get("sort"), query.get("min_contacts"), query.get("page"))


@router.get("/stations/{station_id}/patients", response_class=HTMLResponse, name="station_patients")
def patients(request: Request, station_id: str, user=Depends(deps.current_user)):
    _authorised(request, user, station_id)
    ctx = view_context(request, user)
    view = _view(request)

    def build():
        result = _high_need(ctx, station_id)
        page = patients_views.patient_page(ctx, result, view)
        shown = page["view"]
        deps.audit(request, PATIENT_VIEW, {
            "page": "high_need", "station_id": station_id, "window_start": result.window_start.isoformat(),
            "window_end": result.window_end.isoformat(), "rows": page["shown_count"],
            "matching": page["matching_count"], "sort": shown.sort, "min_contacts": shown.min_contacts,
            "page_number": shown.page})
        return page

    return render_page(request, "pages/patients.html", build)


@router.get("/stations/{station_id}/patients.{fmt}", name="station_patients_export")
def patients_export(request: Request, station_id: str, fmt: str, user=Depends(deps.current_user)):
    _authorised(request, user, station_id, fmt)
    if fmt not in ("csv", "xlsx"):
        raise HTTPException(status_code=404)
    ctx = view_context(request, user)
    result = _high_need(ctx, station_id)
    view = _view(request)
    table = patients_views.patient_table(ctx, result, view)
    deps.audit(request, PATIENT_EXPORT, {
        "page": "high_need", "format": fmt, "station_id": station_id,
        "window_start": result.window_start.isoformat(), "window_end": result.window_end.isoformat(),
        "rows": len(table.rows), "sort": view.sort, "min_contacts": view.min_contacts})
    return file_response(table, fmt, f"valvomo-high-need-{station_id}")
