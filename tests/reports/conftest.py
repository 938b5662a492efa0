"""Fixtures of the report tests: the three example programmes, hand-made indicator values, content cache.

The indicator values are test data made by hand (a smooth rise per quarter and
month, one suppressed quarter); they stand in for the indicator engine through
the same ``IndicatorValues`` protocol the real adapter implements.
"""

from __future__ import annotations

import datetime as dt

import pytest

from valvomo.appdb import get_sessionmaker, upgrade_to_head
from valvomo.config import Settings
from valvomo.programme.examples import load_examples
from valvomo.programme.periods import periods_between
from valvomo.programme.service import get_programme
from valvomo.reports.content import build_content

GENERATED = dt.date(2026, 1, 15)
PERIODS = {"helsinki-tsk": "11/2021", "keski-suomi-tsk": "4/2021", "rrp-lansi-uusimaa": "2024Q4"}
START = {"access_7d": 0.55, "remote_share_20plus": 0.30, "t3_days": 30.0, "coci": 0.40, "coverage": 0.70,
         "assessment_recording": 0.85, "top_decile_cost_share": 0.78}
STEP = {"access_7d": 0.02, "remote_share_20plus": 0.004, "t3_days": -0.8, "coci": 0.01, "coverage": 0.002,
        "assessment_recording": 0.01, "top_decile_cost_share": -0.002}
SUPPRESSED = {("coci", "2021Q2")}


class HandMadeValues:
    """Quarter i (from 2022Q3 for the RRP baseline, 2020Q1 otherwise) rises by a fixed step."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def series(self, indicator_id, period_kind, start=None, end=None):
        self.calls.append((indicator_id, period_kind))
        if indicator_id not in START:
            return {}
        labels = periods_between(period_kind, dt.date(2020, 1, 1), dt.date(2025, 12, 31))
        result = {}
        for index, label in enumerate(labels):
            quarters = index / 3 if period_kind == "month" else index
            value = START[indicator_id] + STEP[indicator_id] * (quarters - 10)  # 2022Q3 is quarter 10
            result[label] = None if (indicator_id, label) in SUPPRESSED else round(value, 4)
        from valvomo.programme.indicator_values import MappingValues

        return MappingValues({indicator_id: result}).series(indicator_id, period_kind, start, end)


@pytest.fixture(scope="session")
def report_settings(tmp_path_factory):
    home = tmp_path_factory.mktemp("report-home")
    settings = Settings(home=home)
    upgrade_to_head(settings)
    load_examples(settings)
    return settings


@pytest.fixture(scope="session")
def report_session(report_settings):
    session = get_sessionmaker(report_settings)()
    yield session
    session.close()


@pytest.fixture(scope="session")
def report_content(report_session):
    """Report content per (programme, language), built once and shared by the format tests."""
    cache = {}

    def build(programme_id: str, lang: str = "fi", period: str | None = None):
        key = (programme_id, lang, period)
        if key not in cache:
            programme = get_programme(report_session, programme_id)
            cache[key] = build_content(
                programme, period or PERIODS[programme_id], lang, HandMadeValues(), profile="standard", generated=GENERATED
            )
        return cache[key]

    return build


@pytest.fixture(scope="session")
def rendered():
    """Rendered bytes per (content, format): each document is laid out once per test session."""
    from valvomo.reports import render

    cache: dict[tuple[int, str], bytes] = {}

    def get(content, fmt: str) -> bytes:
        key = (id(content), fmt)
        if key not in cache:
            cache[key] = render(content, fmt)
        return cache[key]

    return get
