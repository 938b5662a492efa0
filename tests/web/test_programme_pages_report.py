"""The report download button: /programmes/{id}/report returns the self-assessment as an
attachment in HTML, PDF or DOCX, in the language asked, and the export is audit-logged."""

from __future__ import annotations

import io
import zipfile

import docx
import programme_pages_support as support
from pages_html import html_tables
from programme_pages_support import measure_named, programme
from sqlalchemy import select

from valvomo.appdb import session_scope
from valvomo.programme import service
from valvomo.web.auth.models import User

ADULT_WORK = "Aikuissosiaalityö Tulevaisuuden Sote-keskuksessa (THK)"

# the programme database fixtures (``settings`` overrides the web conftest's)
examples_database = support.examples_database
settings = support.settings


def test_the_programme_page_has_the_download_form(logged_in):
    html = logged_in("viewer").get("/programmes/helsinki-tsk?lang=sv").text
    assert '<form method="get" action="/programmes/helsinki-tsk/report"' in html
    for control, name in (("report-period", "period"), ("report-format", "format"), ("report-lang", "lang")):
        assert f'<label for="{control}">' in html and f'<select id="{control}" name="{name}">' in html
    assert '<option value="11/2021" selected>' in html  # the period shown on the page
    assert '<option value="docx">Word (DOCX)</option>' in html
    assert '<option value="sv" lang="sv" selected>Svenska</option>' in html  # the page's language
    assert "Ladda ner rapporten" in html


def test_html_report_contains_the_measures_table(logged_in, settings, audit_actions):
    client = logged_in("viewer", username="vera")
    response = client.get("/programmes/helsinki-tsk/report?period=11/2021&format=html&lang=sv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="helsinki-tsk-11-2021-sv.html"'
    html = response.text
    assert '<html lang="sv"' in html
    tables = html_tables(html)
    measures = next(t for t in tables if t["id"] == "table-measures-1")
    assert measures["rows"][0][2:6] == ["5/2021", "11/2021", "5/2022", "11/2022"]
    row = next(r for r in measures["rows"] if r[0] == ADULT_WORK)
    assert [c.replace("\u00a0", " ") for c in row[2:4]] == ["25 %", "50 %"]  # the seed's values for 5/2021 and 11/2021
    assert [a for a in audit_actions(settings) if a[0] == "report_export"] == [("report_export", "vera", {
        "programme": "helsinki-tsk", "period": "11/2021", "format": "html", "lang": "sv",
        "file": "helsinki-tsk-11-2021-sv.html", "bytes": len(response.content),
    })]  # fmt: skip
    # ?lang= chose the report's language; the reader's interface language stays Finnish
    with session_scope(settings) as db:
        assert db.scalar(select(User.language).where(User.username == "vera")) == "fi"
    assert '<html lang="fi">' in client.get("/programmes").text


def test_the_report_cites_the_countys_segment_and_care_gap_figures(logged_in):
    html = logged_in("viewer").get("/programmes/rrp-lansi-uusimaa/report?period=2024Q4&format=html&lang=fi").text
    segments = next(t for t in html_tables(html) if t["id"] == "table-segments")
    names = [row[0] for row in segments["rows"]]
    assert len(names) >= 4 and any("Gini" in name for name in names)  # utilisation figures and care-gap rules
    assert all(row[1] for row in segments["rows"])  # a value or the redaction marker, never blank


def test_pdf_report(logged_in):
    response = logged_in("viewer").get("/programmes/rrp-lansi-uusimaa/report?period=2023Q4&format=pdf&lang=en")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="rrp-lansi-uusimaa-2023Q4-en.pdf"'
    assert response.content.startswith(b"%PDF")


def test_docx_report_carries_a_recorded_assessment(logged_in, settings):
    plan = programme(settings, "helsinki-tsk")
    measure = measure_named(plan, ADULT_WORK)
    with session_scope(settings) as db:
        service.record_assessment(db, measure.id, "5/2022", 75, narrative="Pilotti laajeni kolmelle asemalle.")
    response = logged_in("analyst").get("/programmes/helsinki-tsk/report?period=5/2022&format=docx&lang=fi")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="helsinki-tsk-5-2022-fi.docx"'
    assert response.content[:4] == b"PK\x03\x04" and "word/document.xml" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    document = docx.Document(io.BytesIO(response.content))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    row = next(r for r in rows if r[0] == ADULT_WORK)
    assert [c.replace("\u00a0", " ") for c in row[2:5]] == ["25 %", "50 %", "75 %"]
    assert any("Pilotti laajeni kolmelle asemalle." in p.text for p in document.paragraphs)


def test_bad_report_requests(logged_in, settings):
    client = logged_in("viewer", username="ville")
    assert client.get("/programmes/helsinki-tsk/report?format=odt").status_code == 400
    assert client.get("/programmes/helsinki-tsk/report?format=html&lang=de").status_code == 400
    assert client.get("/programmes/helsinki-tsk/report?format=html&period=2024Q1").status_code == 400
    assert client.get("/programmes/nothing/report?format=html").status_code == 404
    with session_scope(settings) as db:  # the error pages did not switch the reader's language
        assert db.scalar(select(User.language).where(User.username == "ville")) == "fi"
