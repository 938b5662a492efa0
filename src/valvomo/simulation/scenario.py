"""Scenarios: a named set of lever changes, written as YAML, validated, applied to the calibration.

A scenario file looks like this (every lever is optional; docs/simulation.md
lists them with their meaning)::

    name: Nurse +0.5 FTE at Näsi
    stations: [ST-NASI]            # where the levers apply (default: every station)
    levers:
      fte_change: {nurse: 0.5}     # FTE added (negative: removed) per profession
      fte: {physiotherapist: 1.0}  # or FTE set outright
      task_shift:                  # non-urgent needs moved from one profession to another
        - {from: physician, to: nurse, share: 0.2}
      direct_access: 0.2           # musculoskeletal non-urgent needs going straight to a physiotherapist
      digital_resolution: 0.10     # more needs resolved at the first contact (+10 points)
      demand_growth: 0.03          # demand +3 %
      opening_days: [mon, tue, wed, thu, fri]
      policy: earliest_slot        # or named_professional, pooled

Errors name the YAML path and line of the offending field and say what was
expected (an unknown lever, a negative FTE, a share above 1 ...), so the CLI and
the API can show them without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from valvomo.simulation.params import (
    POLICIES,
    PROFESSIONS,
    WEEKDAYS,
    Capacity,
    DemandStream,
    ModelParams,
    StationParams,
)

Profession = Literal[PROFESSIONS]  # type: ignore[valid-type]
Weekday = Literal[WEEKDAYS]  # type: ignore[valid-type]
NEW_PROFESSION_SLOTS_PER_FTE_DAY = 8.0
NEW_PROFESSION_GUARANTEE_SHARE = 0.5
MAX_RESOLUTION = 0.95


class TaskShift(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: Profession = Field(alias="from")
    to: Profession
    share: float = Field(ge=0, le=1, description="Share of the non-urgent needs of `from` moved to `to`.")

    @model_validator(mode="after")
    def _different(self) -> TaskShift:
        if self.from_ == self.to:
            raise ValueError("'from' and 'to' must be different professions")
        return self


class Levers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fte: dict[Profession, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    fte_change: dict[Profession, float] = Field(default_factory=dict)
    task_shift: list[TaskShift] = Field(default_factory=list)
    direct_access: float = Field(0.0, ge=0, le=1)
    digital_resolution: float = Field(0.0, ge=-1, le=1)
    demand_growth: float = Field(0.0, ge=-0.9, le=5)
    opening_days: list[Weekday] | None = None
    policy: Literal[POLICIES] | None = None  # type: ignore[valid-type]

    @field_validator("opening_days")
    @classmethod
    def _some_days(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError("at least one opening day is needed")
        return value


class Scenario(BaseModel):
    """A validated scenario file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    stations: list[str] | None = None
    levers: Levers = Field(default_factory=Levers)

    def canonical(self) -> dict[str, Any]:
        """Content that determines results (the cache key): everything but the free texts."""
        return {"stations": sorted(self.stations) if self.stations else None,
                "levers": self.levers.model_dump(mode="json", by_alias=True)}  # fmt: skip


BASELINE = Scenario(name="Baseline")


