"""Questionnaire scoring on hand-computed cases: axis scores at the cut-off edges, segments, file errors."""

from __future__ import annotations

import pytest
from segment_rows import all_items, answers

from valvomo.indicators.registry import Query
from valvomo.segments.config_files import ConfigFileError, parse_config
from valvomo.segments.questionnaire import (
    DEFAULT_FILE,
    QuestionnaireSet,
    _check,
    answer_scores,
    load_questionnaire,
    segment_mix,
)


def score(make_sources, rows, qset=None):
    qset = qset or load_questionnaire()
    sources = make_sources({"questionnaire_answers": rows})
    table = answer_scores(sources.table("questionnaire_answers"), qset).order_by("answer_id")
    return sources.backend.to_pyarrow(table).to_pylist()


def test_shipped_item_set_has_five_items_per_axis_and_four_segments():
    qset = load_questionnaire()
    assert [i.id for i in qset.items_of("resources")] == ["R1", "R2", "R3", "R4", "R5"]
    assert [i.id for i in qset.items_of("complexity")] == ["C1", "C2", "C3", "C4", "C5"]
    assert {s.id for s in qset.segments} == {"self_managing", "supported_self_care", "collaborative", "network_customer"}
    assert all(item.text.fi and item.text.sv and item.text.en for item in qset.items)


def test_axis_scores_at_the_cut_off_edges(make_sources):
    rows = [
        # resources mean 3 -> (3 - 1) / 4 = 0.5: exactly the cut-off, which counts as high.
        # complexity mean 2.8 -> 0.45: below the cut-off, low.
        *answers("A1", "P1", all_items([3, 3, 3, 3, 3], [3, 3, 3, 3, 2])),
        # resources 14/5 = 2.8 -> 0.45 low; complexity 16/5 = 3.2 -> 0.55 high.
        *answers("A2", "P2", all_items([3, 3, 3, 3, 2], [3, 3, 3, 3, 4])),
        # extremes: 1 -> 0.0, 5 -> 1.0
        *answers("A3", "P3", all_items([5, 5, 5, 5, 5], [1, 1, 1, 1, 1])),
    ]
    out = score(make_sources, rows)
    assert [(r["answer_id"], r["resources"], r["complexity"], r["segment"]) for r in out] == [
        ("A1", 0.5, 0.45, "self_managing"),
        ("A2", 0.45, 0.55, "network_customer"),
        ("A3", 1.0, 0.0, "self_managing"),
    ]


def test_a_county_cut_off_is_compared_exactly(make_sources, tmp_path):
    text = DEFAULT_FILE.read_text(encoding="utf-8").replace("cutoff: 0.5", "cutoff: 0.55", 1)
    qset = parse_config(text, QuestionnaireSet, "county.yaml", _check)
    assert str(qset.axes["resources"].cutoff) == "0.55"
    rows = [
        *answers("A1", "P1", all_items([3, 3, 3, 3, 4], [1, 1, 1, 1, 1])),  # 0.55 = cut-off: high
        *answers("A2", "P2", all_items([3, 3, 3, 3, 3], [1, 1, 1, 1, 1])),  # 0.5 < 0.55: low
    ]
    out = score(make_sources, rows, qset)
    assert [r["segment"] for r in out] == ["self_managing", "supported_self_care"]


def test_incomplete_sessions_and_unknown_items_are_not_scored(make_sources):
    full = all_items([4] * 5, [4] * 5)
    partial = dict(full)
    del partial["C5"]
    rows = [
        *answers("A1", "P1", partial),
        *answers("A2", "P2", {**full, "X9": 1}),  # an item the set does not know is ignored
    ]
    out = score(make_sources, rows)
    assert [(r["answer_id"], r["segment"]) for r in out] == [("A2", "collaborative")]


def test_mix_uses_each_patients_latest_answer_in_the_period(make_sources):
    rows = [
        *answers("A1", "P1", all_items([1] * 5, [5] * 5), day="2024-04-02"),  # network, superseded
        *answers("A2", "P1", all_items([5] * 5, [1] * 5), day="2024-05-02"),  # self-managing
        *answers("A3", "P2", all_items([1] * 5, [1] * 5), day="2024-06-28"),  # supported self-care
        *answers("A4", "P3", all_items([1] * 5, [1] * 5), day="2024-07-01"),  # next quarter
    ]
    sources = make_sources({"questionnaire_answers": rows})
    table = segment_mix(sources, Query(period="quarter", by=("station",)), load_questionnaire())
    out = sorted(sources.backend.to_pyarrow(table).to_pylist(), key=lambda r: (r["period"], r["bin"]))
    assert [(r["period"], r["bin"], r["numerator"], r["denominator"]) for r in out] == [
        ("2024Q2", "self_managing", 1, 2),
        ("2024Q2", "supported_self_care", 1, 2),
        ("2024Q3", "supported_self_care", 1, 1),
    ]


def test_file_errors_name_the_yaml_path_and_line():
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    broken = text.replace("    cutoff: 0.5\n", "    cutoff: 1.5\n", 1).replace("  - id: R2\n", "  - id: R2\n    colour: red\n", 1)
    with pytest.raises(ConfigFileError) as error:
        parse_config(broken, QuestionnaireSet, "county.yaml", _check)
    message = str(error.value)
    cut_line = broken.splitlines().index("    cutoff: 1.5") + 1
    colour_line = broken.splitlines().index("    colour: red") + 1
    assert f"county.yaml:{cut_line}: axes.resources.cutoff:" in message
    assert f"county.yaml:{colour_line}: items[1].colour: unknown field 'colour'" in message


def test_two_segments_in_one_cell_are_refused():
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    broken = text.replace("    resources: low\n    complexity: low\n", "    resources: high\n    complexity: low\n", 1)
    with pytest.raises(ConfigFileError, match=r"segments\[1\]: resources high x complexity low is already segments\[0\]"):
        parse_config(broken, QuestionnaireSet, "county.yaml", _check)
