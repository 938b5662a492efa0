"""Render the report as PDF: the print version of the HTML, laid out by WeasyPrint.

The cover, the table of contents with page numbers (CSS ``target-counter``)
and the running headers come from the print rules of the same stylesheet, so
the PDF carries exactly the HTML's content. WeasyPrint makes PDF bookmarks of
the headings.
"""

from __future__ import annotations

import logging

from valvomo.reports.html import render_html
from valvomo.reports.model import ReportContent


def render_pdf(content: ReportContent) -> bytes:
    from weasyprint import HTML

    # WeasyPrint logs every CSS property it ignores; the report does not need them.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = HTML(string=render_html(content, mode="pdf"), base_url=".")
    return document.write_pdf() or b""
