"""Indicator links evaluated for a reporting period: series, baseline, status.

Registry indicators take their values from an ``IndicatorValues`` (the
indicator engine through the results service), at the indicator granularity
the programme's cadence maps to (``periods``); manual indicators use the
values recorded in the plan. A baseline without a value is computed from the
engine at its period, so that the starting point of a registry indicator is
not typed either. Values of registry indicators at a period are taken
exactly; a manual value counts from the period it was recorded for onwards.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from valvomo.programme import models as m
from valvomo.programme import periods, targets
from valvomo.programme.indicator_values import IndicatorMeta, IndicatorValues, indicator_catalogue
from valvomo.services.results import data_errors

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeriesPoint:
    label: str
    value: float | None
    suppressed: bool = False


@dataclass
class LinkResult:
    """Everything the report and the web page show about one indicator link."""

    link: m.IndicatorLink
    key: str
    names: dict[str, str]
    source: str
    indicator_id: str | None
    kind: str  # share, days, ..., yes_no
    direction: str | None
    scope: str
    period_kind: periods.PeriodKind
    series: list[SeriesPoint] = field(default_factory=list)
    current: SeriesPoint | None = None
    baseline: targets.Point | None = None
    baseline_label: str | None = None
    baseline_computed: bool = False
    interim: targets.Point | None = None
    final: targets.Point | None = None
    evaluation: targets.Evaluation | None = None
    error: str | None = None

    @property
    def binary(self) -> bool:
        return self.kind == "yes_no"

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("fi") or self.names.get("en") or self.key


def _meta(link: m.IndicatorLink, catalogue: dict[str, IndicatorMeta]) -> IndicatorMeta | None:
    return catalogue.get(link.indicator_id) if link.indicator_id else None


def _names(link: m.IndicatorLink, meta: IndicatorMeta | None) -> dict[str, str]:
    names = dict(meta.names) if meta else {}
    names.update(link.name or {})
    return names


def _fetch_value(values: IndicatorValues, indicator_id: str, label: str, fallback_kind: periods.PeriodKind) -> tuple[str, float | None, bool] | None:
    period = periods.parse(label)
    kind: periods.PeriodKind = fallback_kind if period.kind == "day" else period.kind  # type: ignore[assignment]
    target_label = periods.label_of(kind, period.end) if period.kind == "day" else label
    if period.kind == "month" and "/" in label:
        target_label = periods.label_of("month", period.start)
    bounds = periods.parse(target_label)
    found = values.series(indicator_id, kind, start=bounds.start, end=bounds.end)
    if target_label not in found:
        return None
    value = found[target_label]
    return target_label, value, value is None


def evaluate_link(
    link: m.IndicatorLink,
    programme: m.Programme,
    period: str,
    values: IndicatorValues | None,
    catalogue: dict[str, IndicatorMeta] | None = None,
) -> LinkResult:
    """The link's series up to ``period``, its value there and its target status."""
    catalogue = indicator_catalogue() if catalogue is None else catalogue
    meta = _meta(link, catalogue)
    kind = "yes_no" if link.manual_kind == "yes_no" else (link.unit or (meta.unit if meta else "count"))
    direction = link.direction or ("higher" if link.manual_kind == "yes_no" else None)
    if direction is None and meta is not None and meta.direction in ("higher", "lower"):
        direction = meta.direction
    period_kind = periods.indicator_period_kind(programme.cadence)  # type: ignore[arg-type]
    result = LinkResult(
        link=link,
        key=link.key,
        names=_names(link, meta),
        source=link.source,
        indicator_id=link.indicator_id,
        kind=kind,
        direction=direction,
        scope=link.scope,
        period_kind=period_kind,
    )
    report_label = periods.indicator_period(period, programme.cadence)  # type: ignore[arg-type]
    # Registry values are read for the mapped indicator period; manual values
    # are recorded against the programme's own period and count until its end.
    at = periods.end_date(report_label) if link.source == "registry" else periods.end_date(period)
    if link.interim_deadline:
        result.interim = targets.Point(link.interim_value, periods.end_date(link.interim_deadline), link.interim_strict)  # type: ignore[arg-type]
    if link.final_deadline:
        result.final = targets.Point(link.final_value, periods.end_date(link.final_deadline), link.final_strict)  # type: ignore[arg-type]

    if link.source == "registry":
        _registry_series(result, link, programme, report_label, values)
    else:
        _manual_series(result, link, at)
    if link.baseline_at:
        result.baseline_label = link.baseline_at
        baseline_date = periods.end_date(link.baseline_at)
        if link.baseline_value is not None:
            result.baseline = targets.Point(link.baseline_value, baseline_date)
        elif link.source == "registry" and values is not None and link.indicator_id and result.error is None:
            try:
                fetched = _fetch_value(values, link.indicator_id, link.baseline_at, period_kind)
            except data_errors() as exc:  # the failure is reported in the result, not raised
                log.warning("baseline of %s at %s failed", link.indicator_id, link.baseline_at, exc_info=True)
                result.error = f"{type(exc).__name__}: {exc}"
                fetched = None
            if fetched is not None and fetched[1] is not None:
                result.baseline = targets.Point(fetched[1], baseline_date)
                result.baseline_computed = True
    if direction in ("higher", "lower"):
        value = result.current.value if result.current else None
        result.evaluation = targets.evaluate(
            value,
            at,
            direction,  # type: ignore[arg-type]
            baseline=result.baseline,
            interim=result.interim,
            final=result.final,
            binary=result.binary,
        )
    else:
        has_value = result.current is not None and result.current.value is not None
        status: targets.Status = "no_data" if not has_value else "no_target"
        result.evaluation = targets.Evaluation(status, None, None, None)
    return result


def _registry_series(
    result: LinkResult, link: m.IndicatorLink, programme: m.Programme, report_label: str, values: IndicatorValues | None
) -> None:
    if values is None or not link.indicator_id:
        result.error = "no indicator values available"
        return
    end = periods.end_date(report_label)
    try:
        found = values.series(link.indicator_id, result.period_kind, start=programme.start_date, end=end)
    except data_errors() as exc:  # one unavailable indicator must not stop a report
        log.warning("indicator %s of the programme report failed", link.indicator_id, exc_info=True)
        result.error = f"{type(exc).__name__}: {exc}"
        return
    labels = sorted(
        (label for label in found if periods.parse(label).end <= end and periods.parse(label).end >= programme.start_date),
        key=periods.sort_key,
    )
    result.series = [SeriesPoint(label, found[label], found[label] is None) for label in labels]
    result.current = next((point for point in result.series if point.label == report_label), None)


def _manual_series(result: LinkResult, link: m.IndicatorLink, at: dt.date) -> None:
    points = [
        SeriesPoint(o.period, o.value) for o in sorted(link.observations, key=lambda o: periods.sort_key(o.period))
    ]
    result.series = [point for point in points if periods.parse(point.label).start <= at]
    result.current = result.series[-1] if result.series else None
