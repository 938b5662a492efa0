"""Laboratory and blood-pressure results of residents with chronic conditions.

Care-gap rules (segmentation.md) look for diabetics without an HbA1c in 12 months
and hypertensives without a blood pressure in 12 months. Most monitored residents
have results spread over the period; a share is *not* followed up (a much larger
share at Loviisa, the understaffed station, so the care gaps tell a story) and has either
no result at all or only an old one, taken more than 12 months before the end of
the period, so the rules find real gaps.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from valvomo.synth.county import STATIONS
from valvomo.synth.demography import Residents
from valvomo.synth.ids import IdFormat
from valvomo.synth.timeline import Timeline

# (test, unit, mean, sd, low, high, decimals, results per year for a followed-up patient)
TESTS = {
    "HbA1c": ("mmol/mol", 54.0, 11.0, 32.0, 120.0, 0, 1.8),
    "LDL": ("mmol/L", 2.6, 0.8, 0.8, 6.5, 1, 0.9),
    "BP_SYS": ("mmHg", 140.0, 15.0, 95.0, 220.0, 0, 2.0),
}
FOLLOWED_UP = {"HbA1c": 0.88, "LDL": 0.75, "BP_SYS": 0.80}
# One station loses its chronic patients' follow-up (the care-gap story, docs/care-gaps.md).
STATION_FOLLOW_UP = np.array([story.lab_follow_up for story in STATIONS])
OLD_RESULT_SHARE = 0.5  # of residents not followed up: one result 13-24 months before the end


def _results_for(
    rng: np.random.Generator, tl: Timeline, patients: np.ndarray, test: str, follow_up: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    unit, mean, sd, low, high, decimals, per_year = TESTS[test]
    n = len(patients)
    followed = rng.random(n) < FOLLOWED_UP[test] * follow_up
    years = tl.period_days / 365.25
    counts = np.where(followed, 1 + rng.poisson(max(per_year * years - 1.0, 0.0), n), 0)
    who = np.repeat(patients, counts)
    working = np.flatnonzero(tl.working[tl.start_index : tl.end_index]) + tl.start_index
    day = working[rng.integers(0, len(working), len(who))]

    old = patients[~followed & (rng.random(n) < OLD_RESULT_SHARE)]
    back = rng.integers(395, 730, len(old))
    old_day = tl.end_index - np.minimum(back, tl.end_index)
    old_day = tl.previous_working[old_day]

    who = np.concatenate([who, old])
    day = np.concatenate([day, old_day])
    taken = tl.at(day, 450 + 5 * rng.integers(0, 36, len(day)))  # 07:30-10:25, laboratory mornings
    personal_mean = rng.normal(mean, sd * 0.8, len(who))
    value = np.round(np.clip(personal_mean + rng.normal(0, sd * 0.4, len(who)), low, high), decimals)
    return who, taken, value


def generate_lab_results(
    rng: np.random.Generator,
    tl: Timeline,
    residents: Residents,
    ids: IdFormat,
    first_patient: int,
    first: int,
    stop: int,
) -> dict[str, pa.Array]:
    """Results of residents ``first..stop-1`` of a replica, ordered by patient, test and time."""
    local = np.arange(first, stop)
    parts = []
    for test_index, test in enumerate(TESTS):
        chronic = residents.hypertension if test == "BP_SYS" else residents.diabetes
        patients = local[chronic[first:stop]]
        follow_up = STATION_FOLLOW_UP[residents.station[patients]]
        who, taken, value = _results_for(rng, tl, patients, test, follow_up)
        parts.append((who, np.full(len(who), test_index), taken, value))
    who = np.concatenate([p[0] for p in parts])
    test = np.concatenate([p[1] for p in parts])
    taken = np.concatenate([p[2] for p in parts])
    value = np.concatenate([p[3] for p in parts])
    keep = taken < tl.extract_instant
    who, test, taken, value = who[keep], test[keep], taken[keep], value[keep]
    order = np.lexsort((taken, test, who))
    names = list(TESTS)
    return {
        "patient_id": ids.patients(first_patient + who[order]),
        "test": pa.array(names, pa.string()).take(pa.array(test[order])),
        "value": pa.array(value[order], pa.float64()),
        "unit": pa.array([TESTS[t][0] for t in names], pa.string()).take(pa.array(test[order])),
        "taken_at": pa.array(taken[order].astype("datetime64[us]"), pa.timestamp("us")),
    }
