"""CSV and XLSX downloads hold exactly the figures on screen, redactions included, and name the
disclosure profile."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from pages_html import table_by_id

from valvomo.disclosure import format_cell
from valvomo.services.results import ResultStore
from valvomo.web.pages.downloads import table_csv, table_xlsx
from valvomo.web.views import common
from valvomo.web.views.common import Cell, Column, TableModel


@pytest.fixture
def app(county_settings):
    from valvomo.web.app import create_app

    return create_app(county_settings)


def _csv_rows(body: bytes) -> tuple[str, list[dict]]:
    text = body.decode("utf-8-sig")
    first, rest = text.split("\n", 1)
    return first, list(csv.DictReader(io.StringIO(rest)))


def test_writers_on_a_hand_table():
    table = TableModel(
        key="comparison",
        caption="Käynnit 7 vrk",
        columns=[Column("station", "Asema"), Column("value", "Arvo", True), Column("numerator", "Osoittaja", True)],
        rows=[
            [Cell("Näsi", "S1"), Cell("50,0 %", 0.5, numeric=True, unit="share"), Cell("10", 10, unit="count")],
            [Cell("Pukkila", "S3"), Cell("<8", None, suppressed=True), Cell("<8", None, suppressed=True)],
        ],
        profile="standard",
        profile_text="Tietosuojakäsittely: vakio",
    )
    comment, rows = _csv_rows(table_csv(table))
    assert comment == "# disclosure_profile=standard; Tietosuojakäsittely: vakio"
    assert rows == [
        {"station": "S1", "value": "0.5", "numerator": "10", "suppressed": "false"},
        {"station": "S3", "value": "", "numerator": "", "suppressed": "true"},
    ]
    book = openpyxl.load_workbook(io.BytesIO(table_xlsx(table)))
    sheet = book.active
    assert sheet["A1"].value == "Tietosuojakäsittely: vakio"
    assert [c.value for c in sheet[3]] == ["Asema", "Arvo", "Osoittaja", "suppressed"]
    assert [c.value for c in sheet[4]] == ["S1", 0.5, 10, False]
    assert sheet["B4"].number_format == "0.0%"
    assert [c.value for c in sheet[5]] == ["S3", None, None, True]
    assert book.properties.keywords == "disclosure_profile=standard"
    assert book.custom_doc_props["disclosure_profile"].value == "standard"


def test_comparison_csv_and_xlsx_equal_the_page(logged_in, county_settings):
    client = logged_in("viewer")
    quarter = max(r["period"] for r in ResultStore(county_settings).query(["access_7d"]))
    query = f"indicator=access_7d&period={quarter}"
    page = table_by_id(client.get(f"/stations?{query}&lang=fi").text, "t-comparison")
    on_screen = {cells[0]: cells for cells in page["rows"][1:]}
    response = client.get(f"/download/comparison.csv?{query}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    comment, rows = _csv_rows(response.content)
    assert comment.startswith("# disclosure_profile=standard")
    ctx = common.ViewContext(county_settings, ResultStore(county_settings), "fi", "standard")
    names = {k: v["name_fi"] for k, v in common.stations(ctx).items()}
    assert len(rows) == len(on_screen)
    for row in rows:
        cells = on_screen[names[row["station"]]]
        if row["suppressed"] == "true":
            assert row["value"] == "" and cells[2] == "<8"
        else:
            assert cells[2] == format_cell(float(row["value"]), False, "fi", unit="share")
            assert cells[3].replace("\u00a0", "") == row["numerator"]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/download/comparison.xlsx?{query}").content))
    sheet = book.active
    assert "vakio" in sheet["A1"].value
    xlsx_rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    assert [r[0] for r in xlsx_rows] == [r["station"] for r in rows]
    assert [r[2] for r in xlsx_rows] == [float(r["value"]) if r["value"] else None for r in rows]


@pytest.mark.parametrize(
    ("key", "query"),
    [
        ("headlines", ""),
        ("missing-7d", ""),
        ("station-family", "station=ST-LOVIISA&family=access"),
        ("station-annual", "station=ST-LOVIISA"),
        ("station-waiting", "station=ST-LOVIISA"),
        ("station-t3", "station=ST-LOVIISA"),
        ("station-channels", "station=ST-LOVIISA"),
        ("indicator-data", "indicator=coci&by=station&period=quarter"),
        ("recording", ""),
        ("ingest", ""),
    ],
)
def test_every_table_downloads(logged_in, key, query):
    client = logged_in("viewer")
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/download/{key}.{fmt}?{query}")
        assert response.status_code == 200, (key, fmt)
        assert f"valvomo-{key}" in response.headers["content-disposition"]
    comment, rows = _csv_rows(client.get(f"/download/{key}.csv?{query}").content)
    assert comment.startswith("# disclosure_profile=standard")
    assert rows, key


def test_unknown_downloads_are_404(logged_in):
    client = logged_in("viewer")
    assert client.get("/download/nope.csv").status_code == 404
    assert client.get("/download/comparison.pdf").status_code == 404
    assert client.get("/download/comparison.csv?indicator=nope").status_code == 404
