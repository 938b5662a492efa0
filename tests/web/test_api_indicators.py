"""JSON API on the small county: token auth, the CLI's rows, role checks and 4xx errors."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from valvomo.appdb import session_scope
from valvomo.web.app import create_app
from valvomo.web.auth import create_user, get_user, issue_token, revoke_token


@pytest.fixture
def api(county_settings):
    """(client, tokens by role) for an app on the small county."""
    app = create_app(county_settings, migrate=False)
    tokens = {}
    with session_scope(county_settings) as db:
        for role in ("viewer", "analyst", "station_manager", "admin"):
            stations = ["ST-LOVIISA"] if role == "station_manager" else []
            user = create_user(db, f"api-{role}", "correct-horse-battery", role, stations=stations, actor="test")
            tokens[role] = issue_token(db, user, label="tests")
    return TestClient(app), tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def cli_rows(county_settings, monkeypatch, args: list[str]) -> list[dict]:
    """Rows printed by `valvomo indicators --format json` for the same county."""
    from valvomo.cli import app as cli
    from valvomo.config import get_settings

    monkeypatch.setenv("VALVOMO_HOME", str(county_settings.home))
    monkeypatch.setenv("VALVOMO_DATABASE_URL", county_settings.app_database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["indicators", "--format", "json", *args])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


CASES = [
    # (CLI flags, API query parameters)
    (["-i", "access_7d", "-i", "access_14d"], [("indicator", "access_7d"), ("indicator", "access_14d")]),
    (["-i", "access_7d", "--by", "station"], [("indicator", "access_7d"), ("by", "station")]),
    (["-i", "t3_days", "--by", "station,profession"], [("indicator", "t3_days"), ("by", "station,profession")]),
    (["-i", "waiting_days_distribution", "--by", "station", "--period", "year"],
     [("indicator", "waiting_days_distribution"), ("by", "station"), ("period", "year")]),
    (["-i", "access_7d", "--period", "month", "--from", "2024-04-01", "--to", "2024-06-30"],
     [("indicator", "access_7d"), ("period", "month"), ("from", "2024-04-01"), ("to", "2024-06-30")]),
    ([], []),
]


@pytest.mark.parametrize(("flags", "params"), CASES, ids=lambda v: " ".join(map(str, v)) or "all")
def test_api_rows_equal_cli_rows(api, county_settings, monkeypatch, flags, params):
    client, tokens = api
    response = client.get("/api/indicators", params=params, headers=bearer(tokens["viewer"]))
    assert response.status_code == 200, response.text
    body = response.json()
    expected = cli_rows(county_settings, monkeypatch, flags)
    assert expected, "the CLI returned no rows: the case tests nothing"
    assert body["rows"] == expected
    assert body["profile"] == "standard"


def test_small_counts_are_redacted_as_null_with_flag(api):
    client, tokens = api
    rows = client.get(
        "/api/indicators", params={"indicator": "access_7d", "by": "station,profession"}, headers=bearer(tokens["viewer"])
    ).json()["rows"]
    suppressed = [r for r in rows if r["suppressed"]]
    assert suppressed, "the small county should have some redacted station x profession cells"
    assert all(r["value"] is None for r in suppressed)
    shown_counts = [r["denominator"] for r in rows if not r["suppressed"] and r.get("denominator")]
    assert all(c % 5 == 0 for c in shown_counts)  # standard profile rounds counts to 5


def test_unsuppressed_needs_the_analyst_role_and_is_audited(api, audit_actions, county_settings):
    client, tokens = api
    for role in ("viewer", "station_manager", "admin"):
        refused = client.get("/api/indicators?indicator=access_7d&unsuppressed=true", headers=bearer(tokens[role]))
        assert refused.status_code == 403 and "analyst" in refused.json()["detail"]
    allowed = client.get(
        "/api/indicators?indicator=access_7d&by=station&unsuppressed=true", headers=bearer(tokens["analyst"])
    )
    assert allowed.status_code == 200 and allowed.json()["profile"] == "none"
    entries = [(a, u, d) for a, u, d in audit_actions(county_settings) if a == "api_unsuppressed"]
    assert len(entries) == 1
    _, username, detail = entries[0]
    assert username == "api-analyst" and detail["indicator"] == ["access_7d"] and detail["by"] == "station"
    assert detail["rows"] == len(allowed.json()["rows"])


def test_missing_invalid_and_revoked_tokens_get_401(api, county_settings):
    client, tokens = api
    assert client.get("/api/indicators").status_code == 401
    assert client.get("/api/indicators", headers={"Authorization": "Basic abc"}).status_code == 401
    bad = client.get("/api/indicators", headers=bearer("vlv_not-a-real-token"))
    assert bad.status_code == 401 and bad.json() == {"detail": "invalid or revoked token"}
    assert bad.headers["www-authenticate"] == "Bearer"
    with session_scope(county_settings) as db:
        token_row = get_user(db, "api-viewer")
        from valvomo.web.auth.tokens import tokens_of

        revoke_token(db, tokens_of(db, token_row.id)[0].id, actor="test")
    assert client.get("/api/indicators", headers=bearer(tokens["viewer"])).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(county_settings):
    """The API takes bearer tokens only, so a browser's cookie cannot be abused cross-site."""
    app = create_app(county_settings, migrate=False)
    client = TestClient(app, cookies={"valvomo_session": "anything"})
    assert client.get("/api/indicators").status_code == 401


