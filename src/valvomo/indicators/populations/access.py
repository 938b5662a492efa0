"""Care-guarantee populations: the contacts the access indicators and assessment recording count.

indicators.md, "Access" (access_7d, waiting_days_distribution, urgent_next_working_day,
assessment_same_day) and "Quality of data" (assessment_recording). Four populations, each defined
once here and read by the indicators in ``indicators/access.py`` and ``indicators/quality.py``:

- ``care_guarantee_contacts``: non-urgent curative reception contacts by licensed professionals at
  units of the kinds the care guarantee is about (health stations, nurse-led stations);
- ``access_events``: of those, one per care-need assessment (the earliest), with waiting days;
- ``urgent_access_events``: urgent assessed contacts, one per assessment, with the next working day;
- ``assessment_timeliness_events``: assessed contacts with a first contact moment, one per
  assessment, with the working-day facts of the contact's date.

Station-kind scope (issue 11): a telephone guidance unit is not a health station, and its contacts
would otherwise enter the county's 7-day share and median wait. The care-guarantee contacts are those
at units whose ``stations.kind`` is one of ``FAMILY_STATION_KINDS["access"]``. A contact at a unit that
is not in the stations table (unknown kind) is kept, as are all contacts when there is no stations
table: data without kinds are not hidden (the same rule as ``Indicator.applies_to_station_kind``).
"""

from __future__ import annotations

import ibis.expr.types as ir

from valvomo.indicators.common import days_between, first_per_assessment, is_true, stage
from valvomo.indicators.populations.base import Population, register
from valvomo.indicators.populations.contacts import realised_patient_contacts, register_contact_subset
from valvomo.indicators.registry import FAMILY_STATION_KINDS
from valvomo.schema import codes
from valvomo.warehouse.sources import Sources

CARE_GUARANTEE_STATION_KINDS = FAMILY_STATION_KINDS["access"]

# The indicators that count access events (the 7/14/90-day shares, the distribution, the percentiles).
ACCESS_EVENT_INDICATORS = (
    "access_7d", "access_14d", "access_3m", "waiting_days_distribution", "waiting_days_median", "waiting_days_p90",
)  # fmt: skip

STATION_SCOPE_RULE = (
    "Only contacts at units whose stations.kind is "
    + " or ".join(sorted(CARE_GUARANTEE_STATION_KINDS))
    + " count (the care guarantee is about health stations' own care; a telephone guidance unit is not "
    "compared with them nor counted in the county figure); a contact at a unit missing from the stations "
    "table, or any contact when there is no stations table, counts (an unknown kind is not excluded)."
)

CARE_GUARANTEE_RULE = (
    "Realised patient contacts with service_type = T11, nature = SH, urgency = non_urgent and licensed = true"
)
FIRST_PER_ASSESSMENT_RULE = (
    "within each (patient_id, assessed_at) only the earliest contact (by started_at, then contact_id) counts"
)

CARE_GUARANTEE_CONTACTS_DEFINITION = f"{CARE_GUARANTEE_RULE}. {STATION_SCOPE_RULE}"

ACCESS_EVENTS_DEFINITION = (
    f"{CARE_GUARANTEE_RULE}, with assessed_at present and assessed_at <= started_at, care_plan not true, "
    f"certificate_only not true and specialty null; {FIRST_PER_ASSESSMENT_RULE}. Waiting days = days between "
    f"the Helsinki dates of assessed_at and started_at. {STATION_SCOPE_RULE}"
)

URGENT_EVENTS_DEFINITION = (
    "Realised patient contacts with urgency = urgent and assessed_at present (any service type, any unit); "
    f"{FIRST_PER_ASSESSMENT_RULE}. With the next working day after the Helsinki date of assessed_at "
    "(Finnish public holidays and 24 Dec are not working days)."
)

ASSESSMENT_EVENTS_DEFINITION = (
    "Realised patient contacts with both contacted_at and assessed_at present (any service type, any unit); "
    f"{FIRST_PER_ASSESSMENT_RULE}. With whether the Helsinki date of contacted_at is a working day and the "
    "next working day after it (Finnish public holidays and 24 Dec are not working days)."
)

# What the access indicators read of an event: the reference date and what the breakdowns need.
EVENT_COLUMNS = ("contact_id", "patient_id", "station_id", "profession", "contact_type", "started_at")

_EVENT_COLUMN_DOCS = {
    "contact_id": "the contact",
    "patient_id": "the patient (joins patients for municipality, age band, language)",
    "station_id": "the unit of the contact",
    "profession": "the professional's profession",
    "contact_type": "contact type code (physical or remote)",
    "started_at": "start of the contact (the reference date of the access indicators)",
}


def in_station_kinds(events: ir.Table, sources: Sources, kinds: frozenset[str]) -> ir.Table:
    """``events`` at units whose ``stations.kind`` is in ``kinds``; events at units of unknown kind (not
    in the stations table) stay, and without a stations table (or with no kinds) nothing is removed.

    A left join then a filter on the looked-up kind, so an unknown unit is not dropped by the join."""
    if not kinds or not sources.has("stations"):
        return events
    stations = sources.table("stations").select(_scope_sid="station_id", _scope_kind="kind")
    joined = events.left_join(stations, events.station_id == stations._scope_sid)
    kept = joined.filter(joined._scope_kind.isnull() | joined._scope_kind.isin(sorted(kinds)))
    return kept.drop("_scope_sid", "_scope_kind")


