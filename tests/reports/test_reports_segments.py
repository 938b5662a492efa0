"""The report cites the county's segment and care-gap figures (issue 7): a section of its own, with the
figures as protected by disclosure control, in the report's language; none without figures."""

from __future__ import annotations

import datetime as dt

from valvomo.programme.service import get_programme
from valvomo.reports import render
from valvomo.reports.content import build_content
from valvomo.services.segment_summary import SegmentFigure

FIGURES = [
    SegmentFigure("utilisation_segment_mix:high_need", "Paljon palveluja tarvitsevat", "2025", 0.0912, "9,1 %", False, "share"),
    SegmentFigure("gini_cost", "Kustannusten Gini-kerroin", "2025", 0.71, "0,71", False, "index"),
    SegmentFigure("care_gaps:t2d_no_hba1c", "Tyypin 2 diabetes ilman HbA1c:tä", "2025", None, "<8", True, "share"),
]


def _build(session, lang, segments):
    programme = get_programme(session, "rrp-lansi-uusimaa")
    return build_content(programme, "2024Q4", lang, None, profile="standard", generated=dt.date(2026, 1, 15),
                         segments=segments)  # fmt: skip


def test_segment_figures_get_a_section_before_the_methods(report_session):
    content = _build(report_session, "fi", FIGURES)
    headings = [section.heading for section in content.sections]
    segment_heading = next(h for h in headings if "Asiakkuussegmentit ja hoitopudokkaat" in h)
    assert headings.index(segment_heading) == len(headings) - 2  # then "Menetelmät ja tietosuoja"
    table = next(t for t in content.tables() if t.id == "table-segments")
    assert table.text_rows() == [
        ["Paljon palveluja tarvitsevat", "9,1 %"],
        ["Kustannusten Gini-kerroin", "0,71"],
        ["Tyypin 2 diabetes ilman HbA1c:tä", "<8"],  # redacted as everywhere else
    ]
    html = render(content, "html").decode()
    assert "table-segments" in html and "&lt;8" in html


def test_the_section_speaks_the_report_language_and_is_absent_without_figures(report_session):
    swedish = _build(report_session, "sv", FIGURES)
    assert any("Kundsegment och vårdluckor" in s.heading for s in swedish.sections)
    assert [c for c in next(t for t in swedish.tables() if t.id == "table-segments").columns] == ["Nyckeltal", "Värde"]
    without = _build(report_session, "fi", [])
    assert not any(t.id == "table-segments" for t in without.tables())
    assert not any("Asiakkuussegmentit" in s.heading for s in without.sections)
