"""County overview ("/"): headline indicators against their targets and the stations missing
the 7-day target this quarter (the question of issue 3)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from valvomo.web import deps
from valvomo.web.pages.context import render_page, view_context
from valvomo.web.views import overview as overview_views

router = APIRouter()


@router.get("/", response_class=HTMLResponse, name="overview")
def overview(request: Request, user=Depends(deps.current_user)):
    ctx = view_context(request, user)
    return render_page(request, "pages/overview.html", lambda: overview_views.overview_page(ctx))
