"""Segmentation questionnaire answers (Suuntima-style) for part of the adult residents.

The questionnaire (segmentation.md §1, docs/questionnaire.md) is answered at a
visit by the customer (five resources items) and the professional (five
complexity items), so only some residents have one: adults with a chronic
condition or a high service need most often, others rarely. Each answering
resident gets a latent *resources* level (lower with age and high need) and a
latent *complexity* level (higher with chronic conditions and high need); the
item answers scatter around them on the 1-5 scale, so the four segments all
occur, with network customers concentrated among the high-need old. Drawn from
its own stream (``Stream.QUESTIONNAIRE``), so the other tables keep their bytes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from valvomo.synth import columns
from valvomo.synth.county import Replica
from valvomo.synth.demography import Residents
from valvomo.synth.ids import IdFormat
from valvomo.synth.staff import Staff
from valvomo.synth.timeline import Timeline

RESOURCE_ITEMS = ("R1", "R2", "R3", "R4", "R5")
COMPLEXITY_ITEMS = ("C1", "C2", "C3", "C4", "C5")
ITEMS = RESOURCE_ITEMS + COMPLEXITY_ITEMS
ADULT_AGE = 18
ANSWER_SHARE_CHRONIC = 0.35  # adults with diabetes, hypertension or a high service need
ANSWER_SHARE_OTHER = 0.04


def generate_answers(
    rng: np.random.Generator,
    tl: Timeline,
    residents: Residents,
    staff: Staff,
    replica: Replica,
    ids: IdFormat,
    first: int,
    stop: int,
    first_number: int,
) -> dict[str, pa.Array]:
    """Answer rows of residents ``first..stop-1``: one session per answering resident, ten items each."""
    local = np.arange(first, stop)
    chronic = residents.diabetes[local] | residents.hypertension[local] | residents.high_need[local]
    adult = residents.age[local] + 1 >= ADULT_AGE
    share = np.where(chronic, ANSWER_SHARE_CHRONIC, ANSWER_SHARE_OTHER)
    who = local[adult & (rng.random(len(local)) < share)]
    n = len(who)
    age = residents.age[who] + 1
    resources = 3.9 - 0.02 * np.maximum(age - 50, 0) - 1.1 * residents.high_need[who] + rng.normal(0, 0.7, n)
    complexity = (
        1.7
        + 0.7 * residents.diabetes[who]
        + 0.5 * residents.hypertension[who]
        + 1.3 * residents.high_need[who]
        + 0.015 * np.maximum(age - 60, 0)
        + rng.normal(0, 0.6, n)
    )
    items = len(ITEMS)
    latent = np.concatenate(
        [np.repeat(resources[:, None], len(RESOURCE_ITEMS), 1), np.repeat(complexity[:, None], len(COMPLEXITY_ITEMS), 1)],
        axis=1,
    )
    scores = np.clip(np.rint(latent + rng.normal(0, 0.8, (n, items))), 1, 5).astype(np.int64)
    working = np.flatnonzero(tl.working[tl.start_index : tl.end_index]) + tl.start_index
    day = working[rng.integers(0, len(working), n)]
    answered_on = (tl.first + day.astype(np.int64)).astype("datetime64[D]")
    order = np.argsort(who, kind="stable")
    who, day, answered_on, scores = who[order], day[order], answered_on[order], scores[order]
    nurse = residents.usual_nurse[who]
    answer_ids = ids.events("Q", first_number, n)
    return {
        "answer_id": answer_ids.take(pa.array(np.repeat(np.arange(n), items))),
        "patient_id": ids.patients(np.repeat(replica.first_patient + who, items)),
        "station_id": columns.pick_strings(replica.station_ids, np.repeat(residents.station[who], items)),
        "professional_id": columns.pick_strings(staff.ids, np.repeat(nurse, items)),
        "answered_on": pa.array(np.repeat(answered_on, items), pa.date32()),
        "item": pa.array(np.tile(np.array(ITEMS, dtype=object), n), pa.string()),
        "score": pa.array(scores.reshape(-1), pa.int64()),
    }
