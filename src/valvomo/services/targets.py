"""Indicator targets: the registry's, optionally overridden by a county's YAML file, and their status.

The registry ships the national (RRP) and example regional targets. A county
sets its own in the file named by ``VALVOMO_TARGETS_FILE``: an indicator listed
there gets exactly the targets the file gives (an empty list removes them);
indicators not listed keep the registry's. The file is validated with pydantic
when it is first read, and every error names the indicator and the entry.

File format (docs/indicators.md, "Targets file")::

    access_7d:
      - value: 0.80          # shares are fractions 0-1
        deadline: 2025Q4     # a period label: 2025, 2025Q4 or 2025-12
        scope: regional      # national | regional
        source: Hyvinvointialueen strategia 2025
        strict: false        # true: "> value" ("< value" when lower is better)

``evaluate`` is the one target-status calculation of Valvomo: met, on the linear
path (on track), behind it (off track), or past the deadline without reaching it
(not met). ``series_status`` applies it to a registry series and its targets.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from valvomo.config import Settings
from valvomo.indicators.registry import REGISTRY, Registry, Target
from valvomo.services.periods import PeriodLabelError, normalise_period, period_bounds

TargetStatus = Literal["met", "on_track", "off_track", "not_met", "no_data", "no_target"]
TARGET_STATUSES: tuple[TargetStatus, ...] = ("met", "on_track", "off_track", "not_met", "no_data", "no_target")
# One wording per status; a msgid of the gettext catalogs (``pages`` domain), translated where shown.
STATUS_MSGIDS: dict[str, str] = {
    "met": "Target met",
    "on_track": "On track",
    "off_track": "Off track",
    "not_met": "Not met by the deadline",
    "no_data": "No data",
    "no_target": "No target",
}
# Two values closer than this are equal (a share of 66/100 meets a target of 0.66).
TOLERANCE = 1e-9


class TargetsFileError(ValueError):
    """The targets file cannot be read or does not follow the documented format."""


class TargetEntry(BaseModel):
    """One target in the YAML file."""

    model_config = ConfigDict(extra="forbid")

    value: float
    deadline: str
    scope: Literal["national", "regional"] = "regional"
    source: str = Field(min_length=1)
    strict: bool = False

    @field_validator("deadline", mode="before")
    @classmethod
    def _period_label(cls, value: object) -> str:
        try:
            return normalise_period(str(value))
        except PeriodLabelError as error:
            raise ValueError(str(error)) from None

    def to_target(self) -> Target:
        return Target(self.value, self.deadline, self.scope, self.source, self.strict)


def _describe(error: ValidationError) -> list[str]:
    messages = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "entry"
        messages.append(f"{where}: {item['msg']}")
    return messages


def load_target_overrides(
    path: Path | str, *, registry: Registry = REGISTRY
) -> dict[str, tuple[Target, ...]]:
    """Targets per indicator from a YAML file; raises ``TargetsFileError`` listing every problem."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetsFileError(f"targets file {path} does not exist (VALVOMO_TARGETS_FILE)") from None
    except yaml.YAMLError as error:
        raise TargetsFileError(f"targets file {path} is not valid YAML: {error}") from None
    if document is None:
        return {}
    if not isinstance(document, Mapping):
        raise TargetsFileError(
            f"targets file {path}: expected a mapping from indicator id to a list of targets, "
            f"got {type(document).__name__}"
        )
    problems: list[str] = []
    overrides: dict[str, tuple[Target, ...]] = {}
    for indicator_id, entries in document.items():
        if indicator_id not in registry:
            problems.append(f"{indicator_id}: unknown indicator (known: {', '.join(registry.ids())})")
            continue
        if entries is None:
            entries = []
        if not isinstance(entries, list):
            problems.append(f"{indicator_id}: expected a list of targets, got {type(entries).__name__}")
            continue
        unit = registry.get(indicator_id).unit
        targets = []
        for index, entry in enumerate(entries, start=1):
            place = f"{indicator_id}, target {index}"
            if not isinstance(entry, Mapping):
                problems.append(f"{place}: expected a mapping with value, deadline, scope, source, strict")
                continue
            try:
                parsed = TargetEntry.model_validate(dict(entry))
            except ValidationError as error:
                problems.extend(f"{place}: {message}" for message in _describe(error))
                continue
            if unit == "share" and not 0 <= parsed.value <= 1:
                problems.append(
                    f"{place}: value {parsed.value} is not a fraction; shares are 0-1 (write 0.8 for 80 %)"
                )
                continue
            targets.append(parsed.to_target())
        overrides[str(indicator_id)] = tuple(targets)
    if problems:
        raise TargetsFileError(f"targets file {path} has errors:\n  " + "\n  ".join(problems))
    return overrides


