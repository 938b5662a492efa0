"""The questionnaire_answers table can be ingested like any canonical table, and a bad score is named."""

from __future__ import annotations

from ingest_helpers import (
    PATIENT_ROWS,
    STATION_ROWS,
    assert_names,
    contact,
    ingest,
    ingest_errors,
    make_settings,
    only_error,
    write_folder,
)

from valvomo.indicators.registry import Query
from valvomo.indicators.runner import compute
from valvomo.segments.registry import SEGMENT_REGISTRY
from valvomo.warehouse.store import Warehouse


def answers(score_c5: str = "4"):
    rows = []
    for item in [f"R{i}" for i in range(1, 6)] + [f"C{i}" for i in range(1, 6)]:
        rows.append({"answer_id": "Q1", "patient_id": "P1", "station_id": "S1", "professional_id": "N1",
                     "answered_on": "2024-03-06", "item": item,
                     "score": score_c5 if item == "C5" else ("2" if item.startswith("R") else "4")})  # fmt: skip
    return rows


def test_answers_are_ingested_and_scored(tmp_path):
    tables = {"stations": STATION_ROWS, "patients": PATIENT_ROWS, "contacts": [contact()], "questionnaire_answers": answers()}
    settings = make_settings(tmp_path)
    ingest(settings, write_folder(tmp_path / "in", tables))
    warehouse = Warehouse(settings)
    rows = compute("questionnaire_segment_mix", warehouse, Query(period="quarter"), registry=SEGMENT_REGISTRY)
    assert [(r["period"], r["bin"], r["numerator"], r["denominator"]) for r in rows] == [
        ("2024Q1", "network_customer", 1, 1)
    ]


def test_a_score_outside_the_scale_is_refused_with_file_row_and_column(tmp_path):
    tables = {"stations": STATION_ROWS, "patients": PATIENT_ROWS, "contacts": [contact()],
              "questionnaire_answers": answers(score_c5="7")}  # fmt: skip
    error = only_error(ingest_errors(make_settings(tmp_path), write_folder(tmp_path / "in", tables)))
    assert_names(error, "questionnaire_answers.csv", 10, "score", "7")
