"""Channel indicators: the RRP remote share of adults and the channel mix.

Definitions: indicators.md, "Channels". The RRP pillar-4 investment-4 indicator
counts contacts of patients aged 20 or more; age needs ``birth_year`` from
``patients``. Whether phone contacts (R50) count as "electronic" is a county
choice, so the REMOTE code set is a parameter: ``remote_share_indicator(remote=...)``
builds an entry for another choice; the registered entry uses the default
(all remote codes, R50 included).
"""

from __future__ import annotations

from collections.abc import Iterable

import ibis
import ibis.expr.types as ir

from valvomo.indicators.common import (
    PATIENT_CONTACT_TYPES,
    PHYSICAL,
    REMOTE,
    add_period_and_dimensions,
    contact_class,
    group_keys,
    share,
    stage,
)
from valvomo.indicators.populations.contacts import realised_patient_contacts
from valvomo.indicators.registry import Indicator, Query, Target, register
from valvomo.warehouse.sources import Sources

ADULT_AGE = 20

CHANNEL_GRAIN = frozenset({"station", "profession", "municipality", "age_band", "language"})

RRP_REMOTE_SOURCE = "RRP pillar 4, investment 4 (seed 002)"
# Seed 002 gives the interim target 33 % without a quarter ("Välitavoite"); the interim
# indicators of the same national table are due by Q2/2024, so that is the deadline used.
RRP_REMOTE_TARGETS = (
    Target(0.33, "2024Q2", "national", f"{RRP_REMOTE_SOURCE}: interim target"),
    Target(0.35, "2025Q4", "national", f"{RRP_REMOTE_SOURCE}: final target"),
)

REMOTE_SHARE_DEFINITION = (
    "Realised patient contacts of patients aged >= 20 at the contact (age = event year - birth_year), "
    "all service types. Numerator: contact_type in REMOTE (parameter; default {remote}). Denominator: "
    "PHYSICAL u REMOTE (all patient contacts {physical} + {all_remote}; a remote code left out of the "
    "parameter stays in the denominator). Reference date: started_at. RRP baseline 29.9 %, target 33 % "
    "then 35 % by 2025Q4. (indicators.md, remote_share_20plus)"
)


def adult_patient_contacts(sources: Sources, min_age: int = ADULT_AGE) -> ir.Table:
    """Realised patient contacts of patients aged ``min_age`` or more in the contact's year.

    Contacts of patients missing from ``patients`` have no known age and are left out.
    """
    contacts = realised_patient_contacts(sources.table("contacts"))
    patients = sources.table("patients").select(_adult_pid="patient_id", _adult_birth_year="birth_year")
    joined = contacts.join(patients, contacts.patient_id == patients._adult_pid)
    age = joined.started_at.date().year() - joined._adult_birth_year
    return joined.filter(age >= min_age).drop("_adult_pid", "_adult_birth_year")


# What the channel indicators read of a contact: the reference date and what the breakdowns need.
CONTACT_COLUMNS = ("patient_id", "station_id", "profession", "contact_type", "started_at")


def shared_adult_contacts(sources: Sources) -> ir.Table:
    """``adult_patient_contacts`` with the columns used, joined to ``patients`` once per
    materialisation run (``common.stage``) rather than once per period and breakdown."""
    return stage(
        sources, ("adult_patient_contacts", ADULT_AGE), lambda: adult_patient_contacts(sources).select(*CONTACT_COLUMNS)
    )


def _remote_share_builder(remote: tuple[str, ...]):
    def build(sources: Sources, query: Query) -> ir.Table:
        events = add_period_and_dimensions(shared_adult_contacts(sources), sources, query, reference="started_at")
        return share(events, events.contact_type.isin(remote), query)

    return build


