"""Registry-style definitions of every segment and care-gap output (the indicator registry's shape).

Each output is an ``Indicator`` entry in ``SEGMENT_REGISTRY`` (id, fi/sv/en names,
definition text, unit, direction, grain, disclosure kind, builder), so the CLI,
the API, the dashboard, the docs and the report read one definition, run it with
``valvomo.indicators.runner.compute(..., registry=SEGMENT_REGISTRY)`` and protect
it with ``valvomo.disclosure.protect_rows(..., registry=SEGMENT_REGISTRY)``. The
configured files (``Settings.questionnaire_file``, ``utilisation_segments_file``,
``caregap_rules_file``) are read when an output is built, so a county's file
applies everywhere at once.
"""

from __future__ import annotations

from valvomo.config import get_settings
from valvomo.indicators.registry import Indicator, Query, Registry
from valvomo.segments import caregaps, outputs, questionnaire, utilisation
from valvomo.warehouse.sources import Sources

SEGMENT_REGISTRY = Registry()
PATIENT_GRAIN = frozenset({"station", "municipality", "age_band", "language"})

WINDOW = (
    "Per period, over the 12 calendar months ending with the period's last month; patients with at least one "
    "realised patient contact in the window, placed as episodic, regular or high-need "
    "(docs/utilisation-segments.md). Station: home station, else the station of most window contacts."
)


def configured_questionnaire() -> questionnaire.QuestionnaireSet:
    return questionnaire.load_questionnaire(get_settings().questionnaire_file)


def configured_utilisation_spec() -> utilisation.UtilisationSpec:
    return utilisation.load_utilisation_spec(get_settings().utilisation_segments_file)


def configured_rules() -> caregaps.RuleSet:
    return caregaps.load_rules(get_settings().caregap_rules_file)


def _add(**fields) -> Indicator:
    fields.setdefault("family", "segments")
    fields.setdefault("requires", ("contacts",))
    fields.setdefault("optional", ("patients", "diagnoses", "stations"))
    fields.setdefault("grain", PATIENT_GRAIN)
    fields.setdefault("direction", "none")
    return SEGMENT_REGISTRY.add(Indicator(**fields))


def _mix(sources: Sources, query: Query):
    return outputs.segment_mix(sources, query, configured_utilisation_spec())


def _remote(sources: Sources, query: Query):
    return outputs.segment_remote_share(sources, query, configured_utilisation_spec())


def _coci(sources: Sources, query: Query):
    return outputs.segment_coci(sources, query, configured_utilisation_spec())


def _measure_builder(function, measure: str):
    def build(sources: Sources, query: Query):
        return function(sources, query, measure, configured_utilisation_spec())

    return build


def _questionnaire_mix(sources: Sources, query: Query):
    return questionnaire.segment_mix(sources, query, configured_questionnaire())


def _care_gaps(sources: Sources, query: Query):
    return caregaps.care_gap_counts(sources, query, configured_rules())


SEGMENT_BINS = utilisation.SEGMENTS

