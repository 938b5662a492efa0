"""The canonical input tables (data-model.md) as data.

This module is the single source of truth for table names, columns, types, code
sets and cross-table rules. Ingest validates against it, the synthetic county
writes it, and docs/data-model.md is generated from it (``valvomo docs``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from valvomo.schema import codes

DType = Literal["str", "int", "float", "bool", "timestamp", "date"]

# The longest text a cell may hold when a column names no ``max_length`` of its own: every text column has
# a limit, so a 20 MB "station name" is refused at ingest instead of reaching the dashboard.
DEFAULT_MAX_LENGTH: dict[DType, int] = {"str": 255}
# Identifiers (pseudonyms, unit ids): the app database stores station ids in 64 characters.
ID_MAX_LENGTH = 64


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    dtype: DType
    required: bool
    description: str
    codes: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    length: int | None = None
    avohilmo: str | None = None
    max_length: int | None = None

    @property
    def text_limit(self) -> int | None:
        """The most characters a value may have: ``max_length``, else the default of the dtype (None: no limit)."""
        if self.max_length is not None:
            return self.max_length
        if self.length is not None:
            return self.length
        return DEFAULT_MAX_LENGTH.get(self.dtype)


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, primary key and references to other tables."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    required: bool = False
    references: dict[str, tuple[str, str]] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _c(name: str, dtype: DType, required: bool, description: str, **kw) -> Column:
    return Column(name=name, dtype=dtype, required=required, description=description, **kw)


STATIONS = Table(
    "stations",
    "Service units: health stations, nurse-led stations, the central guidance unit.",
    (
        _c("station_id", "str", True, "Unit id.", avohilmo="PALVELUNTUOTTAJA_YKSIKKO", max_length=ID_MAX_LENGTH),
        _c("name_fi", "str", True, "Finnish name.", max_length=200),
        _c("name_sv", "str", False, "Swedish name.", max_length=200),
        _c("municipality", "str", True, "Municipality code, e.g. 638 Porvoo.", length=3),
        _c("county", "str", True, "Wellbeing services county name.", max_length=100),
        _c("kind", "str", True, "Kind of unit.", codes=codes.STATION_KINDS),
    ),
    primary_key=("station_id",),
)

POPULATION = Table(
    "population",
    "Residents for rates and coverage (Statistics Finland style; residents on 31 Dec of the previous year).",
    (
        _c("year", "int", True, "Statistical year.", minimum=1900, maximum=2200),
        _c("municipality", "str", True, "Municipality code.", length=3),
        _c("age_band", "str", True, "Five-year age band.", codes=codes.AGE_BANDS),
        _c("sex", "str", True, "Sex.", codes=codes.SEXES),
        _c("language", "str", True, "Language.", codes=codes.LANGUAGES),
        _c("residents", "int", True, "Number of residents.", minimum=0),
    ),
    primary_key=("year", "municipality", "age_band", "sex", "language"),
)

PATIENTS = Table(
    "patients",
    "Pseudonymised patients (or all residents when manifest.json says so).",
    (
        _c("patient_id", "str", True, "Pseudonym.", avohilmo="TNRO", max_length=ID_MAX_LENGTH),
        _c("birth_year", "int", True, "Year of birth.", minimum=1890, maximum=2200),
        _c("sex", "str", True, "Sex.", codes=codes.SEXES),
        _c("municipality", "str", True, "Home municipality.", length=3, avohilmo="ASIAKAS_KOTIKUNTA"),
        _c("language", "str", False, "Language.", codes=codes.LANGUAGES),
        _c("home_station_id", "str", False, "The station the resident is listed at.", max_length=ID_MAX_LENGTH),
        _c("named_nurse_id", "str", False, "Named responsible nurse (hoitovastaava)."),
        _c("named_physician_id", "str", False, "Named physician (omalääkäri)."),
    ),
    primary_key=("patient_id",),
    references={"home_station_id": ("stations", "station_id")},
)

CONTACTS = Table(
    "contacts",
    "One row per contact event, realised or cancelled (Avohilmo visit/contact).",
    (
        _c("contact_id", "str", True, "Contact id.", avohilmo="AVOHILMO_ID", max_length=ID_MAX_LENGTH),
        _c("patient_id", "str", True, "Patient pseudonym.", avohilmo="TNRO", max_length=ID_MAX_LENGTH),
        _c("station_id", "str", True, "Unit.", avohilmo="PALVELUNTUOTTAJA_YKSIKKO", max_length=ID_MAX_LENGTH),
        _c("professional_id", "str", False, "Pseudonymised performer."),
        _c("profession", "str", True, "Profession of the performer.", codes=codes.PROFESSIONS, avohilmo="KAYNTI_AMMATTI"),
        _c("licensed", "bool", False, "Licensed health-care professional; default from profession.", avohilmo="KAYNTI_AMMATTIOIKEUS"),
        _c("contact_type", "str", True, "Avohilmo yhteystapa code.", codes=codes.CONTACT_TYPES, avohilmo="KAYNTI_YHTEYSTAPA"),
        _c("service_type", "str", True, "Avohilmo palvelumuoto code; T11 = curative outpatient care.", avohilmo="KAYNTI_PALVELUMUOTO", max_length=16),
        _c("nature", "str", True, "SH curative, TH preventive.", codes=codes.NATURES, avohilmo="KAYNTI_LUONNE"),
        _c("urgency", "str", True, "Urgency.", codes=codes.URGENCIES, avohilmo="KAYNTI_KIIREELLISYYS"),
        _c("first_visit", "bool", False, "First event of the care episode.", avohilmo="KAYNTI_ENSIKAYNTI"),
        _c("contacted_at", "timestamp", False, "When the patient contacted the service.", avohilmo="YHTEYDENOTTO_AJANKOHTA"),
        _c("assessed_at", "timestamp", False, "Care-need assessment.", avohilmo="HOIDONTARVE_AJANKOHTA"),
        _c("assessed_max_days", "int", False, "Maximum waiting time set in the assessment.", minimum=0),
        _c("booked_at", "timestamp", False, "When the appointment was booked.", avohilmo="AJANVARAUS_VARATTU"),
        _c("started_at", "timestamp", True, "Start of the contact.", avohilmo="KAYNTI_ALKOI"),
        _c("cancelled_at", "timestamp", False, "Set when the contact did not take place.", avohilmo="PERUUTUS_AJANKOHTA"),
        _c("care_plan", "bool", False, "Under a care or rehabilitation plan (outside the care guarantee)."),
        _c("certificate_only", "bool", False, "Only to obtain a certificate (outside the care guarantee)."),
        _c("specialty", "str", False, "Specialty of a non-GP specialist (outside the care guarantee).", avohilmo="KAYNTI_ERIKOISALA", max_length=16),
        _c("resolved_first_contact", "bool", False, "The need was resolved in this first contact."),
        _c("referral_specialised", "bool", False, "A referral to specialised care was written."),
        _c("cost_eur", "float", False, "Cost of the event in euros.", minimum=0),
    ),
    primary_key=("contact_id",),
    required=True,
    references={"station_id": ("stations", "station_id"), "patient_id": ("patients", "patient_id")},
)

DIAGNOSES = Table(
    "diagnoses",
    "Diagnoses of contacts.",
    (
        _c("contact_id", "str", True, "Contact id."),
        _c("position", "int", True, "1 = main diagnosis.", minimum=1, avohilmo="JARJESTYS"),
        _c("system", "str", True, "Coding system.", codes=codes.DIAGNOSIS_SYSTEMS),
        _c("code", "str", True, "Diagnosis code, e.g. E11.9, T90.", max_length=16),
    ),
    primary_key=("contact_id", "position"),
    references={"contact_id": ("contacts", "contact_id")},
)

SLOTS = Table(
    "slots",
    "Appointment calendar (needed for T3).",
    (
        _c("slot_id", "str", True, "Slot id."),
        _c("station_id", "str", True, "Unit."),
        _c("professional_id", "str", True, "Professional."),
        _c("profession", "str", True, "Profession.", codes=codes.PROFESSIONS),
        _c("slot_type", "str", True, "Kind of slot.", codes=codes.SLOT_TYPES),
        _c("starts_at", "timestamp", True, "Start of the slot."),
        _c("duration_min", "int", True, "Length in minutes.", minimum=1),
        _c("published_at", "timestamp", True, "When the slot became bookable."),
        _c("booked_at", "timestamp", False, "When it was booked (null = never)."),
        _c("cancelled_at", "timestamp", False, "When the slot was withdrawn."),
        _c("remote", "bool", False, "Remote appointment slot."),
    ),
    primary_key=("slot_id",),
    references={"station_id": ("stations", "station_id")},
)

GUIDANCE_REQUESTS = Table(
    "guidance_requests",
    "Central guidance, phone call-backs, e-forms, chat.",
    (
        _c("request_id", "str", True, "Request id."),
        _c("unit_id", "str", True, "station_id of the guidance unit or station."),
        _c("channel", "str", True, "Channel.", codes=codes.GUIDANCE_CHANNELS),
        _c("received_at", "timestamp", True, "When the request arrived."),
        _c("first_response_at", "timestamp", False, "First reply by a professional (null = not reached)."),
        _c("patient_id", "str", False, "Patient pseudonym."),
        _c("service_area", "str", False, "Service area.", codes=codes.SERVICE_AREAS),
        _c("outcome", "str", False, "Outcome.", codes=codes.GUIDANCE_OUTCOMES),
    ),
    primary_key=("request_id",),
    references={"unit_id": ("stations", "station_id")},
)

FEEDBACK = Table(
    "feedback",
    "Customer feedback (NPS question).",
    (
        _c("response_id", "str", True, "Response id."),
        _c("station_id", "str", True, "Unit."),
        _c("channel", "str", False, "Channel.", codes=codes.FEEDBACK_CHANNELS),
        _c("answered_at", "timestamp", True, "When answered."),
        _c("score", "int", True, "0-10: how likely would you recommend.", minimum=0, maximum=10),
    ),
    primary_key=("response_id",),
    references={"station_id": ("stations", "station_id")},
)

INTERVENTIONS = Table(
    "interventions",
    "Psychosocial interventions (IPC, Cool Kids, IPT-A).",
    (
        _c("intervention_id", "str", True, "Intervention id."),
        _c("patient_id", "str", True, "Patient pseudonym."),
        _c("station_id", "str", True, "Unit."),
        _c("method", "str", True, "Method, e.g. IPC.", max_length=64),
        _c("recommended_on", "date", True, "Date recommended."),
        _c("first_session_on", "date", False, "Date of first session."),
        _c("completed_on", "date", False, "Date completed."),
    ),
    primary_key=("intervention_id",),
    references={"station_id": ("stations", "station_id"), "patient_id": ("patients", "patient_id")},
)

LAB_RESULTS = Table(
    "lab_results",
    "Laboratory results (for care-gap rules).",
    (
        _c("patient_id", "str", True, "Patient pseudonym."),
        _c("test", "str", True, "Test, e.g. HbA1c, LDL, BP_SYS.", max_length=64),
        _c("value", "float", True, "Result value."),
        _c("unit", "str", False, "Unit.", max_length=32),
        _c("taken_at", "timestamp", True, "When the sample was taken."),
    ),
    primary_key=(),
    references={"patient_id": ("patients", "patient_id")},
)

QUESTIONNAIRE_ANSWERS = Table(
    "questionnaire_answers",
    "Segmentation questionnaire answers (Suuntima-style; docs/questionnaire.md), one row per item answered.",
    (
        _c("answer_id", "str", True, "Id of one answering session (all items answered together)."),
        _c("patient_id", "str", True, "Patient pseudonym."),
        _c("station_id", "str", True, "Unit where the questionnaire was answered."),
        _c("professional_id", "str", False, "Pseudonymised professional who answered with the customer."),
        _c("answered_on", "date", True, "Date of the answering session."),
        _c("item", "str", True, "Item id of the configured item set, e.g. R1 (resources) or C1 (complexity)."),
        _c("score", "int", True, "Answer on the 1-5 scale.", minimum=1, maximum=5),
    ),
    primary_key=("answer_id", "item"),
    references={"station_id": ("stations", "station_id"), "patient_id": ("patients", "patient_id")},
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        STATIONS,
        POPULATION,
        PATIENTS,
        CONTACTS,
        DIAGNOSES,
        SLOTS,
        GUIDANCE_REQUESTS,
        FEEDBACK,
        INTERVENTIONS,
        LAB_RESULTS,
        QUESTIONNAIRE_ANSWERS,
    )
}

# Load order: referenced tables before the tables that reference them.
LOAD_ORDER: tuple[str, ...] = (
    "stations",
    "population",
    "patients",
    "contacts",
    "diagnoses",
    "slots",
    "guidance_requests",
    "feedback",
    "interventions",
    "lab_results",
    "questionnaire_answers",
)

MANIFEST_FILE = "manifest.json"
