"""Customer feedback: the "would you recommend" question (NPS).

After a share of realised contacts and guidance requests the customer answers a
0-10 question. Each station has a target NPS (``StationStory.nps``, Keusote's
target is > 60): promoters (9-10) and detractors (0-6) are split around a fixed
share of passives so that 100 × (promoters − detractors) lands near the target.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from valvomo.schema import codes
from valvomo.synth import columns
from valvomo.synth.county import STATIONS
from valvomo.synth.ids import IdFormat

RESPONSE_SHARE_CONTACTS = 0.03
RESPONSE_SHARE_GUIDANCE = 0.04
PASSIVE_SHARE = 0.22
DETRACTOR_SCORES = np.array([0.08, 0.04, 0.05, 0.08, 0.10, 0.25, 0.40])  # scores 0..6
PASSIVE_SCORES = np.array([0.45, 0.55])  # 7, 8
PROMOTER_SCORES = np.array([0.35, 0.65])  # 9, 10
IN_PERSON, REMOTE, GUIDANCE = 0, 1, 2  # codes.FEEDBACK_CHANNELS order


def _score_table() -> np.ndarray:
    rows = []
    for story in STATIONS:
        promoters = (1.0 - PASSIVE_SHARE + story.nps / 100.0) / 2.0
        detractors = 1.0 - PASSIVE_SHARE - promoters
        rows.append(
            np.concatenate(
                [
                    detractors * DETRACTOR_SCORES / DETRACTOR_SCORES.sum(),
                    PASSIVE_SHARE * PASSIVE_SCORES,
                    promoters * PROMOTER_SCORES,
                ]
            )
        )
    return np.cumsum(np.array(rows), axis=1)


SCORE_CUMULATIVE = _score_table()


def scores(rng: np.random.Generator, station: np.ndarray) -> np.ndarray:
    """A 0-10 score per response, from the station's score distribution."""
    rows = SCORE_CUMULATIVE[station]
    return (rng.random(len(station))[:, None] >= rows[:, :-1]).sum(axis=1)


def answer_times(rng: np.random.Generator, event_time: np.ndarray) -> np.ndarray:
    """Answers to the SMS survey come on the day of the event or up to three days later, 09-22."""
    n = len(event_time)
    day = event_time.astype("datetime64[D]") + rng.integers(0, 4, n).astype("timedelta64[D]")
    moment = day.astype("datetime64[s]") + (rng.integers(9 * 60, 22 * 60, n) * 60).astype("timedelta64[s]")
    return np.maximum(moment, event_time + np.timedelta64(30 * 60, "s"))


def responses(
    rng: np.random.Generator,
    station_ids: tuple[str, ...],
    station: np.ndarray,
    channel: np.ndarray,
    event_time: np.ndarray,
    extract: np.datetime64,
    ids: IdFormat,
    first_number: int,
) -> dict[str, pa.Array]:
    """Feedback rows for the answering events; answers after the extract are not yet known."""
    answered = answer_times(rng, event_time)
    score = scores(rng, station)
    known = np.flatnonzero(answered < extract)
    return {
        "response_id": ids.events("F", first_number, len(known)),
        "station_id": columns.pick_strings(station_ids, station[known]),
        "channel": columns.pick_strings(codes.FEEDBACK_CHANNELS, channel[known]),
        "answered_at": columns.timestamps(answered[known]),
        "score": pa.array(score[known], pa.int64()),
    }
