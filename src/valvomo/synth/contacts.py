"""Contacts of a chunk of residents: who was seen, where, by whom, how and when.

Each resident has an expected number of contacts per year (``demography``); the
actual count is Poisson. Each contact is then routed step by step, every step a
vectorised draw from a small probability table:

1. service type (Avohilmo-like palvelumuoto) by age and sex — T11 curative care for
   most, child and school health clinics for children, home nursing for the old;
2. station — the home station, sometimes the central guidance unit or another station;
3. profession — nurses carry about three quarters of curative care;
4. professional — the usual (named) physician or nurse with the station's continuity
   probability, otherwise anyone in the station's pool (locums included);
5. contact type — phone, video, message or a visit; ~45 % of T11 is remote;
6. day and time — working days, Mondays busiest, July quiet, office hours; urgent
   needs occasionally on weekends and holidays;
7. care-guarantee timing (``waiting``), cancellations, outcome flags, cost (``costs``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from valvomo.schema import codes
from valvomo.synth import columns
from valvomo.synth.costs import contact_costs
from valvomo.synth.county import GUIDANCE_KEY, STATIONS, Replica
from valvomo.synth.demography import SEX_M, Residents
from valvomo.synth.ids import IdFormat
from valvomo.synth.rng import choose, cumulative_table
from valvomo.synth.staff import LICENSED, PROFESSION, Staff
from valvomo.synth.timeline import Timeline, minutes, morning_weighted_minutes
from valvomo.synth.waiting import cancel, care_guarantee_timing

SERVICE_TYPES = ("T11", "T21", "T22", "T23", "T25", "T26", "T31", "T40", "T51")
SERVICE = {code: i for i, code in enumerate(SERVICE_TYPES)}
T11 = SERVICE["T11"]
CONTACT_TYPE = {code: i for i, code in enumerate(codes.CONTACT_TYPES)}
PATIENT_TYPES = len(codes.PATIENT_CONTACT_TYPES)  # codes 0..9 are patient contacts
REMOTE = np.array([c in codes.REMOTE_CONTACT_TYPES for c in codes.CONTACT_TYPES])
GUIDANCE = next(i for i, s in enumerate(STATIONS) if s.key == GUIDANCE_KEY)
HEALTH_STATIONS = np.array([i for i, s in enumerate(STATIONS) if s.kind == "health_station"])
NURSE_LED = np.array([s.kind == "nurse_led_station" for s in STATIONS])

AGE_CLASS_CUTS = np.array([7, 16, 25, 45, 65, 75])  # 0-6, 7-15, 16-24, 25-44, 45-64, 65-74, 75+
# Service-type weights per age class (columns in SERVICE_TYPES order) for women;
# men have no T21/T22 contacts.
SERVICE_WEIGHTS_F = np.array(
    [
        [0.40, 0.00, 0.00, 0.52, 0.00, 0.00, 0.00, 0.01, 0.04],
        [0.55, 0.00, 0.00, 0.00, 0.33, 0.00, 0.00, 0.06, 0.06],
        [0.52, 0.08, 0.03, 0.00, 0.00, 0.18, 0.00, 0.12, 0.07],
        [0.57, 0.05, 0.10, 0.00, 0.00, 0.00, 0.02, 0.11, 0.13],
        [0.65, 0.00, 0.00, 0.00, 0.00, 0.00, 0.06, 0.08, 0.19],
        [0.64, 0.00, 0.00, 0.00, 0.00, 0.00, 0.14, 0.04, 0.16],
        [0.54, 0.00, 0.00, 0.00, 0.00, 0.00, 0.36, 0.02, 0.08],
    ]
)
SERVICE_NATURE_TH = np.array([0.02, 0.95, 0.95, 0.95, 0.95, 0.90, 0.02, 0.03, 0.05])  # share preventive
SERVICE_URGENT = np.array([0.28, 0.01, 0.02, 0.01, 0.01, 0.02, 0.02, 0.04, 0.01])
SERVICE_FIRST_VISIT = np.array([0.60, 0.25, 0.25, 0.20, 0.25, 0.30, 0.10, 0.25, 0.30])

# Professions of non-T11 services (rows SERVICE_TYPES[1:]); T11 rows are per station.
OTHER_PROFESSIONS = {
    "T21": {"public_health_nurse": 0.86, "physician": 0.10, "nurse": 0.04},
    "T22": {"public_health_nurse": 0.86, "physician": 0.10, "nurse": 0.04},
    "T23": {"public_health_nurse": 0.86, "physician": 0.10, "nurse": 0.04},
    "T25": {"public_health_nurse": 0.90, "physician": 0.08, "nurse": 0.02},
    "T26": {"public_health_nurse": 0.80, "physician": 0.14, "nurse": 0.06},
    "T31": {"nurse": 0.45, "practical_nurse": 0.50, "physician": 0.05},
    "T40": {"mental_health_nurse": 0.55, "psychologist": 0.28, "physician": 0.10, "social_worker": 0.07},
    "T51": {"physiotherapist": 0.85, "occupational_therapist": 0.15},
}

REMOTE_SPLIT = {"R50": 0.70, "R51": 0.02, "R52": 0.08, "R55": 0.02, "R56": 0.18}
# (remote share, remote split, physical split) per channel group.
CHANNEL_GROUPS = {
    "T11_physician": (0.30, REMOTE_SPLIT, {"R10": 0.955, "R20": 0.03, "R40": 0.005, "R41": 0.01}),
    "T11_other": (0.44, REMOTE_SPLIT, {"R10": 0.955, "R20": 0.03, "R40": 0.005, "R41": 0.01}),
    "clinic": (0.05, {"R50": 0.6, "R56": 0.4}, {"R10": 0.97, "R20": 0.03}),
    "T31": (0.08, {"R50": 1.0}, {"R20": 0.85, "R10": 0.15}),
    "T40": (0.20, {"R50": 0.45, "R52": 0.45, "R56": 0.10}, {"R10": 1.0}),
    "T51": (0.04, {"R52": 1.0}, {"R10": 0.98, "R41": 0.02}),
    "guidance": (1.0, {"R50": 0.72, "R56": 0.28}, {"R10": 1.0}),
}
# The heaviest users (home nursing, several chronic conditions) have about one contact a week;
# without a cap the gamma x high-need tail gave single patients 270 contacts a year (issue 11, item 8).
# The cap applies to the whole period (60 x years); days are drawn over the period.
MAX_CONTACTS_PER_YEAR = 60
NON_PATIENT_SHARE = 0.035
NON_PATIENT_SPLIT = {"R60": 0.50, "R71": 0.15, "R72": 0.35}
SPECIALTIES = ("10", "20", "30", "70")


@dataclass
class ContactBatch:
    """One chunk of contacts: the table columns plus arrays later tables build on."""

    columns: dict[str, pa.Array]
    patient: np.ndarray  # local resident index
    station: np.ndarray
    profession: np.ndarray
    contact_type: np.ndarray
    service: np.ndarray
    started: np.ndarray
    professional: np.ndarray  # index into the replica's staff, -1 = not recorded
    realised_patient_contact: np.ndarray

    def __len__(self) -> int:
        return len(self.patient)


def _service_table() -> np.ndarray:
    """Cumulative service weights, rows (nurse_led, sex, age class)."""
    rows = []
    for nurse_led in (False, True):
        for sex in (0, 1):
            weights = SERVICE_WEIGHTS_F.copy()
            if sex == SEX_M:
                weights[:, [SERVICE["T21"], SERVICE["T22"]]] = 0.0
            if nurse_led:
                weights[:, [SERVICE["T40"], SERVICE["T51"]]] = 0.0
            rows.append(weights)
    return cumulative_table(np.vstack(rows))


def _profession_table() -> np.ndarray:
    """Cumulative profession weights: one T11 row per station, then one row per other service."""
    rows = np.zeros((len(STATIONS) + len(SERVICE_TYPES), len(codes.PROFESSIONS)))
    for s, story in enumerate(STATIONS):
        if story.kind == "guidance_unit":
            rows[s, PROFESSION["nurse"]] = 1.0
            continue
        practical = 0.06 if NURSE_LED[s] else 0.05
        phn = 0.0 if NURSE_LED[s] else 0.03
        rows[s, PROFESSION["physician"]] = story.physician_share_t11
        rows[s, PROFESSION["practical_nurse"]] = practical
        rows[s, PROFESSION["public_health_nurse"]] = phn
        rows[s, PROFESSION["nurse"]] = 1.0 - story.physician_share_t11 - practical - phn
    for service, weights in OTHER_PROFESSIONS.items():
        for profession, weight in weights.items():
            rows[len(STATIONS) + SERVICE[service], PROFESSION[profession]] = weight
    return cumulative_table(rows)


def _channel_table() -> tuple[np.ndarray, dict[str, int]]:
    """Cumulative contact-type weights per channel group; T11 groups are scaled per station."""
    names: dict[str, int] = {}
    rows = []
    for name, (remote_share, remote_split, physical_split) in CHANNEL_GROUPS.items():
        scales = [s.remote_share_t11 / 0.45 for s in STATIONS] if name.startswith("T11") else [1.0]
        for s, scale in enumerate(scales):
            share = min(1.0, remote_share * scale)
            weights = np.zeros(len(codes.CONTACT_TYPES))
            for code, w in remote_split.items():
                weights[CONTACT_TYPE[code]] += share * w
            for code, w in physical_split.items():
                weights[CONTACT_TYPE[code]] += (1.0 - share) * w
            names[f"{name}:{s}" if name.startswith("T11") else name] = len(rows)
            rows.append(weights)
    return cumulative_table(np.array(rows)), names


SERVICE_CUMULATIVE = _service_table()
PROFESSION_CUMULATIVE = _profession_table()
CHANNEL_CUMULATIVE, CHANNEL_ROW = _channel_table()
CONTINUITY = {
    PROFESSION["physician"]: np.array([s.physician_continuity for s in STATIONS]),
    PROFESSION["nurse"]: np.array([s.nurse_continuity for s in STATIONS]),
}
CANCELLATION = np.array([s.cancellation_share for s in STATIONS])


def _route(rng: np.random.Generator, residents: Residents, patient: np.ndarray, age: np.ndarray):
    """Service type, station and profession of each contact."""
    n = len(patient)
    home = residents.station[patient]
    age_class = np.searchsorted(AGE_CLASS_CUTS, age, side="right")
    group = (NURSE_LED[home].astype(np.int64) * 2 + residents.sex[patient]) * 7 + age_class
    service = choose(rng, SERVICE_CUMULATIVE, group)
    is_t11 = service == T11
    station = home.copy()
    to_guidance = is_t11 & (age >= 16) & (rng.random(n) < 0.06)
    station[to_guidance] = GUIDANCE
    elsewhere = is_t11 & ~to_guidance & (rng.random(n) < 0.04)
    station[elsewhere] = HEALTH_STATIONS[rng.integers(0, len(HEALTH_STATIONS), int(elsewhere.sum()))]
    profession_group = np.where(is_t11, station, len(STATIONS) + service)
    profession = choose(rng, PROFESSION_CUMULATIVE, profession_group)
    return service, station, profession


def _professionals(
    rng: np.random.Generator,
    staff: Staff,
    residents: Residents,
    patient: np.ndarray,
    station: np.ndarray,
    profession: np.ndarray,
) -> np.ndarray:
    """The usual professional with the station's continuity probability, otherwise anyone in the pool."""
    chosen = staff.pick(rng, station, profession)
    at_home = station == residents.station[patient]
    u = rng.random(len(patient))
    for p, continuity in CONTINUITY.items():
        usual = residents.usual_physician if p == PROFESSION["physician"] else residents.usual_nurse
        named = residents.named_physician if p == PROFESSION["physician"] else residents.named_nurse
        probability = continuity[station] * np.where(named[patient], 1.0, 0.7)
        take_usual = at_home & (profession == p) & (usual[patient] >= 0) & (u < probability)
        chosen = np.where(take_usual, usual[patient], chosen)
    missing = rng.random(len(patient)) < 0.004
    return np.where(missing, -1, chosen)


