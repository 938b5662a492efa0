"""Comparison across programmes: the national evaluator's view.

For each programme at its latest assessed period (or a period chosen per
programme): how its measures are spread over the meter steps per benefit goal,
and the values of registry indicators that several plans link to, side by
side. Benefit goals are matched by kind and number (the five national goals
are the same in every Future Health and Social Services Centre plan; RRP
investments 1–4 are matched among RRP plans).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from valvomo.programme import linkstatus, progress
from valvomo.programme import models as m
from valvomo.programme.indicator_values import IndicatorValues, indicator_catalogue
from valvomo.programme.overview import default_period


@dataclass(frozen=True)
class GoalProgress:
    programme_id: str
    programme_name: dict[str, str]
    period: str
    goal_kind: str
    goal_number: int
    goal_name: dict[str, str]
    distribution: progress.Distribution
    stalled: int


@dataclass(frozen=True)
class IndicatorSideBySide:
    indicator_id: str
    names: dict[str, str]
    cells: dict[str, linkstatus.LinkResult]  # programme id -> result


@dataclass
class Comparison:
    programmes: list[m.Programme]
    periods: dict[str, str]  # programme id -> period compared
    goals: list[GoalProgress] = field(default_factory=list)
    indicators: list[IndicatorSideBySide] = field(default_factory=list)

    def goal_keys(self) -> list[tuple[str, int]]:
        seen: list[tuple[str, int]] = []
        for row in self.goals:
            key = (row.goal_kind, row.goal_number)
            if key not in seen:
                seen.append(key)
        return sorted(seen)

    def row(self, programme_id: str, goal_kind: str, goal_number: int) -> GoalProgress | None:
        return next(
            (r for r in self.goals if (r.programme_id, r.goal_kind, r.goal_number) == (programme_id, goal_kind, goal_number)),
            None,
        )


def compare(
    programmes: list[m.Programme],
    values: IndicatorValues | None = None,
    chosen_periods: Mapping[str, str] | None = None,
) -> Comparison:
    """Progress distribution per benefit goal and shared indicators, programme by programme."""
    chosen_periods = chosen_periods or {}
    catalogue = indicator_catalogue()
    comparison = Comparison(programmes=list(programmes), periods={})
    shared: dict[str, IndicatorSideBySide] = {}
    for programme in programmes:
        period = chosen_periods.get(programme.id) or default_period(programme)
        comparison.periods[programme.id] = period
        stalled = progress.stalled_measures(programme, period)
        for goal in programme.goals:
            measures = progress.measures_of_goal(programme, goal)
            comparison.goals.append(
                GoalProgress(
                    programme_id=programme.id,
                    programme_name=dict(programme.name),
                    period=period,
                    goal_kind=programme.goal_kind,
                    goal_number=goal.number,
                    goal_name=dict(goal.name),
                    distribution=progress.distribution(measures, period),
                    stalled=sum(1 for measure in stalled if measure in measures),
                )
            )
        for link in programme.indicator_links:
            if link.source != "registry" or not link.indicator_id:
                continue
            result = linkstatus.evaluate_link(link, programme, period, values, catalogue)
            entry = shared.setdefault(
                link.indicator_id, IndicatorSideBySide(link.indicator_id, dict(result.names), {})
            )
            entry.cells.setdefault(programme.id, result)
    comparison.indicators = sorted(shared.values(), key=lambda entry: entry.indicator_id)
    return comparison
