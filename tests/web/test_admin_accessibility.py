"""Login, error and admin pages in Debian's chromium: axe-core finds no serious or critical
violations, the skip link is the first tab stop and focus is visible.

A live uvicorn serves the app on a free loopback port inside this process; the
browser is /usr/bin/chromium (never a downloaded one) and axe-core comes from
node_modules (npm, installed by the setup script).
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm install axe-core)"),
]


@pytest.fixture
def live_url(app, make_user):
    import uvicorn

    make_user("boss", "admin")
    make_user("maija", "station_manager", stations=["ST-LOVIISA"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browse(live_url):
    """Run ``check(page)`` in Debian chromium, in a thread of its own.

    Playwright's sync API refuses to run where an asyncio loop is running, and an
    earlier test in the same process may leave one in the main thread (the ASGI
    test clients do); a fresh thread has none, so the result does not depend on
    test order.
    """

    def run(check) -> None:
        failure: list[BaseException] = []

        def work() -> None:
            from playwright.sync_api import sync_playwright

            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
                    )
                    try:
                        context = browser.new_context(viewport={"width": 1280, "height": 900})
                        check(context.new_page())
                    finally:
                        browser.close()
            except BaseException as error:  # re-raised in the test's thread
                failure.append(error)

        worker = threading.Thread(target=work)
        worker.start()
        worker.join(timeout=300)
        assert not worker.is_alive(), "the browser check did not finish in 300 s"
        if failure:
            raise failure[0]

    return run


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations of the current page (WCAG 2.1 A/AA rules)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluate is not subject to the page's CSP
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_core_pages_pass_axe_and_keyboard_checks(browse, live_url):
    browse(lambda page: _core_pages(page, live_url))


def _core_pages(page, live_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_url}/login")
    assert page.evaluate("document.documentElement.lang") == "fi"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the :focus-visible ring
    problems = {"login": axe_violations(page)}
    page.screenshot(path=str(SCREENSHOTS / "core-login.png"), full_page=True)

    page.fill("#username", "boss")
    page.fill("#password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.goto(f"{live_url}/admin/users?lang=sv")
    assert page.evaluate("document.documentElement.lang") == "sv"
    for name, path in [("admin-users", "/admin/users"), ("admin-user", "/admin/users/maija"),
                       ("admin-audit", "/admin/audit"), ("error-404", "/no-such-page")]:  # fmt: skip
        page.goto(live_url + path)
        problems[name] = axe_violations(page)
        page.screenshot(path=str(SCREENSHOTS / f"core-{name}.png"), full_page=True)
    assert {k: v for k, v in problems.items() if v} == {}


def test_pages_reflow_at_200_percent_zoom(browse, live_url):
    """A 640 px wide viewport is 1280 px at 200 % zoom: no horizontal scrolling of the page."""
    browse(lambda page: _reflow(page, live_url))


def _reflow(page, live_url):
    page.set_viewport_size({"width": 640, "height": 900})
    page.goto(f"{live_url}/login")
    page.fill("#username", "boss")
    page.fill("#password", "correct-horse-battery")
    page.click("button[type=submit]")
    for path in ("/admin/users", "/admin/audit", "/login"):
        page.goto(live_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, path
