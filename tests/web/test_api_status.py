"""Issue 10: the target status, the below-target streak and the recording verdict reach the API, the
CLI and the report from services/care_guarantee.py, and agree with the dashboard on the small county."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from test_api_indicators import bearer, cli_rows

from valvomo.appdb import get_sessionmaker, session_scope
from valvomo.indicators.registry import Target
from valvomo.services.care_guarantee import RECORDING_THRESHOLD, annotate_status
from valvomo.services.results import ResultStore
from valvomo.web.app import create_app
from valvomo.web.auth import create_user, issue_token
from valvomo.web.views import common as vm
from valvomo.web.views import overview as overview_views

TARGETS = (Target(0.66, "2024Q2", "national", "RRP"), Target(0.80, "2025Q4", "national", "RRP"))


def test_annotate_status_by_hand():
    rows = [{"indicator": "access_7d", "period": p, "station_id": "ST-A", "value": v, "unit": "share",
             "suppressed": False} for p, v in (("2024Q1", 0.70), ("2024Q2", 0.60), ("2024Q3", 0.62))]
    rows.append({"indicator": "access_7d", "period": "2024Q3", "station_id": "ST-B", "value": 0.90,
                 "unit": "share", "suppressed": False})
    recording = [{"period": "2024Q3", "station_id": "ST-A", "value": 0.85},
                 {"period": "2024Q3", "station_id": "ST-B", "value": 0.95}]
    out = {(r["station_id"], r["period"]): r for r in annotate_status(rows, {"access_7d": TARGETS},
                                                                      {"access_7d": "higher"}, recording)}
    a = out[("ST-A", "2024Q3")]
    assert (a["target"], a["target_status"], a["below_target_since"], a["quarters_below_target"]) == \
        (0.66, "below", "2024Q2", 2)
    assert a["recording_complete"] is False and a["recording_threshold"] == RECORDING_THRESHOLD
    assert out[("ST-A", "2024Q1")]["target_status"] == "met" and out[("ST-A", "2024Q1")]["quarters_below_target"] == 0
    assert out[("ST-A", "2024Q2")]["recording_complete"] is None  # no recording row: unknown
    b = out[("ST-B", "2024Q3")]
    assert (b["target_status"], b["below_target_since"], b["recording_complete"]) == ("met", None, True)


@pytest.fixture
def api(county_settings):
    app = create_app(county_settings, migrate=False)
    with session_scope(county_settings) as db:
        user = create_user(db, "api-status", "correct-horse-battery", "viewer", actor="test")
        token = issue_token(db, user, label="tests")
    return TestClient(app), token


def test_api_cli_web_and_report_agree(api, county_settings, monkeypatch):
    client, token = api
    response = client.get("/api/indicators/access_7d/status", params={"by": "station"}, headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["recording_threshold"] == RECORDING_THRESHOLD
    rows = body["rows"]
    assert rows and all("target_status" in r and "recording_threshold" in r for r in rows)
    # the CLI prints the very same rows
    assert cli_rows(county_settings, monkeypatch, ["-i", "access_7d", "--by", "station", "--status"]) == rows

    # the dashboard's "below the 7-day target" table: same stations, streaks and recording verdicts
    vm.clear_cache()
    ctx = vm.ViewContext(county_settings, ResultStore(county_settings), "en", "standard")
    latest = vm.latest_period(ctx, "access_7d")
    table = overview_views.missing_7d(ctx)
    vm.clear_cache()
    web = {row[0].value: (row[3].value, row[4].value, "flag" not in row[5].css) for row in table.rows}
    api_below = {r["station_id"]: (r["below_target_since"], r["quarters_below_target"], r["recording_complete"])
                 for r in rows if r["period"] == latest and r["target_status"] == "below"}
    assert web, "no station below the 7-day target: the comparison tests nothing"
    assert {s: v[:2] for s, v in web.items()} == {s: v[:2] for s, v in api_below.items()}
    for station, (_, _, complete) in web.items():
        assert complete == bool(api_below[station][2])

    # the report (county level) states the API's county streak and recording verdict
    county = client.get("/api/indicators/access_7d/status", headers=bearer(token)).json()["rows"]
    assert county == cli_rows(county_settings, monkeypatch, ["-i", "access_7d", "--status"])
    text, row = _report_text(county_settings, county)
    if row["below_target_since"]:
        from valvomo.services.periods import format_period

        assert f"{format_period(row['below_target_since'], 'en')} ({row['quarters_below_target']} periods in a row)" \
            in text
    else:
        assert "periods in a row" not in text
    assert ("the care-guarantee figure is not reliable" in text) == (row["recording_complete"] is False)


def _report_text(settings, county_rows):
    """The English report of the RRP example at the latest of its periods with county data."""
    from valvomo.programme.examples import load_examples
    from valvomo.programme.indicator_values import ResultsServiceValues
    from valvomo.programme.service import get_programme
    from valvomo.reports.content import build_content

    load_examples(settings)
    by_period = {r["period"]: r for r in county_rows if r["value"] is not None}
    session = get_sessionmaker(settings)()
    try:
        programme = get_programme(session, "rrp-lansi-uusimaa")
        period = max((p for p in programme.period_labels if p in by_period), default=None)
        assert period is not None, "no report period with county data"
        content = build_content(programme, period, "en", ResultsServiceValues(settings),
                                generated=dt.date(2026, 1, 1))
    finally:
        session.close()
    parts = []

    def walk(node):
        if isinstance(node, str):
            parts.append(node)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)
        elif hasattr(node, "__dataclass_fields__"):
            for name in node.__dataclass_fields__:
                walk(getattr(node, name))

    walk(content.sections)
    text = "\n".join(parts)
    assert "access_7d" in text or "seven-day" in text, "the report has no access_7d block"
    return text, by_period[period]
