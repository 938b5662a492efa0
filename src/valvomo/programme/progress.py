"""Progress on the process meter: series per measure, stalled measures, distributions.

All arithmetic is on stored percent, so Helsinki's percent meter and
Keski-Suomi's levels can be compared. A measure has *stalled* at a period when
it has a value there and in each of the ``window`` (default two) periods before
it, all equal and below 100 % — it has not moved for two reporting periods.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from valvomo.programme import meter
from valvomo.programme import models as m

STALL_WINDOW = 2


def periods_until(programme: m.Programme, period: str) -> list[str]:
    """The programme's periods up to and including ``period``."""
    labels = programme.period_labels
    if period not in labels:
        raise ValueError(f"{period!r} is not a reporting period of {programme.id!r} ({', '.join(labels)})")
    return labels[: labels.index(period) + 1]


def measure_series(measure: m.Measure, labels: list[str]) -> list[int | None]:
    """The measure's percent per period label (None: not assessed)."""
    by_period = {a.period: a.percent for a in measure.assessments}
    return [by_period.get(label) for label in labels]


def is_stalled(measure: m.Measure, programme: m.Programme, period: str, window: int = STALL_WINDOW) -> bool:
    labels = periods_until(programme, period)
    if len(labels) < window + 1:
        return False
    values = measure_series(measure, labels[-(window + 1) :])
    if any(value is None for value in values):
        return False
    return len(set(values)) == 1 and values[0] < 100  # type: ignore[operator]


def stalled_measures(programme: m.Programme, period: str, window: int = STALL_WINDOW) -> list[m.Measure]:
    """Measures that have not moved in ``window`` reporting periods up to ``period``."""
    return [measure for measure in programme.measures() if is_stalled(measure, programme, period, window)]


@dataclass
class Distribution:
    """How many measures stand at each meter step (and how many were not assessed)."""

    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(meter.PERCENT_STEPS, 0))
    not_assessed: int = 0

    @property
    def assessed(self) -> int:
        return sum(self.counts.values())

    @property
    def mean_percent(self) -> float | None:
        if not self.assessed:
            return None
        return sum(step * count for step, count in self.counts.items()) / self.assessed

    def add(self, percent: int | None) -> None:
        if percent is None:
            self.not_assessed += 1
        else:
            self.counts[percent] += 1


def distribution(measures: list[m.Measure], period: str) -> Distribution:
    result = Distribution()
    for measure in measures:
        assessment = measure.assessment_for(period)
        result.add(assessment.percent if assessment else None)
    return result


def measures_of_goal(programme: m.Programme, goal: m.BenefitGoal) -> list[m.Measure]:
    """Measures reported under ``goal`` (their own goal, else their spearhead's)."""
    return [measure for measure in programme.measures() if measure.effective_goal is goal]


def mean_series(measures: list[m.Measure], labels: list[str]) -> list[float | None]:
    """Mean percent of the assessed measures per period (None where none assessed)."""
    result: list[float | None] = []
    for label in labels:
        values = [a.percent for measure in measures if (a := measure.assessment_for(label)) is not None]
        result.append(sum(values) / len(values) if values else None)
    return result
