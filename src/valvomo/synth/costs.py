"""Unit costs of contacts.

A physician's visit at reception costs about 100-200 €, a nurse's visit 50-80 €, a
phone contact a third of a visit, a home visit about twice. Each resident carries a
persistent cost factor (complex, multimorbid patients take longer), which together
with the very unequal number of contacts makes the top tenth of users carry well
over half of the cost (the top-decile indicator; 81 % in Oulu per seed 002, where
specialised care is included).
"""

from __future__ import annotations

import numpy as np

from valvomo.schema import codes

VISIT_COST_EUR = {
    "physician": 150.0,
    "nurse": 65.0,
    "public_health_nurse": 70.0,
    "practical_nurse": 40.0,
    "physiotherapist": 72.0,
    "occupational_therapist": 78.0,
    "psychologist": 120.0,
    "mental_health_nurse": 80.0,
    "social_worker": 85.0,
    "social_counsellor": 60.0,
    "dentist": 110.0,
    "dental_hygienist": 60.0,
    "other": 50.0,
}
# fmt: off
CONTACT_TYPE_FACTOR = {
    "R10": 1.0, "R20": 2.0, "R30": 1.1, "R40": 1.2, "R41": 1.1,
    "R50": 0.35, "R51": 0.35, "R52": 0.65, "R55": 0.25, "R56": 0.22,
    "R60": 0.25, "R71": 0.5, "R72": 0.2, "R80": 1.5, "R90": 0.3,
}
# fmt: on
BASE = np.array([VISIT_COST_EUR[p] for p in codes.PROFESSIONS])
FACTOR = np.array([CONTACT_TYPE_FACTOR[c] for c in codes.CONTACT_TYPES])


def contact_costs(
    rng: np.random.Generator, profession: np.ndarray, contact_type: np.ndarray, patient_factor: np.ndarray
) -> np.ndarray:
    """Cost in euros (two decimals) of each contact."""
    noise = rng.lognormal(-0.5 * 0.2**2, 0.2, len(profession))
    return np.round(BASE[profession] * FACTOR[contact_type] * patient_factor * noise, 2)
