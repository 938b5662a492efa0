"""The self-assessment report (oma-arviointi) of a programme, in HTML, PDF and DOCX.

``build_report`` assembles the content once from a stored programme, a
reporting period, a language and indicator values; ``render`` lays it out in
any of the three formats. ``report_bytes`` does both for the CLI and the web
download button.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from valvomo.reports.model import ReportContent

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from valvomo.config import Settings
    from valvomo.programme.indicator_values import IndicatorValues
    from valvomo.services.segment_summary import SegmentFigure

FORMATS = ("html", "pdf", "docx")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class RenderedReport:
    content: ReportContent
    data: bytes
    media_type: str
    filename: str


def build_report(
    session: Session,
    programme_id: str,
    period: str | None,
    lang: str,
    values: IndicatorValues | None,
    *,
    profile: str = "standard",
    segments: Sequence[SegmentFigure] = (),
) -> ReportContent:
    """The report content of a stored programme (``period`` None: the latest assessed), citing the
    county's segment and care-gap figures ``segments`` (see ``cited_segment_figures``)."""
    from valvomo.programme.service import get_programme
    from valvomo.reports.content import build_content

    return build_content(
        get_programme(session, programme_id), period, lang, values, profile=profile, segments=segments
    )


def cited_segment_figures(settings: Settings, lang: str) -> list[SegmentFigure]:
    """The segment and care-gap figures a report cites, protected with the configured profile; none
    when the warehouse has no data for them (the report then has no segment section)."""
    from valvomo.services.results import EmptyWarehouseError, MissingTableError, UnsupportedQueryError
    from valvomo.services.segment_summary import segment_figures

    try:
        return segment_figures(settings, lang=lang, profile=settings.disclosure_profile)
    except (EmptyWarehouseError, MissingTableError, UnsupportedQueryError):
        return []


def render(content: ReportContent, fmt: str) -> bytes:
    """The report in ``fmt`` (html, pdf or docx)."""
    if fmt == "html":
        from valvomo.reports.html import render_html

        return render_html(content).encode("utf-8")
    if fmt == "pdf":
        from valvomo.reports.pdf import render_pdf

        return render_pdf(content)
    if fmt == "docx":
        from valvomo.reports.word import render_docx

        return render_docx(content)
    raise ValueError(f"unknown format {fmt!r}; expected html, pdf or docx")


def report_bytes(
    settings: Settings,
    session: Session,
    programme_id: str,
    period: str | None,
    fmt: str,
    lang: str,
    values: IndicatorValues | None = None,
) -> RenderedReport:
    """Build and render in one call, with the engine's values and the configured disclosure profile."""
    from valvomo.programme.indicator_values import ResultsServiceValues

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected html, pdf or docx")
    values = values if values is not None else ResultsServiceValues(settings)
    content = build_report(
        session, programme_id, period, lang, values, profile=settings.disclosure_profile,
        segments=cited_segment_figures(settings, lang),
    )
    return RenderedReport(content, render(content, fmt), MEDIA_TYPES[fmt], content.filename(fmt))
