"""Realised patient contacts: the contacts every contact-based indicator and segment starts from.

indicators.md, "Shared definitions": a realised patient contact is a contact that was not
cancelled (``cancelled_at`` null) and whose contact type is a physical or remote patient contact
(``codes.PHYSICAL_CONTACT_TYPES`` + ``codes.REMOTE_CONTACT_TYPES``); other types (R60 consultation
between professionals, R71/R72 letters and results, R80/R90 administrative) are not contacts with
the patient.
"""

from __future__ import annotations

import ibis.expr.types as ir

from valvomo.indicators.common import PATIENT_CONTACT_TYPES
from valvomo.indicators.populations.base import Population, register
from valvomo.warehouse.sources import Sources

REALISED_CONTACTS_DEFINITION = (
    "Realised patient contacts: contacts with cancelled_at null whose contact_type is a physical (R10, R20, "
    "R30, R40, R41) or remote (R50, R51, R52, R55, R56) patient contact."
)


def realised_patient_contacts(contacts: ir.Table) -> ir.Table:
    """``contacts`` restricted to realised (not cancelled) patient contacts: physical or remote codes only."""
    return contacts.filter(contacts.cancelled_at.isnull(), contacts.contact_type.isin(PATIENT_CONTACT_TYPES))


def realised_contacts(sources: Sources) -> ir.Table:
    """The ``realised_contacts`` population of ``sources`` (every column of ``contacts``)."""
    return realised_patient_contacts(sources.table("contacts"))


def patient_attributes(sources: Sources) -> ir.Table:
    """The patient columns the breakdowns read, prefixed so they cannot clash with an event's own columns:
    ``_pid``, ``_home_station``, ``_birth_year``, ``_municipality``, ``_language`` (from ``patients``)."""
    return sources.table("patients").select(
        _pid="patient_id",
        _home_station="home_station_id",
        _birth_year="birth_year",
        _municipality="municipality",
        _language="language",
    )


def register_contact_subset(
    population_id: str, title: str, definition: str, spec: str, build, used_by: tuple[str, ...]
) -> Population:
    """Register a population whose rows are contacts, unchanged (one row per contact, every column)."""
    return register(
        Population(
            id=population_id, title=title, definition=definition, spec=spec,
            grain="one contact (contacts.contact_id)", columns={"*": "every column of contacts, unchanged"},
            build=build, used_by=used_by,
        )
    )


REALISED_CONTACTS = register_contact_subset(
    "realised_contacts", "Realised patient contacts", REALISED_CONTACTS_DEFINITION,
    "indicators.md, Shared definitions", realised_contacts,
    (
            # indicators
            "access_7d", "access_14d", "access_3m", "waiting_days_distribution", "waiting_days_median",
            "waiting_days_p90", "urgent_next_working_day", "assessment_same_day", "first_contact_resolution",
            "remote_share_20plus", "channel_mix", "channel_mix_code", "coci", "upc", "secon", "mmci", "coci_nurse",
            "coci_share_continuous", "named_professional_coverage", "coverage", "contacts_per_resident",
            "physician_share", "top_decile_contact_share", "assessment_recording",
            # segment outputs
            "utilisation_segment_mix", "segment_remote_share", "segment_coci", "lorenz_contacts", "gini_contacts",
            "top_decile_contacts_share_12m", "lorenz_cost", "gini_cost", "top_decile_cost_share_12m", "care_gaps",
    ),
)
