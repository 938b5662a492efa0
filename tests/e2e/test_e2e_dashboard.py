"""The dashboard in a real browser: language switching, the drill-down from the county to a
station and an indicator, a CSV download checked against the API, access control for
patient-level pages, screenshots of the main pages and an axe-core accessibility scan."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

MAIN_PAGES = {
    "overview": "/",
    "comparison": "/stations",
    "station": "/stations/ST-LOVIISA",
    "indicators": "/indicators",
    "indicator": "/indicators/access_7d",
    "quality": "/quality",
}


def test_language_switch_fi_sv_en(live_server, new_page, log_in):
    page = log_in(new_page(), "viewer")
    page.goto(live_server["url"] + "/")
    assert page.get_attribute("html", "lang") == "fi"
    assert page.locator("h1").inner_text() == "Hyvinvointialueen tilannekuva"
    for name, lang, heading, question in (
        ("Svenska", "sv", "Lägesbild för välfärdsområdet", "Vilka stationer når inte 7-dygnsmålet"),
        ("English", "en", "County overview", "Which stations miss the 7-day target"),
    ):
        page.get_by_role("navigation", name={"sv": "Kieli", "en": "Språk"}[lang]).get_by_role("link", name=name).click()
        page.wait_for_load_state("domcontentloaded")
        assert page.get_attribute("html", "lang") == lang
        assert page.locator("h1").inner_text() == heading
        assert question in page.locator("#missing-heading").inner_text()
    # the choice is remembered for the next page
    page.goto(live_server["url"] + "/quality")
    assert page.locator("h1").inner_text() == "Data quality"


def test_overview_to_station_to_indicator(live_server, new_page, log_in):
    page = log_in(new_page(), "analyst")
    page.goto(live_server["url"] + "/?lang=fi")
    first_station = page.locator("#t-missing-7d tbody th a").first
    name = first_station.inner_text()
    first_station.click()
    page.wait_for_load_state("domcontentloaded")
    assert "/stations/ST-" in page.url
    assert page.locator("h1").inner_text() == name
    page.get_by_role("link", name="Kiireettömät käynnit 7 vrk:ssa").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/indicators/access_7d")
    assert page.locator("h1").inner_text() == "Kiireettömät käynnit 7 vrk:ssa"
    assert page.locator("table.data").count() >= 1


def test_csv_download_matches_the_api(live_server, new_page, log_in):
    page = log_in(new_page(), "analyst")
    page.goto(live_server["url"] + "/stations?indicator=access_7d&lang=en")
    period = page.locator("#period-select").input_value()
    with page.expect_download() as download_info:
        page.locator("section.data-block .downloads a", has_text="CSV").first.click()
    text = open(download_info.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    comment, body = text.split("\n", 1)
    assert comment.startswith("# disclosure_profile=standard")
    downloaded = {row["station"]: row for row in csv.DictReader(io.StringIO(body))}
    api = httpx.get(
        live_server["url"] + "/api/indicators",
        params={"indicator": "access_7d", "by": "station", "period": "quarter"},
        headers={"Authorization": f"Bearer {live_server['token']}"},
    )
    assert api.status_code == 200
    rows = {r["station_id"]: r for r in api.json()["rows"] if r["period"] == period}
    # the 7-day share is defined for health and nurse-led stations: the guidance unit's contacts are not
    # in its population (issue 11, item 5), so neither the page nor the API has a row for it
    assert rows and set(downloaded) == set(rows) and "ST-OHJAUS" not in rows
    compared = 0
    for station, row in downloaded.items():
        if row["suppressed"] == "true":
            continue  # hidden on the page (redacted or complementary); the API row is at most rounded
        assert float(row["value"]) == pytest.approx(rows[station]["value"])
        assert int(row["numerator"]) == rows[station]["numerator"]
        assert int(row["denominator"]) == rows[station]["denominator"]
        compared += 1
    assert compared >= 5


def test_station_manager_gets_403_for_another_station(live_server, new_page, log_in):
    page = log_in(new_page(), "manager")  # manages ST-LOVIISA
    own = page.goto(live_server["url"] + "/stations/ST-LOVIISA/patients")
    assert own.status == 200
    other = page.goto(live_server["url"] + "/stations/ST-NASI/patients")
    assert other.status == 403
    assert page.locator("h1").count() == 1


@pytest.mark.parametrize("name", list(MAIN_PAGES))
def test_main_pages_screenshot_and_axe(live_server, new_page, log_in, screenshots, name):
    # the app's Content-Security-Policy rightly refuses injected scripts; the scanner is let in
    page = log_in(new_page(bypass_csp=True), "analyst")
    response = page.goto(live_server["url"] + MAIN_PAGES[name] + "?lang=fi")
    assert response.status == 200
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
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
    assert not serious, f"axe-core on {MAIN_PAGES[name]}:\n{report}"
