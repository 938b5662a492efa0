"""T3 agrees with the plain-Python reference (reference_access.t3) on random small calendars."""

from __future__ import annotations

import datetime as dt

import reference_access as ref
from access_rows import STATIONS, assert_same
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valvomo.indicators import Query, compute
from valvomo.warehouse.sources import MemorySources

# Mondays a few days before Easter 2024, Midsummer 2024, Christmas 2024 and New Year 2025.
ANCHORS = (dt.date(2024, 3, 25), dt.date(2024, 6, 17), dt.date(2024, 12, 16), dt.date(2024, 12, 30))
PROFESSIONALS = (
    ("S1", "nurse", "A"), ("S1", "nurse", "A"), ("S1", "nurse", "A"), ("S1", "nurse", "B"), ("S1", "physician", "C"),
    ("S2", "nurse", "D"),
)  # fmt: skip
CLOCK = (0, 15, 7 * 60 + 59, 8 * 60, 8 * 60, 8 * 60 + 1, 9 * 60, 23 * 60 + 30)  # minutes after midnight
SLOT_TYPES = ("non_urgent",) * 5 + ("urgent", "follow_up", "reserved")


@st.composite
def calendars(draw):
    anchor = draw(st.sampled_from(ANCHORS))
    base = dt.datetime.combine(anchor, dt.time(0, 0))

    def moment(first_day: int, last_day: int) -> dt.datetime:
        # often exactly on a Monday-08:00 instant (days 0, 7, ... at 08:00) or a minute off it
        day = draw(st.one_of(st.integers(first_day, last_day), st.sampled_from((0, 7, 14, 21))))
        return base + dt.timedelta(days=day, minutes=draw(st.sampled_from(CLOCK)))

    rows = []
    for i in range(draw(st.integers(0, 30))):
        station, profession, professional = draw(st.sampled_from(PROFESSIONALS))
        far = draw(st.integers(0, 5)) == 0  # some slots near the 182-day horizon
        starts = moment(178, 186) if far else moment(-3, 24)
        published = min(starts, moment(-30, 20))
        booked = moment(-10, 25) if draw(st.integers(0, 3)) == 0 else None
        cancelled = moment(-10, 25) if draw(st.integers(0, 5)) == 0 else None
        rows.append(
            {
                "slot_id": f"s{i:02d}",
                "station_id": station,
                "professional_id": professional,
                "profession": profession,
                "slot_type": draw(st.sampled_from(SLOT_TYPES)),
                "starts_at": starts,
                "duration_min": 20,
                "published_at": published,
                # booked or withdrawn after publication, at the latest when the slot starts
                "booked_at": None if booked is None else min(starts, max(published, booked)),
                "cancelled_at": None if cancelled is None else min(starts, max(published, cancelled)),
            }
        )
    return rows


QUERIES = st.builds(
    lambda period, by: (period, by),
    st.sampled_from(("month", "quarter", "year")),
    st.sampled_from(((), ("station",), ("profession",), ("station", "profession"), ("municipality",))),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slots=calendars(), query=QUERIES)
def test_t3_matches_reference(duckdb_backend, slots, query):
    period, by = query
    sources = MemorySources({"slots": slots, "stations": STATIONS}, backend=duckdb_backend)
    for indicator, pooled in (("t3_days", False), ("t3_days_pooled", True)):
        rows = compute(indicator, sources, Query(period=period, by=by))
        expected = ref.t3(slots, (period, None, None), by, STATIONS, pooled=pooled)
        assert_same(rows, expected, by, indicator)
