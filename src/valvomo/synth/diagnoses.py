"""Diagnoses of contacts (ICD-10 by physicians, mostly ICPC-2 by nurses).

Diagnoses make the care-gap rules work (segmentation.md): a resident with type 2
diabetes or hypertension (drawn in ``demography`` with age-specific prevalences) has
those codes on a good part of their curative contacts, so a rule such as "E11/T90
without HbA1c in 12 months" finds them. Other contacts get common primary-care
reasons for encounter, weighted by age.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from valvomo.synth.contacts import SERVICE, T11, ContactBatch
from valvomo.synth.demography import Residents
from valvomo.synth.staff import PROFESSION

# (ICD-10, ICPC-2, weight for children 0-15, adults 16-64, older people 65+)
COMMON_REASONS = (
    ("J06.9", "R74", 30, 14, 6),
    ("J20.9", "R78", 6, 5, 6),
    ("H66.9", "H71", 14, 1, 0.5),
    ("J03.9", "R76", 8, 4, 1),
    ("M54.5", "L03", 0.5, 11, 7),
    ("M75.1", "L92", 0, 5, 4),
    ("M17.9", "L90", 0, 2, 7),
    ("N39.0", "U71", 2, 5, 6),
    ("L30.9", "S88", 6, 4, 3),
    ("F41.1", "P74", 1, 6, 2),
    ("F32.9", "P76", 0.5, 6, 2),
    ("G47.0", "P06", 0.5, 3, 3),
    ("R10.4", "D01", 5, 4, 3),
    ("A09", "D73", 6, 2, 1),
    ("J45.9", "R96", 4, 3, 2),
    ("R07.4", "A11", 0, 2, 3),
    ("R42", "N17", 0, 2, 4),
    ("E78.0", "T93", 0, 3, 6),
    ("J44.9", "R95", 0, 0.5, 4),
    ("Z00.0", "A97", 6, 3, 2),
)
DIABETES = ("E11.9", "T90")
HYPERTENSION = (("I10", "K86"), ("I10", "K87"))
ICD10, ICPC2 = 0, 1

_weights = np.array([r[2:] for r in COMMON_REASONS], dtype=float).T  # [age group, reason]
REASON_CUMULATIVE = np.cumsum(_weights / _weights.sum(axis=1, keepdims=True), axis=1)
REASON_CODES = np.array([[r[0] for r in COMMON_REASONS], [r[1] for r in COMMON_REASONS]])


def generate_diagnoses(
    rng: np.random.Generator, batch: ContactBatch, residents: Residents, contact_ids: pa.Array
) -> dict[str, pa.Array]:
    """Main (position 1) and secondary (position 2) diagnoses of realised curative contacts."""
    physician = batch.profession == PROFESSION["physician"]
    nurse = np.isin(batch.profession, [PROFESSION["nurse"], PROFESSION["public_health_nurse"]])
    coded_service = np.isin(batch.service, [T11, SERVICE["T40"], SERVICE["T51"], SERVICE["T31"]])
    recorded = (
        batch.realised_patient_contact
        & coded_service
        & (rng.random(len(batch)) < np.where(physician, 0.9, np.where(nurse, 0.55, 0.25)))
    )
    rows = np.flatnonzero(recorded)
    n = len(rows)
    patient = batch.patient[rows]
    system = np.where(physician[rows], rng.random(n) < 0.1, rng.random(n) < 0.75).astype(np.int64)
    age = residents.age[patient] + 1
    age_group = np.where(age < 16, 0, np.where(age < 65, 1, 2))
    reason = (rng.random(n)[:, None] >= REASON_CUMULATIVE[age_group][:, :-1]).sum(axis=1)
    main = REASON_CODES[system, reason]

    diabetic, hypertensive = residents.diabetes[patient], residents.hypertension[patient]
    u = rng.random(n)
    as_diabetes = diabetic & (u < 0.5)
    as_hypertension = hypertensive & ~as_diabetes & (u < np.where(diabetic, 0.55, 0.30))
    hypertension_variant = (rng.random(n) < 0.3).astype(np.int64)
    hypertension_codes = np.array(HYPERTENSION)[hypertension_variant, system]
    main = np.where(as_diabetes, np.array(DIABETES)[system], main)
    main = np.where(as_hypertension, hypertension_codes, main)

    # The other chronic condition as a secondary diagnosis, when the patient has both.
    secondary = np.where(
        as_diabetes & hypertensive,
        hypertension_codes,
        np.where(as_hypertension & diabetic, np.array(DIABETES)[system], ""),
    )
    secondary = np.where(
        (secondary == "") & (rng.random(n) < 0.08),
        REASON_CODES[system, (reason + 7) % len(COMMON_REASONS)],
        secondary,
    )
    second = secondary != ""

    contact = np.concatenate([rows, rows[second]])
    position = np.concatenate([np.ones(n, dtype=np.int64), np.full(int(second.sum()), 2, dtype=np.int64)])
    systems = np.concatenate([system, system[second]])
    code = np.concatenate([main, secondary[second]])
    order = np.lexsort((position, contact))
    return {
        "contact_id": contact_ids.take(pa.array(contact[order])),
        "position": pa.array(position[order], pa.int64()),
        "system": pa.array(np.where(systems[order] == ICD10, "icd10", "icpc2").tolist(), pa.string()),
        "code": pa.array(code[order].tolist(), pa.string()),
    }
