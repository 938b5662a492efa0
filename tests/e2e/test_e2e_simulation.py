"""The scenario editor in a real browser: reachable from the menu, accessible (axe-core), and a
form mistake is reported next to the field with a link from the error summary."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def _serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        f"{v['impact']}: {v['id']} – {v['help']}, e.g. {v['nodes'][0]['html'][:200]}"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]  # fmt: skip


def test_scenario_editor_is_accessible_and_explains_mistakes(live_server, new_page, log_in) -> None:
    page = log_in(new_page(bypass_csp=True), "analyst")
    page.goto(live_server["url"] + "/?lang=en")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Scenarios").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/simulation")
    assert AXE.exists(), "run `npm install --no-audit --no-fund` for node_modules/axe-core"
    assert _serious_violations(page) == []

    page.get_by_label("nurse", exact=True).fill("a lot")
    page.get_by_role("button", name="Run the scenario").click()
    page.wait_for_load_state("domcontentloaded")
    summary = page.get_by_role("alert")
    assert "The scenario was not started" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "fte_change_nurse"
    assert page.locator("#fte_change_nurse").get_attribute("aria-invalid") == "true"
    assert _serious_violations(page) == []
