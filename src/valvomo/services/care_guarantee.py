"""Care-guarantee judgements shared by every interface: is a station's figure trustworthy, and
since when has it been below its target.

A station whose assessment recording is below ``RECORDING_THRESHOLD`` in a quarter cannot show
its care-guarantee figure honestly (indicators.md, ``assessment_recording``): the figure is
flagged. 90 % leaves room for the odd contact recorded late. The "below target since / quarters
in a row" streak counts back from the latest period while the value stays below the target in
force in each period (``targets.target_in_force``). The dashboard's overview, the API, the CLI
and the report take both from here, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from valvomo.indicators.registry import Target
from valvomo.services.periods import period_bounds
from valvomo.services.targets import meets, target_in_force

RECORDING_THRESHOLD = 0.9
# The figures whose reliability depends on assessment recording: flagged together with it.
CARE_GUARANTEE_INDICATORS: tuple[str, ...] = (
    "access_7d", "access_14d", "access_3m", "waiting_days_median", "waiting_days_p90",
)


def recording_complete(share: float | None) -> bool | None:
    """Whether an assessment-recording share is high enough to trust the care-guarantee figure
    (None when the share is unknown or hidden)."""
    if share is None:
        return None
    return share >= RECORDING_THRESHOLD


@dataclass(frozen=True)
class BelowTarget:
    """A station below its target: since which period, and for how many periods in a row."""

    since: str
    periods: int
    target: Target


def below_target_streak(
    values: Mapping[str, float | None], targets: Sequence[Target], direction: str, latest: str
) -> BelowTarget | None:
    """The streak ending at ``latest`` of periods below the target in force, or None when the
    latest value meets it or is unknown. ``values`` maps period labels to values (None hidden);
    a hidden or missing period ends the streak, since it cannot be said to be below."""
    if not targets:
        return None
    current = values.get(latest)
    in_force = target_in_force(targets, latest)
    if current is None or in_force is None or meets(current, in_force.value, direction, in_force.strict):
        return None
    since, run = latest, 0
    ordered = sorted((label for label in values if period_bounds(label)[1] <= period_bounds(latest)[1]),
                     key=lambda label: period_bounds(label)[1], reverse=True)
    later_start = None
    for label in ordered:
        value, target = values[label], target_in_force(targets, label)
        start, end = period_bounds(label)
        if later_start is not None and (later_start - end).days != 1:
            break  # a missing period ends the streak
        if value is None or target is None or meets(value, target.value, direction, target.strict):
            break
        since, run, later_start = label, run + 1, start
    return BelowTarget(since, run, in_force)
