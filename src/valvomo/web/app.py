"""The FastAPI application: dashboard pages, login, administration and the JSON API.

``create_app`` wires the parts together; it holds no page logic itself. Pages are
discovered: every module in ``valvomo.web.pages`` that defines ``router`` is
included (sorted by module name), so a new page is one new module. Only the
JSON API appears in the OpenAPI schema (``/api/openapi.json``); the interactive
Swagger/ReDoc pages are off because they load scripts from a CDN.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import secrets
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

import valvomo
from valvomo.appdb import get_sessionmaker, upgrade_to_head
from valvomo.config import Settings, get_settings
from valvomo.web import deps
from valvomo.web.i18n import N_
from valvomo.web.security import SecurityHeadersMiddleware, secret_key, security_headers

STATIC_DIR = Path(__file__).with_name("static")
log = logging.getLogger("valvomo.web")

ERROR_TITLES = {
    400: N_("The request could not be understood"),
    401: N_("Please log in"),
    403: N_("You do not have access to this page"),
    404: N_("Page not found"),
    405: N_("This action is not allowed here"),
    429: N_("Too many requests"),
    500: N_("Something went wrong on our side"),
}
ERROR_HINTS = {
    400: N_("Check the address or the values you entered and try again."),
    401: N_("Your session has ended. Log in again to continue."),
    403: N_("Your role does not give access to this content. Ask an administrator if you need it."),
    404: N_("The address may be mistyped, or the page has moved."),
    405: N_("Go back and use the page's own buttons."),
    429: N_("Wait a moment before trying again."),
    500: N_("The error has been logged. Try again in a moment; if it persists, contact support."),
}
CSRF_HINT = N_("The form had expired or did not come from this site. Reload the page and try again.")


def _is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def _error_page(request: Request, status: int, hint: str | None = None) -> HTMLResponse:
    context = {
        "status": status,
        "title_msgid": ERROR_TITLES.get(status, ERROR_TITLES[400 if status < 500 else 500]),
        "hint_msgid": hint or ERROR_HINTS.get(status, ERROR_HINTS[400 if status < 500 else 500]),
    }
    try:
        return deps.render(request, "error.html", context, status_code=status)
    except Exception:  # noqa: BLE001  (a boundary: the error page must not fail; plain, untranslated text)
        log.exception("rendering the error page failed")
        lang = getattr(request.state, "lang", "fi")
        return HTMLResponse(
            f"<!doctype html><html lang='{lang}'><title>{status}</title><h1>{status}</h1></html>",
            status_code=status,
        )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(deps.LoginRequired)
    async def login_required(request: Request, exc: deps.LoginRequired):
        from urllib.parse import urlencode

        return RedirectResponse("/login?" + urlencode({"next": exc.next_path}), status_code=303)

    @app.exception_handler(deps.CsrfFailed)
    async def csrf_failed(request: Request, exc: deps.CsrfFailed):
        if _is_api(request):
            return JSONResponse({"detail": "CSRF token missing or invalid"}, status_code=403)
        return await run_in_threadpool(_error_page, request, 403, CSRF_HINT)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if _is_api(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return await run_in_threadpool(_error_page, request, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        if _is_api(request):
            errors = [
                {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                for e in exc.errors()
            ]
            return JSONResponse({"detail": errors}, status_code=422)
        return await run_in_threadpool(_error_page, request, 400)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        if _is_api(request):
            response = JSONResponse({"detail": "internal error"}, status_code=500)
        else:
            response = await run_in_threadpool(_error_page, request, 500)
        # Unhandled errors are answered outside the middleware stack: add its headers here.
        nonce = getattr(request.state, "csp_nonce", None) or secrets.token_urlsafe(16)
        for name, value in security_headers(nonce, is_https=request.url.scheme == "https").items():
            response.headers[name.decode()] = value.decode()
        return response


def _page_routers():
    import valvomo.web.pages as pages

    for info in sorted(pkgutil.iter_modules(pages.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"valvomo.web.pages.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            yield router


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> FastAPI:
    """The dashboard and API for ``settings`` (default: the process settings).

    ``migrate`` brings the app database to the newest revision first, so a fresh
    home directory works without a separate step.
    """
    settings = settings or get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    if migrate:
        upgrade_to_head(settings)
    secret_key(settings)  # create the key file now rather than under concurrent first requests

    from valvomo.web import admin, api
    from valvomo.web.auth import routes as auth_routes

    app = FastAPI(
        title="Valvomo API",
        version=valvomo.__version__,
        description="Indicator results of the Valvomo control room, in the output contract of "
        "`valvomo indicators` (docs/api.md). Authenticate with `Authorization: Bearer <token>`.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(deps.csrf_protect)],
    )
    app.state.settings = settings
    app.state.sessionmaker = get_sessionmaker(settings)
    app.add_middleware(SecurityHeadersMiddleware)
    _install_error_handlers(app)

    app.include_router(api.router)
    app.include_router(importlib.import_module("valvomo.web.api_simulation").router)  # in the OpenAPI document (docs/api.md, "Simulations")
    app.include_router(importlib.import_module("valvomo.web.api_segments").router)
    app.include_router(auth_routes.router, include_in_schema=False)
    app.include_router(admin.router, include_in_schema=False)
    for router in _page_routers():
        app.include_router(router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app

