"""Programme files: every validation error reported with its place, and exact round trips."""

from __future__ import annotations

import textwrap

import pytest

from valvomo.programme.convert import document_data, programme_from_document
from valvomo.programme.examples import EXAMPLES, example_path
from valvomo.programme.yamlio import ProgrammeFileError, dump_data, parse_document

VALID = textwrap.dedent(
    """\
    programme:
      id: test-programme
      name: {fi: Testiohjelma, sv: Testprogram, en: Test programme}
      organisation: Testin hyvinvointialue
      population: 97400
      start: 2021-01-01
      end: 2022-12-31
      meter: percent
      cadence: half_year
      periods: [5/2021, 11/2021, 5/2022]
    benefit_goals:
      - number: 1
        goals: |
          Hoitoon pääsy paranee.

          - Ensimmäinen fokus
          - Toinen fokus
        narratives:
          - {period: 5/2021, text: Ei vielä raportoitavaa.}
      - number: 2
      - number: 3
    spearheads:
      - number: 1
        name: Pääsy hoitoon 7 vuorokaudessa
        goal: 1
        secondary_goals: [{goal: 2, weight: large}]
        baseline_meter: 50
        budget_eur: 1000
        measures:
          - name: Työnjaon kehittäminen
            unit: THK/Tepa
            progress: {5/2021: 25, 11/2021: 50}
          - name: Fysioterapia
            unit: SP/SKH
            goal: 2
            assessments:
              - {period: 5/2021, value: 0, narrative: Suunnittelu alkaa., author: Maija}
        narratives:
          - {period: 5/2021, heading: THK/Tepa, text: Työryhmä perustettu.}
      - number: 2
        name: Digipalvelut
        goal: 3
    indicators:
      - indicator: access_7d
        scope: national
        goal: 1
        baseline: {at: 2020Q4}
        interim: {value: 66 %, deadline: 2021Q4}
        target: {value: 0.8, deadline: 2022Q4}
      - key: chat_sessions
        manual: number
        name: Chat-istunnot
        unit: count
        direction: higher
        baseline: {value: 96000, at: 2020}
        values: {2021: 100000}
      - key: concept_in_use
        manual: yes_no
        name: Onko palvelukonsepti käytössä?
        spearhead: 1
        target: {value: yes, deadline: 2022Q4}
        values: {5/2021: no}
    risks:
      - description: Resurssit eivät riitä
        probability: 4
        impact: 4
        score: 16
        owner: Johto
    budget:
      - name: Työpaketti 1
        spearhead: 1
        planned_eur: 100000
        actuals: {2021-01: 5000, 2021-02: 1000.25}
    """
)


def test_the_valid_file_imports():
    document = parse_document(VALID, "valid.yaml")
    assert document.programme.id == "test-programme"
    assert document.indicators[0].interim.value == pytest.approx(0.66)
    assert document.indicators[2].values == {"5/2021": False}


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1


