"""Segment configuration files (YAML) read with every error placed at its YAML path and line.

The questionnaire item set, the utilisation-segment code lists and the care-gap
rules are configuration a county replaces with its own file, so a mistake in one
must be reported to the person editing it: which file, which YAML path, which line
and what was expected. Files are composed into YAML nodes (keeping each node's
line), validated with pydantic models, and then checked by the model's own
cross-field rules, which report their problems by path the same way.

(``valvomo.programme.yamlio`` does the same for programme files; it lives in a
higher layer, which this engine package must not import.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

PathKey = tuple[Any, ...]
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a configuration file."""

    path: str
    line: int | None
    message: str

    def format(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line is not None else source
        return f"{where}: {self.path or '(document)'}: {self.message}"


class ConfigFileError(ValueError):
    """A configuration file that cannot be used; ``issues`` lists every problem found."""

    def __init__(self, issues: list[ConfigIssue], source: str):
        self.issues = issues
        self.source = source
        count = len(issues)
        head = f"{source}: {count} error{'s' if count != 1 else ''}"
        super().__init__("\n".join([head, *(issue.format(source) for issue in issues)]))


def format_path(path: Iterable[Any]) -> str:
    """``rules[0].conditions[1].months`` from ("rules", 0, "conditions", 1, "months")."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class _Marks:
    """The first line of every YAML node, keyed by its path."""

    def __init__(self) -> None:
        self.lines: dict[PathKey, int] = {}
        self.issues: list[ConfigIssue] = []
        self._constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            self._constructor.flatten_mapping(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self._constructor.construct_object(key_node, deep=True)
                if key in result:
                    self.issues.append(
                        ConfigIssue(format_path((*path, key)), key_node.start_mark.line + 1, f"duplicate key {key!r}")
                    )
                    continue
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._constructor.construct_object(node, deep=True)

    def line(self, path: PathKey) -> int | None:
        """Line of ``path``, or of its nearest ancestor written in the file."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


Checker = Callable[[Any], Iterable[tuple[PathKey, str]]]


def parse_config(text: str, model: type[Model], source: str, check: Checker | None = None) -> Model:
    """Validate YAML ``text`` against ``model``; ``check(parsed)`` yields (path, message) of rule errors.

    Raises ``ConfigFileError`` naming every problem with its YAML path and line.
    """
    marks = _Marks()
    try:
        node = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigFileError([ConfigIssue("", line, f"not valid YAML: {getattr(error, 'problem', error)}")], source) from None
    data = marks.build(node, ()) if node is not None else {}
    if marks.issues:
        raise ConfigFileError(marks.issues, source)
    try:
        parsed = model.model_validate(data)
    except ValidationError as error:
        issues = []
        for problem in error.errors():
            loc = tuple(part for part in problem["loc"] if not (isinstance(part, str) and part.startswith("function-")))
            message = problem["msg"]
            if problem["type"] == "extra_forbidden":
                message = f"unknown field {loc[-1]!r}"
            issues.append(ConfigIssue(format_path(loc), marks.line(loc), message))
        raise ConfigFileError(issues, source) from None
    if check is not None:
        issues = [ConfigIssue(format_path(path), marks.line(path), message) for path, message in check(parsed)]
        if issues:
            raise ConfigFileError(issues, source)
    return parsed


def read_config(path: Path, model: type[Model], check: Checker | None = None) -> Model:
    """``parse_config`` of a file; a missing or unreadable file is a ``ConfigFileError`` too."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigFileError([ConfigIssue("", None, f"cannot read the file: {error.strerror}")], str(path)) from None
    return parse_config(text, model, str(path), check)
