"""Guidance indicators agree with the plain-Python reference on random small request logs."""

from __future__ import annotations

import datetime as dt

import reference_access as ref
from access_rows import HOLIDAY_ANCHORS, MINUTES, assert_same
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valvomo.indicators import Query, compute
from valvomo.warehouse.sources import MemorySources

# minutes from receipt to the first response (None = not reached)
RESPONSE_MINUTES = (None, 0, 1, 30, 299, 600, 1000, 1440, 2000, 2 * 1440 + 7, 4 * 1440, 6 * 1440)


@st.composite
def request_logs(draw):
    anchor = dt.datetime.combine(draw(st.sampled_from(HOLIDAY_ANCHORS)), dt.time(0, 0))
    rows = []
    for i in range(draw(st.integers(0, 30))):
        received = anchor + dt.timedelta(
            days=draw(st.integers(-2, 12)),
            minutes=draw(st.sampled_from(MINUTES)),
            seconds=draw(st.sampled_from((0, 0, 59))),
            microseconds=draw(st.sampled_from((0, 0, 999_999))),  # whole seconds are what counts
        )
        wait = draw(st.sampled_from(RESPONSE_MINUTES))
        rows.append(
            {
                "request_id": f"r{i:02d}",
                "unit_id": draw(st.sampled_from(("G1", "S1"))),
                "channel": draw(st.sampled_from(("phone", "callback", "e_form", "chat"))),
                "received_at": received,
                "first_response_at": None if wait is None else received + dt.timedelta(minutes=wait, seconds=draw(
                    st.sampled_from((0, 1, 30)))),
                "outcome": draw(st.sampled_from((None, "advice", "advice", "booked", "unreached", "other"))),
            }
        )  # fmt: skip
    return rows


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    requests=request_logs(),
    period=st.sampled_from(("month", "quarter", "year")),
    by=st.sampled_from(((), ("station",))),
)
def test_guidance_matches_reference(duckdb_backend, requests, period, by):
    sources = MemorySources({"guidance_requests": requests}, backend=duckdb_backend)
    query = (period, None, None)
    expected = {
        "guidance_same_day": ref.guidance_same_day(requests, query, by),
        "guidance_next_working_day": ref.guidance_next_working_day(requests, query, by),
        "guidance_response_hours_median": ref.guidance_response_hours_median(requests, query, by),
        "guidance_resolved": ref.guidance_resolved(requests, query, by),
    }
    for indicator, rows_expected in expected.items():
        assert_same(compute(indicator, sources, Query(period=period, by=by)), rows_expected, by, indicator)
