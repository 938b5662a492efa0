"""Target status arithmetic: met / on track / off track.

A plan states where an indicator starts (baseline), where it should be by an
interim deadline and where by the final deadline (e.g. the RRP's 7-day share:
66 % by 2024Q2, 80 % by 2025Q4). The expected value at any date is the linear
path through those points; a value is *on track* when it is at least as good
as the path (direction-aware: for T3 days lower is better), *met* when it
reaches the target, and *off track* otherwise — including a target whose
deadline has passed unmet. A yes/no target cannot be interpolated, so before
its deadline a 'no' counts as on track.

Everything here is pure arithmetic on numbers and dates, so that it can be
tested on hand-made cases and reused by the report, the web pages and the API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Direction = Literal["higher", "lower"]
Status = Literal["met", "on_track", "off_track", "no_data", "no_target"]
STATUSES: tuple[Status, ...] = ("met", "on_track", "off_track", "no_data", "no_target")


@dataclass(frozen=True)
class Point:
    """A value at a date: a baseline, or a target with its deadline."""

    value: float
    at: dt.date
    strict: bool = False  # a target written '> 60' rather than '>= 60'


@dataclass(frozen=True)
class Evaluation:
    """The status of a value at a date against a link's targets."""

    status: Status
    expected: float | None  # the value on the path at that date
    interim: Status | None  # status against the interim target alone (None when there is none)
    final: Status | None  # status against the final target (None when there is none)


def meets(value: float, target: Point, direction: Direction) -> bool:
    """Whether ``value`` reaches ``target`` in the indicator's good direction."""
    if direction == "higher":
        return value > target.value if target.strict else value >= target.value
    return value < target.value if target.strict else value <= target.value


def at_least_as_good(value: float, reference: float, direction: Direction) -> bool:
    return value >= reference if direction == "higher" else value <= reference


def path_value(points: list[Point], at: dt.date) -> float:
    """The linear path through ``points`` (sorted by date) evaluated at ``at``.

    Before the first point the path is flat at its value; after the last, flat
    at the last value.
    """
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
    direction: Direction,
    path: list[Point],
    *,
    binary: bool = False,
) -> Status:
    """Status of ``value`` at ``at`` against one ``target``, reached along ``path``.

    ``path`` holds the points before the target (baseline, earlier targets);
    without any, a non-binary target cannot be judged before its deadline.
    """
    if value is None:
        return "no_data"
    if meets(value, target, direction):
        return "met"
    if at >= target.at:
        return "off_track"
    if binary:
        return "on_track"
    if not path:
        return "no_data"
    expected = path_value([*path, target], at)
    return "on_track" if at_least_as_good(value, expected, direction) else "off_track"


def evaluate(
    value: float | None,
    at: dt.date,
    direction: Direction,
    *,
    baseline: Point | None = None,
    interim: Point | None = None,
    final: Point | None = None,
    binary: bool = False,
) -> Evaluation:
    """Overall and per-target status of ``value`` observed at ``at``.

    The overall status is the status against the next target not yet due
    (the final one once every deadline has passed); a value that already
    meets the final target is met.
    """
    if interim is None and final is None:
        return Evaluation("no_target" if value is not None else "no_data", None, None, None)
    base = [baseline] if baseline is not None else []
    interim_status = (
        status_against(value, at, interim, direction, base, binary=binary) if interim is not None else None
    )
    final_path = [*base, interim] if interim is not None and (final is None or interim.at < final.at) else base
    final_status = (
        status_against(value, at, final, direction, final_path, binary=binary) if final is not None else None
    )
    points = [p for p in (baseline, interim, final) if p is not None]
    expected = path_value(points, at) if baseline is not None and not binary else None
    if value is None:
        return Evaluation("no_data", expected, interim_status, final_status)
    if final_status == "met":
        overall: Status = "met"
    elif interim is not None and at < interim.at:
        overall = interim_status or "no_data"
    elif final is not None:
        overall = final_status or "no_data"
    else:
        overall = interim_status or "no_data"
    return Evaluation(overall, expected, interim_status, final_status)
