"""Programme pages (issue 4): the programmes, one programme's progress, the comparison across
programmes, recording an assessment, and the self-assessment report download.

* ``GET /programmes`` — the stored programmes;
* ``GET /programmes/compare`` — progress distribution per benefit goal and shared indicators,
  programme by programme (``?period-<programme id>=<period>`` picks a period per programme);
* ``GET /programmes/{id}?period=P`` — progress per benefit goal and spearhead (tables and charts),
  stalled measures, indicators against their targets, risks by score, budget against actuals;
* ``GET|POST /programmes/{id}/assess`` — record a measure's process-meter value for a period;
* ``GET /programmes/{id}/report?period=P&format=html|pdf|docx&lang=fi|sv|en`` — the report file.

Roles: every logged-in user may read the programme pages and download the report — they hold
the plan and county-level aggregates only, disclosure-controlled like the dashboard. Recording
an assessment changes the programme's record, so only analysts and administrators may do it
(the people who write the self-assessment); viewers and station managers get 403. Every
recorded assessment and every report export is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from valvomo.config import Settings
from valvomo.programme import compare as programme_compare
from valvomo.programme import overview as programme_overview
from valvomo.programme import periods as programme_periods
from valvomo.programme import service
from valvomo.programme.periods import PeriodKind
from valvomo.web import deps, i18n, programme_views
from valvomo.web.auth import audit as audit_actions
from valvomo.web.auth.users import Principal
from valvomo.web.pages.context import app_settings, result_store

router = APIRouter()

RECORDING_ROLES = ("analyst", "admin")
AUDIT_ASSESSMENT = audit_actions.PROGRAMME_ASSESSMENT
AUDIT_REPORT_EXPORT = audit_actions.REPORT_EXPORT


class PageValues:
    """Indicator values for one page view: the process's cached result store (so a page does not
    re-open the warehouse) and the reader's disclosure profile (an analyst who switched control off
    sees what the dashboard shows them). Same rows as ``ResultsServiceValues``: indicators and
    segment outputs through ``services.outputs``."""

    def __init__(self, settings: Settings, profile: str):
        self.settings = settings
        self.profile = profile
        self._cache: dict[tuple, dict[str, float | None]] = {}

    def provenance(self):
        """The snapshot the store reads and its residents (``services.provenance``)."""
        from valvomo.services.provenance import data_provenance
        from valvomo.services.results import EmptyWarehouseError

        try:
            with result_store(self.settings).reading(require_data=False) as warehouse:
                return data_provenance(self.settings, warehouse)
        except EmptyWarehouseError:  # no snapshot published yet
            return data_provenance(self.settings)

    def series(
        self, indicator_id: str, period_kind: PeriodKind, start: dt.date | None = None, end: dt.date | None = None
    ) -> dict[str, float | None]:
        from valvomo.services.outputs import output_values

        key = (indicator_id, period_kind, start, end)
        if key not in self._cache:
            self._cache[key] = output_values(
                self.settings, indicator_id, period_kind, start=start, end=end,
                profile=self.profile, store=result_store(self.settings),
            )  # fmt: skip
        return dict(self._cache[key])


def _render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return deps.render(request, template, context, status_code=status_code)


def _programme(db: Session, programme_id: str):
    try:
        return service.get_programme(db, programme_id)
    except service.ProgrammeNotFound:
        raise HTTPException(status_code=404) from None


def _check_period(programme, period: str | None) -> str | None:
    """A reporting period of the programme, written either way ('Q4/2024' or '2024Q4')."""
    if period is None:
        return None
    try:
        period = programme_periods.programme_label(period, programme.cadence)
    except programme_periods.PeriodError:
        raise HTTPException(status_code=400) from None
    if period not in programme.period_labels:
        raise HTTPException(status_code=400)
    return period


@router.get("/programmes", response_class=HTMLResponse, name="programmes")
def programme_list(request: Request, user: Principal = Depends(deps.current_user), db: Session = Depends(deps.get_db)):
    lang = deps.get_lang(request)
    lines = programme_views.programme_list(service.list_programmes(db), lang)
    return _render(request, "programmes/list.html", {"programmes": lines})


@router.get("/programmes/compare", response_class=HTMLResponse, name="programme_comparison")
def programme_comparison(
    request: Request, user: Principal = Depends(deps.current_user), db: Session = Depends(deps.get_db)
):
    lang = deps.get_lang(request)
    programmes = [service.get_programme(db, summary.id) for summary in service.list_programmes(db)]
    chosen = {}
    for programme in programmes:
        period = _check_period(programme, request.query_params.get(f"period-{programme.id}") or None)
        if period:
            chosen[programme.id] = period
    values = PageValues(app_settings(request), deps.disclosure_profile_for(user, request))
    comparison = programme_compare.compare(programmes, values, chosen)
    page = programme_views.comparison_page(comparison, lang, deps.disclosure_profile_for(user, request))
    return _render(request, "programmes/compare.html", {"page": page})


@router.get("/programmes/{programme_id}", response_class=HTMLResponse, name="programme")
def programme_page(
    request: Request,
    programme_id: str,
    period: str | None = None,
    recorded: int | None = None,
    user: Principal = Depends(deps.current_user),
    db: Session = Depends(deps.get_db),
):
    lang = deps.get_lang(request)
    programme = _programme(db, programme_id)
    period = _check_period(programme, period or None)
    profile = deps.disclosure_profile_for(user, request)
    ov = programme_overview.build_overview(programme, period, PageValues(app_settings(request), profile))
    page = programme_views.overview_page(
        ov, lang, profile, can_record=user.role in RECORDING_ROLES, recorded_id=recorded
    )
    return _render(request, "programmes/overview.html", {"page": page})


def _form_page(request: Request, programme, *, measure_id, period, value, narrative, errors=None, status_code=200):
    form = programme_views.assessment_form(
        programme, deps.get_lang(request), measure_id=measure_id, period=period, value=value, narrative=narrative,
        errors=errors,
    )  # fmt: skip
    return _render(request, "programmes/assess.html", {"form": form}, status_code=status_code)


@router.get("/programmes/{programme_id}/assess", response_class=HTMLResponse, name="programme_assess")
def assessment_form(
    request: Request,
    programme_id: str,
    measure: int | None = None,
    period: str | None = None,
    user: Principal = Depends(deps.require_role(*RECORDING_ROLES)),
    db: Session = Depends(deps.get_db),
):
    programme = _programme(db, programme_id)
    period = period if period in programme.period_labels else programme_overview.default_period(programme)
    return _form_page(request, programme, measure_id=measure, period=period, value=None, narrative=None)


@router.post("/programmes/{programme_id}/assess", response_class=HTMLResponse, name="programme_assess_save")
def record_assessment(
    request: Request,
    programme_id: str,
    measure: str = Form(""),
    period: str = Form(""),
    value: str = Form(""),
    narrative: str = Form(""),
    user: Principal = Depends(deps.require_role(*RECORDING_ROLES)),
    db: Session = Depends(deps.get_db),
):
    lang = deps.get_lang(request)
    programme = _programme(db, programme_id)
    errors, clean = programme_views.validate_assessment(programme, lang, measure, period, value, narrative)
    if clean is not None:
        measure_id, period, number, note = clean
        try:
            assessment = service.record_assessment(
                db, measure_id, period, number, narrative=note or None, author=user.username
            )
        except service.ProgrammeError as exc:  # a rule of the store the form did not foresee
            errors = {"value": str(exc)}
        else:
            percent = assessment.percent
            db.commit()
            deps.audit(request, AUDIT_ASSESSMENT, {
                "programme": programme.id, "measure_id": measure_id, "period": period,
                "value": number, "scale": programme.meter_scale, "percent": percent, "narrative": bool(note),
            })  # fmt: skip
            query = urlencode({"period": period, "recorded": measure_id})
            return RedirectResponse(f"/programmes/{programme.id}?{query}#measure-{measure_id}", status_code=303)
    measure_id = int(measure) if measure.strip().isdigit() else None
    return _form_page(
        request, programme, measure_id=measure_id, period=period, value=value, narrative=narrative,
        errors=errors, status_code=422,
    )  # fmt: skip


@router.get("/programmes/{programme_id}/report", name="programme_report")
def report_download(
    request: Request,
    programme_id: str,
    period: str | None = None,
    fmt: str = Query("html", alias="format"),
    report_lang: str | None = Query(None, alias="lang"),
    user: Principal = Depends(deps.current_user),
    db: Session = Depends(deps.get_db),
):
    from valvomo.reports import FORMATS, report_bytes

    # Here ?lang= names the report's language, not a new interface language: pin the reader's own
    # language for this request so that an error page neither switches nor remembers it.
    request.state.lang = user.language
    programme = _programme(db, programme_id)
    period = _check_period(programme, period or None)
    language = i18n.normalise_language(report_lang) if report_lang else user.language
    if fmt not in FORMATS or language is None:
        raise HTTPException(status_code=400)
    report = report_bytes(app_settings(request), db, programme.id, period, fmt, language)
    deps.audit(request, AUDIT_REPORT_EXPORT, {
        "programme": programme.id, "period": period or "latest", "format": fmt, "lang": language,
        "file": report.filename, "bytes": len(report.data),
    })  # fmt: skip
    return Response(
        content=report.data,
        media_type=report.media_type,
        headers={"Content-Disposition": f'attachment; filename="{report.filename}"'},
    )
