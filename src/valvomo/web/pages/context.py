"""From a request to a ``ViewContext``: the result store, the language and the disclosure profile.

One ``ResultStore`` is kept per data directory for the life of the process, so
the materialised rows are read from disk once per snapshot. Whether an ingest
has published a newer snapshot is checked at most every few seconds (a file
read), and the store then re-opens the warehouse; view models are cached per
snapshot, so a new ingest shows up without a restart.
"""

from __future__ import annotations

import threading
import time

from fastapi import Request
from markupsafe import Markup

from valvomo.config import Settings
from valvomo.services.catalogue import profile_label
from valvomo.services.results import ResultStore
from valvomo.web import deps
from valvomo.web.views.common import ViewContext

SNAPSHOT_CHECK_SECONDS = 3.0

_LOCK = threading.Lock()
_STORES: dict[str, tuple[ResultStore, list[float]]] = {}


def app_settings(request: Request) -> Settings:
    """The app's settings (``create_app`` keeps them on ``app.state``)."""
    settings = getattr(request.app.state, "settings", None)
    if settings is None:
        from valvomo.config import get_settings

        settings = get_settings()
    return settings


def result_store(settings: Settings) -> ResultStore:
    """The process's store for ``settings.home``, switched to a newer snapshot when one appears."""
    key = str(settings.home)
    with _LOCK:
        entry = _STORES.get(key)
        if entry is None or entry[0].settings is not settings:
            entry = (ResultStore(settings), [time.monotonic()])
            _STORES[key] = entry
        store, checked = entry
        now = time.monotonic()
        if now - checked[0] >= SNAPSHOT_CHECK_SECONDS:
            checked[0] = now
            warehouse = store._warehouse  # noqa: SLF001  (None until first use)
            if warehouse is not None and hasattr(warehouse, "is_current") and not warehouse.is_current():
                store.refresh()
    return store


def view_context(request: Request, user) -> ViewContext:
    settings = app_settings(request)
    return ViewContext(
        settings=settings,
        store=result_store(settings),
        lang=deps.get_lang(request),
        profile=deps.disclosure_profile_for(user, request),
    )


def render_page(request: Request, template: str, build, **extra):
    """Render ``template`` with ``page=build()``; an empty warehouse gets a page saying how to load data.

    The template's ``title`` and ``content`` blocks depend only on the page model,
    the language, the profile and ``extra``, so they are rendered once and kept
    in the (cached) page model; each request renders only the layout around them
    (user, CSRF token, language links). This keeps a page's cost per request at a
    few milliseconds (bench/load_test.py).
    """
    from valvomo.services.results import EmptyWarehouseError

    try:
        page = build()
    except EmptyWarehouseError:
        return deps.render(request, "pages/empty.html", {})
    context = deps.base_context(request)
    context.update(page=page, **extra)
    key = (template, context["lang"], context["disclosure_profile"], tuple(sorted(extra.items())))
    rendered = page.setdefault("_rendered", {}) if isinstance(page, dict) else {}
    if key not in rendered:
        compiled = deps.templates.env.get_template(template)
        blocks = compiled.new_context(context)
        rendered[key] = (
            Markup("".join(compiled.blocks["title"](blocks))),
            Markup("".join(compiled.blocks["content"](blocks))),
        )
    title, content = rendered[key]
    profile_text = profile_label(context["disclosure_profile"], context["lang"])  # once per page
    return deps.render(request, "pages/_cached.html",
                       {"page_title": title, "page_content": content, "profile_text": profile_text})
