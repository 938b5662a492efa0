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
from valvomo.services.i18n import N_
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


# The indicators whose figure depends on the care-need assessment being recorded (indicators.md,
# "Access"): their rows carry the recording verdict.
CARE_GUARANTEE_INDICATORS = ("access_7d", "access_14d", "access_3m", "waiting_days_median", "waiting_days_p90")
RECORDING_INDICATOR = "assessment_recording"
DIMENSIONS = ("station_id", "profession", "municipality", "age_band", "language", "contact_class")
# How the CLI's table and the report name a ``target_status`` (gettext msgids).
TARGET_STATUS_MSGIDS = {"met": N_("Target met"), "below": N_("Below target"), "no_target": N_("No target"),
                        "no_data": N_("No data")}
STATUS_FIELDS = ("target", "target_status", "below_target_since", "quarters_below_target",
                 "recording_complete", "recording_threshold")


def annotate_status(
    rows: Sequence[dict],
    targets: Mapping[str, Sequence[Target]],
    directions: Mapping[str, str],
    recording_rows: Sequence[dict] = (),
) -> list[dict]:
    """``rows`` (output contract) with the target status of each row's own period: ``target``
    (the target in force), ``target_status`` (``met``, ``below``, ``no_target`` or ``no_data``),
    ``below_target_since`` and ``quarters_below_target`` (the streak ending at the row's period,
    counted in periods of the rows' kind; 0 when met) and, for care-guarantee indicators,
    ``recording_complete`` and ``recording_threshold``. ``recording_rows`` are the
    ``assessment_recording`` rows at the same period kind, by station when the rows are (else the
    county's): a station's recording verdict applies to every figure of that station and period.
    Distribution rows (with ``bin``) have no target and are returned unchanged."""
    series: dict[tuple, dict[str, float | None]] = {}
    for row in rows:
        if "bin" in row:
            continue
        key = (row["indicator"], *(row.get(d) for d in DIMENSIONS))
        series.setdefault(key, {})[row["period"]] = row.get("value")
    recording = {(r["period"], r.get("station_id")): r.get("value") for r in recording_rows}
    out = []
    for row in rows:
        row = dict(row)
        out.append(row)
        if "bin" in row:
            continue
        indicator, period, value = row["indicator"], row["period"], row.get("value")
        indicator_targets = tuple(targets.get(indicator, ()))
        in_force = target_in_force(indicator_targets, period)
        row["target"] = in_force.value if in_force is not None else None
        if in_force is None:
            row["target_status"] = "no_target"
        elif value is None:
            row["target_status"] = "no_data"
        else:
            met = meets(value, in_force.value, directions[indicator], in_force.strict)
            row["target_status"] = "met" if met else "below"
        streak = None
        if row["target_status"] == "below":
            key = (indicator, *(row.get(d) for d in DIMENSIONS))
            streak = below_target_streak(series[key], indicator_targets, directions[indicator], period)
        row["below_target_since"] = streak.since if streak else None
        row["quarters_below_target"] = streak.periods if streak else (0 if row["target_status"] == "met" else None)
        if indicator in CARE_GUARANTEE_INDICATORS:
            row["recording_complete"] = recording_complete(recording.get((period, row.get("station_id"))))
            row["recording_threshold"] = RECORDING_THRESHOLD
    return out


def status_rows(
    store,
    indicators: Sequence[str] | None,
    *,
    period: str = "quarter",
    by: str | Sequence[str] = (),
    start=None,
    end=None,
    profile: str | None = None,
) -> list[dict]:
    """The rows of ``store.query`` annotated by ``annotate_status``: what ``GET
    /api/indicators/{id}/status`` and ``valvomo indicators --status`` print. The streak counts back
    over the whole history, so ``start`` only filters the rows returned; the recording shares are
    read with the same disclosure profile as the figures."""
    from valvomo.services.periods import period_within
    from valvomo.services.results import parse_by
    from valvomo.services.targets import targets_for

    rows = store.query(indicators, period=period, by=by, end=end, profile=profile)
    names = sorted({row["indicator"] for row in rows})
    registry = store.registry
    targets = {name: targets_for(name, store.settings, registry=registry) for name in names}
    directions = {name: registry.get(name).direction for name in names}
    recording: list[dict] = []
    if any(name in CARE_GUARANTEE_INDICATORS for name in names) and RECORDING_INDICATOR in registry:
        station = "station" in parse_by(by)
        recording = store.query([RECORDING_INDICATOR], period=period, by=("station",) if station else (),
                                end=end, profile=profile)
    annotated = annotate_status(rows, targets, directions, recording)
    if start is not None:
        annotated = [row for row in annotated if period_within(row["period"], start, None)]
    return annotated
