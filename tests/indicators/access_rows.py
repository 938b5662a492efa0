"""Row builders and result helpers shared by the access-family tests.

``contact(...)`` etc. give one canonical row with sensible defaults so that a test
states only what matters to it; ``by_key`` turns registry rows into the keyed form
that ``reference_access`` returns, and ``assert_same`` compares the two.
"""

from __future__ import annotations

import datetime as dt
import math

from valvomo.indicators.registry import DIMENSION_COLUMNS


def ts(text: str) -> dt.datetime:
    """``"2024-03-28 10:00"`` -> naive Helsinki wall-clock datetime (as the warehouse stores it)."""
    return dt.datetime.fromisoformat(text)


def contact(contact_id: str, assessed: str | None, started: str, **fields) -> dict:
    """A realised non-urgent T11 curative reception visit by a nurse at S1: an access event by default."""
    row = {
        "contact_id": contact_id,
        "patient_id": fields.pop("patient_id", f"p-{contact_id}"),
        "station_id": "S1",
        "profession": "nurse",
        "contact_type": "R10",
        "service_type": "T11",
        "nature": "SH",
        "urgency": "non_urgent",
        "assessed_at": ts(assessed) if assessed else None,
        "started_at": ts(started),
    }
    for key in ("contacted_at", "cancelled_at", "booked_at"):
        if isinstance(fields.get(key), str):
            fields[key] = ts(fields[key])
    row.update(fields)
    return row


def slot(slot_id: str, professional: str, starts: str, published: str, **fields) -> dict:
    """A non-urgent slot of a nurse at S1, free unless booked/cancelled."""
    row = {
        "slot_id": slot_id,
        "station_id": "S1",
        "professional_id": professional,
        "profession": "nurse",
        "slot_type": "non_urgent",
        "starts_at": ts(starts),
        "duration_min": 20,
        "published_at": ts(published),
    }
    for key in ("booked_at", "cancelled_at"):
        if isinstance(fields.get(key), str):
            fields[key] = ts(fields[key])
    row.update(fields)
    return row


def request(request_id: str, received: str, responded: str | None, **fields) -> dict:
    """A phone request to the guidance unit G1."""
    row = {
        "request_id": request_id,
        "unit_id": "G1",
        "channel": "phone",
        "received_at": ts(received),
        "first_response_at": ts(responded) if responded else None,
    }
    row.update(fields)
    return row


def intervention(intervention_id: str, method: str, recommended: str, first_session: str | None, **fields) -> dict:
    row = {
        "intervention_id": intervention_id,
        "patient_id": fields.pop("patient_id", f"p-{intervention_id}"),
        "station_id": "S1",
        "method": method,
        "recommended_on": dt.date.fromisoformat(recommended),
        "first_session_on": dt.date.fromisoformat(first_session) if first_session else None,
    }
    row.update(fields)
    return row


STATIONS = [
    {"station_id": "S1", "name_fi": "Näsi", "municipality": "638", "county": "Itä-Uusimaa", "kind": "health_station"},
    {"station_id": "S2", "name_fi": "Nikkilä", "municipality": "753", "county": "Itä-Uusimaa", "kind": "health_station"},
    {"station_id": "G1", "name_fi": "Asiakasohjaus", "municipality": "638", "county": "Itä-Uusimaa", "kind": "guidance_unit"},
]  # fmt: skip


def by_key(rows: list[dict], by: tuple[str, ...]) -> dict[tuple, dict]:
    """Registry rows keyed like the reference: (period, *dimension values[, bin])."""
    out = {}
    for row in rows:
        key = (row["period"], *(row[DIMENSION_COLUMNS[d]] for d in by))
        if "bin" in row:
            key = (*key, row["bin"])
        assert key not in out, f"duplicate row {key}"
        out[key] = row
    return out


def assert_same(rows: list[dict], expected: dict[tuple, dict], by: tuple[str, ...], label: str = "") -> None:
    """Same keys, values equal to 1e-9 and the same counts."""
    actual = by_key(rows, by)
    assert set(actual) == set(expected), f"{label}: keys differ: {sorted(map(str, set(actual) ^ set(expected)))}"
    for key, want in expected.items():
        got = actual[key]
        for column, value in want.items():
            if column == "value":
                assert got["value"] is not None and math.isclose(got["value"], value, rel_tol=0, abs_tol=1e-9), (
                    f"{label} {key}: value {got['value']} != {value}"
                )
            else:
                assert got.get(column) == value, f"{label} {key}: {column} {got.get(column)} != {value}"


def values(rows: list[dict], by: tuple[str, ...] = ()) -> dict[tuple, float]:
    """{key: value} of registry rows, for compact hand-computed assertions."""
    return {key: row["value"] for key, row in by_key(rows, by).items()}


# --- Hypothesis strategies: small datasets around holidays -----------------------------------------