def care_guarantee_filter(contacts: ir.Table) -> ir.Table:
    """The care-guarantee rules on realised patient contacts: T11, SH, non-urgent, licensed."""
    return contacts.filter(
        contacts.service_type == codes.CARE_GUARANTEE_SERVICE_TYPE,
        contacts.nature == "SH",
        contacts.urgency == "non_urgent",
        is_true(contacts.licensed),
    )


def care_guarantee_contacts(sources: Sources) -> ir.Table:
    """The ``care_guarantee_contacts`` population (every column of ``contacts``)."""
    contacts = care_guarantee_filter(realised_patient_contacts(sources.table("contacts")))
    return in_station_kinds(contacts, sources, CARE_GUARANTEE_STATION_KINDS)


def access_events(sources: Sources) -> ir.Table:
    """The ``access_events`` population: every column of ``contacts`` plus ``waiting_days``."""
    contacts = care_guarantee_contacts(sources)
    events = contacts.filter(
        contacts.assessed_at.notnull(),
        contacts.assessed_at <= contacts.started_at,
        ~is_true(contacts.care_plan),
        ~is_true(contacts.certificate_only),
        contacts.specialty.isnull(),
    )
    events = first_per_assessment(events)
    return events.mutate(waiting_days=days_between(events.started_at.date(), events.assessed_at.date()))


def shared_access_events(sources: Sources) -> ir.Table:
    """``access_events`` with the columns the indicators use, computed once per materialisation run
    (``common.stage``): the 7/14/90-day shares, the distribution and the percentiles share it."""
    return stage(sources, "access_events", lambda: access_events(sources).select(*EVENT_COLUMNS, "waiting_days"))


def _assessed_contacts(sources: Sources) -> ir.Table:
    contacts = realised_patient_contacts(sources.table("contacts"))
    return contacts.filter(contacts.assessed_at.notnull())


def urgent_access_events(sources: Sources) -> ir.Table:
    """The ``urgent_access_events`` population."""
    contacts = _assessed_contacts(sources)
    events = first_per_assessment(contacts.filter(contacts.urgency == "urgent"))
    calendar = sources.calendar().select(_day="day", next_working_day="next_working_day")
    events = events.mutate(assessed_day=events.assessed_at.date())
    events = events.join(calendar, events.assessed_day == calendar._day)
    return events.select(*EVENT_COLUMNS, "assessed_day", "next_working_day")


def assessment_timeliness_events(sources: Sources) -> ir.Table:
    """The ``assessment_timeliness_events`` population."""
    contacts = _assessed_contacts(sources)
    events = first_per_assessment(contacts.filter(contacts.contacted_at.notnull()))
    calendar = sources.calendar().select(
        _day="day", contact_day_is_working="is_working_day", next_working_day="next_working_day"
    )
    events = events.mutate(contact_day=events.contacted_at.date(), assessed_day=events.assessed_at.date())
    events = events.join(calendar, events.contact_day == calendar._day)
    return events.select(
        *EVENT_COLUMNS, "contacted_at", "contact_day", "assessed_day", "contact_day_is_working", "next_working_day"
    )


CARE_GUARANTEE_CONTACTS = register_contact_subset(
    "care_guarantee_contacts", "Care-guarantee contacts", CARE_GUARANTEE_CONTACTS_DEFINITION,
    "indicators.md, access_7d and assessment_recording; issue 11 (station kinds)", care_guarantee_contacts,
    (*ACCESS_EVENT_INDICATORS, "assessment_recording"),
)

ACCESS_EVENTS = register(
    Population(
        id="access_events",
        title="Care-guarantee access events",
        definition=ACCESS_EVENTS_DEFINITION,
        spec="indicators.md, access_7d",
        grain="one care-need assessment: (patient_id, assessed_at), its earliest contact",
        columns={**_EVENT_COLUMN_DOCS, "waiting_days": "days between the Helsinki dates of assessed_at and started_at"},
        build=access_events,
        used_by=ACCESS_EVENT_INDICATORS,
    )
)

URGENT_ACCESS_EVENTS = register(
    Population(
        id="urgent_access_events",
        title="Urgent assessed contacts",
        definition=URGENT_EVENTS_DEFINITION,
        spec="indicators.md, urgent_next_working_day",
        grain="one care-need assessment: (patient_id, assessed_at), its earliest urgent contact",
        columns={
            **_EVENT_COLUMN_DOCS,
            "assessed_day": "Helsinki date of assessed_at",
            "next_working_day": "the first working day after assessed_day",
        },
        build=urgent_access_events,
        used_by=("urgent_next_working_day",),
    )
)

ASSESSMENT_TIMELINESS_EVENTS = register(
    Population(
        id="assessment_timeliness_events",
        title="Assessed contacts with a first contact moment",
        definition=ASSESSMENT_EVENTS_DEFINITION,
        spec="indicators.md, assessment_same_day",
        grain="one care-need assessment: (patient_id, assessed_at), its earliest contact",
        columns={
            **_EVENT_COLUMN_DOCS,
            "contacted_at": "when the patient first contacted the unit (the reference date)",
            "contact_day": "Helsinki date of contacted_at",
            "assessed_day": "Helsinki date of assessed_at",
            "contact_day_is_working": "whether contact_day is a working day",
            "next_working_day": "the first working day after contact_day",
        },
        build=assessment_timeliness_events,
        used_by=("assessment_same_day",),
    )
)


def shared_urgent_access_events(sources: Sources) -> ir.Table:
    """``urgent_access_events``, computed once per materialisation run."""
    return URGENT_ACCESS_EVENTS.staged(sources)


def shared_assessment_timeliness_events(sources: Sources) -> ir.Table:
    """``assessment_timeliness_events``, computed once per materialisation run."""
    return ASSESSMENT_TIMELINESS_EVENTS.staged(sources)
