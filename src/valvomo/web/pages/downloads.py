"""CSV and XLSX downloads of every dashboard table ("/download/<table-key>.csv?…").

A download is built by the same ``web.views`` function, with the same query
parameters and the viewer's disclosure profile, as the table on the page, so it
holds exactly the figures shown there (disclosure.md: "the same disclosure
control as on screen"). The profile in force is named in every file:
- CSV: a leading comment line ``# disclosure_profile=standard; <label>``, then a
  header of column keys, raw values (shares as fractions 0–1, "." decimals), an
  empty cell for a redacted value and a ``suppressed`` flag column;
- XLSX: the label in the first row, the caption in the second, the header in
  the third; the profile also in the workbook's subject, keywords and a custom
  document property ``disclosure_profile``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from valvomo.services.spreadsheet import neutralise_cell, neutralise_row
from valvomo.web import deps
from valvomo.web.views import tables as tables_views
from valvomo.web.views.common import TableModel

router = APIRouter()

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_NUMBER_FORMATS = {
    "share": "0.0%",
    "count": "#,##0",
    "eur": "#,##0",
    "days": "0.0",
    "hours": "0.0",
    "score": "0.0",
    "rate_per_1000": "0.0",
    "index": "0.00",
    "ratio": "0.00",
}
_KEY = re.compile(r"^[a-z0-9-]+$")


def _row_suppressed(row) -> bool:
    return any(cell.suppressed for cell in row)


def _raw(cell) -> object:
    """The downloaded value of a cell: empty when redacted, formula-like text neutralised."""
    if cell.suppressed:
        return None
    return neutralise_cell(cell.value)


def table_csv(table: TableModel) -> bytes:
    """The table as CSV (UTF-8 with a byte-order mark so that spreadsheet programs read ä and ö)."""
    buffer = io.StringIO()
    buffer.write(f"# disclosure_profile={table.profile}; {table.profile_text}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(neutralise_row([c.key for c in table.columns] + ["suppressed"]))
    for row in table.rows:
        values = ["" if _raw(cell) is None else _raw(cell) for cell in row]
        writer.writerow(values + ["true" if _row_suppressed(row) else "false"])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(table: TableModel) -> bytes:
    from openpyxl import Workbook
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.key[:31]
    sheet.append(neutralise_row([table.profile_text]))
    sheet["A1"].font = Font(bold=True)
    sheet.append(neutralise_row([table.caption]))
    sheet.append(neutralise_row([c.label for c in table.columns] + [table.suppressed_label]))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_raw(cell) for cell in row] + [_row_suppressed(row)])
        for written, cell in zip(sheet[sheet.max_row], row, strict=False):
            if cell.unit in XLSX_NUMBER_FORMATS and isinstance(written.value, int | float):
                written.number_format = XLSX_NUMBER_FORMATS[cell.unit]
    sheet.freeze_panes = "A4"
    workbook.properties.title = table.caption
    workbook.properties.subject = table.profile_text
    workbook.properties.keywords = f"disclosure_profile={table.profile}"
    workbook.properties.creator = "Valvomo"
    workbook.custom_doc_props.append(StringProperty(name="disclosure_profile", value=table.profile))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_response(table: TableModel, fmt: str, filename: str) -> Response:
    if fmt == "csv":
        content, media = table_csv(table), CSV_MEDIA_TYPE
    elif fmt == "xlsx":
        content, media = table_xlsx(table), XLSX_MEDIA_TYPE
    else:
        raise HTTPException(status_code=404)
    return Response(content, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'})


def _filename(key: str, params: Mapping[str, str]) -> str:
    parts = [key] + [re.sub(r"[^A-Za-z0-9_-]", "_", str(v)) for v in params.values() if v]
    return "valvomo-" + "-".join(parts)


@router.get("/download/{key}.{fmt}", name="download")
def download(request: Request, key: str, fmt: str, user=Depends(deps.current_user)):
    from valvomo.indicators.registry import REGISTRY, UnknownIndicatorError
    from valvomo.web.pages.context import view_context

    if not _KEY.match(key) or key not in tables_views.TABLES or fmt not in ("csv", "xlsx"):
        raise HTTPException(status_code=404)
    params = {k: v for k, v in request.query_params.items() if k not in ("lang",)}
    if "station" in params and key.startswith("station") and not params["station"]:
        raise HTTPException(status_code=404)
    if "indicator" in params and params["indicator"] not in REGISTRY:
        raise HTTPException(status_code=404)
    ctx = view_context(request, user)
    try:
        table = tables_views.build_table(ctx, key, params)
    except (KeyError, ValueError, UnknownIndicatorError):
        raise HTTPException(status_code=404) from None
    return file_response(table, fmt, _filename(key, params))
