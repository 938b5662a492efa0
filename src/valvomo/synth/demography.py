"""Residents of one replica: age, sex, language, home station, health and service need.

Residents are the unit everything else hangs on. Their age and sex follow the
Finnish five-year age structure, tilted older in the rural municipalities; language
follows each municipality's Swedish-speaking share; chronic conditions (type 2
diabetes, hypertension) follow age-specific prevalences; and each resident gets a
persistent *service need* (expected contacts per year) from a gamma distribution, so
that a minority of residents carries most of the contacts and the cost, as in the
Oulu figures quoted in seed 002.

The population is a closed cohort over the period (no births, deaths or moves), so
``population`` and ``patients`` always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from valvomo.schema import codes
from valvomo.synth.county import MUNICIPALITIES, STATIONS, Replica
from valvomo.synth.rng import Stream, choose, cumulative_table, stream

# Share of residents per five-year band (codes.AGE_BANDS order), Finland around 2023.
AGE_BAND_SHARE = np.array(
    [4.3, 5.2, 5.8, 5.7, 5.6, 6.2, 6.6, 6.6, 6.3, 5.8, 6.2, 6.4, 6.5, 6.3, 6.4, 5.0, 3.2, 3.0]
)
FEMALE_SHARE = np.array([0.488] * 4 + [0.49] * 5 + [0.495] * 4 + [0.52, 0.52, 0.55, 0.60, 0.68])
BAND_MID = np.array([2 + 5 * i for i in range(17)] + [89], dtype=float)

# Expected contacts per resident-year (realised or cancelled, before non-patient rows):
# tuned so that ~78 % of residents use services and users have ~6 contacts a year.
MEAN_CONTACT_RATE = 5.15
NEED_SHAPE = 1.0  # gamma shape of the individual service need; smaller = more unequal
HIGH_NEED_SHARE = 0.04
HIGH_NEED_FACTOR = 10.0  # high-need residents have this many times the contacts
COST_SIGMA = 0.5  # spread of the persistent individual cost factor
HIGH_NEED_COST = 1.3  # high-need residents' contacts are longer and more complex

SEX_F, SEX_M = 0, 1
LANG_FI, LANG_SV, LANG_OTHER = 0, 1, 2


@dataclass
class Residents:
    """Residents of one replica as parallel arrays (index = local resident number)."""

    municipality: np.ndarray  # index into MUNICIPALITIES
    age: np.ndarray  # completed years on 31 Dec before the period
    birth_year: np.ndarray
    sex: np.ndarray
    language: np.ndarray
    station: np.ndarray  # home station, index into STATIONS
    diabetes: np.ndarray
    hypertension: np.ndarray
    high_need: np.ndarray
    contact_rate: np.ndarray  # expected contacts per year
    cost_factor: np.ndarray
    usual_physician: np.ndarray  # index into the replica's staff (set by staff.assign_usual)
    usual_nurse: np.ndarray
    named_physician: np.ndarray  # bool: usual physician is recorded as named (omalääkäri)
    named_nurse: np.ndarray

    def __len__(self) -> int:
        return len(self.age)


def _ages(rng: np.random.Generator, municipality: np.ndarray) -> np.ndarray:
    tilts = np.array([m.age_tilt for m in MUNICIPALITIES])
    weights = AGE_BAND_SHARE[None, :] * np.exp(tilts[:, None] * (BAND_MID[None, :] - 42.0) / 30.0)
    band = choose(rng, cumulative_table(weights), municipality)
    age = 5 * band + rng.integers(0, 5, len(band))
    oldest = band == len(codes.AGE_BANDS) - 1
    age[oldest] = 85 + np.minimum(rng.geometric(0.17, int(oldest.sum())) - 1, 20)
    return age


def _languages(rng: np.random.Generator, municipality: np.ndarray, age: np.ndarray) -> np.ndarray:
    swedish = np.array([m.swedish_share for m in MUNICIPALITIES])[municipality]
    other = np.array([m.other_language_share for m in MUNICIPALITIES])[municipality]
    # Residents with another mother tongue are mostly of working age or their children.
    other = other * np.where(age < 15, 1.2, np.where(age < 55, 1.5, 0.3))
    u = rng.random(len(age))
    return np.where(u < other, LANG_OTHER, np.where(u < other + swedish, LANG_SV, LANG_FI))


def _prevalence(age: np.ndarray, cuts: list[int], rates: list[float]) -> np.ndarray:
    return np.array(rates)[np.searchsorted(np.array(cuts), age, side="right")]


def _home_stations(rng: np.random.Generator, municipality: np.ndarray) -> np.ndarray:
    table = np.zeros((len(MUNICIPALITIES), len(STATIONS)))
    codes_ = [m.code for m in MUNICIPALITIES]
    for s, story in enumerate(STATIONS):
        for code, share in story.catchment:
            table[codes_.index(code), s] = share
    return choose(rng, cumulative_table(table), municipality)


def generate_residents(seed: int, replica: Replica, start: dt.date) -> Residents:
    """All residents of a replica, ordered by municipality (deterministic per seed)."""
    rng = stream(seed, Stream.RESIDENTS, replica.index)
    municipality = np.repeat(np.arange(len(MUNICIPALITIES)), replica.municipality_residents)
    n = len(municipality)
    age = _ages(rng, municipality)
    female = rng.random(n) < FEMALE_SHARE[np.minimum(age // 5, 17)]
    sex = np.where(female, SEX_F, SEX_M)
    language = _languages(rng, municipality, age)
    station = _home_stations(rng, municipality)

    # Type 2 diabetes in about 6 % and hypertension in about 20 % of adults (segmentation.md).
    diabetes_rate = _prevalence(age, [25, 40, 50, 60, 70, 80], [0.0, 0.0095, 0.028, 0.06, 0.1, 0.136, 0.144])
    diabetes = rng.random(n) < diabetes_rate * np.where(sex == SEX_M, 1.2, 0.85)
    hypertension_rate = _prevalence(
        age, [30, 40, 50, 60, 70, 80], [0.005, 0.03, 0.09, 0.20, 0.34, 0.46, 0.52]
    )
    hypertension = rng.random(n) < hypertension_rate
    high_need = rng.random(n) < HIGH_NEED_SHARE * np.where(age >= 65, 2.0, 0.7)

    age_factor = _prevalence(age, [5, 15, 25, 45, 65, 75, 85], [1.4, 0.65, 0.75, 0.8, 0.95, 1.35, 1.9, 2.3])
    need = rng.gamma(NEED_SHAPE, 1.0, n)
    raw = (
        need
        * age_factor
        * (1.0 + 0.6 * diabetes + 0.35 * hypertension)
        * np.where(high_need, HIGH_NEED_FACTOR, 1.0)
    )
    contact_rate = raw * (MEAN_CONTACT_RATE / raw.mean()) if n else raw
    cost_factor = rng.lognormal(-0.5 * COST_SIGMA**2, COST_SIGMA, n) * np.where(
        high_need, HIGH_NEED_COST, 1.0
    )

    empty = np.full(n, -1, dtype=np.int64)
    return Residents(
        municipality=municipality,
        age=age,
        birth_year=start.year - 1 - age,
        sex=sex,
        language=language,
        station=station,
        diabetes=diabetes,
        hypertension=hypertension,
        high_need=high_need,
        contact_rate=contact_rate,
        cost_factor=cost_factor,
        usual_physician=empty,
        usual_nurse=empty.copy(),
        named_physician=np.zeros(n, dtype=bool),
        named_nurse=np.zeros(n, dtype=bool),
    )
