"""Property-based API test: schemathesis generates requests from our OpenAPI schema.

Every operation is called with a valid bearer token and a bounded number of
generated examples, valid ones and deliberately invalid ones; no response may
be a 5xx, and each must pass schemathesis' checks (documented status codes,
response schema, content type, invalid input refused). One check is left out:
"schema-valid requests are accepted" — a query can be valid by the schema and
still impossible (``from`` after ``to``, a breakdown outside the indicator's
grain), which the API answers with a documented 400. The app runs in-process
(ASGI), so nothing listens on the network.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from valvomo.appdb import session_scope
from valvomo.web.app import create_app
from valvomo.web.auth import create_user, issue_token

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def api_schema_and_token(county_settings):
    app = create_app(county_settings, migrate=False)
    with session_scope(county_settings) as db:
        user = create_user(db, "fuzzer", "correct-horse-battery", "analyst", actor="test")
        token = issue_token(db, user, label="schemathesis")
    return schemathesis.openapi.from_asgi("/api/openapi.json", app), token


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_api_never_answers_5xx_and_matches_its_schema(api_schema_and_token, mode):
    schema, token = api_schema_and_token
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} == {
        "GET /api/health", "GET /api/indicators", "GET /api/indicators/catalogue", "GET /api/stations",
        "GET /api/segments", "GET /api/caregaps", "GET /api/caregaps/patients",
    }  # fmt: skip
    statuses: list[int] = []
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
            assert response.status_code < 500

        call()
    assert statuses and max(statuses) < 500
    if mode is GenerationMode.NEGATIVE:
        assert any(400 <= s < 500 for s in statuses)  # invalid input was generated and refused
