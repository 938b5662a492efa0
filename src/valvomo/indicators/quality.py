"""Quality of data: is the care-guarantee clock recorded, and how complete are the contact records.

Definitions: indicators.md, "Quality of data and experience". A station whose
care-need assessments are not recorded cannot show its care-guarantee figure
honestly, so ``assessment_recording`` is the data behind the RRP investment-3
indicator "real-time care-guarantee monitoring works in 100 % of health
centres". ``field_completeness`` shows, per optional column of ``contacts``,
the share of rows that carry a value.
"""

from __future__ import annotations

import ibis.expr.types as ir

from valvomo.indicators.common import add_period_and_dimensions, group_keys, is_true, share
from valvomo.indicators.populations.access import (
    CARE_GUARANTEE_RULE,
    CARE_GUARANTEE_STATION_KINDS,
    STATION_SCOPE_RULE,
    care_guarantee_contacts,
)
from valvomo.indicators.registry import Indicator, Query, Target, register
from valvomo.schema import TABLES
from valvomo.warehouse.sources import Sources

QUALITY_GRAIN = frozenset({"station", "profession", "municipality", "age_band", "language", "contact_class"})

# ``licensed`` is optional in the input but the warehouse fills it from the profession
# (data-model.md), so it is never null there and its completeness would say nothing.
DEFAULTED_COLUMNS = ("licensed",)
COMPLETENESS_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in TABLES["contacts"].columns if not c.required and c.name not in DEFAULTED_COLUMNS
)


def _assessment_recording(sources: Sources, query: Query) -> ir.Table:
    contacts = care_guarantee_contacts(sources)
    events = contacts.filter(is_true(contacts.first_visit))
    events = add_period_and_dimensions(events, sources, query, reference="started_at")
    return share(events, events.assessed_at.notnull(), query)


register(
    Indicator(
        id="assessment_recording",
        names={
            "fi": "Hoidon tarpeen arvioinnin kirjaaminen",
            "sv": "Registrering av bedömningen av vårdbehov",
            "en": "Care-need assessment recording",
        },
        definition=f"Among care-guarantee contacts ({CARE_GUARANTEE_RULE}) with first_visit = true: share "
        f"with assessed_at present. {STATION_SCOPE_RULE} Reference date: started_at. The data behind "
        "'real-time care-guarantee monitoring works in 100 % of health centres' "
        "(RRP investment 3). (indicators.md, assessment_recording)",
        unit="share",
        direction="higher",
        family="quality",
        grain=QUALITY_GRAIN,
        requires=("contacts",),
        optional=("patients", "stations"),
        build=_assessment_recording,
        disclosure="share",
        targets=(Target(1.0, "2025Q4", "national", "RRP pillar 4, investment 3 (seed 002)"),),
        station_kinds=CARE_GUARANTEE_STATION_KINDS,
    )
)


def _field_completeness(sources: Sources, query: Query) -> ir.Table:
    events = add_period_and_dimensions(sources.table("contacts"), sources, query, reference="started_at")
    keys = group_keys(query)
    counts = events.group_by(keys).aggregate(
        denominator=lambda t: t.count(),
        **{column: (lambda t, c=column: t[c].count()) for column in COMPLETENESS_COLUMNS},
    )
    rows = counts.pivot_longer(list(COMPLETENESS_COLUMNS), names_to="bin", values_to="numerator")
    return rows.mutate(value=rows.numerator.cast("float64") / rows.denominator.cast("float64"))


register(
    Indicator(
        id="field_completeness",
        names={
            "fi": "Kirjausten kattavuus kentittäin",
            "sv": "Registreringarnas fullständighet per fält",
            "en": "Field completeness of contact records",
        },
        definition="Share of non-null values per optional column of contacts (one row per column, bin = "
        "column name), over all contact rows, realised or cancelled, in the period. Reference date: "
        "started_at. licensed is left out: the warehouse fills it from the profession. Some nulls are "
        "meaningful (cancelled_at null = realised, specialty null = general practice). "
        "(indicators.md, assessment_recording)",
        unit="share",
        direction="higher",
        family="quality",
        grain=QUALITY_GRAIN,
        requires=("contacts",),
        optional=("patients", "stations"),
        build=_field_completeness,
        disclosure="share",
        distribution=True,
        parameters={"bins_labels": COMPLETENESS_COLUMNS},
    )
)