def remote_share_indicator(remote: Iterable[str] = REMOTE, *, id: str = "remote_share_20plus") -> Indicator:
    """The remote-share entry for a county's choice of REMOTE codes (each must be a remote code)."""
    codes_chosen = tuple(remote)
    unknown = [c for c in codes_chosen if c not in REMOTE]
    if unknown or not codes_chosen:
        raise ValueError(
            f"REMOTE codes must be a non-empty subset of {', '.join(REMOTE)}; got {', '.join(codes_chosen) or 'none'}"
        )
    return Indicator(
        id=id,
        names={
            "fi": "Etäasioinnin osuus 20 vuotta täyttäneiden kontakteista",
            "sv": "Andelen distanskontakter bland kontakter för personer som fyllt 20 år",
            "en": "Remote share of contacts of patients aged 20 or more",
        },
        definition=REMOTE_SHARE_DEFINITION.format(
            remote=", ".join(codes_chosen), physical=", ".join(PHYSICAL), all_remote=", ".join(REMOTE)
        ),
        unit="share",
        direction="higher",
        family="channels",
        grain=CHANNEL_GRAIN,
        requires=("contacts", "patients"),
        build=_remote_share_builder(codes_chosen),
        disclosure="share",
        targets=RRP_REMOTE_TARGETS,
        parameters={"remote": codes_chosen, "min_age": ADULT_AGE, "baseline": 0.299, "baseline_year": 2022},
    )


register(remote_share_indicator())


def _mix(events: ir.Table, query: Query) -> ir.Table:
    """One row per ``bin`` with ``n``, and share of the group's realised patient contacts."""
    keys = group_keys(query)
    per_bin = events.group_by([*keys, "bin"]).aggregate(numerator=lambda t: t.count())
    # The group total as a window sum, not a join: a join on the keys would drop groups whose
    # dimension is null (a patient without a recorded language), since null never equals null.
    joined = per_bin.mutate(denominator=per_bin.numerator.sum().over(ibis.window(group_by=keys)))
    return joined.mutate(value=joined.numerator.cast("float64") / joined.denominator, n=joined.numerator)


def _channel_mix_by_class(sources: Sources, query: Query) -> ir.Table:
    contacts = realised_patient_contacts(sources.table("contacts"))
    events = add_period_and_dimensions(contacts, sources, query, reference="started_at")
    return _mix(events.mutate(bin=contact_class(events.contact_type)), query)


def _channel_mix_by_code(sources: Sources, query: Query) -> ir.Table:
    contacts = realised_patient_contacts(sources.table("contacts"))
    events = add_period_and_dimensions(contacts, sources, query, reference="started_at")
    return _mix(events.mutate(bin=events.contact_type), query)


CHANNEL_MIX_POPULATION = (
    "Realised patient contacts (PHYSICAL u REMOTE codes), all service types. Reference date: started_at."
)

register(
    Indicator(
        id="channel_mix",
        names={
            "fi": "Asiointikanavien jakauma (läsnä/etä)",
            "sv": "Kanalfördelning (fysisk/distans)",
            "en": "Channel mix (physical/remote)",
        },
        definition=f"{CHANNEL_MIX_POPULATION} One row per contact type class (physical: "
        f"{', '.join(PHYSICAL)}; remote: {', '.join(REMOTE)}) with n and share of the group's patient "
        "contacts. Classes without contacts give no row. (indicators.md, channel_mix)",
        unit="share",
        direction="none",
        family="channels",
        grain=CHANNEL_GRAIN,
        requires=("contacts",),
        optional=("patients",),
        build=_channel_mix_by_class,
        disclosure="share",
        distribution=True,
        parameters={"bins_labels": ("physical", "remote")},
    )
)

register(
    Indicator(
        id="channel_mix_code",
        names={
            "fi": "Asiointikanavien jakauma yhteystavoittain",
            "sv": "Kanalfördelning per kontaktsätt",
            "en": "Channel mix by contact type code",
        },
        definition=f"{CHANNEL_MIX_POPULATION} One row per Avohilmo contact type code ("
        f"{', '.join(PATIENT_CONTACT_TYPES)}) with n and share of the group's patient contacts; by "
        "contact_class it gives the mix within each class. Codes without contacts give no row. "
        "(indicators.md, channel_mix)",
        unit="share",
        direction="none",
        family="channels",
        grain=CHANNEL_GRAIN | {"contact_class"},
        requires=("contacts",),
        optional=("patients",),
        build=_channel_mix_by_code,
        disclosure="share",
        distribution=True,
        parameters={"bins_labels": PATIENT_CONTACT_TYPES},
    )
)