def _channels(rng: np.random.Generator, service: np.ndarray, station: np.ndarray, profession: np.ndarray):
    is_t11 = service == T11
    physician = profession == PROFESSION["physician"]
    t11_row = np.where(
        physician,
        np.array([CHANNEL_ROW[f"T11_physician:{s}"] for s in range(len(STATIONS))])[station],
        np.array([CHANNEL_ROW[f"T11_other:{s}"] for s in range(len(STATIONS))])[station],
    )
    other_row = np.select(
        [service == SERVICE["T31"], service == SERVICE["T40"], service == SERVICE["T51"]],
        [CHANNEL_ROW["T31"], CHANNEL_ROW["T40"], CHANNEL_ROW["T51"]],
        CHANNEL_ROW["clinic"],
    )
    row = np.where(station == GUIDANCE, CHANNEL_ROW["guidance"], np.where(is_t11, t11_row, other_row))
    return choose(rng, CHANNEL_CUMULATIVE, row)


def _start_times(rng: np.random.Generator, tl: Timeline, contact_type: np.ndarray, urgent: np.ndarray):
    """Day index and start timestamp of each contact."""
    n = len(contact_type)
    day = tl.sample_days(rng, tl.appointment_weights(), n)
    off_hours = urgent & (rng.random(n) < 0.015)
    closed = tl.non_working_period_days()
    if len(closed):
        day[off_hours] = closed[rng.integers(0, len(closed), int(off_hours.sum()))]
    remote = REMOTE[contact_type]
    message = (contact_type == CONTACT_TYPE["R56"]) | (contact_type == CONTACT_TYPE["R55"])
    minute = np.where(
        remote,
        np.where(message, minutes(rng, n, 480, 1079), minutes(rng, n, 480, 959)),
        morning_weighted_minutes(rng, n),
    )
    minute = np.where(tl.working[day], minute, minutes(rng, n, 540, 900))
    return day, tl.at(day, minute)


