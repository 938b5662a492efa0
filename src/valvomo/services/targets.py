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

``target_status`` says whether a series of values has met a target, is on the
linear path towards it, or is behind (see its docstring for the arithmetic).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from valvomo.config import Settings
from valvomo.indicators.registry import REGISTRY, Registry, Target
from valvomo.services.periods import PeriodLabelError, period_bounds

TargetStatus = Literal["met", "on_track", "off_track", "no_data"]
TARGET_STATUSES: tuple[TargetStatus, ...] = ("met", "on_track", "off_track", "no_data")
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
        text = str(value)
        try:
            period_bounds(text)
        except PeriodLabelError as error:
            raise ValueError(str(error)) from None
        return text

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


def all_targets(
    settings: Settings | None = None, *, registry: Registry = REGISTRY
) -> dict[str, tuple[Target, ...]]:
    """Targets in force for every registry indicator (indicators without targets map to ``()``)."""
    return {indicator.id: targets_for(indicator.id, settings, registry=registry) for indicator in registry}


# --- status ------------------------------------------------------------------------------------------


def meets(value: float, target: float, direction: str, strict: bool = False) -> bool:
    """Whether ``value`` reaches ``target``: >= (or > when strict) when higher is better, <= (<) when lower."""
    close = math.isclose(value, target, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    if direction == "lower":
        return value < target and not close if strict else value < target or close
    return value > target and not close if strict else value > target or close


def _at_least_as_good(value: float, reference: float, direction: str) -> bool:
    return meets(value, reference, direction, strict=False)


def target_status(
    series: Sequence[tuple[str, float | None]],
    target: Target | float,
    direction: str,
    baseline: float | None = None,
    *,
    baseline_period: str | None = None,
    strict: bool | None = None,
    deadline: str | None = None,
) -> TargetStatus:
    """Met, on track, off track or no data for one target.

    ``series`` holds (period label, value) pairs; null values (no data, or
    redacted) are ignored. ``target`` is a registry ``Target`` (its value,
    deadline and strictness are used) or a bare number with ``deadline=``.

    - no_data: no value in the series.
    - met: the latest value meets the target (>= target when higher is
      better, <= when lower; > and < when the target is strict).
    - off_track: not met and the latest period ends after the deadline period.
    - otherwise the latest value is compared with the linear path from the
      baseline to the target: path(t) = b + (T - b) x (t - t0) / (tD - t0),
      with t the last day of the latest period, t0 the last day of the baseline
      period (``baseline_period``, default the first period with a value) and
      tD the last day of the deadline period, in days. ``b`` is ``baseline``,
      default the first value. on_track when the latest value is at least as
      good as path(t) (>= when higher is better, <= when lower), else off_track.
      When t0 is not before tD the path is the target itself.

    ``direction`` "higher" or "lower"; for "none" the direction is the one from
    the baseline towards the target (a target above the baseline is to be
    reached from below).
    """
    if isinstance(target, Target):
        target_value, deadline = target.value, deadline or target.deadline
        strict = target.strict if strict is None else strict
    else:
        target_value = float(target)
        if deadline is None:
            raise ValueError("target_status needs a deadline for a bare target value")
    strict = bool(strict)
    observed = sorted(
        ((period_bounds(label)[1], label, float(value)) for label, value in series if value is not None),
        key=lambda item: item[0],
    )
    if not observed:
        return "no_data"
    latest_end, _, latest = observed[-1]
    if baseline_period is not None:
        baseline_end = period_bounds(baseline_period)[1]
    else:
        baseline_end = observed[0][0]
    start_value = observed[0][2] if baseline is None else float(baseline)
    if direction not in ("higher", "lower"):
        direction = "lower" if target_value < start_value else "higher"
    if meets(latest, target_value, direction, strict):
        return "met"
    deadline_end = period_bounds(deadline)[1]
    if latest_end > deadline_end:
        return "off_track"
    span = (deadline_end - baseline_end).days
    if span <= 0:
        path = target_value
    else:
        elapsed = min(max((latest_end - baseline_end).days, 0), span)
        path = start_value + (target_value - start_value) * elapsed / span
    return "on_track" if _at_least_as_good(latest, path, direction) else "off_track"


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