# (id, old text, new text, expected path, message fragment, line marker in the new text)
CASES = [
    ("missing-field", "  organisation: Testin hyvinvointialue\n", "", "programme.organisation", "required field 'organisation' is missing", "  id: test-programme"),
    ("unknown-field", "  population: 97400", "  populaton: 97400", "programme.populaton", "unknown field 'populaton'; allowed fields: id, name", "populaton"),
    ("wrong-type-date", "start: 2021-01-01", "start: tammikuu", "programme.start", "valid date", "start: tammikuu"),
    ("id-pattern", "id: test-programme", "id: Test Programme", "programme.id", "lowercase letters, digits", "id: Test Programme"),
    ("unknown-language", "{fi: Testiohjelma, sv: Testprogram, en: Test programme}", "{fi: Testiohjelma, se: Testprogram}", "programme.name", "unknown language 'se'", "name: {fi"),
    ("empty-text", "name: Digipalvelut", "name: ''", "spearheads[1].name", "text must not be empty", "name: ''"),
    ("probability-range", "probability: 4", "probability: 6", "risks[0].probability", "less than or equal to 5", "probability: 6"),
    ("unit-enum", "unit: count", "unit: pieces", "indicators[1].unit", "Input should be", "unit: pieces"),
    ("euros", "planned_eur: 100000", "planned_eur: paljon", "budget[0].planned_eur", "'paljon' is not an amount in euros", "planned_eur: paljon"),
    ("euro-cents", "planned_eur: 100000", "planned_eur: 10.123", "budget[0].planned_eur", "more than two decimals", "planned_eur: 10.123"),
    ("meter-not-integer", "progress: {5/2021: 25, 11/2021: 50}", "progress: {5/2021: 25 %, 11/2021: 50}", "spearheads[0].measures[0].progress[5/2021]", "valid integer", "progress: {5/2021: 25 %"),
    ("end-before-start", "end: 2022-12-31", "end: 2020-12-31", "programme.end", "ends (2020-12-31) before it starts", "end: 2020-12-31"),
    ("period-cadence", "periods: [5/2021, 11/2021, 5/2022]", "periods: [5/2021, 2021Q4, 5/2022]", "programme.periods[1]", "does not fit cadence 'half_year'", "periods:"),
    ("period-twice", "periods: [5/2021, 11/2021, 5/2022]", "periods: [5/2021, 11/2021, 11/2021, 5/2022]", "programme.periods[2]", "listed twice", "periods:"),
    ("period-order", "periods: [5/2021, 11/2021, 5/2022]", "periods: [11/2021, 5/2021, 5/2022]", "programme.periods", "time order", "periods:"),
    ("goal-twice", "  - number: 3\n", "  - number: 2\n", "benefit_goals[2].number", "benefit goal 2 is defined twice", "  - number: 2\nspearheads"),
    ("goal-name-missing", "  - number: 3\n", "  - number: 7\n", "benefit_goals[2]", "required field 'name' is missing", "  - number: 7"),
    ("spearhead-goal-unknown", "    goal: 3\nindicators", "    goal: 9\nindicators", "spearheads[1].goal", "benefit goal 9 does not exist", "    goal: 9"),
    ("spearhead-twice", "  - number: 2\n    name: Digipalvelut", "  - number: 1\n    name: Digipalvelut", "spearheads[1].number", "spearhead 1 is defined twice", "  - number: 1\n    name: Digi"),
    ("secondary-is-primary", "secondary_goals: [{goal: 2, weight: large}]", "secondary_goals: [{goal: 1, weight: large}]", "spearheads[0].secondary_goals[0].goal", "already the spearhead's primary goal", "secondary_goals"),
    ("secondary-twice", "secondary_goals: [{goal: 2, weight: large}]", "secondary_goals: [{goal: 2}, {goal: 2}]", "spearheads[0].secondary_goals[1].goal", "listed twice", "secondary_goals"),
    ("secondary-weight", "secondary_goals: [{goal: 2, weight: large}]", "secondary_goals: [{goal: 2, weight: huge}]", "spearheads[0].secondary_goals[0].weight", "'small', 'large' or 'main'", "secondary_goals"),
    ("meter-step", "progress: {5/2021: 25, 11/2021: 50}", "progress: {5/2021: 30, 11/2021: 50}", "spearheads[0].measures[0].progress[5/2021]", "30 is not a step of the percent meter", "progress:"),
    ("baseline-meter-step", "baseline_meter: 50", "baseline_meter: 40", "spearheads[0].baseline_meter", "40 is not a step", "baseline_meter: 40"),
    ("level-range", "meter: percent", "meter: levels", "spearheads[0].measures[0].progress[5/2021]", "25 is not a level of the 1–5 meter", "progress:"),
    ("assessment-period-unknown", "{period: 5/2021, value: 0, narrative", "{period: 5/2023, value: 0, narrative", "spearheads[0].measures[1].assessments[0].period", "'5/2023' is not a reporting period", "{period: 5/2023"),
    ("assessed-twice", "        progress: {5/2021: 25, 11/2021: 50}\n",
     "        progress: {5/2021: 25, 11/2021: 50}\n        assessments:\n          - {period: 11/2021, value: 50}\n",
     "spearheads[0].measures[0].assessments[0].period", "'11/2021' is assessed twice", "{period: 11/2021, value: 50}"),
    ("narrative-period", "{period: 5/2021, heading: THK/Tepa", "{period: 6/2021, heading: THK/Tepa", "spearheads[0].narratives[0].period", "'6/2021' is not a reporting period", "{period: 6/2021"),
    ("goal-narrative-period", "{period: 5/2021, text: Ei vielä raportoitavaa.}", "{period: 5/2020, text: Ei vielä raportoitavaa.}", "benefit_goals[0].narratives[0].period", "'5/2020' is not a reporting period", "{period: 5/2020"),
    ("narrative-goal", "{period: 5/2021, heading: THK/Tepa, text:", "{period: 5/2021, goal: 8, heading: THK/Tepa, text:", "spearheads[0].narratives[0].goal", "benefit goal 8 does not exist", "goal: 8, heading"),
    ("measure-goal", "        unit: SP/SKH\n        goal: 2", "        unit: SP/SKH\n        goal: 4", "spearheads[0].measures[1].goal", "benefit goal 4 does not exist", "        goal: 4"),
    ("link-neither", "  - indicator: access_7d\n", "  - scope: regional\n", "indicators[0]", "give either 'indicator'", "  - scope: regional"),
    ("link-both", "  - indicator: access_7d\n", "  - indicator: access_7d\n    manual: number\n", "indicators[0]", "not both or neither", "  - indicator: access_7d"),
    ("link-unknown-indicator", "indicator: access_7d", "indicator: acces_7d", "indicators[0].indicator", "unknown indicator 'acces_7d'", "indicator: acces_7d"),
    ("manual-needs-key", "  - key: chat_sessions\n    manual: number", "  - manual: number", "indicators[1]", "needs a 'key'", "  - manual: number"),
    ("key-twice", "key: concept_in_use", "key: chat_sessions", "indicators[2].key", "'chat_sessions' is used twice", "key: chat_sessions", 2),
    ("key-pattern", "key: concept_in_use", "key: Concept In Use", "indicators[2].key", "lowercase letters, digits", "key: Concept In Use"),
    ("manual-needs-name", "    name: Chat-istunnot\n", "", "indicators[1]", "needs a 'name'", "  - key: chat_sessions"),
    ("link-goal-unknown", "    scope: national\n    goal: 1", "    scope: national\n    goal: 6", "indicators[0].goal", "benefit goal 6 does not exist", "    goal: 6"),
    ("link-spearhead-unknown", "    spearhead: 1\n    target: {value: yes", "    spearhead: 5\n    target: {value: yes", "indicators[2].spearhead", "spearhead 5 does not exist", "spearhead: 5"),
    ("yes-no-unit", "    manual: yes_no\n", "    manual: yes_no\n    unit: count\n", "indicators[2].unit", "a yes/no indicator has no unit", "unit: count", 2),
    ("yes-no-lower", "    manual: yes_no\n", "    manual: yes_no\n    direction: lower\n", "indicators[2].direction", "direction must be 'higher'", "direction: lower"),
    ("direction-contradicts-registry", "  - indicator: access_7d\n", "  - indicator: access_7d\n    direction: lower\n", "indicators[0].direction", "contradicts the registry: for 'access_7d' higher is better", "direction: lower"),
    ("registry-direction-unknown", "  - indicator: access_7d\n", "  - indicator: physician_share\n", "indicators[0]", "does not say whether higher or lower 'physician_share' is better", "  - indicator: physician_share"),
    ("unit-contradicts-registry", "  - indicator: access_7d\n", "  - indicator: access_7d\n    unit: days\n", "indicators[0].unit", "'access_7d' is measured in 'share'", "unit: days"),
    ("manual-number-direction", "    direction: higher\n    baseline: {value: 96000", "    target: {value: 120000, deadline: 2022}\n    baseline: {value: 96000", "indicators[1]", "needs 'direction'", "  - key: chat_sessions"),
    ("registry-values", "    target: {value: 0.8, deadline: 2022Q4}\n", "    target: {value: 0.8, deadline: 2022Q4}\n    values: {2021Q1: 0.5}\n", "indicators[0].values", "come from the indicator engine", "values: {2021Q1"),
    ("value-period", "values: {2021: 100000}", "values: {ensi vuosi: 100000}", "indicators[1].values[ensi vuosi]", "'ensi vuosi' is not a period", "values: {ensi"),
    ("yes-no-value", "values: {5/2021: no}", "values: {5/2021: 3}", "indicators[2].values[5/2021]", "takes yes or no, got 3", "values: {5/2021: 3}"),
    ("number-value-bool", "values: {2021: 100000}", "values: {2021: yes}", "indicators[1].values[2021]", "expected a number, got yes", "values: {2021: yes}"),
    ("number-text", "values: {2021: 100000}", "values: {2021: paljon}", "indicators[1].values[2021]", "'paljon' is not a number", "values: {2021: paljon}"),
    ("baseline-at", "baseline: {at: 2020Q4}", "baseline: {at: viime vuonna}", "indicators[0].baseline.at", "'viime vuonna' is not a period or a date", "baseline: {at: viime"),
    ("manual-baseline-value", "baseline: {value: 96000, at: 2020}", "baseline: {at: 2020}", "indicators[1].baseline", "needs a 'value'", "baseline: {at: 2020}"),
    ("deadline", "target: {value: 0.8, deadline: 2022Q4}", "target: {value: 0.8, deadline: Q5/2022}", "indicators[0].target.deadline", "'Q5/2022' is not a period or a date", "target: {value: 0.8"),
    ("yes-no-target-no", "target: {value: yes, deadline: 2022Q4}", "target: {value: no, deadline: 2022Q4}", "indicators[2].target.value", "a yes/no target is 'yes'", "target: {value: no"),
    ("interim-after-final", "interim: {value: 66 %, deadline: 2021Q4}", "interim: {value: 66 %, deadline: 2023Q4}", "indicators[0].interim.deadline", "interim deadline must come before the final deadline", "interim:"),
    ("interim-without-final", "    target: {value: 0.8, deadline: 2022Q4}\n", "", "indicators[0]", "needs a final 'target'", "  - indicator: access_7d"),
    ("baseline-after-deadline", "baseline: {at: 2020Q4}", "baseline: {at: 2022Q1}", "indicators[0].baseline.at", "baseline must come before the interim deadline", "baseline: {at: 2022Q1}"),
    ("risk-score", "score: 16", "score: 12", "risks[0].score", "score 12 is not probability × impact = 4 × 4 = 16", "score: 12"),
    ("risk-status", "    owner: Johto\n", "    owner: Johto\n    status: maybe\n", "risks[0].status", "'open', 'mitigated', 'realised' or 'closed'", "status: maybe"),
    ("risk-goal", "    owner: Johto\n", "    owner: Johto\n    goal: 11\n", "risks[0].goal", "benefit goal 11 does not exist", "goal: 11"),
    ("budget-spearhead", "    spearhead: 1\n    planned_eur", "    spearhead: 4\n    planned_eur", "budget[0].spearhead", "spearhead 4 does not exist", "spearhead: 4"),
    ("budget-month", "actuals: {2021-01: 5000", "actuals: {2021Q1: 5000", "budget[0].actuals[2021Q1]", "'2021Q1' is not a month", "actuals:"),
    ("duplicate-key", "  population: 97400\n", "  population: 97400\n  population: 97500\n", "programme.population", "duplicate key 'population' (first written on line 5)", "  population: 97500"),
    ("format-version", "programme:\n", "format: valvomo-programme/9\nprogramme:\n", "format", "valvomo-programme/1", "format:"),
]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_each_validation_error_is_reported_with_its_place(case):
    _name, old, new, path, fragment, marker, *occurrence = case
    assert VALID.count(old) == 1, f"test case must change one place: {old!r}"
    text = VALID.replace(old, new)
    with pytest.raises(ProgrammeFileError) as caught:
        parse_document(text, "case.yaml")
    issues = [issue for issue in caught.value.issues if issue.path == path and fragment in issue.message]
    assert issues, f"expected {path}: {fragment!r} in\n{caught.value.report()}"
    assert issues[0].line == _line_of(text, marker, *(occurrence or [1]))
    assert f"case.yaml:{issues[0].line}:" in caught.value.report()