# Days a few days before Easter 2024, Midsummer 2024, Christmas 2024 and New Year 2025, and a quarter end.
HOLIDAY_ANCHORS = (
    dt.date(2024, 3, 25), dt.date(2024, 6, 17), dt.date(2024, 12, 20), dt.date(2024, 12, 29), dt.date(2024, 9, 27),
)  # fmt: skip
MINUTES = (0, 30, 7 * 60 + 59, 8 * 60, 12 * 60, 16 * 60, 23 * 60 + 45)  # early and late minutes test local dates
WAITS = (0, 0, 1, 2, 3, 6, 7, 8, 13, 14, 15, 28, 29, 89, 90, 91, 120)
# Values that take a contact out of the care-guarantee population (or test an override).
DEVIATIONS = {
    "profession": ("practical_nurse", "social_counsellor", "other", "physiotherapist"),
    "licensed": (True, False),
    "contact_type": ("R20", "R56", "R60", "R71", "R72", "R80", "R90"),
    "service_type": ("T21",),
    "nature": ("TH",),
    "care_plan": (False, True),
    "certificate_only": (False, True),
    "specialty": ("cardiology",),
    "cancelled": (True,),
}


def patient_rows():
    from hypothesis import strategies as st

    return st.lists(
        st.fixed_dictionaries(
            {
                "birth_year": st.sampled_from((1935, 1939, 1944, 1980, 2004, 2010, 2019)),
                "sex": st.sampled_from(("F", "M")),
                "municipality": st.sampled_from(("638", "753")),
                "language": st.sampled_from(("fi", "sv", "other", None)),
            }
        ),
        min_size=4,
        max_size=4,
    ).map(lambda rows: [{"patient_id": f"p{i}", **row} for i, row in enumerate(rows)])


def contact_rows(max_rows: int = 30):
    """0..max_rows contacts over a few weeks around a holiday; a few shared assessment moments per
    example so that several contacts belong to one assessment, and ties in started_at."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        anchor = dt.datetime.combine(draw(st.sampled_from(HOLIDAY_ANCHORS)), dt.time(0, 0))
        moment = st.tuples(st.integers(-2, 12), st.sampled_from(MINUTES)).map(
            lambda dm: anchor + dt.timedelta(days=dm[0], minutes=dm[1])
        )
        assessments = draw(st.lists(moment, min_size=1, max_size=4))
        rows = []
        for i in range(draw(st.integers(0, max_rows))):
            assessed = draw(st.sampled_from(assessments))
            started = dt.datetime.combine(
                assessed.date() + dt.timedelta(days=draw(st.sampled_from(WAITS))), dt.time(0, 0)
            ) + dt.timedelta(minutes=draw(st.sampled_from(MINUTES)))
            started = max(started, assessed)
            contacted = assessed - dt.timedelta(minutes=draw(st.sampled_from((0, 45, 600, 1440, 3 * 1440))))
            has_assessment = draw(st.integers(0, 3)) > 0
            row = {
                "contact_id": f"c{i:02d}",
                "patient_id": draw(st.sampled_from(("p0", "p1", "p2", "p3"))),
                # G1 is the guidance unit (outside the care guarantee), X9 a unit missing from STATIONS
                "station_id": draw(st.sampled_from(("S1", "S1", "S2", "G1", "X9"))),
                "profession": draw(st.sampled_from(("nurse", "nurse", "physician"))),
                "contact_type": draw(st.sampled_from(("R10", "R10", "R50", "R52"))),
                "service_type": "T11",
                "nature": "SH",
                "urgency": draw(st.sampled_from(("non_urgent", "non_urgent", "urgent"))),
                "contacted_at": contacted if draw(st.integers(0, 3)) > 0 else None,
                "assessed_at": assessed if has_assessment else None,
                "started_at": started,
                "resolved_first_contact": draw(st.sampled_from((None, True, False))),
            }
            # most contacts are care-guarantee events; some break one rule
            for field in draw(st.lists(st.sampled_from(sorted(DEVIATIONS)), max_size=1)):
                row[field] = draw(st.sampled_from(DEVIATIONS[field]))
            if row.pop("cancelled", False):
                row["cancelled_at"] = started - dt.timedelta(hours=5)
            rows.append(row)
        return rows

    return build()


QUERY_DIMENSIONS = ((), ("station",), ("profession",), ("contact_class",), ("age_band",), ("municipality",),
                    ("language",), ("station", "profession"))  # fmt: skip


def queries(dimensions=QUERY_DIMENSIONS):
    """(period, by, start, end): sometimes a date range that cuts the example's weeks."""
    from hypothesis import strategies as st

    limits = st.one_of(st.none(), st.none(), st.sampled_from(HOLIDAY_ANCHORS).map(lambda d: d + dt.timedelta(days=5)))
    return st.tuples(st.sampled_from(("month", "quarter", "year")), st.sampled_from(dimensions), limits, limits)