def _draft(rng: np.random.Generator, tl: Timeline, residents: Residents, first: int, stop: int) -> dict:
    """Who, what, where and when of each contact, sorted by patient and start (steps 1-3, 5, 6)."""
    years = tl.period_days / 365.25
    counts = np.minimum(
        rng.poisson(residents.contact_rate[first:stop] * years), int(round(MAX_CONTACTS_PER_YEAR * years))
    )
    patient = np.repeat(np.arange(first, stop), counts)
    n = len(patient)
    age = residents.age[patient] + 1
    service, station, profession = _route(rng, residents, patient, age)
    contact_type = _channels(rng, service, station, profession)
    is_t11 = service == T11
    guidance = station == GUIDANCE
    urgent = rng.random(n) < np.where(guidance, 0.12, SERVICE_URGENT[service])
    first_visit = guidance | (rng.random(n) < np.where(is_t11 & urgent, 0.92, SERVICE_FIRST_VISIT[service]))

    # A few rows are work about the patient without the patient: consultations, case conferences.
    convertible = (is_t11 & ~guidance) | (service == SERVICE["T31"]) | (service == SERVICE["T40"])
    non_patient = convertible & (rng.random(n) < NON_PATIENT_SHARE)
    split_codes = np.array([CONTACT_TYPE[c] for c in NON_PATIENT_SPLIT])
    split_cumulative = np.cumsum(np.array(list(NON_PATIENT_SPLIT.values())))
    picks = np.searchsorted(split_cumulative, rng.random(n) * split_cumulative[-1], side="right")
    contact_type = np.where(non_patient, split_codes[picks], contact_type)
    urgent &= ~non_patient
    first_visit &= ~non_patient

    day, started = _start_times(rng, tl, contact_type, urgent)
    order = np.lexsort((started, patient))
    draft = {
        "patient": patient, "service": service, "station": station, "profession": profession,
        "contact_type": contact_type, "urgent": urgent, "first_visit": first_visit, "non_patient": non_patient,
        "guidance": guidance, "is_t11": is_t11, "day": day, "started": started,
    }  # fmt: skip
    return {name: values[order] for name, values in draft.items()}


