"""Station comparison ("/stations?indicator=…&period=…") and the station page ("/stations/{id}")."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from valvomo.indicators.registry import REGISTRY
from valvomo.services.periods import normalise_period
from valvomo.web import deps
from valvomo.web.pages.context import render_page, view_context
from valvomo.web.views import comparison as comparison_views
from valvomo.web.views import station as station_views

router = APIRouter()


def checked_period(period: str | None) -> str | None:
    if not period:
        return None
    try:
        return normalise_period(period)  # "Q4/2024" as shown, or "2024Q4"
    except ValueError:
        raise HTTPException(status_code=404) from None


@router.get("/stations", response_class=HTMLResponse, name="stations")
def comparison(request: Request, indicator: str = "access_7d", period: str | None = None,
               user=Depends(deps.current_user)):
    if indicator not in REGISTRY or "station" not in REGISTRY.get(indicator).grain:
        raise HTTPException(status_code=404)
    ctx = view_context(request, user)
    chosen = checked_period(period)
    return render_page(request, "pages/comparison.html",
                       lambda: comparison_views.comparison_page(ctx, indicator, chosen))


@router.get("/stations/{station_id}", response_class=HTMLResponse, name="station")
def station(request: Request, station_id: str, user=Depends(deps.current_user)):
    ctx = view_context(request, user)

    def build():
        page = station_views.station_page(ctx, station_id)
        if page is None:
            raise HTTPException(status_code=404)
        return page

    return render_page(request, "pages/station.html", build,
                       can_see_patients=deps.can_see_patient_level(user, station_id))
