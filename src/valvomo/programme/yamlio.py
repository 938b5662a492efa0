"""Read and write programme files, reporting every error with its place.

Reading happens in three passes so that one run lists *all* problems of a
hand-written file: (1) YAML is composed into nodes, keeping each node's line;
(2) the shape is validated with the pydantic ``document`` models; (3) the
cross-references (goals, spearheads, periods, meter values, indicator ids,
targets) are checked on the raw data, skipping whatever pass 2 already
rejected. Each error names the YAML path, the line and column, and what was
expected.

Writing produces the canonical form: stable key order, texts in block style,
compact ``progress`` maps where an assessment has nothing but a value. Export
followed by import gives back the same programme, and exporting that again
gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from valvomo.programme import meter, periods
from valvomo.programme.convert import FlowList, FlowMap
from valvomo.programme.document import DEFAULT_BENEFIT_GOALS, ProgrammeDocument
from valvomo.programme.indicator_values import IndicatorMeta, default_key, indicator_catalogue

PathKey = tuple[Any, ...]


@dataclass(frozen=True)
class Issue:
    """One problem in a programme file."""

    path: str
    line: int | None
    column: int | None
    message: str

    def format(self, source: str) -> str:
        where = f"{source}:{self.line}:{self.column}" if self.line is not None else source
        return f"{where}: {self.path or '(document)'}: {self.message}"


class ProgrammeFileError(ValueError):
    """A programme file that cannot be imported; ``issues`` lists every problem."""

    def __init__(self, issues: list[Issue], source: str = "<programme>"):
        self.issues = issues
        self.source = source
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.issues)
        head = f"{self.source}: {count} error{'s' if count != 1 else ''}"
        return "\n".join([head, *(issue.format(self.source) for issue in self.issues)])


# --------------------------------------------------------------------------- pass 1: YAML with marks


class _Composed:
    """YAML data plus the (line, column) of every node, keyed by its path."""

    def __init__(self) -> None:
        self.marks: dict[PathKey, tuple[int, int]] = {}
        self.issues: list[Issue] = []
        self._constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            self._constructor.flatten_mapping(node)
            result: dict[Any, Any] = {}
            first_line: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node)
                if key in result:
                    self.issues.append(
                        Issue(
                            format_path((*path, key)),
                            key_node.start_mark.line + 1,
                            key_node.start_mark.column + 1,
                            f"duplicate key {key!r} (first written on line {first_line[key]})",
                        )
                    )
                    continue
                first_line[key] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.issues.append(
                Issue("", node.start_mark.line + 1, node.start_mark.column + 1, "mapping keys must be plain values")
            )
            return repr(node)
        return self._constructor.construct_object(node, deep=True)


def format_path(path: PathKey) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            text += f".{part}" if text else part
        else:
            text += f"[{part}]"
    return text


def _compose(text: str) -> tuple[Any, _Composed]:
    composed = _Composed()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise ProgrammeFileError([Issue("", line, column, f"not valid YAML: {message}")]) from None
    if node is None:
        raise ProgrammeFileError([Issue("", 1, 1, "the file is empty; expected a programme document")])
    try:
        data = composed.build(node, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise ProgrammeFileError(
            [Issue("", mark.line + 1 if mark else None, mark.column + 1 if mark else None, str(exc.problem))]
        ) from None
    return data, composed


# --------------------------------------------------------------------------- pass 2 and 3: checks


class _Checker:
    def __init__(self, marks: dict[PathKey, tuple[int, int]]):
        self.marks = marks
        self.issues: list[Issue] = []

    def add(self, path: PathKey, message: str) -> None:
        probe = tuple(path)
        while probe and probe not in self.marks:
            probe = probe[:-1]
        line, column = self.marks.get(probe, (None, None))
        self.issues.append(Issue(format_path(path), line, column, message))

    # -- pass 2 -------------------------------------------------------------

    def pydantic_errors(self, exc: ValidationError, data: Any) -> None:
        for error in exc.errors(include_url=False):
            loc = tuple(part for part in error["loc"] if part != "[key]")
            kind = error["type"]
            if kind == "missing":
                message = f"required field {loc[-1]!r} is missing"
            elif kind == "extra_forbidden":
                allowed = _allowed_fields(loc[:-1], data)
                message = f"unknown field {loc[-1]!r}" + (f"; allowed fields: {allowed}" if allowed else "")
            elif kind == "string_pattern_mismatch":
                message = (
                    "must be lowercase letters, digits, '-' or '_', starting with a letter or digit, "
                    f"at most 64 characters (got {error.get('input')!r})"
                )
            elif kind == "value_error":
                message = str(error["ctx"].get("error", error["msg"])) if error.get("ctx") else error["msg"]
            else:
                message = error["msg"]
                if "input" in error and not isinstance(error["input"], dict | list):
                    message += f" (got {error['input']!r})"
            self.add(loc, message)


def _allowed_fields(parent: PathKey, data: Any) -> str:
    from valvomo.programme import document as d

    model: type | None = d.ProgrammeDocument
    for part in parent:
        if model is None:
            return ""
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return ""
        model = _inner_model(field.annotation)
    if model is None or not hasattr(model, "model_fields"):
        return ""
    return ", ".join(model.model_fields)


def _inner_model(annotation: Any) -> type | None:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[tuple[int, dict]]:
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


class _CrossChecker(_Checker):
    """Checks between fields, on raw data, tolerant of what pass 2 rejected."""

    def __init__(self, marks, data: dict, catalogue: dict[str, IndicatorMeta]):
        super().__init__(marks)
        self.data = data
        self.catalogue = catalogue
        header = _mapping(data.get("programme"))
        self.cadence = header.get("cadence") if header.get("cadence") in periods.CADENCES else None
        self.scale = header.get("meter", "percent") if header.get("meter", "percent") in meter.SCALES else None
        self.goal_kind = header.get("goal_kind", "benefit_goals")
        self.periods: list[str] = []
        self.goal_numbers: set[int] = set()
        self.spearhead_numbers: set[int] = set()

    def run(self) -> None:
        self.check_header()
        self.check_goals()
        self.check_spearheads()
        self.check_indicators()
        self.check_risks()
        self.check_budget()

    def _label(self, value: Any) -> str | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int | str):
            return str(value).strip()
        if isinstance(value, dt.date):
            return value.isoformat()
        return None

    def check_period(self, path: PathKey, value: Any) -> None:
        label = self._label(value)
        if label is None:
            return
        if self.periods and label not in self.periods:
            self.add(path, f"period {label!r} is not a reporting period of the programme ({', '.join(self.periods)})")

    def check_header(self) -> None:
        header = _mapping(self.data.get("programme"))
        start, end = header.get("start"), header.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add(("programme", "end"), f"the programme ends ({end}) before it starts ({start})")
        raw_periods = header.get("periods")
        if not isinstance(raw_periods, list):
            return
        seen: set[str] = set()
        for index, value in enumerate(raw_periods):
            label = self._label(value)
            if label is None:
                continue
            path = ("programme", "periods", index)
            if label in seen:
                self.add(path, f"period {label!r} is listed twice")
                continue
            seen.add(label)
            if self.cadence and not periods.is_programme_period(label, self.cadence):
                self.add(path, f"period {label!r} does not fit cadence {self.cadence!r}; expected {periods.expected_form(self.cadence)}")
                continue
            self.periods.append(label)
        valid = [p for p in self.periods if _parses(p)]
        if valid != sorted(valid, key=periods.sort_key):
            self.add(("programme", "periods"), "periods must be listed in time order")

    def check_goals(self) -> None:
        for index, goal in _items(self.data.get("benefit_goals")):
            number = goal.get("number")
            if not _is_int(number):
                continue
            if number in self.goal_numbers:
                self.add(("benefit_goals", index, "number"), f"benefit goal {number} is defined twice")
            self.goal_numbers.add(number)
            if "name" not in goal and not (self.goal_kind == "benefit_goals" and number in DEFAULT_BENEFIT_GOALS):
                self.add(
                    ("benefit_goals", index),
                    "required field 'name' is missing (only the five standard benefit goals 1–5 have a default name)",
                )
            for n_index, narrative in _items(goal.get("narratives")):
                self.check_period(("benefit_goals", index, "narratives", n_index, "period"), narrative.get("period"))

    def check_goal_ref(self, path: PathKey, number: Any, what: str = "benefit goal") -> None:
        if _is_int(number) and number not in self.goal_numbers:
            known = ", ".join(str(n) for n in sorted(self.goal_numbers)) or "none"
            self.add(path, f"{what} {number} does not exist (benefit goals: {known})")

    def check_spearhead_ref(self, path: PathKey, number: Any) -> None:
        if _is_int(number) and number not in self.spearhead_numbers:
            known = ", ".join(str(n) for n in sorted(self.spearhead_numbers)) or "none"
            self.add(path, f"spearhead {number} does not exist (spearheads: {known})")

    def check_meter(self, path: PathKey, value: Any) -> None:
        if not _is_int(value) or self.scale is None:
            return
        try:
            meter.to_percent(value, self.scale)
        except meter.MeterValueError as exc:
            self.add(path, f"{exc} (the programme's meter is {self.scale!r})")

    def check_spearheads(self) -> None:
        spearheads = _items(self.data.get("spearheads"))
        for index, spearhead in spearheads:
            number = spearhead.get("number")
            if _is_int(number):
                if number in self.spearhead_numbers:
                    self.add(("spearheads", index, "number"), f"spearhead {number} is defined twice")
                self.spearhead_numbers.add(number)
        for index, spearhead in spearheads:
            base: PathKey = ("spearheads", index)
            self.check_goal_ref((*base, "goal"), spearhead.get("goal"))
            self.check_meter((*base, "baseline_meter"), spearhead.get("baseline_meter"))
            seen_secondary: set[int] = set()
            for s_index, secondary in _items(spearhead.get("secondary_goals")):
                goal = secondary.get("goal")
                path = (*base, "secondary_goals", s_index, "goal")
                self.check_goal_ref(path, goal)
                if _is_int(goal):
                    if goal == spearhead.get("goal"):
                        self.add(path, f"benefit goal {goal} is already the spearhead's primary goal")
                    elif goal in seen_secondary:
                        self.add(path, f"benefit goal {goal} is listed twice")
                    seen_secondary.add(goal)
            for m_index, measure in _items(spearhead.get("measures")):
                self.check_measure((*base, "measures", m_index), measure)
            for n_index, narrative in _items(spearhead.get("narratives")):
                path = (*base, "narratives", n_index)
                self.check_period((*path, "period"), narrative.get("period"))
                self.check_goal_ref((*path, "goal"), narrative.get("goal"))

    def check_measure(self, base: PathKey, measure: dict) -> None:
        self.check_goal_ref((*base, "goal"), measure.get("goal"))
        assessed: dict[str, PathKey] = {}
        for label, value in _mapping(measure.get("progress")).items():
            path = (*base, "progress", label)
            self.check_period(path, label)
            self.check_meter(path, value)
            key = self._label(label)
            if key is not None:
                assessed[key] = path
        for a_index, assessment in _items(measure.get("assessments")):
            path = (*base, "assessments", a_index)
            self.check_period((*path, "period"), assessment.get("period"))
            self.check_meter((*path, "value"), assessment.get("value"))
            key = self._label(assessment.get("period"))
            if key is None:
                continue
            if key in assessed:
                self.add((*path, "period"), f"period {key!r} is assessed twice for this measure (also at {format_path(assessed[key])})")
            assessed[key] = path

    def check_indicators(self) -> None:
        keys: dict[str, PathKey] = {}
        for index, link in _items(self.data.get("indicators")):
            base: PathKey = ("indicators", index)
            indicator_id, manual = link.get("indicator"), link.get("manual")
            meta: IndicatorMeta | None = None
            if (indicator_id is None) == (manual is None):
                self.add(base, "give either 'indicator' (a registry indicator id) or 'manual' (number or yes_no), not both or neither")
            if isinstance(indicator_id, str):
                meta = self.catalogue.get(indicator_id)
                if meta is None:
                    self.add((*base, "indicator"), self.unknown_indicator(indicator_id))
            key = link.get("key") if isinstance(link.get("key"), str) else default_key(indicator_id) if isinstance(indicator_id, str) else None
            if key is None and manual is not None and "key" not in link:
                self.add(base, "a manual indicator needs a 'key' (a short identifier such as 'chat_sessions')")
            if key is not None:
                if key in keys:
                    self.add((*base, "key") if "key" in link else (*base, "indicator"),
                             f"indicator key {key!r} is used twice (also at {format_path(keys[key])}); give each link its own 'key'")
                else:
                    keys[key] = base
            if manual is not None and "name" not in link:
                self.add(base, "a manual indicator needs a 'name'")
            self.check_goal_ref((*base, "goal"), link.get("goal"))
            self.check_spearhead_ref((*base, "spearhead"), link.get("spearhead"))
            self.check_link_values(base, link, manual, meta)

    def unknown_indicator(self, ref: str) -> str:
        """Why ``ref`` is not in the catalogue: a distribution without (or with an unknown) bin, or unknown."""
        output_id = ref.partition(":")[0]
        bins = sorted(r.partition(":")[2] for r in self.catalogue if r.partition(":")[0] == output_id and ":" in r)
        if bins:
            return (f"unknown indicator {ref!r}: {output_id!r} is a distribution; name one bin as "
                    f"{output_id}:BIN, BIN one of {', '.join(bins)}")
        known = ", ".join(sorted(self.catalogue))
        return f"unknown indicator {ref!r}; registry indicators and segment outputs: {known}"

    def check_link_values(self, base: PathKey, link: dict, manual: Any, meta: IndicatorMeta | None) -> None:
        binary = manual == "yes_no"
        has_target = isinstance(link.get("target"), dict) or isinstance(link.get("interim"), dict)
        direction = link.get("direction")
        if manual == "yes_no":
            if link.get("unit") is not None:
                self.add((*base, "unit"), "a yes/no indicator has no unit")
            if direction == "lower":
                self.add((*base, "direction"), "a yes/no indicator's target is 'yes'; direction must be 'higher' or left out")
        elif meta is not None:
            if direction in ("higher", "lower") and meta.direction in ("higher", "lower") and direction != meta.direction:
                self.add((*base, "direction"),
                         f"direction {direction!r} contradicts the registry: for {meta.id!r} {meta.direction} is better")
            if has_target and direction is None and meta.direction not in ("higher", "lower"):
                self.add(base, f"the registry does not say whether higher or lower {meta.id!r} is better; give 'direction' for its targets")
            if link.get("unit") is not None and link.get("unit") != meta.unit:
                self.add((*base, "unit"), f"unit {link.get('unit')!r} contradicts the registry: {meta.id!r} is measured in {meta.unit!r}")
        elif manual == "number" and has_target and direction is None:
            self.add(base, "a manual number with targets needs 'direction' (higher or lower is better)")
        if isinstance(link.get("values"), dict) and manual is None and link.get("indicator") is not None:
            self.add((*base, "values"), "values of a registry indicator come from the indicator engine; 'values' is only for manual indicators")
        for label, value in _mapping(link.get("values")).items():
            path = (*base, "values", label)
            key = self._label(label)
            if key is not None and not _parses(key):
                self.add(path, f"{key!r} is not a period; expected e.g. '5/2021', '2024Q2', '2024-03' or '2024'")
            self._check_value_kind(path, value, binary)
        dates: dict[str, dt.date] = {}
        baseline = link.get("baseline")
        if isinstance(baseline, dict):
            at = self._label(baseline.get("at"))
            if at is not None:
                if _parses(at):
                    dates["baseline"] = periods.end_date(at)
                else:
                    self.add((*base, "baseline", "at"), f"{at!r} is not a period or a date")
            if "value" in baseline:
                self._check_value_kind((*base, "baseline", "value"), baseline.get("value"), binary)
            elif manual is not None:
                self.add((*base, "baseline"), "a manual indicator's baseline needs a 'value' (only registry values can be computed)")
        for which in ("interim", "target"):
            spec = link.get(which)
            if not isinstance(spec, dict):
                continue
            deadline = self._label(spec.get("deadline"))
            if deadline is not None:
                if _parses(deadline):
                    dates[which] = periods.end_date(deadline)
                else:
                    self.add((*base, which, "deadline"), f"{deadline!r} is not a period or a date")
            if "value" in spec:
                self._check_value_kind((*base, which, "value"), spec.get("value"), binary)
                if binary and spec.get("value") is False:
                    self.add((*base, which, "value"), "a yes/no target is 'yes'")
        if "interim" in dates and "target" in dates and dates["interim"] >= dates["target"]:
            self.add((*base, "interim", "deadline"), "the interim deadline must come before the final deadline")
        if "interim" in dates and "target" not in dates and isinstance(link.get("interim"), dict) and "target" not in link:
            self.add(base, "an interim target needs a final 'target' as well")
        for which in ("interim", "target"):
            if "baseline" in dates and which in dates and dates["baseline"] >= dates[which]:
                self.add((*base, "baseline", "at"), f"the baseline must come before the {'interim' if which == 'interim' else 'final'} deadline")
                break

    def _check_value_kind(self, path: PathKey, value: Any, binary: bool) -> None:
        words = ("yes", "no", "kyllä", "ei", "ja", "nej")
        if (
            binary
            and not isinstance(value, bool)
            and value is not None
            and not (isinstance(value, str) and value.strip().lower() in words)
        ):
            self.add(path, f"a yes/no indicator takes yes or no, got {value!r}")
        if not binary and isinstance(value, bool):
            self.add(path, f"expected a number, got {'yes' if value else 'no'}")

    def check_risks(self) -> None:
        for index, risk in _items(self.data.get("risks")):
            base: PathKey = ("risks", index)
            p, i, score = risk.get("probability"), risk.get("impact"), risk.get("score")
            if _is_int(p) and _is_int(i) and _is_int(score) and score != p * i:
                self.add((*base, "score"), f"score {score} is not probability × impact = {p} × {i} = {p * i}")
            self.check_goal_ref((*base, "goal"), risk.get("goal"))
            self.check_spearhead_ref((*base, "spearhead"), risk.get("spearhead"))

    def check_budget(self) -> None:
        for index, line in _items(self.data.get("budget")):
            base: PathKey = ("budget", index)
            self.check_goal_ref((*base, "goal"), line.get("goal"))
            self.check_spearhead_ref((*base, "spearhead"), line.get("spearhead"))
            for label in _mapping(line.get("actuals")):
                key = self._label(label)
                if key is not None and not periods._MONTH_ISO.match(key):
                    self.add((*base, "actuals", label), f"{key!r} is not a month; actuals are per month 'YYYY-MM' (e.g. '2024-03')")


def _parses(label: str) -> bool:
    try:
        periods.parse(label)
    except periods.PeriodError:
        return False
    return True


# --------------------------------------------------------------------------- public API


def parse_document(text: str, source: str = "<programme>") -> ProgrammeDocument:
    """Validate a programme file; raise ``ProgrammeFileError`` listing every problem."""
    try:
        data, composed = _compose(text)
    except ProgrammeFileError as exc:
        exc.source = source
        raise ProgrammeFileError(exc.issues, source) from None
    issues = list(composed.issues)
    if not isinstance(data, dict):
        raise ProgrammeFileError([Issue("", 1, 1, "expected a mapping with 'programme', 'benefit_goals', ...")], source)
    document: ProgrammeDocument | None = None
    shape = _Checker(composed.marks)
    try:
        document = ProgrammeDocument.model_validate(data)
    except ValidationError as exc:
        shape.pydantic_errors(exc, data)
    cross = _CrossChecker(composed.marks, data, indicator_catalogue())
    cross.run()
    issues += shape.issues + cross.issues
    if issues:
        issues.sort(key=lambda issue: (issue.line or 0, issue.column or 0))
        raise ProgrammeFileError(issues, source)
    assert document is not None
    return document


def read_document(path: str | Path) -> ProgrammeDocument:
    """Read and validate a programme file from disk."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProgrammeFileError([Issue("", None, None, f"cannot read the file: {exc.strerror or exc}")], str(file)) from None
    except UnicodeDecodeError:
        raise ProgrammeFileError([Issue("", None, None, "the file is not UTF-8 text")], str(file)) from None
    return parse_document(text, str(file))


class _Dumper(yaml.SafeDumper):
    """Block-style YAML with readable multi-line texts."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal):
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_float(float(value))


def _represent_flow_map(dumper: yaml.SafeDumper, value: FlowMap):
    return dumper.represent_mapping("tag:yaml.org,2002:map", list(value.items()), flow_style=True)


def _represent_flow_list(dumper: yaml.SafeDumper, value: FlowList):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(value), flow_style=True)


_Dumper.add_representer(FlowMap, _represent_flow_map)
_Dumper.add_representer(FlowList, _represent_flow_list)
_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Decimal, _represent_decimal)


def dump_data(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
