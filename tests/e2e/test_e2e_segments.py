"""Segment pages in a real browser: the questionnaire filled in Swedish with the keyboard only, and an
axe-core scan of every new page (no serious or critical violation)."""

from __future__ import annotations

from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
NEW_PAGES = {
    "segments": "/segments",
    "caregaps": "/caregaps",
    "caregap_list": "/caregaps/ST-LOVIISA",
    "questionnaire": "/segments/questionnaire",
}
MAX_TABS = 80


def _tab_until(page, predicate_js: str) -> None:
    """Press Tab until ``predicate_js`` (about document.activeElement) holds; bounded."""
    for _ in range(MAX_TABS):
        if page.evaluate(f"() => {{ const e = document.activeElement; return !!({predicate_js}); }}"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"keyboard focus never reached: {predicate_js}")


def test_questionnaire_in_swedish_with_the_keyboard_only(live_server, new_page, log_in):
    page = log_in(new_page(), "manager")
    page.goto(live_server["url"] + "/segments/questionnaire?lang=sv")
    assert page.get_attribute("html", "lang") == "sv"
    assert page.locator("h1").inner_text() == "Segmenteringsenkät"
    page.locator("body").focus()
    _tab_until(page, "e && e.id === 'patient_id'")
    page.keyboard.type("P0000007")
    # resources items answered 2 (low resources), complexity items 4 (high complexity): network customer
    for item, score in [*((f"R{i}", 2) for i in range(1, 6)), *((f"C{i}", 4) for i in range(1, 6))]:
        _tab_until(page, f"e && e.name === 'item_{item}'")
        page.keyboard.press("Space")  # checks the focused option, 1
        for _ in range(score - 1):
            page.keyboard.press("ArrowRight")
        assert page.evaluate(f"() => document.querySelector('input[name=item_{item}]:checked').value") == str(score)
    _tab_until(page, "e && e.type === 'submit' && e.closest('form.questionnaire')")
    page.keyboard.press("Enter")
    page.wait_for_load_state("domcontentloaded")
    heading = page.locator("#result-heading").inner_text()
    assert heading == "Patientens P0000007 segment: nätverksklient"
    assert "multiprofessionellt team" in page.locator("#result").inner_text()


@pytest.mark.parametrize("name", list(NEW_PAGES))
def test_new_pages_have_no_serious_axe_violation(live_server, new_page, log_in, screenshots, name):
    page = log_in(new_page(bypass_csp=True), "analyst")
    response = page.goto(live_server["url"] + NEW_PAGES[name] + "?lang=fi")
    assert response.status == 200
    page.screenshot(path=str(screenshots / f"segments-{name}.png"), full_page=True)
    assert AXE.exists(), "run `npm install --no-audit --no-fund` for node_modules/axe-core"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"{v['impact']}: {v['id']} – {v['help']} ({len(v['nodes'])} nodes), e.g. {v['nodes'][0]['html'][:200]}"
        for v in serious
    )
    assert not serious, f"axe-core on {NEW_PAGES[name]}:\n{report}"
