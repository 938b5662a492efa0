"""The API's by-station view and its county view of every indicator never leave a lone redacted station
(the issue-12 probe's differencing check, ``bench/probe.py`` section 5, on the small county)."""

from __future__ import annotations

import sys
from pathlib import Path

from fastapi.testclient import TestClient

from valvomo.appdb import session_scope
from valvomo.indicators.registry import REGISTRY
from valvomo.web.app import create_app
from valvomo.web.auth import create_user, issue_token

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from probe import differencing_lines  # noqa: E402


def test_no_line_of_the_by_station_view_has_exactly_one_redacted_station(county_settings):
    client = TestClient(create_app(county_settings, migrate=False))
    with session_scope(county_settings) as db:
        user = create_user(db, "api-diff", "correct-horse-battery", "viewer", actor="test")
        headers = {"Authorization": f"Bearer {issue_token(db, user, label='tests')}"}

    def rows(by: str) -> list[dict]:
        response = client.get("/api/indicators", params={"period": "quarter", "by": by}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["rows"]

    by_station, county = rows("station"), rows("")
    compared, lone = 0, []
    for indicator, period, bin_, column, total, stations in differencing_lines(by_station, county, REGISTRY):
        if total.get(column) is None:
            continue
        compared += 1
        if sum(1 for r in stations if r.get(column) is None) == 1:
            lone.append((indicator, period, bin_, column))
    assert compared > 50  # the lines exist: every indicator and quarter of the county
    assert any(r["suppressed"] for r in by_station)  # and the small county has redacted stations
    assert lone == []
