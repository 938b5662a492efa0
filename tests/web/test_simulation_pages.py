"""The simulation page, its background jobs and /api/simulations on the small county."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from valvomo.appdb import session_scope
from valvomo.web.app import create_app
from valvomo.web.auth import create_user, issue_token
from valvomo.web.simulation_jobs import jobs_for


@pytest.fixture
def sim_settings(county_settings, tmp_path):
    # Results go to this test's folder, not into the shared county; one worker keeps the test light.
    return county_settings.model_copy(update={"simulation_dir": tmp_path / "simulations", "simulation_workers": 1})


@pytest.fixture
def sim_app(sim_settings):
    return create_app(sim_settings, migrate=False)


def _client(app, role: str, login, csrf_from) -> TestClient:
    with session_scope(app.state.settings) as db:
        stations = ["ST-LOVIISA"] if role == "station_manager" else []
        create_user(db, f"sim-{role}", "correct-horse-battery", role, stations=stations, actor="test")
    client = TestClient(app)
    assert login(client, f"sim-{role}").status_code == 303
    return client


def _token(app, role: str) -> str:
    with session_scope(app.state.settings) as db:
        stations = ["ST-LOVIISA"] if role == "station_manager" else []
        user = create_user(db, f"simapi-{role}", "correct-horse-battery", role, stations=stations, actor="test")
        return issue_token(db, user, label="tests")


def test_editor_page_is_in_the_menu_and_has_the_levers(sim_app, login, csrf_from) -> None:
    client = _client(sim_app, "station_manager", login, csrf_from)
    page = client.get("/simulation?lang=sv")
    assert page.status_code == 200
    html = page.text
    assert 'href="/simulation"' in html and "Kapacitetsscenarier" in html
    for field in ("fte_change_nurse", "task_shift", "direct_access", "digital_resolution", "demand_growth",
                  "opening_days", "policy", "lever", "target", 'name="stations"'):  # fmt: skip
        assert field in html
    assert '<label for="fte_change_nurse">sjukskötare</label>' in html


def test_viewer_reads_but_cannot_start(sim_app, login, csrf_from) -> None:
    client = _client(sim_app, "viewer", login, csrf_from)
    page = client.get("/simulation")
    assert "asemanjohtajan" in page.text and "<form method=\"post\" action=\"/simulation\"" not in page.text
    refused = client.post("/simulation", data={"csrf_token": csrf_from(page.text), "action": "run"}, follow_redirects=False)
    assert refused.status_code == 403


def test_bad_form_values_are_refused_with_the_field_named(sim_app, login, csrf_from) -> None:
    client = _client(sim_app, "analyst", login, csrf_from)
    token = csrf_from(client.get("/simulation?lang=en").text)
    response = client.post("/simulation", data={"csrf_token": token, "action": "run", "fte_change_nurse": "lots",
                                                "direct_access": "150", "opening_days": []})  # fmt: skip
    assert response.status_code == 422
    assert 'href="#fte_change_nurse">Enter a number' in response.text
    assert 'href="#direct_access">Not allowed here' in response.text


def test_a_run_goes_to_the_background_and_its_result_page_shows_charts(sim_app, login, csrf_from) -> None:
    client = _client(sim_app, "analyst", login, csrf_from)
    token = csrf_from(client.get("/simulation?lang=en").text)
    started = client.post("/simulation", data={"csrf_token": token, "action": "run", "name": "More nurses",
                                               "fte_change_nurse": "0.5", "replications": "10",
                                               "opening_days": ["mon", "tue", "wed", "thu", "fri"]},
                          follow_redirects=False)  # fmt: skip
    assert started.status_code == 303
    key = started.headers["location"].rsplit("/", 1)[1]
    state = jobs_for(sim_app).wait(key, timeout=120)
    assert state.status == "done", state.error
    page = client.get(f"/simulation/results/{key}")
    assert page.status_code == 200
    assert "<h1>More nurses</h1>" in page.text and page.text.count("<svg") == 3
    assert "<th scope=\"row\">1-7</th>" in page.text and "<th scope=\"row\">nurse</th>" in page.text
    assert "With this scenario, " in page.text and " pp (" in page.text  # the headline and its change
    assert f'href="/simulation/results/{key}">More nurses</a>' in client.get("/simulation").text
    assert "Non-urgent visits within 7 days" in page.text and "Difference" in page.text
    assert (sim_app.state.settings.simulations_dir / f"{key}.json").exists()
    # The same request again is answered from the stored file, under the same key.
    again = client.post("/simulation", data={"csrf_token": token, "action": "run", "name": "More nurses",
                                             "fte_change_nurse": "0.5", "replications": "10",
                                             "opening_days": ["mon", "tue", "wed", "thu", "fri"]},
                        follow_redirects=False)  # fmt: skip
    assert again.headers["location"].endswith(key)
    assert client.get("/simulation/results/nosuchkey").status_code == 404


def test_api_refuses_bad_scenarios_and_runs_a_search(sim_app) -> None:
    client = TestClient(sim_app)
    manager = {"Authorization": f"Bearer {_token(sim_app, 'station_manager')}"}
    viewer = {"Authorization": f"Bearer {_token(sim_app, 'viewer')}"}
    assert client.post("/api/simulations", json={}).status_code == 401
    assert client.post("/api/simulations", json={}, headers=viewer).status_code == 403
    bad = client.post("/api/simulations", json={"scenario": "name: x\nlevers:\n  fte: {nurse: -1}\n"}, headers=manager)
    assert bad.status_code == 422 and "scenario:3: levers.fte.nurse: FTE cannot be negative" in bad.json()["detail"]
    assert client.post("/api/simulations", json={"replications": 1}, headers=manager).status_code == 422
    started = client.post("/api/simulations", headers=manager, json={
        "kind": "search", "replications": 4,
        "search": {"lever": "fte_change.nurse", "stations": ["ST-LOVIISA"], "step": 1.0, "maximum": 3},
    })  # fmt: skip
    assert started.status_code == 202
    key = started.json()["key"]
    state = jobs_for(sim_app).wait(key, timeout=120)
    assert state.status == "done", state.error
    status = client.get(f"/api/simulations/{key}", headers=viewer).json()
    assert status["status"] == "done" and status["result"]["steps"]
    assert status["result"]["steps"][0]["value"] == 0
    assert client.get("/api/simulations/unknownkey", headers=viewer).status_code == 404
    fit = client.get("/api/simulations/calibration", headers=viewer).json()
    assert fit["fits"] and fit["profile"] == "standard"
    assert all(f["visits"] is None or f["visits"] % 5 == 0 for f in fit["fits"])


def test_station_manager_plans_for_own_stations_only_on_the_page(sim_app, login, csrf_from) -> None:
    manager = _client(sim_app, "station_manager", login, csrf_from)  # ST-LOVIISA is theirs
    page = manager.get("/simulation?lang=fi")
    assert 'value="ST-LOVIISA"' in page.text and 'value="ST-NASI"' not in page.text
    assert "Omat asemasi: valitse yksi tai useampi." in page.text
    token = csrf_from(page.text)
    for stations in (["ST-NASI"], ["ST-LOVIISA", "ST-NASI"], []):  # another station, a mix, every station
        refused = manager.post("/simulation", data={"csrf_token": token, "action": "run", "stations": stations,
                                                    "fte_change_nurse": "0.5", "opening_days": ["mon", "tue"]},
                               follow_redirects=False)  # fmt: skip
        assert refused.status_code == 403, stations
        assert "Valitse yksi tai useampi omista asemistasi" in refused.text
        assert 'href="#stations"' in refused.text and 'id="stations"' in refused.text
    searched = manager.post("/simulation", data={"csrf_token": token, "action": "search", "stations": ["ST-NASI"],
                                                 "target": "80", "opening_days": ["mon"]}, follow_redirects=False)  # fmt: skip
    assert searched.status_code == 403
    analyst = _client(sim_app, "analyst", login, csrf_from)
    assert 'value="ST-NASI"' in analyst.get("/simulation").text  # analysts plan for every station


def test_station_manager_plans_for_own_stations_only_in_the_api(sim_app) -> None:
    client = TestClient(sim_app)
    manager = {"Authorization": f"Bearer {_token(sim_app, 'station_manager')}"}
    other = client.post("/api/simulations", headers=manager,
                        json={"scenario": "name: x\nstations: [ST-NASI]\nlevers:\n  fte_change: {nurse: 1}\n"})  # fmt: skip
    assert other.status_code == 403 and other.json()["detail"].endswith("not yours: ST-NASI")
    everywhere = client.post("/api/simulations", headers=manager, json={})
    assert everywhere.status_code == 403 and "name them in the scenario's stations" in everywhere.json()["detail"]
    search = client.post("/api/simulations", headers=manager, json={
        "kind": "search", "scenario": "name: x\nstations: [ST-LOVIISA]\n",
        "search": {"lever": "fte_change.nurse", "stations": ["ST-NASI"]},
    })  # fmt: skip
    assert search.status_code == 403 and "ST-NASI" in search.json()["detail"]