@pytest.mark.parametrize(
    ("query", "status", "fragment"),
    [
        ("indicator=no_such_indicator", 404, "unknown indicator 'no_such_indicator'"),
        ("indicator=access_7d&by=planet", 422, "by"),
        ("indicator=nps&by=municipality", 400, "grain allows"),
        ("period=decade", 422, "period"),
        ("from=2024-13-01", 422, "from"),
        ("from=2024-06-01&to=2024-01-01", 400, "after"),
        ("by=municipality", 400, "name the indicators"),
        # not stored by month: one rule (the store's) for every period kind, not only the quarter's
        ("period=month&by=station,profession", 400, "name the indicators"),
        ("period=year&by=profession", 400, "name the indicators"),
        ("period=month&by=station,profession&" + "&".join(f"indicator=i{n}" for n in range(11)), 400, "1 to 10"),
        ("indicators=access_7d", 400, "unknown query parameter 'indicators'"),
    ],
)
def test_input_errors_are_4xx_with_a_json_reason(api, query, status, fragment):
    client, tokens = api
    response = client.get(f"/api/indicators?{query}", headers=bearer(tokens["viewer"]))
    assert response.status_code == status, response.text
    assert fragment in json.dumps(response.json())


def test_catalogue_lists_every_registry_indicator_in_the_users_language(api):
    from valvomo.indicators import REGISTRY

    client, tokens = api
    entries = client.get("/api/indicators/catalogue?lang=sv", headers=bearer(tokens["viewer"])).json()
    assert [e["id"] for e in entries] == REGISTRY.ids()
    access = next(e for e in entries if e["id"] == "access_7d")
    assert access["name"] == REGISTRY.get("access_7d").names["sv"]


def test_stations_are_those_of_the_county(api):
    client, tokens = api
    stations = client.get("/api/stations", headers=bearer(tokens["viewer"])).json()
    ids = [s["station_id"] for s in stations]
    assert "ST-LOVIISA" in ids and ids == sorted(ids)
    assert next(s for s in stations if s["station_id"] == "ST-LOVIISA")["name_sv"] == "Lovisa hälsovårdscentral"


def test_health_is_public_and_reports_loaded_data(api):
    client, _ = api
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["data_loaded"] is True


def test_openapi_schema_documents_the_api_only(api):
    client, _ = api
    schema = client.get("/api/openapi.json").json()
    assert set(schema["paths"]) == {"/api/health", "/api/indicators", "/api/indicators/catalogue", "/api/stations",
                                    "/api/indicators/{indicator_id}/status",
                                    "/api/segments", "/api/caregaps", "/api/caregaps/patients",
                                    "/api/simulations", "/api/simulations/calibration", "/api/simulations/{key}"}  # fmt: skip
    responses = schema["paths"]["/api/indicators"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404", "422"} <= set(responses)
    assert "bearer" in json.dumps(schema.get("components", {}).get("securitySchemes", {})).lower()


@pytest.mark.parametrize(
    "path", ["/api/indicators?indicator=access_7d", "/api/indicators/access_7d/status?period=year",
             "/api/segments?output=gini_cost", "/api/caregaps"],
)  # fmt: skip
def test_dates_are_written_yyyy_mm_dd_and_a_number_is_refused(api, path):
    """Pydantic alone takes ``from=0`` as 1 January 1970 (seconds since the epoch): refused with 422."""
    client, tokens = api
    headers = bearer(tokens["analyst"])
    for bad in ("0", "20240101", "1704067200", "2024-1-1"):
        response = client.get(f"{path}&from={bad}" if "?" in path else f"{path}?from={bad}", headers=headers)
        assert response.status_code == 422, (bad, response.text)
    good = client.get(f"{path}&from=2024-01-01" if "?" in path else f"{path}?from=2024-01-01", headers=headers)
    assert good.status_code == 200, good.text
    assert good.json()  # rows (or a care-gap payload) exist for the small county from 2024 on
