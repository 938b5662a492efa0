"""First-contact resolution: how often the need is dealt with at the first contact.

Definition: indicators.md, "first_contact_resolution". A need resolved at the first
contact spares the patient a second appointment and the station a second slot, which
is what the multichannel reception model (Keusote measures 3-4, seed 004) aims at.

Population choices where the definition is silent:
- Only realised patient contacts count (``cancelled_at`` null, physical or remote
  contact type): a cancelled contact resolved nothing, and R60-R90 are not contacts
  with the patient.
- "First contacts (first per assessment)": among contacts with
  ``resolved_first_contact`` recorded, the earliest per (patient_id, assessed_at) by
  ``started_at`` then ``contact_id``. A contact without ``assessed_at`` has no
  assessment to share, so it is its own first contact: the recorded flag already marks
  it as a first contact, grouping all of a patient's unassessed contacts together would
  keep only one of them, and dropping them would tie this indicator to how completely
  stations record assessments (which ``assessment_recording`` measures).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from valvomo.indicators.common import add_period_and_dimensions, share
from valvomo.indicators.populations.contacts import realised_patient_contacts
from valvomo.indicators.registry import Indicator, Query, register
from valvomo.warehouse.sources import Sources

RESOLUTION_GRAIN = frozenset({"station", "profession", "municipality", "age_band", "language", "contact_class"})


def first_contacts(sources: Sources) -> ir.Table:
    """Realised patient contacts with ``resolved_first_contact`` recorded, first per assessment."""
    contacts = realised_patient_contacts(sources.table("contacts"))
    recorded = contacts.filter(contacts.resolved_first_contact.notnull())
    window = ibis.window(
        group_by=[recorded.patient_id, recorded.assessed_at], order_by=[recorded.started_at, recorded.contact_id]
    )
    ranked = recorded.mutate(_rank=ibis.row_number().over(window))
    first = ranked.filter(ranked.assessed_at.isnull() | (ranked._rank == 0))
    return first.drop("_rank")


def _first_contact_resolution(sources: Sources, query: Query) -> ir.Table:
    events = add_period_and_dimensions(first_contacts(sources), sources, query, reference="started_at")
    return share(events, events.resolved_first_contact, query)


register(
    Indicator(
        id="first_contact_resolution",
        names={
            "fi": "Asia ratkesi ensikontaktissa",
            "sv": "Ärendet löstes vid första kontakten",
            "en": "Resolved at the first contact",
        },
        definition="From contacts with resolved_first_contact recorded: share of first contacts (first per "
        "assessment) with resolved_first_contact = true. Realised patient contacts only (cancelled_at null, "
        "physical or remote contact type). First per assessment: the earliest by started_at, then contact_id, "
        "within each (patient_id, assessed_at); a contact without assessed_at counts as its own first contact. "
        "Reference date: started_at. (indicators.md, first_contact_resolution)",
        unit="share",
        direction="higher",
        family="access",
        grain=RESOLUTION_GRAIN,
        requires=("contacts",),
        optional=("patients",),
        build=_first_contact_resolution,
        disclosure="share",
    )
)
