"""Form answers (app database) count in the questionnaire segment mix beside the ingested answers.

Hand-computed, 2024Q2 (shipped item set, cut-off 0.5; R = resources items, C = complexity items):

| answer | source | patient | station | date | R / C | segment |
|---|---|---|---|---|---|---|
| a1 | ingested | P1 | S1 | 2024-05-02 | 5 / 1 | self_managing |
| a2 | ingested | P2 | S1 | 2024-05-02 | 1 / 5 | network_customer |
| a3 | ingested | P4 | S2 | 2024-05-10 | 5 / 1 | self_managing |
| 1 | form | P3 | S1 | 2024-05-03 | 1 / 5 | network_customer (a new patient) |
| 2 | form | P2 | S1 | 2024-05-02 | 5 / 5 | collaborative (same patient and date as a2: the form wins) |
| 3 | form | P1 | S1 | 2024-04-20 | 1 / 5 | (older than a1: a1 is P1's latest) |

Ingested only, S1: self_managing 1/2, network_customer 1/2. With the form answers, S1: self_managing,
network_customer and collaborative 1/3 each (3 patients, not 4: P2 counted once); S2 unchanged, 1/1.
"""

from __future__ import annotations

import datetime as dt

import pytest
from segment_rows import all_items, answers

from valvomo.indicators.registry import Query
from valvomo.indicators.runner import compute
from valvomo.segments.registry import SEGMENT_REGISTRY
from valvomo.services.segments import FormAnswerSources, form_answers_version, segment_rows, segment_store

Q2 = Query(period="quarter", by=("station",))
SELF, NETWORK, BOTH = all_items([5] * 5, [1] * 5), all_items([1] * 5, [5] * 5), all_items([5] * 5, [5] * 5)


def ingested():
    return {"questionnaire_answers": [*answers("a1", "P1", SELF, "2024-05-02"), *answers("a2", "P2", NETWORK, "2024-05-02"),
                                      *answers("a3", "P4", SELF, "2024-05-10", station="S2")]}  # fmt: skip


def form_rows():
    rows = [*answers("1", "P3", NETWORK, "2024-05-03"), *answers("2", "P2", BOTH, "2024-05-02"),
            *answers("3", "P1", NETWORK, "2024-04-20")]  # fmt: skip
    return [{**r, "professional_id": "manager8"} for r in rows]


def mix(rows):
    return {(r["station_id"], r["bin"]): (r["numerator"], r["denominator"]) for r in rows if r["period"] == "2024Q2"}


def test_a_form_answer_changes_the_station_mix_and_duplicates_count_once(make_sources):
    sources = make_sources(ingested())
    before = mix(compute("questionnaire_segment_mix", sources, Q2, registry=SEGMENT_REGISTRY))
    assert before == {("S1", "self_managing"): (1, 2), ("S1", "network_customer"): (1, 2), ("S2", "self_managing"): (1, 1)}
    combined = FormAnswerSources(sources, form_rows())
    after = mix(compute("questionnaire_segment_mix", combined, Q2, registry=SEGMENT_REGISTRY))
    assert after == {("S1", "self_managing"): (1, 3), ("S1", "network_customer"): (1, 3),
                     ("S1", "collaborative"): (1, 3), ("S2", "self_managing"): (1, 1)}  # fmt: skip


def test_form_answers_alone_make_the_output_available(make_sources):
    sources = make_sources({"contacts": []})
    assert not sources.has("questionnaire_answers")
    combined = FormAnswerSources(sources, form_rows())
    assert combined.has("questionnaire_answers") and combined.snapshot_id.startswith("memory+form-")
    got = mix(compute("questionnaire_segment_mix", combined, Q2, registry=SEGMENT_REGISTRY))
    # P1's latest is now the form answer 3 (network); P2 collaborative; P3 network.
    assert got == {("S1", "network_customer"): (2, 3), ("S1", "collaborative"): (1, 3)}


@pytest.mark.spark
def test_duckdb_and_pyspark_give_the_same_rows(duckdb_backend, spark_backend):
    from valvomo.warehouse.sources import MemorySources

    results = []
    for backend in (duckdb_backend, spark_backend):
        combined = FormAnswerSources(MemorySources(ingested(), backend=backend), form_rows())
        rows = compute("questionnaire_segment_mix", combined, Q2, registry=SEGMENT_REGISTRY)
        results.append(sorted(rows, key=lambda r: (r["period"], r["station_id"], r["bin"])))
    assert results[0] and results[0] == results[1]


class AnswersWarehouse:
    """A warehouse (snapshot id, emptiness) over in-memory tables."""

    def __init__(self, sources):
        self._sources = sources
        self.snapshot_id = "answers-1"

    def __getattr__(self, name):
        return getattr(self._sources, name)

    def is_empty(self):
        return False


@pytest.fixture
def app_settings(tmp_path, monkeypatch):
    from valvomo.appdb import upgrade_to_head
    from valvomo.config import Settings
    from valvomo.services.results import clear_cache

    monkeypatch.delenv("VALVOMO_DISCLOSURE_PROFILE", raising=False)
    settings = Settings(home=tmp_path)
    upgrade_to_head(settings)
    clear_cache()
    yield settings
    clear_cache()


def test_answers_saved_through_the_form_count_through_disclosure_control(app_settings, make_sources):
    from valvomo.appdb import session_scope
    from valvomo.segments.registry import configured_questionnaire
    from valvomo.services.questionnaire_answers import save_answer

    warehouse = AnswersWarehouse(make_sources({**ingested(), "contacts": []}))
    store = segment_store(app_settings, warehouse=warehouse)
    query = {"period": "quarter", "by": ("station",), "store": store}
    assert mix(segment_rows(app_settings, ["questionnaire_segment_mix"], profile="none", **query))[
        ("S1", "self_managing")] == (1, 2)  # fmt: skip
    version = form_answers_version(app_settings)
    qset = configured_questionnaire()
    with session_scope(app_settings) as db:
        for pid, day, scores in (("P3", "2024-05-03", NETWORK), ("P2", "2024-05-02", BOTH),
                                 ("P1", "2024-04-20", NETWORK)):  # fmt: skip
            save_answer(db, qset, patient_id=pid, station_id="S1", answered_on=dt.date.fromisoformat(day),
                        professional="manager8", scores=scores)  # fmt: skip
    assert form_answers_version(app_settings) != version  # the dashboard's page cache follows the answers
    raw = segment_rows(app_settings, ["questionnaire_segment_mix"], profile="none", **query)
    assert mix(raw) == {("S1", "self_managing"): (1, 3), ("S1", "network_customer"): (1, 3),
                        ("S1", "collaborative"): (1, 3), ("S2", "self_managing"): (1, 1)}  # fmt: skip
    # Disclosure control still applies: groups of 1-3 patients are never shown under the standard profile.
    protected = [r for r in segment_rows(app_settings, ["questionnaire_segment_mix"], **query) if r["period"] == "2024Q2"]
    assert len(protected) == len(raw) == 4
    assert all(r["suppressed"] and r["value"] is None and r["numerator"] is None for r in protected)