_CACHE: dict[tuple[str, float, int], dict[str, tuple[Target, ...]]] = {}


def target_overrides(settings: Settings, *, registry: Registry = REGISTRY) -> dict[str, tuple[Target, ...]]:
    """The overrides of ``settings.targets_file`` (none when unset), read once per file version."""
    if settings.targets_file is None:
        return {}
    path = Path(settings.targets_file).expanduser().resolve()
    try:
        key = (str(path), os.stat(path).st_mtime, id(registry))
    except FileNotFoundError:
        raise TargetsFileError(f"targets file {path} does not exist (VALVOMO_TARGETS_FILE)") from None
    if key not in _CACHE:
        _CACHE[key] = load_target_overrides(path, registry=registry)
    return _CACHE[key]


def targets_version(settings: Settings) -> str:
    """Names the targets in force for cache keys: the targets file and its modification time ("" when
    no file is configured, "missing" when it does not exist)."""
    if settings.targets_file is None:
        return ""
    path = Path(settings.targets_file).expanduser()
    try:
        return f"{path}@{os.stat(path).st_mtime_ns}"
    except FileNotFoundError:
        return f"{path}@missing"


def validate_targets(settings: Settings) -> None:
    """Check the targets file at start-up (CLI, web app); raises ``TargetsFileError``."""
    target_overrides(settings)


def targets_for(
    indicator_id: str, settings: Settings | None = None, *, registry: Registry = REGISTRY
) -> tuple[Target, ...]:
    """The targets in force for an indicator: the file's when it lists the indicator, else the registry's."""
    indicator = registry.get(indicator_id)
    if settings is not None:
        overrides = target_overrides(settings, registry=registry)
        if indicator_id in overrides:
            return overrides[indicator_id]
    return tuple(indicator.targets)



# --- status ------------------------------------------------------------------------------------------
#
# The one target-status calculation. The overview, the indicator pages, the programme pages, the
# self-assessment report (HTML/PDF/DOCX), the CLI and the API all call ``evaluate`` (directly, or
# through ``series_status`` / ``target_status`` for a registry series), and show the status with
# ``STATUS_MSGIDS`` translated by gettext, so one figure gets one verdict in one wording.


@dataclass(frozen=True)
class Point:
    """A value at a date: a baseline, or a target with its deadline (the last day of its period)."""

    value: float
    at: dt.date
    strict: bool = False  # a target written '> 60' rather than '>= 60'


@dataclass(frozen=True)
class Evaluation:
    """The status of a value at a date against its targets."""

    status: TargetStatus
    expected: float | None  # the value on the path at that date
    interim: TargetStatus | None  # status against the interim target alone (None when there is none)
    final: TargetStatus | None  # status against the final target (None when there is none)