def test_all_errors_of_a_file_are_reported_at_once():
    text = VALID.replace("probability: 4", "probability: 9").replace("indicator: access_7d", "indicator: nope")
    text = text.replace("progress: {5/2021: 25, 11/2021: 50}", "progress: {5/2021: 30, 11/2021: 50}")
    with pytest.raises(ProgrammeFileError) as caught:
        parse_document(text, "many.yaml")
    paths = {issue.path for issue in caught.value.issues}
    assert {"risks[0].probability", "indicators[0].indicator", "spearheads[0].measures[0].progress[5/2021]"} <= paths
    lines = [issue.line for issue in caught.value.issues]
    assert lines == sorted(lines)
    assert caught.value.report().startswith("many.yaml: ")


def test_yaml_syntax_error_has_its_line():
    text = VALID.replace("  organisation: Testin hyvinvointialue", "  organisation: [Testin")
    with pytest.raises(ProgrammeFileError) as caught:
        parse_document(text, "broken.yaml")
    (issue,) = caught.value.issues
    assert "not valid YAML" in issue.message
    assert issue.line is not None and issue.line >= _line_of(text, "organisation: [Testin")


@pytest.mark.parametrize(("text", "fragment"), [("", "the file is empty"), ("- a\n- b\n", "expected a mapping")])
def test_empty_or_non_mapping_documents(text, fragment):
    with pytest.raises(ProgrammeFileError) as caught:
        parse_document(text, "x.yaml")
    assert fragment in caught.value.issues[0].message