_add(
    id="utilisation_segment_mix",
    names={"fi": "Asiakassegmenttien jakauma", "sv": "Fördelning av kundsegment", "en": "Utilisation segment mix"},
    definition=WINDOW + " Per segment (bin): patients in the segment / placed patients of the group.",
    unit="share",
    build=_mix,
    disclosure="share",
    distribution=True,
    parameters={"bins_labels": SEGMENT_BINS, "window_months": 12},
)
_add(
    id="segment_remote_share",
    names={"fi": "Etäasioinnin osuus segmenteittäin", "sv": "Andel distanskontakter per segment",
           "en": "Remote share by segment"},  # fmt: skip
    definition=WINDOW + " Per segment (bin): remote realised patient contacts (R50-R56) / realised patient contacts "
    "of the segment's patients in the window.",
    unit="share",
    build=_remote,
    disclosure="share",
    distribution=True,
    parameters={"bins_labels": SEGMENT_BINS},
)
_add(
    id="segment_coci",
    names={"fi": "Hoidon jatkuvuus (COCI) segmenteittäin", "sv": "Vårdens kontinuitet (COCI) per segment",
           "en": "Continuity of care (COCI) by segment"},  # fmt: skip
    definition=WINDOW + " Per segment (bin): the mean COCI of the segment's patients with at least 2 physician T11 "
    "visits in the window (the coci indicator's per-patient values); n = those patients.",
    unit="index",
    direction="higher",
    build=_coci,
    disclosure="statistic",
    distribution=True,
    parameters={"bins_labels": SEGMENT_BINS},
)
for _measure, _fi, _sv, _en in (
    ("contacts", "kontaktien", "kontakternas", "contacts"),
    ("cost", "kustannusten", "kostnadernas", "cost"),
):
    _add(
        id=f"lorenz_{_measure}",
        names={"fi": f"Lorenzin käyrä: {_fi} kertymä", "sv": f"Lorenzkurva: {_sv} ackumulering",
               "en": f"Lorenz curve of {_en}"},  # fmt: skip
        definition=WINDOW + f" Bin k x 10: the share of the group's {_en} held by the bottom k x 10 % of its placed "
        "patients (ranked ascending, ties by patient_id). n = placed patients"
        + (" of windows with cost." if _measure == "cost" else "."),
        unit="share",
        build=_measure_builder(outputs.lorenz, _measure),
        disclosure="statistic",
        distribution=True,
        parameters={"bins_labels": outputs.LORENZ_BINS, "measure": _measure},
    )
    _add(
        id=f"gini_{_measure}",
        names={"fi": f"Gini-kerroin: {_fi} jakautuminen", "sv": f"Ginikoefficient: {_sv} fördelning",
               "en": f"Gini coefficient of {_en}"},  # fmt: skip
        definition=WINDOW + " Gini = 2 sum(r x_r) / (n sum x) - (n + 1) / n over the placed patients ranked "
        f"ascending by {_en} (1-based r); 0 = equal use, towards 1 = concentrated.",
        unit="index",
        build=_measure_builder(outputs.gini, _measure),
        disclosure="statistic",
        parameters={"measure": _measure},
    )
    _add(
        id=f"top_decile_{_measure}_share_12m",
        names={"fi": f"Eniten palveluja käyttävän kymmenyksen osuus {_fi} määrästä (12 kk)",
               "sv": f"Den tiondel som använder mest tjänster: andel av {_sv} mängd (12 mån)",
               "en": f"Top-decile share of {_en} (12 months)"},  # fmt: skip
        definition=WINDOW + f" The top ceil(0.1 x patients) ranked by {_en} descending (ties by patient_id): their "
        f"{_en} / all placed patients' {_en} (top_decile_{_measure}_share's rule over the rolling window).",
        unit="share",
        build=_measure_builder(outputs.top_decile_share, _measure),
        disclosure="statistic",
        parameters={"measure": _measure},
    )
_add(
    id="questionnaire_segment_mix",
    names={"fi": "Suuntima-segmenttien jakauma", "sv": "Fördelning av Suuntima-segment",
           "en": "Questionnaire segment mix"},  # fmt: skip
    definition="Per period of the answering date: each patient's latest complete questionnaire answer in the period, "
    "from the ingested answers and the dashboard form together (latest answering date; on the same date a form "
    "answer before an ingested one, then the largest answer_id; so a session in both sources counts once), scored "
    "as docs/questionnaire.md says; per segment (bin): those patients / all patients with an answer. Station: "
    "where the questionnaire was answered.",
    unit="share",
    requires=("questionnaire_answers",),
    optional=(),
    grain=frozenset({"station"}),
    build=_questionnaire_mix,
    disclosure="share",
    distribution=True,
    parameters={"bins_labels": tuple(s.id for s in questionnaire.load_questionnaire().segments)},
)
_add(
    id="care_gaps",
    names={"fi": "Hoitopudokkaiden osuus", "sv": "Andel som fallit ur vården", "en": "Care gaps"},
    definition="Per period (index date = the period's last day, or the latest contact day) and rule (bin): patients "
    "of the rule's population with the gap / the rule's population (docs/care-gaps.md). Station: home station, "
    "else the station of the latest contact carrying the rule's diagnosis.",
    unit="share",
    direction="lower",
    requires=("contacts", "diagnoses", "patients", "lab_results"),
    optional=(),
    build=_care_gaps,
    disclosure="share",
    distribution=True,
    parameters={"bins_labels": tuple(r.id for r in caregaps.load_rules().rules)},
)