def _cancellations(rng: np.random.Generator, d: dict) -> np.ndarray:
    """Booked non-urgent visits (and video calls) cancelled at the station's rate."""
    cancellable = (
        ~d["urgent"]
        & ~d["guidance"]
        & ~d["non_patient"]
        & np.isin(d["contact_type"], [CONTACT_TYPE["R10"], CONTACT_TYPE["R20"], CONTACT_TYPE["R52"]])
    )
    return cancellable & (rng.random(len(cancellable)) < CANCELLATION[d["station"]])


def _flags(
    rng: np.random.Generator, d: dict, residents: Residents, realised: np.ndarray
) -> dict[str, np.ndarray]:
    """Care plan, certificate, specialty, first-contact resolution, referral and nature of each contact."""
    n = len(d["patient"])
    is_t11, first_visit, guidance = d["is_t11"], d["first_visit"], d["guidance"]
    physician = d["profession"] == PROFESSION["physician"]
    chronic = residents.diabetes[d["patient"]] | residents.hypertension[d["patient"]]
    service = d["service"]
    plan_share = np.where(
        is_t11,
        np.where(first_visit, 0.02, np.where(chronic, 0.55, 0.08)),
        np.select(
            [service == SERVICE["T31"], service == SERVICE["T51"], service == SERVICE["T40"]],
            [0.85, 0.35, 0.30],
            0.0,
        ),
    )
    specialist = is_t11 & physician & ~guidance & (rng.random(n) < 0.006)
    certificate = is_t11 & first_visit & ~d["urgent"] & ~guidance
    certificate &= rng.random(n) < np.where(physician, 0.06, 0.01)
    referral_share = np.select(
        [physician, d["profession"] == PROFESSION["psychologist"]], [0.07, 0.03], 0.004
    )
    return {
        "care_plan": (rng.random(n) < plan_share) & ~d["non_patient"] & ~guidance,
        "certificate_only": certificate,
        "specialty": np.where(specialist, rng.integers(0, len(SPECIALTIES), n), -1),
        "resolved": rng.random(n) < np.where(guidance, 0.80, np.where(REMOTE[d["contact_type"]], 0.62, 0.48)),
        "referral": realised & ~d["non_patient"] & (rng.random(n) < referral_share),
        "preventive": rng.random(n) < SERVICE_NATURE_TH[service],
    }


