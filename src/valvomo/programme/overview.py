"""One programme at one reporting period, assembled for reading.

The web pages, the JSON API and the self-assessment report all show the same
thing — per benefit goal the spearheads, their measures with the meter per
period, stalled measures, narratives, indicator results against targets,
risks by score and money — so it is assembled once here. Texts stay language
maps; the caller picks the language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from valvomo.programme import budget, linkstatus, periods, progress, risks
from valvomo.programme import models as m
from valvomo.programme.indicator_values import (
    IndicatorMeta,
    IndicatorValues,
    IndicatorValuesUnavailable,
    indicator_catalogue,
)
from valvomo.programme.service import latest_assessed_period
from valvomo.services.provenance import DataProvenance


@dataclass
class MeasureRow:
    measure: m.Measure
    values: list[int | None]  # stored percent per programme period; None after the report period
    current: int | None
    stalled: bool

    @property
    def id(self) -> int:
        return self.measure.id


@dataclass
class SpearheadView:
    spearhead: m.Spearhead
    measures: list[MeasureRow]
    mean_series: list[float | None]  # mean percent per shown period
    narratives: list[m.Narrative]
    primary: bool  # the goal is the spearhead's primary goal


@dataclass
class GoalView:
    goal: m.BenefitGoal
    spearheads: list[SpearheadView]
    distribution: progress.Distribution
    narratives: list[m.Narrative]
    indicators: list[linkstatus.LinkResult]


@dataclass
class ProgrammeOverview:
    programme: m.Programme
    period: str
    periods: list[str]  # every reporting period of the programme
    shown_periods: list[str]  # up to and including ``period``
    indicator_period: str  # the indicator period ``period`` reports
    goals: list[GoalView]
    stalled: list[MeasureRow]
    indicators: list[linkstatus.LinkResult]  # every link, in plan order
    general_indicators: list[linkstatus.LinkResult]  # links tied to no goal or spearhead
    risks: list[m.Risk]  # highest score first
    budget: budget.BudgetSummary
    distribution: progress.Distribution
    warnings: list[str] = field(default_factory=list)
    provenance: DataProvenance | None = None  # the warehouse the registry values come from


def data_source(values: IndicatorValues | None) -> DataProvenance | None:
    """The provenance of ``values`` when its adapter knows it (``provenance()``), else None."""
    describe = getattr(values, "provenance", None)
    return describe() if callable(describe) else None


def periods_with_data(programme: m.Programme, values: IndicatorValues | None = None) -> set[str]:
    """Reporting periods that have data: an assessed measure, or a computed value of one of the
    programme's registry indicators at the indicator period the reporting period maps to."""
    have = {a.period for measure in programme.measures() for a in measure.assessments}
    if values is None:
        return have
    kind = periods.indicator_period_kind(programme.cadence)  # type: ignore[arg-type]
    computed: set[str] = set()
    for link in programme.indicator_links:
        if link.source != "registry" or not link.indicator_id:
            continue
        try:
            found = values.series(link.indicator_id, kind, start=programme.start_date)
        except (IndicatorValuesUnavailable, LookupError, ValueError):
            continue  # the link reports its own error on the page
        computed.update(label for label, value in found.items() if value is not None)
    for label in programme.period_labels:
        if periods.indicator_period(label, programme.cadence) in computed:  # type: ignore[arg-type]
            have.add(label)
    return have


def default_period(programme: m.Programme, values: IndicatorValues | None = None) -> str:
    """The latest reporting period that has data (``periods_with_data``), else the latest assessed,
    else the first reporting period: a page never opens on a period before its data begin."""
    have = periods_with_data(programme, values)
    for label in reversed(programme.period_labels):
        if label in have:
            return label
    return latest_assessed_period(programme) or programme.period_labels[0]


def _link_goal(link: m.IndicatorLink) -> m.BenefitGoal | None:
    if link.goal is not None:
        return link.goal
    if link.spearhead is not None:
        return link.spearhead.goal
    return None


def build_overview(
    programme: m.Programme,
    period: str | None = None,
    values: IndicatorValues | None = None,
    catalogue: dict[str, IndicatorMeta] | None = None,
) -> ProgrammeOverview:
    """Assemble the overview of ``programme`` at ``period`` (default: the latest period with data)."""
    period = period or default_period(programme, values)
    shown = progress.periods_until(programme, period)
    all_periods = programme.period_labels
    catalogue = indicator_catalogue() if catalogue is None else catalogue

    rows: dict[int, MeasureRow] = {}
    for measure in programme.measures():
        series = progress.measure_series(measure, all_periods)
        values_shown = [value if label in shown else None for value, label in zip(series, all_periods, strict=True)]
        current = measure.assessment_for(period)
        rows[id(measure)] = MeasureRow(
            measure=measure,
            values=values_shown,
            current=current.percent if current else None,
            stalled=progress.is_stalled(measure, programme, period),
        )

    results = [linkstatus.evaluate_link(link, programme, period, values, catalogue) for link in programme.indicator_links]
    warnings = sorted({f"{r.key}: {r.error}" for r in results if r.error})

    goal_views = []
    for goal in programme.goals:
        spearhead_views = []
        for spearhead in programme.spearheads:
            measures = [m_ for m_ in spearhead.measures if m_.effective_goal is goal]
            primary = spearhead.goal is goal
            if not measures and not primary:
                continue
            narratives = [
                n
                for n in programme.narratives
                if n.spearhead is spearhead and (n.goal or spearhead.goal) is goal and n.period in shown
            ]
            spearhead_views.append(
                SpearheadView(
                    spearhead=spearhead,
                    measures=[rows[id(m_)] for m_ in measures],
                    mean_series=progress.mean_series(measures, shown),
                    narratives=narratives,
                    primary=primary,
                )
            )
        goal_measures = progress.measures_of_goal(programme, goal)
        goal_views.append(
            GoalView(
                goal=goal,
                spearheads=spearhead_views,
                distribution=progress.distribution(goal_measures, period),
                narratives=[n for n in programme.narratives if n.spearhead is None and n.goal is goal and n.period in shown],
                indicators=[r for r in results if _link_goal(r.link) is goal],
            )
        )
    until = periods.end_date(period)
    return ProgrammeOverview(
        programme=programme,
        period=period,
        periods=all_periods,
        shown_periods=shown,
        indicator_period=periods.indicator_period(period, programme.cadence),  # type: ignore[arg-type]
        goals=goal_views,
        stalled=[row for row in rows.values() if row.stalled],
        indicators=results,
        general_indicators=[r for r in results if _link_goal(r.link) is None],
        risks=risks.by_score(list(programme.risks)),
        budget=budget.summary(programme, until),
        distribution=progress.distribution(programme.measures(), period),
        warnings=warnings,
        provenance=data_source(values),
    )
