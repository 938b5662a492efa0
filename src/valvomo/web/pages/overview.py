"""County overview ("/"): headline indicators against their targets and the stations missing
the 7-day target this quarter (the question of issue 3)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from valvomo.web import deps, view_models
from valvomo.web.pages.context import render_page, view_context

router = APIRouter()


@router.get("/", response_class=HTMLResponse, name="overview")
def overview(request: Request, user=Depends(deps.current_user)):
    ctx = view_context(request, user)
    return render_page(request, "pages/overview.html", lambda: view_models.overview_page(ctx))
