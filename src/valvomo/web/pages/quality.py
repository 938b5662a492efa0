"""Data quality ("/quality"): ingest history and recording completeness per station and field."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from valvomo.web import deps
from valvomo.web.pages.context import render_page, view_context
from valvomo.web.views import quality as quality_views

router = APIRouter()


@router.get("/quality", response_class=HTMLResponse, name="quality")
def quality(request: Request, user=Depends(deps.current_user)):
    ctx = view_context(request, user)

    return render_page(request, "pages/quality.html", lambda: quality_views.quality_page(ctx))
