"""Segment pages: "/segments" (segment mix, Lorenz curves, concentration, channels and continuity) and
"/segments/questionnaire" (the Suuntima-style form a professional and a customer fill in together).

Aggregates are disclosure-controlled with the viewer's profile (``web.segment_views``).
The questionnaire handles a patient pseudonym, so only users with patient-level access
to the station may open it (station managers for their own stations, analysts); a saved
answer is written to the app database (``services.questionnaire_answers``) and to the
audit log.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from valvomo.web import deps, segment_views
from valvomo.web.auth.audit import QUESTIONNAIRE_ANSWER
from valvomo.web.pages.context import render_page, view_context
from valvomo.web.views import common

router = APIRouter()


@router.get("/segments", response_class=HTMLResponse, name="segments")
def segments(request: Request, kind: str = "year", period: str | None = None, user=Depends(deps.current_user)):
    if kind not in segment_views.PERIOD_KINDS:
        raise HTTPException(status_code=404)
    ctx = view_context(request, user)

    def build():
        return common.cached(ctx, "segments_page", {"kind": kind, "period": period or ""},
                                  lambda: segment_views.overview_page(ctx, kind, period))  # fmt: skip

    return render_page(request, "segments/overview.html", build)


@router.get("/segments/download/{key}.{fmt}", name="segments_download")
def segments_download(request: Request, key: str, fmt: str, kind: str = "year", period: str | None = None,
                      user=Depends(deps.current_user)):  # fmt: skip
    """A table of the segment or care-gap pages as CSV/XLSX, from the same page model as on screen."""
    from valvomo.web.pages.downloads import file_response

    if fmt not in ("csv", "xlsx") or kind not in segment_views.PERIOD_KINDS:
        raise HTTPException(status_code=404)
    ctx = view_context(request, user)
    if key == "care-gaps":
        page = segment_views.care_gap_overview(ctx, kind, period, lambda s: False)
        table = page.get("table")
    elif key in segment_views.PAGE_KEYS:
        page = common.cached(ctx, "segments_page", {"kind": kind, "period": period or ""},
                                  lambda: segment_views.overview_page(ctx, kind, period))  # fmt: skip
        table = page.get(segment_views.PAGE_KEYS[key])
    else:
        raise HTTPException(status_code=404)
    if table is None:
        raise HTTPException(status_code=404)
    return file_response(table, fmt, f"valvomo-{key}-{page['period']}")


def _questionnaire_stations(ctx, user) -> list[tuple[str, str]]:
    allowed = [s for s in common.stations(ctx) if deps.can_see_patient_level(user, s)]
    return sorted(((s, common.station_name(ctx, s)) for s in allowed), key=lambda item: item[1])


def _form_page(request: Request, user, *, values=None, errors=None, result=None, status_code=200):
    from valvomo.segments.registry import configured_questionnaire

    ctx = view_context(request, user)
    stations = _questionnaire_stations(ctx, user)
    if not stations:
        raise HTTPException(status_code=403)
    qset = configured_questionnaire()
    lang = ctx.lang
    axes = [
        {"id": axis, "name": qset.axes[axis].names.get(lang), "answered_by": qset.axes[axis].answered_by,
         "items": [{"id": i.id, "text": i.text.get(lang)} for i in qset.items_of(axis)]}
        for axis in ("resources", "complexity")
    ]  # fmt: skip
    context = {
        "axes": axes,
        "scale": list(range(qset.scale.min, qset.scale.max + 1)),
        "scale_label": qset.scale.labels.get(lang),
        "stations": stations,
        "values": values or {"answered_on": dt.date.today().isoformat(), "station": stations[0][0]},
        "errors": errors or {},
        "result": result,
    }
    return deps.render(request, "segments/questionnaire.html", context, status_code=status_code)


@router.get("/segments/questionnaire", response_class=HTMLResponse, name="questionnaire")
def questionnaire(request: Request, user=Depends(deps.current_user)):
    return _form_page(request, user)


@router.post("/segments/questionnaire", response_class=HTMLResponse)
async def questionnaire_submit(request: Request, user=Depends(deps.current_user)):
    from valvomo.appdb import session_scope
    from valvomo.segments.registry import configured_questionnaire
    from valvomo.services.questionnaire_answers import AnswerError, save_answer

    form = await request.form()
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    station = values.get("station", "")
    if not deps.can_see_patient_level(user, station):
        raise HTTPException(status_code=403)
    qset = configured_questionnaire()
    ctx = view_context(request, user)
    _ = ctx._
    errors: dict[str, str] = {}
    scores: dict[str, int] = {}
    for item in qset.items:
        raw = values.get(f"item_{item.id}", "")
        if raw.isdigit() and qset.scale.min <= int(raw) <= qset.scale.max:
            scores[item.id] = int(raw)
        else:
            errors[f"item_{item.id}"] = _("Choose one of the options.")
    try:
        answered_on = dt.date.fromisoformat(values.get("answered_on", ""))
    except ValueError:
        errors["answered_on"] = _("Give the date as YYYY-MM-DD.")
    patient_id = values.get("patient_id", "").strip()
    if not patient_id or len(patient_id) > 64:
        errors["patient_id"] = _("Give the patient's pseudonym (1-64 characters).")
    if errors:
        return _form_page(request, user, values=values, errors=errors, status_code=400)
    try:
        with session_scope(ctx.settings) as db:
            saved = save_answer(db, qset, patient_id=patient_id, station_id=station, answered_on=answered_on,
                                professional=user.username, scores=scores)  # fmt: skip
            segment = qset.segment(saved.segment)
            result = {
                "patient_id": patient_id,
                "segment": segment.names.get(ctx.lang),
                "service_path": segment.service_path.get(ctx.lang),
                "resources": saved.resources,
                "complexity": saved.complexity,
            }
    except AnswerError as error:
        return _form_page(request, user, values=values, errors={error.field: str(error)}, status_code=400)
    deps.audit(request, QUESTIONNAIRE_ANSWER, {"station_id": station, "answered_on": answered_on.isoformat(),
                                               "segment": saved.segment})  # fmt: skip
    return _form_page(request, user, result=result)
