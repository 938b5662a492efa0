"""Issue 10 in the report: a care-guarantee indicator states its below-target streak and flags a
figure whose assessment recording is below the threshold, from services/care_guarantee.py."""

from __future__ import annotations

import datetime as dt

from valvomo.programme.indicator_values import MappingValues
from valvomo.programme.service import get_programme
from valvomo.reports.content import build_content
from valvomo.reports.model import Facts, Paragraph
from valvomo.services.periods import format_period

# 66 % is the target in force until 2024Q2: below it from 2023Q2, three quarters in a row at 2023Q4
ACCESS = {"2022Q4": 0.70, "2023Q1": 0.67, "2023Q2": 0.60, "2023Q3": 0.62, "2023Q4": 0.64}


def _blocks(report_session, recording: float, lang: str = "en"):
    values = MappingValues({"access_7d": ACCESS, "assessment_recording": {"2023Q4": recording}})
    programme = get_programme(report_session, "rrp-lansi-uusimaa")
    content = build_content(programme, "2023Q4", lang, values, generated=dt.date(2026, 1, 15))
    blocks: list = []

    def walk(section):
        blocks.extend(section.blocks)
        for child in section.children:
            walk(child)

    for section in content.sections:
        walk(section)
    start = next(i for i, b in enumerate(blocks) if getattr(b, "id", "").endswith("-ind-access_7d"))
    end = next((i for i, b in enumerate(blocks[start + 1:], start + 1) if getattr(b, "id", "").endswith(
        tuple(f"-ind-{k}" for k in ("assessment_recording", "t3_days", "remote_share_20plus")))), len(blocks))
    return blocks[start:end]


def test_streak_and_recording_flag_in_the_report(report_session):
    blocks = _blocks(report_session, 0.85)
    facts = dict(next(b for b in blocks if isinstance(b, Facts)).items)
    assert facts["Below target since"] == f"{format_period('2023Q2', 'en')} (3 periods in a row)"
    warnings = [b.text for b in blocks if isinstance(b, Paragraph) and b.css == "warning"]
    assert any("85.0%" in w and "90.0%" in w and "not reliable" in w for w in warnings), warnings


def test_complete_recording_is_not_flagged_and_finnish_reads(report_session):
    blocks = _blocks(report_session, 0.95, "fi")
    facts = dict(next(b for b in blocks if isinstance(b, Facts)).items)
    assert facts["Alle tavoitteen alkaen"] == f"{format_period('2023Q2', 'fi')} (3 jaksoa peräkkäin)"
    assert not [b for b in blocks if isinstance(b, Paragraph) and b.css == "warning" and "luotettava" in b.text]
