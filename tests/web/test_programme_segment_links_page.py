"""The programme page shows a link to a segment output (issue 7): the value the services give for it,
disclosure-controlled with the reader's profile, and a link to the segment or care-gap page."""

from __future__ import annotations

import programme_pages_support as support

from plan_yaml import plan_yaml
from valvomo.appdb import session_scope
from valvomo.programme import service
from valvomo.programme.yamlio import parse_document
from valvomo.services.outputs import output_values

examples_database = support.examples_database
settings = support.settings

CARE_GAP = "care_gaps:t2d_no_hba1c_12m"
PLAN = plan_yaml(
    "segment-page", "{fi: Segmenttisivu, sv: Segmentsida, en: Segment page}",
    start="2023-01-01", end="2025-12-31", cadence="year", periods=["2024"],
    indicators=f"- indicator: {CARE_GAP}\n  goal: 1\n- indicator: segment_coci:high_need\n  goal: 1\n",
)


def test_the_programme_page_shows_linked_segment_values(logged_in, settings):
    with session_scope(settings) as db:
        service.save_document(db, parse_document(PLAN, "plan.yaml"))
    gap = output_values(settings, CARE_GAP, "year")
    assert gap.get("2024") is not None, gap  # the small county has diabetics without HbA1c
    page = logged_in("analyst").get("/programmes/segment-page?period=2024&lang=en")
    assert page.status_code == 200, page.text
    assert "Care gaps: Type 2 diabetes without HbA1c in 12 months" in page.text
    assert "Continuity of care (COCI) by segment: high-need" in page.text
    assert f"{gap['2024'] * 100:.1f}%" in page.text
    assert 'href="/caregaps"' in page.text and 'href="/segments"' in page.text
    assert 'href="/indicators/care_gaps' not in page.text
