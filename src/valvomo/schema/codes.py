"""Code sets of the canonical data model (data-model.md, indicators.md).

Kept in one module so that ingest validation, the synthetic county, the indicator
engine and the generated docs all agree on the allowed values.
"""

from __future__ import annotations

STATION_KINDS = (
    "health_station",
    "nurse_led_station",
    "family_centre",
    "social_services",
    "guidance_unit",
    "oral_health",
    "mental_health",
)

SEXES = ("F", "M")
LANGUAGES = ("fi", "sv", "other")

AGE_BANDS = tuple(f"{lo}-{lo + 4}" for lo in range(0, 85, 5)) + ("85+",)

PROFESSIONS = (
    "physician",
    "nurse",
    "public_health_nurse",
    "practical_nurse",
    "physiotherapist",
    "occupational_therapist",
    "psychologist",
    "mental_health_nurse",
    "social_worker",
    "social_counsellor",
    "dentist",
    "dental_hygienist",
    "other",
)
# Professions that are not licensed health-care professionals (laillistettu) by default.
UNLICENSED_PROFESSIONS = ("practical_nurse", "social_counsellor", "other")

# Avohilmo yhteystapa (contact type) codes.
PHYSICAL_CONTACT_TYPES = ("R10", "R20", "R30", "R40", "R41")
REMOTE_CONTACT_TYPES = ("R50", "R51", "R52", "R55", "R56")
NON_PATIENT_CONTACT_TYPES = ("R60", "R71", "R72", "R80", "R90")
CONTACT_TYPES = PHYSICAL_CONTACT_TYPES + REMOTE_CONTACT_TYPES + NON_PATIENT_CONTACT_TYPES
PATIENT_CONTACT_TYPES = PHYSICAL_CONTACT_TYPES + REMOTE_CONTACT_TYPES

# Avohilmo palvelumuoto: T11 curative outpatient care is the care-guarantee domain.
CARE_GUARANTEE_SERVICE_TYPE = "T11"

NATURES = ("SH", "TH")
URGENCIES = ("urgent", "non_urgent")

SLOT_TYPES = ("non_urgent", "urgent", "follow_up", "group", "reserved")

GUIDANCE_CHANNELS = ("phone", "callback", "e_form", "chat", "walk_in", "digital_assessment")
SERVICE_AREAS = ("health", "social", "mental_health", "family", "older_people", "oral_health")
GUIDANCE_OUTCOMES = (
    "advice",
    "booked",
    "referred_third_sector",
    "referred_other_service",
    "emergency",
    "unreached",
    "other",
)

FEEDBACK_CHANNELS = ("in_person", "remote", "guidance")
DIAGNOSIS_SYSTEMS = ("icd10", "icpc2")

TRUE_WORDS = ("true", "1", "kyllä", "ja", "yes", "t")
FALSE_WORDS = ("false", "0", "ei", "nej", "no", "f")
