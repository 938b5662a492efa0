"""Programme pages in a real browser: an analyst records an assessment through the form, downloads
the self-assessment report (HTML and DOCX) and finds the new value and note in it; axe-core finds
no serious or critical accessibility problem on the programme pages or in the HTML report."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import docx
import pytest

from conftest import AXE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from pages_html import html_tables  # noqa: E402

ADULT_WORK = "Aikuissosiaalityö Tulevaisuuden Sote-keskuksessa (THK)"  # 25 % in 5/2021, 50 % in 11/2021
NOTE = "Toimintamalli pilotoitu Malmin ja Kalasataman asemilla (e2e)."
AXE_TAGS = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']"


@pytest.fixture(scope="session")
def programmes_server(live_server):
    """The live server's app database with the three example programmes stored."""
    from valvomo.programme.examples import load_examples

    load_examples(live_server["settings"])
    return live_server


def serious_violations(page) -> list[str]:
    assert AXE.exists(), "run `npm install --no-audit --no-fund` for node_modules/axe-core"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(f"async () => await axe.run(document, {{runOnly: {{type: 'tag', values: {AXE_TAGS}}}}})")
    return [
        f"{v['impact']}: {v['id']} – {v['help']} ({len(v['nodes'])} nodes), e.g. {v['nodes'][0]['html'][:200]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_record_an_assessment_and_find_it_in_the_report(programmes_server, new_page, log_in, screenshots, tmp_path):
    url = programmes_server["url"]
    page = log_in(new_page(), "analyst")
    page.goto(f"{url}/programmes/helsinki-tsk?lang=fi")
    assert page.locator("h1").inner_text() == "Helsingin Tulevaisuuden sote-keskus -ohjelma"

    page.get_by_role("link", name="Kirjaa arvio", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    assert "/programmes/helsinki-tsk/assess" in page.url
    measure_value = page.locator("#measure option", has_text=ADULT_WORK).get_attribute("value")
    page.get_by_label("Toimenpide").select_option(measure_value)
    page.get_by_label("Raportointijakso").select_option("5/2022")
    page.get_by_label("75 % (pitkällä)").check()
    page.get_by_label("Huomautus etenemisestä (vapaaehtoinen)").fill(NOTE)
    page.screenshot(path=str(screenshots / "programme-assess.png"), full_page=True)
    page.get_by_role("button", name="Tallenna arvio").click()
    page.wait_for_load_state("domcontentloaded")

    assert f"recorded={measure_value}" in page.url and "period=5%2F2022" in page.url
    assert "Arvio kirjattu jaksolle 5/2022" in page.get_by_role("status").first.inner_text()
    row = page.locator(f"#measure-{measure_value}")
    assert "75\u00a0%" in row.inner_text() and NOTE in row.inner_text()
    page.screenshot(path=str(screenshots / "programme-overview.png"), full_page=False)

    # the report form defaults to the period on screen (5/2022) and the page's language
    assert page.locator("#report-period").input_value() == "5/2022"
    assert page.locator("#report-lang").input_value() == "fi"
    with page.expect_download() as html_download:
        page.get_by_role("button", name="Lataa raportti").click()
    report_path = tmp_path / html_download.value.suggested_filename
    html_download.value.save_as(report_path)
    assert report_path.name == "helsinki-tsk-5-2022-fi.html"
    html = report_path.read_text(encoding="utf-8")
    measures = next(t for t in html_tables(html) if t["id"] == "table-measures-1")
    row = next(r for r in measures["rows"] if r[0] == ADULT_WORK)
    assert [c.replace("\u00a0", " ") for c in row[2:5]] == ["25 %", "50 %", "75 %"]  # "%" kept with its number
    assert NOTE in html

    page.get_by_label("Tiedostomuoto").select_option("docx")
    with page.expect_download() as docx_download:
        page.get_by_role("button", name="Lataa raportti").click()
    assert docx_download.value.suggested_filename == "helsinki-tsk-5-2022-fi.docx"
    document = docx.Document(io.BytesIO(Path(docx_download.value.path()).read_bytes()))
    rows = [[cell.text for cell in r.cells] for table in document.tables for r in table.rows]
    row = next(r for r in rows if r[0] == ADULT_WORK)
    assert [c.replace("\u00a0", " ") for c in row[2:5]] == ["25 %", "50 %", "75 %"]
    assert any(NOTE in paragraph.text for paragraph in document.paragraphs)

    # axe-core on the generated report, opened from the file
    report_page = new_page(bypass_csp=True)
    report_page.goto(report_path.as_uri())
    assert report_page.get_attribute("html", "lang") == "fi"
    report_page.screenshot(path=str(screenshots / "programme-report.png"), full_page=False)
    problems = serious_violations(report_page)
    assert not problems, "axe-core on the HTML report:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", [
    "/programmes",
    "/programmes/helsinki-tsk",
    "/programmes/rrp-lansi-uusimaa?period=2024Q4",
    "/programmes/compare",
    "/programmes/keski-suomi-tsk/assess",
])  # fmt: skip
def test_programme_pages_pass_axe(programmes_server, new_page, log_in, screenshots, path):
    page = log_in(new_page(bypass_csp=True), "analyst")
    response = page.goto(programmes_server["url"] + path + ("&" if "?" in path else "?") + "lang=sv")
    assert response.status == 200
    assert page.get_attribute("html", "lang") == "sv"
    name = "programme-" + path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=False)
    problems = serious_violations(page)
    assert not problems, f"axe-core on {path}:\n" + "\n".join(problems)
