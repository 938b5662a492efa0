"""Property-based API test: schemathesis generates requests from our OpenAPI schema.

Every operation is called with a valid bearer token and a bounded number of
generated examples, valid ones and deliberately invalid ones; no response may
be a 5xx, and each must pass schemathesis' checks (documented status codes,
response schema, content type, invalid input refused). One check is left out:
"schema-valid requests are accepted" — a query can be valid by the schema and
still impossible (``from`` after ``to``, a breakdown outside the indicator's
grain), which the API answers with a documented 400. The app runs in-process
(ASGI), so nothing listens on the network.

``POST /api/simulations`` is in the document but not fuzzed: every accepted request would start a
background simulation job. Its GET operations are fuzzed; the calibration they read is fitted once
for the module (a results folder shared by both generation modes).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from valvomo.appdb import session_scope
from valvomo.simulation.service import current_calibration
from valvomo.web.app import create_app
from valvomo.web.auth import create_user, issue_token

EXAMPLES_PER_OPERATION = 25
NOT_FUZZED = {"POST /api/simulations"}  # starts background jobs


@pytest.fixture(scope="module")
def simulation_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz-simulations")


@pytest.fixture
def api_schema_and_token(county_settings, simulation_dir):
    settings = county_settings.model_copy(update={"simulation_dir": simulation_dir, "simulation_workers": 1})
    current_calibration(settings)  # fitted once and stored: the fuzzed GET then reads it (no 10 s timeout)
    app = create_app(settings, migrate=False)
    with session_scope(settings) as db:
        user = create_user(db, "fuzzer", "correct-horse-battery", "analyst", actor="test")
        token = issue_token(db, user, label="schemathesis")
    return schemathesis.openapi.from_asgi("/api/openapi.json", app), token


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_api_never_answers_5xx_and_matches_its_schema(api_schema_and_token, mode):
    schema, token = api_schema_and_token
    documented = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in documented} == {
        "GET /api/health", "GET /api/indicators", "GET /api/indicators/catalogue", "GET /api/stations",
        "GET /api/indicators/{indicator_id}/status",
        "GET /api/segments", "GET /api/caregaps", "GET /api/caregaps/patients",
        "GET /api/simulations/calibration", "GET /api/simulations/{key}", "POST /api/simulations",
    }  # fmt: skip
    operations = [op for op in documented if op.label not in NOT_FUZZED]
    statuses: list[int] = []
    by_operation: dict[str, set[int]] = {}
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not operation.query:
            continue  # nothing to make invalid

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)  # fmt: skip
        def call(case):
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance]
            )
            statuses.append(response.status_code)
            if mode is GenerationMode.POSITIVE:
                by_operation.setdefault(case.operation.label, set()).add(response.status_code)
            assert response.status_code < 500

        call()
    assert statuses and max(statuses) < 500
    if mode is GenerationMode.POSITIVE:  # the simulation reads were really answered, not only refused
        assert 200 in by_operation["GET /api/simulations/calibration"]
        assert 404 in by_operation["GET /api/simulations/{key}"]  # random keys: no such job
    if mode is GenerationMode.NEGATIVE:
        assert any(400 <= s < 500 for s in statuses)  # invalid input was generated and refused