def _round_trip(text: str) -> tuple[str, str]:
    first = dump_data(document_data(programme_from_document(parse_document(text))))
    second = dump_data(document_data(programme_from_document(parse_document(first))))
    return first, second


def test_round_trip_of_a_hand_written_file_is_exact():
    first, second = _round_trip(VALID)
    assert first == second
    document = parse_document(first)
    assert document.spearheads[0].measures[1].assessments[0].author == "Maija"
    assert document.spearheads[0].budget_eur == 1000
    assert document.budget[0].actuals == {"2021-01": 5000, "2021-02": pytest.approx(1000.25)}
    assert document.indicators[0].key == "access_7d"


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_examples_round_trip_exactly(name):
    text = example_path(name).read_text(encoding="utf-8")
    first, second = _round_trip(text)
    assert first == second
    # The shipped file is already in canonical form (after its comment header).
    body = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))
    assert body == first


def test_the_documented_example_is_a_valid_programme():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "programme.md").read_text(encoding="utf-8")
    example = docs.split("### A full example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    document = parse_document(example, "docs/programme.md")
    assert document.programme.id == "esimerkki-tsk"
    assert document.spearheads[0].measures[1].assessments[0].author == "Maija Meikäläinen"
    assert document.indicators[3].values == {"5/2021": False, "11/2021": True}
    first, second = _round_trip(example)
    assert first == second
