"""Psychosocial interventions (IPC, Cool Kids, IPT-A) and their waits.

Keusote (seed 004) tracks the wait from recommendation to the first session of
these short interventions: IPC averaged 16 days with a range of 4-48. The generator
draws recommendations for eligible ages, waits with that mean and range (longer at
the understaffed station), and completion after the method's usual course.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from valvomo.synth import columns
from valvomo.synth.county import STATIONS, Replica
from valvomo.synth.demography import Residents
from valvomo.synth.ids import IdFormat
from valvomo.synth.timeline import Timeline

# method: (youngest, oldest, recommendations per resident-year in the age range, course weeks low-high)
METHODS = {
    "IPC": (13, 70, 0.0035, (6, 10)),
    "CoolKids": (7, 17, 0.0045, (10, 14)),
    "IPT-A": (12, 17, 0.0040, (12, 16)),
}
OFFERED_AT = np.array([s.kind in ("health_station", "nurse_led_station") for s in STATIONS])
WAIT_FACTOR = np.array([s.intervention_wait_factor for s in STATIONS])
NOT_STARTED = 0.05
COMPLETED = 0.78


def generate_interventions(
    rng: np.random.Generator,
    tl: Timeline,
    residents: Residents,
    replica: Replica,
    ids: IdFormat,
    first: int,
    stop: int,
    first_number: int,
) -> dict[str, pa.Array]:
    """Interventions of residents ``first..stop-1``, numbered from ``first_number``."""
    years = tl.period_days / 365.25
    age = residents.age[first:stop] + 1
    patients, methods = [], []
    for m, (young, old, rate, _) in enumerate(METHODS.values()):
        eligible = (age >= young) & (age <= old) & OFFERED_AT[residents.station[first:stop]]
        counts = rng.poisson(rate * years * eligible)
        who = np.repeat(np.arange(first, stop), counts)
        patients.append(who)
        methods.append(np.full(len(who), m))
    patient = np.concatenate(patients)
    method = np.concatenate(methods)
    n = len(patient)
    station = residents.station[patient]

    working = np.flatnonzero(tl.working[tl.start_index : tl.end_index]) + tl.start_index
    recommended = working[rng.integers(0, len(working), n)]
    # At most 44 days here: moving to a working day adds up to four.
    wait = np.clip(np.round(4 + rng.gamma(2.0, 6.0, n) * WAIT_FACTOR[station]), 4, 44).astype(np.int64)
    first_session = tl.next_working[recommended + wait - 1]
    started = rng.random(n) >= NOT_STARTED
    low = np.array([w[0] for *_, w in METHODS.values()])[method]
    high = np.array([w[1] for *_, w in METHODS.values()])[method]
    completed = first_session + 7 * rng.integers(low, high + 1)
    done = started & (rng.random(n) < COMPLETED)

    days = tl.days
    extract = tl.end_index  # events on or after the end of the period are not yet known
    never = np.datetime64("NaT", "D")
    first_session_on = np.where(
        started & (first_session < extract), days[np.minimum(first_session, len(days) - 1)], never
    )
    completed_on = np.where(done & (completed < extract), days[np.minimum(completed, len(days) - 1)], never)
    order = np.lexsort((recommended, patient))
    return {
        "intervention_id": ids.events("I", first_number, n),
        "patient_id": ids.patients(replica.first_patient + patient[order]),
        "station_id": pa.array(list(replica.station_ids), pa.string()).take(pa.array(station[order])),
        "method": pa.array(list(METHODS), pa.string()).take(pa.array(method[order])),
        "recommended_on": columns.dates(days[recommended[order]]),
        "first_session_on": columns.dates(first_session_on[order]),
        "completed_on": columns.dates(completed_on[order]),
    }
