"""The care-guarantee family agrees with the plain-Python reference on random small datasets."""

from __future__ import annotations

import reference_access as ref
from access_rows import STATIONS, assert_same, contact_rows, patient_rows, queries
from hypothesis import HealthCheck, given, settings

from valvomo.indicators import Query, compute
from valvomo.indicators.runner import stage_cache
from valvomo.warehouse.sources import MemorySources


def reference_rows(contacts, query, dims):
    return {
        "access_7d": ref.access_share(contacts, 7, query, dims),
        "access_14d": ref.access_share(contacts, 14, query, dims),
        "access_3m": ref.access_share(contacts, 90, query, dims),
        "waiting_days_distribution": ref.waiting_distribution(contacts, query, dims),
        "waiting_days_median": ref.waiting_percentile(contacts, 1, 2, query, dims),
        "waiting_days_p90": ref.waiting_percentile(contacts, 9, 10, query, dims),
        "urgent_next_working_day": ref.urgent_next_working_day(contacts, query, dims),
        "assessment_same_day": ref.assessment_same_day(contacts, query, dims),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contacts=contact_rows(), patients=patient_rows(), query=queries())
def test_access_family_matches_reference(duckdb_backend, contacts, patients, query):
    period, by, start, end = query
    sources = MemorySources(
        {"contacts": contacts, "patients": patients, "stations": STATIONS}, backend=duckdb_backend
    )
    dims = ref.Dimensions(by, patients, STATIONS)
    # One staged population per example, as materialisation computes the family (the access events once,
    # read by all eight); tests/services/test_materialise_stages.py checks staged rows equal plain rows.
    with stage_cache(sources, period_kinds=(period,)):
        for indicator, expected in reference_rows(contacts, (period, start, end), dims).items():
            rows = compute(indicator, sources, Query(period=period, by=by, start=start, end=end))
            assert_same(rows, expected, by, indicator)
