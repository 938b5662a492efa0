"""Indicator list ("/indicators") and indicator page ("/indicators/{id}?by=…&period=…")."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from valvomo.indicators.registry import PERIOD_KINDS, REGISTRY
from valvomo.web import deps
from valvomo.web.pages.context import render_page, view_context
from valvomo.web.views import indicators as indicators_views

router = APIRouter()


@router.get("/indicators", response_class=HTMLResponse, name="indicators")
def indicator_list(request: Request, user=Depends(deps.current_user)):
    ctx = view_context(request, user)
    return render_page(request, "pages/indicators.html", lambda: indicators_views.indicators_page(ctx))


@router.get("/indicators/{indicator_id}", response_class=HTMLResponse, name="indicator")
def indicator(request: Request, indicator_id: str, by: str = "", period: str = "quarter", sort: str = "name",
              user=Depends(deps.current_user)):
    if indicator_id not in REGISTRY:
        raise HTTPException(status_code=404)
    entry = REGISTRY.get(indicator_id)
    if by and by not in entry.grain:
        by = ""
    if period not in PERIOD_KINDS:
        period = "quarter"
    if sort not in indicators_views.SORT_ORDERS:
        sort = "name"
    ctx = view_context(request, user)
    return render_page(request, "pages/indicator.html",
                       lambda: indicators_views.indicator_page(ctx, indicator_id, by, period, sort))