@dataclass(frozen=True)
class ScenarioIssue:
    path: str
    line: int | None
    message: str

    def format(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.path or '(document)'}: {self.message}"


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``issues`` lists every problem with its YAML path and line."""

    def __init__(self, issues: list[ScenarioIssue], source: str = "<scenario>"):
        self.issues, self.source = issues, source
        super().__init__("\n".join(issue.format(source) for issue in issues))


def _marks(node: yaml.Node, path: tuple, marks: dict) -> None:
    marks[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value
            marks[(*path, name)] = key.start_mark.line + 1
            _marks(value, (*path, name), marks)
            marks[(*path, name)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _marks(item, (*path, index), marks)


def _line(marks: dict, loc: tuple) -> int | None:
    loc = tuple(loc)
    while loc:
        if loc in marks:
            return marks[loc]
        loc = loc[:-1]
    return marks.get(())


FIELDS = {
    (): "name, description, stations, levers",
    ("levers",): "fte, fte_change, task_shift, direct_access, digital_resolution, demand_growth, opening_days, policy",
}


def _message(error: dict) -> str:
    kind, message, loc = error["type"], error["msg"], tuple(error["loc"])
    if kind == "extra_forbidden":
        allowed = FIELDS.get(loc[:-1])
        return f"unknown field {loc[-1]!r}" + (f"; expected one of: {allowed}" if allowed else "")
    if kind == "greater_than_equal" and len(loc) >= 2 and loc[-2] in ("fte",):
        return f"FTE cannot be negative, got {error.get('input')!r}"
    if kind in ("less_than_equal", "greater_than_equal"):
        return f"{message}, got {error.get('input')!r}"
    if kind == "literal_error":
        return f"{message}, got {error.get('input')!r}"
    return message.removeprefix("Value error, ")


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Validate scenario YAML; raises ``ScenarioError`` naming each bad field's path and line."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise ScenarioError([ScenarioIssue("", line, f"not valid YAML: {getattr(error, 'problem', error)}")], source) from None
    if node is None or not isinstance(node, yaml.MappingNode):
        raise ScenarioError([ScenarioIssue("", 1, "expected a mapping with at least `name:`")], source)
    marks: dict = {}
    _marks(node, (), marks)
    data = yaml.safe_load(text)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        issues = []
        for problem in error.errors():
            loc = tuple(problem["loc"])
            path = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")
            issues.append(ScenarioIssue(path, _line(marks, loc), _message(problem)))
        issues.sort(key=lambda issue: (issue.line or 0, issue.path))
        raise ScenarioError(issues, source) from None


def load_scenario(path) -> Scenario:
    from pathlib import Path

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError([ScenarioIssue("", None, f"cannot read the file: {error.strerror}")], str(path)) from None
    return parse_scenario(text, str(path))


# --------------------------------------------------------------------------- applying levers


def _capacity_with(station: StationParams, levers: Levers, county_share: float) -> dict[str, Capacity]:
    caps = dict(station.capacity)
    for profession in {*levers.fte, *levers.fte_change}:
        current = caps.get(profession)
        base_fte = current.fte if current else 0.0
        fte = levers.fte.get(profession, base_fte) + levers.fte_change.get(profession, 0.0)
        if fte < 0:
            raise ScenarioError(
                [ScenarioIssue(f"levers.fte_change.{profession}", None,
                               f"would leave {station.station_id} with {fte:.2f} FTE of {profession}; FTE cannot be negative")]  # fmt: skip
            )
        if current is None:
            current = Capacity(0.0, NEW_PROFESSION_SLOTS_PER_FTE_DAY, county_share, 0)
        professionals = max(current.professionals, round(fte)) if fte > current.fte else current.professionals
        caps[profession] = Capacity(round(fte, 6), current.slots_per_fte_day, current.guarantee_share, max(professionals, 1))
    return caps


def _moved(demand: tuple[DemandStream, ...], select, to: str, share: float) -> tuple[DemandStream, ...]:
    out = []
    for d in demand:
        if share > 0 and d.urgency == "non_urgent" and select(d) and d.profession != to:
            out.append(DemandStream(d.profession, d.urgency, d.channel, d.need_type, d.daily_rate * (1 - share), d.origin))
            out.append(DemandStream(to, d.urgency, d.channel, d.need_type, d.daily_rate * share, d.profession))
        else:
            out.append(d)
    return tuple(out)


def apply_scenario(params: ModelParams, scenario: Scenario) -> ModelParams:
    """The calibrated parameters with the scenario's levers applied."""
    levers = scenario.levers
    known = {s.station_id for s in params.stations}
    scope = set(scenario.stations) if scenario.stations else known
    unknown = sorted(scope - known)
    if unknown:
        raise ScenarioError([ScenarioIssue("stations", None, f"unknown station(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")])
    shares = [c.guarantee_share for s in params.stations for c in s.capacity.values()]
    county_share = sum(shares) / len(shares) if shares else NEW_PROFESSION_GUARANTEE_SHARE
    stations = []
    for s in params.stations:
        if s.station_id not in scope:
            stations.append(s)
            continue
        caps = _capacity_with(s, levers, county_share)
        demand = s.demand
        for number, shift in enumerate(levers.task_shift):
            if shift.to not in caps:
                raise ScenarioError([ScenarioIssue(f"levers.task_shift[{number}].to", None,
                                                   f"{s.station_id} has no {shift.to} capacity; add it with levers.fte")])  # fmt: skip
            demand = _moved(demand, lambda d, p=shift.from_: d.profession == p and not d.origin, shift.to, shift.share)
        if levers.direct_access > 0:
            if "physiotherapist" not in caps:
                raise ScenarioError([ScenarioIssue("levers.direct_access", None,
                                                   f"{s.station_id} has no physiotherapist capacity; add it with levers.fte")])  # fmt: skip
            demand = _moved(demand, lambda d: d.need_type == "musculoskeletal", "physiotherapist", levers.direct_access)
        resolution = s.remote_resolution
        if levers.digital_resolution:
            new = min(max(resolution + levers.digital_resolution, 0.0), MAX_RESOLUTION)
            factor = (1 - new) / (1 - resolution)
            demand = tuple(
                DemandStream(d.profession, d.urgency, d.channel, d.need_type,
                             d.daily_rate * factor if d.urgency == "non_urgent" else d.daily_rate, d.origin)  # fmt: skip
                for d in demand
            )
            resolution = new
        if levers.demand_growth:
            demand = tuple(
                DemandStream(d.profession, d.urgency, d.channel, d.need_type, d.daily_rate * (1 + levers.demand_growth), d.origin)
                for d in demand
            )
        regular = {p: s.regular_share.get(p, 0.0) for p in caps}
        stations.append(StationParams(s.station_id, s.name, demand, caps, resolution, s.no_show, regular, s.later, s.profile))
    changes: dict[str, Any] = {"stations": tuple(stations)}
    if levers.opening_days is not None:
        changes["open_weekdays"] = tuple(sorted(WEEKDAYS.index(d) for d in levers.opening_days))
    if levers.policy is not None:
        changes["policy"] = levers.policy
    return params.replace(**changes)
