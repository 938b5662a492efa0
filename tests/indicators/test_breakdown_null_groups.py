"""A breakdown keeps the group of patients whose dimension is unknown (null language).

Regression found by the property test in CI: distributions computed their group
total by joining on the keys, and null never equals null in a join, so the
patients without a recorded language vanished from the waiting-time histogram.
"""

from __future__ import annotations

import datetime as dt

from valvomo.indicators import Query, compute

T = dt.datetime


def _contact(contact_id, patient_id, assessed, started):
    return dict(contact_id=contact_id, patient_id=patient_id, station_id="S1", profession="nurse",
                contact_type="R10", service_type="T11", nature="SH", urgency="non_urgent",
                assessed_at=assessed, started_at=started)  # fmt: skip


def test_distribution_and_channel_mix_keep_the_null_language_group(make_sources):
    sources = make_sources({
        "contacts": [_contact("a", "p0", T(2024, 4, 2, 9), T(2024, 4, 2, 10)),   # same day: bin "0"
                     _contact("b", "p1", T(2024, 4, 2, 9), T(2024, 4, 5, 10))],  # 3 days: bin "1-7"
        "patients": [dict(patient_id="p0", birth_year=1980, sex="F", municipality="638", language=None),
                     dict(patient_id="p1", birth_year=1980, sex="M", municipality="638", language="fi")],
    })  # fmt: skip
    rows = compute("waiting_days_distribution", sources, Query(period="month", by=("language",)))
    got = {(r["language"], r["bin"]): (r["numerator"], r["denominator"]) for r in rows}
    assert got == {(None, "0"): (1, 1), ("fi", "1-7"): (1, 1)}
    mix = compute("channel_mix", sources, Query(period="month", by=("language",)))
    assert {(r["language"], r["bin"], r["numerator"], r["denominator"]) for r in mix} == {
        (None, "physical", 1, 1),
        ("fi", "physical", 1, 1),
    }
