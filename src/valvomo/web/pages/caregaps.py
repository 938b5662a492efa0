"""Care-gap pages: "/caregaps" (counts per station and rule, disclosure-controlled) and the patient list
"/caregaps/{station_id}" (paginated) with its CSV/XLSX export for outreach.

The list is patient-level: only users with patient-level access to the station
(``deps.can_see_patient_level``) see it, everyone else gets 403, and every view and
export is written to the audit log with the filter and the number of rows
(disclosure.md, "Patient-level outputs"), as the high-need list does.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from valvomo.web import deps, segment_views
from valvomo.web.auth.audit import PATIENT_EXPORT, PATIENT_VIEW
from valvomo.web.pages.context import render_page, view_context
from valvomo.web.pages.downloads import file_response
from valvomo.web.views import common

router = APIRouter()
PAGE_SIZE = 50


@router.get("/caregaps", response_class=HTMLResponse, name="caregaps")
def caregaps(request: Request, kind: str = "quarter", period: str | None = None, user=Depends(deps.current_user)):
    if kind not in segment_views.PERIOD_KINDS:
        raise HTTPException(status_code=404)
    ctx = view_context(request, user)

    def build():
        page = segment_views.care_gap_overview(ctx, kind, period, lambda s: deps.can_see_patient_level(user, s))
        return page

    return render_page(request, "segments/caregaps.html", build)


def _authorised(user, station_id: str) -> None:
    if not deps.can_see_patient_level(user, station_id):
        raise HTTPException(status_code=403)


def _care_gap_list(ctx, station_id: str, index_date: dt.date | None):
    from valvomo.services.caregaps import care_gap_list

    if station_id not in common.stations(ctx):
        raise HTTPException(status_code=404)
    with ctx.store.reading() as warehouse:
        return care_gap_list(warehouse, [station_id], index_date=index_date)


@router.get("/caregaps/{station_id}.{fmt}", name="caregap_export")
def caregap_export(request: Request, station_id: str, fmt: str, user=Depends(deps.current_user)):
    _authorised(user, station_id)
    if fmt not in ("csv", "xlsx"):
        raise HTTPException(status_code=404)
    ctx = view_context(request, user)
    result = _care_gap_list(ctx, station_id, None)
    deps.audit(request, PATIENT_EXPORT, {"page": "care_gaps", "format": fmt, "station_id": station_id,
                                         "index_date": result.index_date.isoformat(), "rows": len(result.patients)})  # fmt: skip
    table = segment_views.care_gap_table(ctx, result, station_id)
    return file_response(table, fmt, f"valvomo-care-gaps-{station_id}")


@router.get("/caregaps/{station_id}", response_class=HTMLResponse, name="caregap_list")
def caregap_list(request: Request, station_id: str, page: int = 1, user=Depends(deps.current_user)):
    _authorised(user, station_id)
    ctx = view_context(request, user)
    result = _care_gap_list(ctx, station_id, None)
    pages = max(1, -(-len(result.patients) // PAGE_SIZE))
    if not 1 <= page <= pages:
        raise HTTPException(status_code=404)
    first = (page - 1) * PAGE_SIZE
    shown = slice(first, first + PAGE_SIZE)
    deps.audit(request, PATIENT_VIEW, {"page": "care_gaps", "station_id": station_id, "page_number": page,
                                       "index_date": result.index_date.isoformat(),
                                       "rows": len(result.patients[shown])})  # fmt: skip
    table = segment_views.care_gap_table(ctx, result, station_id, shown)
    context = {
        "table": table, "station_id": station_id, "station_name": segment_views.station_label(ctx, station_id),
        "page_number": page, "pages": pages, "total": len(result.patients), "first": first + 1,
        "last": min(first + PAGE_SIZE, len(result.patients)), "index_date": result.index_date,
    }  # fmt: skip
    return deps.render(request, "segments/caregap_list.html", context)
