"""First-contact resolution agrees with the plain-Python reference on random small datasets."""

from __future__ import annotations

import reference_access as ref
from access_rows import assert_same, contact_rows, patient_rows, queries
from hypothesis import HealthCheck, given, settings

from valvomo.indicators import Query, compute
from valvomo.warehouse.sources import MemorySources


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contacts=contact_rows(), patients=patient_rows(), query=queries())
def test_first_contact_resolution_matches_reference(duckdb_backend, contacts, patients, query):
    period, by, start, end = query
    sources = MemorySources({"contacts": contacts, "patients": patients}, backend=duckdb_backend)
    expected = ref.first_contact_resolution(contacts, (period, start, end), ref.Dimensions(by, patients, None))
    rows = compute("first_contact_resolution", sources, Query(period=period, by=by, start=start, end=end))
    assert_same(rows, expected, by, "first_contact_resolution")