def meets(value: float, target: float | Point, direction: str, strict: bool = False) -> bool:
    """Whether ``value`` reaches ``target``: >= (or > when strict) when higher is better, <= (<) when lower.

    ``target`` is a number (with ``strict``) or a ``Point`` (its own strictness). Values within
    ``TOLERANCE`` are equal, so a share of 66/100 meets a target of 0.66."""
    if isinstance(target, Point):
        target, strict = target.value, target.strict
    close = math.isclose(value, target, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    if direction == "lower":
        return value < target and not close if strict else value < target or close
    return value > target and not close if strict else value > target or close


def at_least_as_good(value: float, reference: float, direction: str) -> bool:
    return meets(value, reference, direction, strict=False)


def path_value(points: Sequence[Point], at: dt.date) -> float:
    """The linear path through ``points`` evaluated at ``at``: flat before the first and after the last."""
    if not points:
        raise ValueError("a path needs at least one point")
    ordered = sorted(points, key=lambda p: p.at)
    if at <= ordered[0].at:
        return ordered[0].value
    for left, right in zip(ordered, ordered[1:], strict=False):
        if at <= right.at:
            span = (right.at - left.at).days
            if span == 0:
                return right.value
            return left.value + (right.value - left.value) * (at - left.at).days / span
    return ordered[-1].value


def status_against(
    value: float | None,
    at: dt.date,
    target: Point,
    direction: str,
    path: Sequence[Point],
    *,
    binary: bool = False,
) -> TargetStatus:
    """Status of ``value`` at ``at`` against one ``target``, reached along ``path``.

    Met when the value reaches the target; **not met** once the deadline has come
    without reaching it (a past deadline is a verdict, not "off track"); before the
    deadline on track when at least as good as the linear path through ``path`` (the
    points before the target: baseline, earlier targets), else off track. A yes/no
    target cannot be interpolated, so before its deadline a 'no' is on track.
    """
    if value is None:
        return "no_data"
    if meets(value, target, direction):
        return "met"
    if at >= target.at:
        return "not_met"
    if binary:
        return "on_track"
    if not path:
        return "no_data"
    expected = path_value([*path, target], at)
    return "on_track" if at_least_as_good(value, expected, direction) else "off_track"


def evaluate(
    value: float | None,
    at: dt.date,
    direction: str,
    *,
    baseline: Point | None = None,
    interim: Point | None = None,
    final: Point | None = None,
    binary: bool = False,
) -> Evaluation:
    """Overall and per-target status of ``value`` observed at ``at`` (the end of its period).

    The path runs from the baseline through the interim target to the final one;
    once the interim deadline has passed it runs from the interim target to the
    final one whatever the baseline, so two callers with different baselines
    (the overview's first value, a plan's typed baseline) agree after it. The
    overall status is the status against the next target not yet due (the final
    one once every deadline has passed); a value already meeting the final target
    is met.
    """
    if interim is None and final is None:
        return Evaluation("no_target" if value is not None else "no_data", None, None, None)
    base = [baseline] if baseline is not None else []
    interim_status = (
        status_against(value, at, interim, direction, base, binary=binary) if interim is not None else None
    )
    if interim is not None and (final is None or interim.at < final.at):
        final_path = [*(p for p in base if p.at <= interim.at), interim]
    else:
        final_path = base
    final_status = (
        status_against(value, at, final, direction, final_path, binary=binary) if final is not None else None
    )
    expected = None
    if baseline is not None and not binary:
        points = [*final_path, final] if final is not None else [*base, interim]
        expected = path_value([p for p in points if p is not None], at)
    if value is None:
        return Evaluation("no_data", expected, interim_status, final_status)
    if final_status == "met":
        overall: TargetStatus = "met"
    elif interim is not None and at < interim.at:
        overall = interim_status or "no_data"
    elif final is not None:
        overall = final_status or "no_data"
    else:
        overall = interim_status or "no_data"
    return Evaluation(overall, expected, interim_status, final_status)


def series_status(
    series: Sequence[tuple[str, float | None]],
    targets: Sequence[Target],
    direction: str,
    *,
    baseline: float | None = None,
    baseline_period: str | None = None,
) -> Evaluation:
    """``evaluate`` for a registry indicator's series against its targets in force.

    ``series`` holds (period label, value) pairs; null values (no data, or
    redacted) are ignored and the latest value is judged at the last day of its
    period. The baseline is ``baseline`` at ``baseline_period`` (default: the
    first value of the series at its period). The last two targets by deadline
    are the interim and the final one. For direction "none" the direction is the
    one from the baseline towards the target.
    """
    observed = sorted(
        ((period_bounds(label)[1], float(value)) for label, value in series if value is not None),
        key=lambda item: item[0],
    )
    if not observed:
        return Evaluation("no_data", None, None, None)
    if not targets:
        return Evaluation("no_target", None, None, None)
    latest_at, latest = observed[-1]
    base_at = period_bounds(baseline_period)[1] if baseline_period is not None else observed[0][0]
    base_value = observed[0][1] if baseline is None else float(baseline)
    points = sorted(
        (Point(t.value, period_bounds(t.deadline)[1], t.strict) for t in targets), key=lambda p: p.at
    )
    final = points[-1]
    interim = points[-2] if len(points) > 1 else None
    if direction not in ("higher", "lower"):
        direction = "lower" if final.value < base_value else "higher"
    return evaluate(latest, latest_at, direction, baseline=Point(base_value, base_at), interim=interim, final=final)


def target_status(
    series: Sequence[tuple[str, float | None]],
    target: Target | Sequence[Target] | float,
    direction: str,
    baseline: float | None = None,
    *,
    baseline_period: str | None = None,
    strict: bool | None = None,
    deadline: str | None = None,
) -> TargetStatus:
    """The status of ``series_status`` for one target (a registry ``Target``, or a bare number with
    ``deadline=``) or for the whole tuple of targets in force."""
    if isinstance(target, Target):
        targets: Sequence[Target] = (target if strict is None else Target(
            target.value, deadline or target.deadline, target.scope, target.source, strict),)
    elif isinstance(target, int | float):
        if deadline is None:
            raise ValueError("target_status needs a deadline for a bare target value")
        targets = (Target(float(target), deadline, "regional", "", bool(strict)),)
    else:
        targets = tuple(target)
    return series_status(series, targets, direction, baseline=baseline, baseline_period=baseline_period).status


def upcoming_target(targets: Sequence[Target], period_label: str) -> Target | None:
    """The target being worked towards in a period: the first whose deadline has not passed, else the last."""
    if not targets:
        return None
    end = period_bounds(period_label)[1]
    ordered = sorted(targets, key=lambda t: period_bounds(t.deadline)[1])
    for target in ordered:
        if period_bounds(target.deadline)[1] >= end:
            return target
    return ordered[-1]


def target_in_force(targets: Sequence[Target], period_label: str) -> Target | None:
    """The level a unit should have reached in a period: the latest target whose deadline has
    passed (the deadline period included), else the first one (before any deadline)."""
    if not targets:
        return None
    end = period_bounds(period_label)[1]
    ordered = sorted(targets, key=lambda t: period_bounds(t.deadline)[1])
    passed = [t for t in ordered if period_bounds(t.deadline)[1] <= end]
    return passed[-1] if passed else ordered[0]


def indicator_status(
    indicator_id: str,
    series: Sequence[tuple[str, float | None]],
    settings: Settings | None = None,
    *,
    registry: Registry = REGISTRY,
) -> tuple[Target | None, Evaluation]:
    """The target shown beside an indicator's latest value and the series' status against the
    targets in force: what the overview, the CLI's headline table and the API report."""
    targets = targets_for(indicator_id, settings, registry=registry)
    labels = [label for label, value in series if value is not None]
    if not targets:
        return None, Evaluation("no_target" if labels else "no_data", None, None, None)
    if not labels:
        return upcoming_target(targets, max(label for label, _ in series)) if series else None, Evaluation(
            "no_data", None, None, None)
    latest = max(labels, key=lambda label: period_bounds(label)[1])
    evaluation = series_status(series, targets, registry.get(indicator_id).direction)
    return upcoming_target(targets, latest), evaluation