def generate_contacts(
    rng: np.random.Generator,
    tl: Timeline,
    residents: Residents,
    staff: Staff,
    replica: Replica,
    ids: IdFormat,
    first: int,
    stop: int,
    first_contact_number: int,
) -> ContactBatch:
    """Contacts of residents ``first..stop-1`` of a replica, sorted by patient and start.

    Contact ids are numbered from ``first_contact_number`` in that order.
    """
    d = _draft(rng, tl, residents, first, stop)
    n = len(d["patient"])
    message = np.isin(d["contact_type"], [CONTACT_TYPE["R55"], CONTACT_TYPE["R56"]])
    assessed_visit = d["is_t11"] & d["first_visit"] & ~d["guidance"]
    booked_visit = ~assessed_visit & ~d["guidance"] & ~d["non_patient"] & ~message
    timing = care_guarantee_timing(
        rng,
        tl,
        d["day"],
        d["started"],
        d["station"],
        d["urgent"],
        assessed_visit,
        booked_visit,
        d["guidance"],
    )
    cancelled = _cancellations(rng, d)
    cancel(rng, tl, timing, d["day"], d["started"], cancelled)
    realised = ~cancelled
    professional = _professionals(rng, staff, residents, d["patient"], d["station"], d["profession"])
    flags = _flags(rng, d, residents, realised)
    cost = contact_costs(rng, d["profession"], d["contact_type"], residents.cost_factor[d["patient"]])

    table = {
        "contact_id": ids.contacts(first_contact_number, n),
        "patient_id": ids.patients(replica.first_patient + d["patient"]),
        "station_id": columns.pick_strings(replica.station_ids, d["station"]),
        "professional_id": columns.pick_strings(staff.ids, professional),
        "profession": columns.pick_strings(codes.PROFESSIONS, d["profession"]),
        "licensed": pa.array(LICENSED[d["profession"]]),
        "contact_type": columns.pick_strings(codes.CONTACT_TYPES, d["contact_type"]),
        "service_type": columns.pick_strings(SERVICE_TYPES, d["service"]),
        "nature": columns.pick_strings(codes.NATURES, flags["preventive"].astype(np.int64)),
        "urgency": columns.pick_strings(codes.URGENCIES, np.where(d["urgent"], 0, 1)),
        "first_visit": pa.array(d["first_visit"]),
        "contacted_at": columns.timestamps(timing.contacted),
        "assessed_at": columns.timestamps(timing.assessed),
        "assessed_max_days": columns.optional(
            np.where(d["urgent"], 1, 14), ~np.isnat(timing.assessed) & ~d["guidance"], pa.int64()
        ),
        "booked_at": columns.timestamps(timing.booked),
        "started_at": columns.timestamps(d["started"]),
        "cancelled_at": columns.timestamps(timing.cancelled),
        "care_plan": pa.array(flags["care_plan"]),
        "certificate_only": pa.array(flags["certificate_only"]),
        "specialty": columns.pick_strings(SPECIALTIES, flags["specialty"]),
        "resolved_first_contact": columns.optional(
            flags["resolved"], d["first_visit"] & ~d["non_patient"], pa.bool_()
        ),
        "referral_specialised": pa.array(flags["referral"]),
        "cost_eur": columns.optional(cost, realised, pa.float64()),
    }
    return ContactBatch(
        columns=table,
        patient=d["patient"],
        station=d["station"],
        profession=d["profession"],
        contact_type=d["contact_type"],
        service=d["service"],
        started=d["started"],
        professional=professional,
        realised_patient_contact=realised & ~d["non_patient"],
    )
