"""View models of the programme pages: programme data in words and numbers of the reader's language.

Every figure here comes from ``valvomo.programme`` (``overview.build_overview``,
``compare.compare``, the stored plan) — stored meter values, means and
distributions computed there, indicator values read from the results service
and target statuses evaluated there. This module only selects, orders,
translates and formats them, and draws the charts from them, so the page, the
report and the API cannot disagree about a number.

Messages belong to the gettext domain ``programmes``
(``locale/<lang>/LC_MESSAGES/programmes.po``), which ``valvomo.web.i18n``
merges with the core and page catalogs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from valvomo.disclosure import format_cell
from valvomo.programme import meter, periods, risks
from valvomo.programme import models as m
from valvomo.programme.compare import Comparison
from valvomo.programme.linkstatus import LinkResult
from valvomo.programme.overview import GoalView, ProgrammeOverview, SpearheadView
from valvomo.programme.progress import Distribution
from valvomo.programme.service import ProgrammeSummary
from valvomo.programme.targets import STATUS_MSGIDS
from valvomo.services.cache import BoundedCache
from valvomo.web import charts, i18n
from valvomo.web.i18n import N_
from valvomo.web.segment_views import output_href

REPORT_FORMATS: tuple[tuple[str, str], ...] = (("html", "HTML"), ("pdf", "PDF"), ("docx", "Word (DOCX)"))
NOTE_MAX_LENGTH = 4000  # an assessment note is a paragraph or two, as in the seed self-assessments

STATUS_LABELS = STATUS_MSGIDS  # one wording per target status (services.targets)
CADENCE_LABELS = {
    "half_year": N_("twice a year"),
    "month": N_("monthly"),
    "quarter": N_("quarterly"),
    "year": N_("yearly"),
}
SCALE_LABELS = {"percent": N_("percent, 0–100 %"), "levels": N_("levels 1–5")}  # shown in parentheses
GOAL_KIND_LABELS = {"benefit_goals": N_("Benefit goal"), "investments": N_("Investment")}
SOURCE_LABELS = {"registry": N_("computed by Valvomo"), "manual": N_("recorded by the programme")}
SCOPE_LABELS = {"national": N_("national"), "regional": N_("regional")}
UNIT_LABELS = {
    "share": N_("share"),
    "days": N_("days"),
    "count": N_("count"),
    "eur": N_("euros"),
    "score": N_("score"),
    "rate_per_1000": N_("per 1,000 residents"),
    "index": N_("index"),
    "hours": N_("hours"),
    "ratio": N_("ratio"),
    "yes_no": N_("yes / no"),
}


# --- translation ---------------------------------------------------------------------------------


def gettext(lang: str, msgid: str, **params: Any) -> str:
    """``msgid`` in ``lang``; ``valvomo.web.i18n`` merges the ``programmes`` catalog with the others."""
    return i18n.gettext(lang, msgid, **params)


# --- texts and values ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A text of the plan in the language shown; ``lang`` is set when that is not the page's
    language (a Finnish measure name on a Swedish page), for the ``lang`` attribute."""

    text: str
    lang: str | None = None

    def __str__(self) -> str:
        return self.text


def localise(value: Mapping[str, str] | None, lang: str, fallback: str = "fi") -> Text:
    """A language map in ``lang``, else in the plan's language, else in any it has."""
    if not value:
        return Text("")
    if value.get(lang):
        return Text(value[lang])
    for candidate in (fallback, "fi", "en", "sv", *value):
        if value.get(candidate):
            return Text(value[candidate], candidate)
    return Text("")


def period_text(label: str | None, lang: str) -> str:
    """A programme or indicator period ('11/2021', '2024Q2', '2021-04') or a date for people."""
    if not label:
        return "–"
    try:
        parsed = periods.parse(label)
    except periods.PeriodError:
        return label
    if parsed.kind == "day":
        return i18n.format_date(parsed.start, lang)
    return i18n.format_period(label, lang)


def percent_text(value: float | None, lang: str, decimals: int = 0) -> str:
    """A meter percentage (0–100, not a share): '50 %' / '50%'; None → '–'."""
    if value is None:
        return "–"
    number = i18n.format_number(value, lang, decimals)
    return f"{number}%" if lang == "en" else f"{number}{i18n.NBSP}%"


def meter_value(percent: int | None, scale: str, lang: str) -> str:
    """A stored percent as the programme writes it: '25 %' or level '2'."""
    if percent is None:
        return "–"
    if scale == "levels":
        return str(meter.percent_to_level(percent))
    return percent_text(percent, lang)


def meter_value_with_label(percent: int | None, scale: str, lang: str) -> str:
    """'50 % (well under way)' / '3 (described)': the value and the step's wording."""
    if percent is None:
        return gettext(lang, "not assessed")
    return f"{meter_value(percent, scale, lang)} ({meter.label(percent, scale, lang)})"  # type: ignore[arg-type]


def indicator_value(value: float | None, kind: str, lang: str, profile: str, suppressed: bool = False) -> str:
    """An indicator value as the dashboard shows it ("<8" when redacted); yes/no in words."""
    if kind == "yes_no" and value is not None and not suppressed:
        return gettext(lang, "yes") if value >= 0.5 else gettext(lang, "no")
    unit = kind if kind in ("share", "eur", "count", "days", "hours", "score", "rate_per_1000") else None
    if kind in ("index", "ratio"):
        unit = "index"
    return format_cell(value, suppressed, lang, profile=profile, unit=unit)


def euros(value: Any, lang: str) -> str:
    return format_cell(float(value), False, lang, unit="eur")


# --- charts --------------------------------------------------------------------------------------

_CHART_CACHE: BoundedCache[str] = BoundedCache(256)


def _chart(draw: Callable[..., str], *args: Any, **kwargs: Any) -> str:
    """Draw a chart once per distinct input: programme data change only when someone records.
    The key is the drawing function and the ``repr`` of everything it is given (``_Fmt`` names its
    format), so a chart is redrawn whenever any of its inputs differs."""
    key = (draw.__module__, draw.__qualname__, repr(args), repr(sorted(kwargs.items(), key=lambda item: item[0])))
    return _CHART_CACHE.get_or_build(key, lambda: draw(*args, **kwargs))


class _Fmt:
    """A value formatter whose ``repr`` names what it does, so that it can be part of a chart's cache key."""

    def __init__(self, kind: str, lang: str, profile: str = "standard"):
        self.kind, self.lang, self.profile = kind, lang, profile

    def __call__(self, value: float) -> str:
        if self.kind == "meter":
            return percent_text(value, self.lang)
        return indicator_value(value, self.kind, self.lang, self.profile)

    def __repr__(self) -> str:
        return f"_Fmt({self.kind!r}, {self.lang!r}, {self.profile!r})"


# --- shared pieces -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    value: str
    text: str
    selected: bool = False


@dataclass
class DistributionRow:
    """How many measures stand at each meter step, as shown in a table row."""

    label: Text
    href: str | None
    period: str
    counts: list[str]
    not_assessed: str
    assessed: int
    measures: int  # assessed or not
    mean: str
    stalled: str = ""
    shares: list[float | None] = field(default_factory=list)  # per step, of the assessed measures
    key: str = ""  # a short name (the programme id in the comparison)


def step_headers(scale: str, lang: str) -> list[tuple[str, str]]:
    """Column headings for the meter steps: ('50 %', 'well under way') or ('3', 'described')."""
    return [(meter_value(p, scale, lang), meter.label(p, scale, lang)) for p in meter.PERCENT_STEPS]  # type: ignore[arg-type]


def distribution_row(label: Text, distribution: Distribution, period: str, lang: str, href: str | None = None,
                     stalled: int | None = None, key: str = "") -> DistributionRow:  # fmt: skip
    assessed = distribution.assessed
    return DistributionRow(
        label=label,
        href=href,
        period=period_text(period, lang),
        counts=[i18n.format_integer(distribution.counts[p], lang) for p in meter.PERCENT_STEPS],
        not_assessed=i18n.format_integer(distribution.not_assessed, lang),
        assessed=assessed,
        measures=assessed + distribution.not_assessed,
        mean=percent_text(distribution.mean_percent, lang, 1),
        stalled="" if stalled is None else i18n.format_integer(stalled, lang),
        shares=[distribution.counts[p] / assessed if assessed else None for p in meter.PERCENT_STEPS],
        key=key,
    )


def distribution_chart(rows: Sequence[DistributionRow], categories: Sequence[str], lang: str, title: str) -> str | None:
    """Stacked shares of the assessed measures per meter step, one bar per row."""
    if not any(row.assessed for row in rows):
        return None
    steps = [percent_text(p, lang) for p in meter.PERCENT_STEPS]
    stacks = {step: [row.shares[index] for row in rows] for index, step in enumerate(steps)}
    parts = []
    for category, row in zip(categories, rows, strict=True):
        if not row.assessed:
            parts.append(gettext(lang, "%(name)s: no measures assessed", name=category))
            continue
        shares = ", ".join(
            f"{step} {i18n.format_percent(share, lang, 0)}" for step, share in zip(steps, row.shares, strict=True)
        )
        parts.append(f"{category}: {shares}")
    desc = gettext(lang, "Share of the assessed measures at each step of the process meter.") + " " + "; ".join(parts)
    return _chart(
        charts.stacked_shares,
        list(categories),
        stacks,
        title=title,
        desc=desc,
        value_format=_Fmt("share", lang),
        y_label=gettext(lang, "Share of assessed measures"),
    )


# --- the programme list --------------------------------------------------------------------------


@dataclass
class ProgrammeLine:
    id: str
    href: str
    name: Text
    organisation: str
    meter: str
    cadence: str
    periods: str
    goals: str
    spearheads: str
    measures: str
    latest: str


def programme_list(summaries: Sequence[ProgrammeSummary], lang: str) -> list[ProgrammeLine]:
    lines = []
    for summary in summaries:
        lines.append(
            ProgrammeLine(
                id=summary.id,
                href=f"/programmes/{summary.id}",
                name=localise(summary.name, lang),
                organisation=summary.organisation,
                meter=gettext(lang, SCALE_LABELS.get(summary.meter_scale, summary.meter_scale)),
                cadence=gettext(lang, CADENCE_LABELS.get(summary.cadence, summary.cadence)),
                periods=", ".join(period_text(p, lang) for p in summary.periods),
                goals=i18n.format_integer(summary.goals, lang),
                spearheads=i18n.format_integer(summary.spearheads, lang),
                measures=i18n.format_integer(summary.measures, lang),
                latest=period_text(summary.latest_assessed_period, lang)
                if summary.latest_assessed_period
                else gettext(lang, "none yet"),
            )
        )
    return lines


# --- one programme -------------------------------------------------------------------------------


@dataclass
class MeasureLine:
    id: int
    dom_id: str
    name: Text
    unit: str
    group: Text | None
    cells: list[str]  # the meter per programme period; "" after the period shown
    current: str  # value and wording at the period shown
    stalled: bool
    note: Text | None  # the narrative recorded with the assessment of the period shown
    just_recorded: bool
    assess_href: str


@dataclass
class SpearheadBlock:
    number: int
    title: Text  # "3. Name"
    primary: bool
    measures: list[MeasureLine]
    means: list[str]  # mean progress per shown period
    narratives: list[tuple[str, str | None, Text]]  # (period, heading, text)


@dataclass
class IndicatorLine:
    key: str
    dom_id: str
    name: Text
    href: str | None
    source: str
    scope: str
    unit: str
    baseline: str
    interim: str
    final: str
    value: str
    value_period: str
    status: str
    status_text: str
    series: list[tuple[str, str]]  # (period, value) up to the period shown
    chart: str | None
    note: Text
    error: str  # why a computed indicator has no values, if it has none


@dataclass
class GoalSection:
    number: int
    dom_id: str
    title: Text
    goals_text: Text
    distribution: DistributionRow
    spearheads: list[SpearheadBlock]
    chart: str | None
    indicators: list[IndicatorLine]
    narratives: list[tuple[str, str | None, Text]]


@dataclass
class RiskLine:
    number: int
    description: Text
    probability: str
    impact: str
    score: str
    band: str
    mitigation: Text
    owner: str
    status: str


@dataclass
class BudgetLineView:
    name: Text
    goal: str
    planned: str
    actual: str
    used: str
    remaining: str


@dataclass
class OverviewPage:
    id: str
    title: Text
    organisation: str
    facts: list[tuple[str, str]]
    period: str
    period_label: str
    indicator_period: str
    period_options: list[Option]
    period_headers: list[str]
    shown: list[bool]
    shown_headers: list[str]
    scale: str
    scale_label: str
    legend: list[tuple[str, str]]
    step_headers: list[tuple[str, str]]
    goal_kind_label: str
    goal_table: list[DistributionRow]
    goal_chart: str | None
    total: DistributionRow
    stalled: list[tuple[MeasureLine, Text]]  # (measure, spearhead title)
    goals: list[GoalSection]
    general_indicators: list[IndicatorLine]
    risks: list[RiskLine]
    budget: list[BudgetLineView]
    budget_total: BudgetLineView | None
    budget_until: str
    warnings: list[str]
    report_periods: list[Option]
    report_formats: list[Option]
    report_languages: list[Option]
    recorded: MeasureLine | None = None
    can_record: bool = False


def _goal_title(goal_kind: str, number: int, name: Mapping[str, str], lang: str, fallback: str) -> Text:
    text = localise(name, lang, fallback)
    prefix = gettext(lang, GOAL_KIND_LABELS.get(goal_kind, "Benefit goal"))
    return Text(f"{prefix} {number}: {text.text}", text.lang)


def _spearhead_title(spearhead: m.Spearhead, lang: str, fallback: str) -> Text:
    text = localise(spearhead.name, lang, fallback)
    return Text(f"{spearhead.number}. {text.text}", text.lang)


def _deadline(value: float | None, deadline: str | None, strict: bool, direction: str | None, kind: str,
              lang: str, profile: str) -> str:  # fmt: skip
    """'≥ 80,0 % by Q4/2025'; '–' when the link has no such target."""
    if deadline is None or value is None:
        return "–"
    if kind == "yes_no":
        shown = gettext(lang, "yes") if value >= 0.5 else gettext(lang, "no")
    else:
        comparator = {"higher": ">" if strict else "≥", "lower": "<" if strict else "≤"}.get(direction or "", "")
        shown = f"{comparator} {indicator_value(value, kind, lang, profile)}".strip()
    return gettext(lang, "%(value)s by %(deadline)s", value=shown, deadline=period_text(deadline, lang))


def indicator_line(result: LinkResult, lang: str, profile: str, fallback: str) -> IndicatorLine:
    link = result.link
    names = localise(result.names, lang, fallback) if result.names else Text(result.key)
    evaluation = result.evaluation
    status = evaluation.status if evaluation else "no_data"
    if result.baseline is not None:
        baseline = indicator_value(result.baseline.value, result.kind, lang, profile)
        baseline += f" ({period_text(result.baseline_label, lang)})" if result.baseline_label else ""
        if result.baseline_computed:
            baseline += " – " + gettext(lang, "computed")
    elif result.baseline_label:
        baseline = f"– ({period_text(result.baseline_label, lang)})"
    else:
        baseline = "–"
    series = [
        (period_text(point.label, lang), indicator_value(point.value, result.kind, lang, profile, point.suppressed))
        for point in result.series
    ]
    chart = None
    numeric = [point for point in result.series if point.value is not None]
    if len(numeric) >= 2 and result.kind != "yes_no":
        chart = _indicator_chart(result, names.text, lang, profile)
    note = localise(link.note, lang, fallback) if link.note else Text("")
    error = gettext(lang, "The indicator engine could not provide the values.") if result.error else ""
    return IndicatorLine(
        key=result.key,
        dom_id=f"indicator-{result.key}",
        name=names,
        href=output_href(result.indicator_id) if result.source == "registry" and result.indicator_id else None,
        source=gettext(lang, SOURCE_LABELS.get(result.source, result.source)),
        scope=gettext(lang, SCOPE_LABELS.get(result.scope, result.scope)),
        unit=gettext(lang, UNIT_LABELS.get(result.kind, result.kind)),
        baseline=baseline,
        interim=_deadline(link.interim_value, link.interim_deadline, link.interim_strict, result.direction, result.kind,
                          lang, profile),  # fmt: skip
        final=_deadline(link.final_value, link.final_deadline, link.final_strict, result.direction, result.kind,
                        lang, profile),  # fmt: skip
        value=indicator_value(
            result.current.value if result.current else None,
            result.kind,
            lang,
            profile,
            bool(result.current and result.current.suppressed),
        ),
        value_period=period_text(result.current.label, lang) if result.current else "",
        status=status,
        status_text=gettext(lang, STATUS_LABELS.get(status, status)),
        series=series,
        chart=chart,
        note=note,
        error=error,
    )


def _indicator_chart(result: LinkResult, name: str, lang: str, profile: str) -> str:
    labels = [point.label for point in result.series]
    values = [point.value for point in result.series]
    targets = []
    for point, deadline, text in (
        (result.interim, result.link.interim_deadline, "Interim target"),
        (result.final, result.link.final_deadline, "Target"),
    ):
        if point is not None:
            shown = indicator_value(point.value, result.kind, lang, profile)
            targets.append(
                charts.TargetLine(
                    point.value, f"{gettext(lang, text)} {shown} ({period_text(deadline, lang)})",
                    deadline if deadline in labels else None,
                )  # fmt: skip
            )
    desc = "; ".join(
        f"{period_text(point.label, lang)}: {indicator_value(point.value, result.kind, lang, profile, point.suppressed)}"
        for point in result.series
    )
    if targets:
        desc += ". " + "; ".join(target.label for target in targets)
    return _chart(
        charts.trend_chart,
        labels,
        {name: values},
        title=gettext(lang, "%(name)s per period", name=name),
        desc=desc,
        category_labels=[period_text(label, lang) for label in labels],
        targets=targets,
        value_format=_Fmt(result.kind, lang, profile),
        deadline_text=gettext(lang, "deadline"),
    )


def _measure_line(row, programme: m.Programme, period: str, shown: Sequence[str], lang: str,
                  recorded_id: int | None) -> MeasureLine:  # fmt: skip
    measure: m.Measure = row.measure
    scale = programme.meter_scale
    cells = [
        (meter_value(value, scale, lang) if label in shown else "")
        for value, label in zip(row.values, programme.period_labels, strict=True)
    ]
    assessment = measure.assessment_for(period)
    # the language of a note is whatever its author wrote in, so it gets no lang attribute
    note = Text(assessment.narrative) if assessment and assessment.narrative else None
    return MeasureLine(
        id=measure.id,
        dom_id=f"measure-{measure.id}",
        name=localise(measure.name, lang, programme.language),
        unit=measure.unit or "",
        group=localise(measure.group_name, lang, programme.language) if measure.group_name else None,
        cells=cells,
        current=meter_value_with_label(row.current, scale, lang),
        stalled=row.stalled,
        note=note,
        just_recorded=measure.id == recorded_id,
        assess_href=f"/programmes/{programme.id}/assess?{urlencode({'measure': measure.id, 'period': period})}",
    )


def _spearhead_chart(views: Sequence[SpearheadView], shown: Sequence[str], lang: str, title: str) -> str | None:
    if not any(value is not None for view in views for value in view.mean_series):
        return None
    prefix = gettext(lang, "Spearhead")
    series = {f"{prefix} {view.spearhead.number}": view.mean_series for view in views}
    parts = []
    for name, values in series.items():
        points = ", ".join(
            f"{period_text(label, lang)} {percent_text(value, lang)}" for label, value in zip(shown, values, strict=True)
        )
        parts.append(f"{name}: {points}")
    desc = gettext(lang, "Mean progress of the measures on the process meter, per period.") + " " + "; ".join(parts)
    return _chart(
        charts.trend_chart,
        list(shown),
        series,
        title=title,
        desc=desc,
        category_labels=[period_text(label, lang) for label in shown],
        value_format=_Fmt("meter", lang),
        y_label=gettext(lang, "Mean progress"),
        y_range=(0, 105),
    )


def _narratives(items: Sequence[m.Narrative], lang: str, fallback: str) -> list[tuple[str, str | None, Text]]:
    return [(period_text(n.period, lang), n.heading, localise(n.text, lang, fallback)) for n in items]


def _goal_section(view: GoalView, ov: ProgrammeOverview, lang: str, profile: str,
                  recorded_id: int | None) -> GoalSection:  # fmt: skip
    programme = ov.programme
    fallback = programme.language
    title = _goal_title(programme.goal_kind, view.goal.number, view.goal.name, lang, fallback)
    blocks = []
    for sv in view.spearheads:
        blocks.append(
            SpearheadBlock(
                number=sv.spearhead.number,
                title=_spearhead_title(sv.spearhead, lang, fallback),
                primary=sv.primary,
                measures=[_measure_line(row, programme, ov.period, ov.shown_periods, lang, recorded_id)
                          for row in sv.measures],  # fmt: skip
                means=[percent_text(value, lang, 1) for value in sv.mean_series],
                narratives=_narratives(sv.narratives, lang, fallback),
            )
        )
    chart_views = [sv for sv in view.spearheads if sv.measures]
    chart = _spearhead_chart(
        chart_views, ov.shown_periods, lang,
        gettext(lang, "Mean progress of the spearheads: %(goal)s", goal=title.text),
    )  # fmt: skip
    return GoalSection(
        number=view.goal.number,
        dom_id=f"goal-{view.goal.number}",
        title=title,
        goals_text=localise(view.goal.goals_text, lang, fallback),
        distribution=distribution_row(title, view.distribution, ov.period, lang),
        spearheads=blocks,
        chart=chart,
        indicators=[indicator_line(result, lang, profile, fallback) for result in view.indicators],
        narratives=_narratives(view.narratives, lang, fallback),
    )


def report_options(programme: m.Programme, period: str, lang: str) -> tuple[list[Option], list[Option], list[Option]]:
    """Choices of the report download form: period, format and language (the page's by default)."""
    period_options = [Option(p, period_text(p, lang), p == period) for p in programme.period_labels]
    formats = [Option(code, text, code == "html") for code, text in REPORT_FORMATS]
    languages = [Option(code, i18n.LANGUAGE_NAMES[code], code == lang) for code in i18n.LANGUAGES]
    return period_options, formats, languages


def provenance_facts(ov: ProgrammeOverview, lang: str) -> list[tuple[str, str]]:
    """Which warehouse the computed values come from and the population coverage computed from
    it (residents in the data over the plan's population), never a typed percentage."""
    source = ov.provenance
    if source is None or source.snapshot_id is None:
        return [(gettext(lang, "Indicator values from"), gettext(lang, "no warehouse loaded"))]
    loaded = i18n.format_date(source.loaded_at, lang) if source.loaded_at else "–"
    facts = [(gettext(lang, "Indicator values from"),
              gettext(lang, "warehouse snapshot %(snapshot)s, loaded %(date)s", snapshot=source.snapshot_id,
                      date=loaded))]
    if source.residents is not None:
        facts.append((gettext(lang, "Residents in the data"),
                      f"{i18n.format_integer(source.residents, lang)} ({source.residents_year})"))
    coverage = source.coverage(ov.programme.population)
    if coverage is not None:
        facts.append((gettext(lang, "Population covered by the data (computed)"),
                      i18n.format_percent(coverage, lang, 1)))
    return facts


def overview_page(ov: ProgrammeOverview, lang: str, profile: str, *, can_record: bool = False,
                  recorded_id: int | None = None) -> OverviewPage:  # fmt: skip
    """Everything the programme page shows at ``ov.period``."""
    programme = ov.programme
    fallback = programme.language
    scale = programme.meter_scale
    goals = [_goal_section(view, ov, lang, profile, recorded_id) for view in ov.goals]
    goal_rows = [section.distribution for section in goals]
    goal_chart = distribution_chart(
        goal_rows,
        [gettext(lang, GOAL_KIND_LABELS.get(programme.goal_kind, "Benefit goal")) + f" {s.number}" for s in goals],
        lang,
        gettext(lang, "Progress of the measures per benefit goal in %(period)s", period=period_text(ov.period, lang)),
    )
    lines = {line.id: (line, block.title) for s in goals for block in s.spearheads for line in block.measures}
    stalled = [lines[row.measure.id] for row in ov.stalled if row.measure.id in lines]
    risk_lines = [
        RiskLine(
            number=index,
            description=localise(risk.description, lang, fallback),
            probability=str(risk.probability),
            impact=str(risk.impact),
            score=str(risk.score),
            band=risks.band_label(risks.band(risk.score), lang),
            mitigation=localise(risk.mitigation, lang, fallback),
            owner=risk.owner or "",
            status=risks.status_label(risk.status, lang),
        )
        for index, risk in enumerate(ov.risks, start=1)
    ]
    budget_lines = []
    for line in ov.budget.lines:
        where = []
        if line.goal_number is not None:
            where.append(gettext(lang, GOAL_KIND_LABELS.get(programme.goal_kind, "Benefit goal")) + f" {line.goal_number}")
        if line.spearhead_number is not None:
            where.append(gettext(lang, "Spearhead") + f" {line.spearhead_number}")
        budget_lines.append(
            BudgetLineView(
                name=localise(line.name, lang, fallback),
                goal=", ".join(where) or "–",
                planned=euros(line.planned, lang),
                actual=euros(line.actual, lang),
                used=i18n.format_percent(line.used_share, lang),
                remaining=euros(line.remaining, lang),
            )
        )
    total = None
    if ov.budget.lines:
        planned, actual = ov.budget.planned, ov.budget.actual
        total = BudgetLineView(
            name=Text(gettext(lang, "Total")),
            goal="",
            planned=euros(planned, lang),
            actual=euros(actual, lang),
            used=i18n.format_percent(float(actual / planned) if planned else None, lang),
            remaining=euros(planned - actual, lang),
        )
    facts = [
        (gettext(lang, "Organisation"), programme.organisation),
        (gettext(lang, "Programme period"),
         f"{i18n.format_date(programme.start_date, lang)} – {i18n.format_date(programme.end_date, lang)}"),
        (gettext(lang, "Reporting"), gettext(lang, CADENCE_LABELS.get(programme.cadence, programme.cadence))),
        (gettext(lang, "Process meter"), gettext(lang, SCALE_LABELS.get(scale, scale))),
        (gettext(lang, "Measures"), i18n.format_integer(len(programme.measures()), lang)),
    ]  # fmt: skip
    if programme.population:
        facts.append((gettext(lang, "Population"), i18n.format_integer(programme.population, lang)))
    facts += provenance_facts(ov, lang)
    report_periods, report_formats, report_languages = report_options(programme, ov.period, lang)
    recorded = next((line for line, _title in lines.values() if line.just_recorded), None)
    return OverviewPage(
        id=programme.id,
        title=localise(programme.name, lang, fallback),
        organisation=programme.organisation,
        facts=facts,
        period=ov.period,
        period_label=period_text(ov.period, lang),
        indicator_period=period_text(ov.indicator_period, lang),
        period_options=[Option(p, period_text(p, lang), p == ov.period) for p in ov.periods],
        period_headers=[period_text(p, lang) for p in ov.periods],
        shown=[p in ov.shown_periods for p in ov.periods],
        shown_headers=[period_text(p, lang) for p in ov.shown_periods],
        scale=scale,
        scale_label=gettext(lang, SCALE_LABELS.get(scale, scale)),
        legend=[(meter_value(p, scale, lang), meter.label(p, scale, lang)) for p in meter.PERCENT_STEPS],  # type: ignore[arg-type]
        step_headers=step_headers(scale, lang),
        goal_kind_label=gettext(lang, GOAL_KIND_LABELS.get(programme.goal_kind, "Benefit goal")),
        goal_table=goal_rows,
        goal_chart=goal_chart,
        total=distribution_row(Text(gettext(lang, "All measures")), ov.distribution, ov.period, lang),
        stalled=stalled,
        goals=goals,
        general_indicators=[indicator_line(result, lang, profile, fallback) for result in ov.general_indicators],
        risks=risk_lines,
        budget=budget_lines,
        budget_total=total,
        budget_until=i18n.format_date(ov.budget.until, lang) if ov.budget.until else "–",
        warnings=list(ov.warnings),
        report_periods=report_periods,
        report_formats=report_formats,
        report_languages=report_languages,
        recorded=recorded,
        can_record=can_record,
    )


# --- comparison ----------------------------------------------------------------------------------


@dataclass
class ComparisonGoal:
    dom_id: str
    title: Text
    rows: list[DistributionRow]
    chart: str | None


@dataclass
class SideBySide:
    indicator_id: str
    name: Text
    href: str
    cells: list[tuple[str, str, str, str] | None]  # per programme: (value, period, status, status text)


@dataclass
class ComparisonPage:
    programmes: list[tuple[str, Text, list[Option]]]  # (id, name, period choices)
    goals: list[ComparisonGoal]
    indicators: list[SideBySide]
    step_headers: list[str]


def comparison_page(comparison: Comparison, lang: str, profile: str) -> ComparisonPage:
    """Measures per meter step and goal, and shared registry indicators, programme by programme."""
    names = {p.id: localise(p.name, lang, p.language) for p in comparison.programmes}
    goals = []
    for kind, number in comparison.goal_keys():
        entries = [
            (programme, row)
            for programme in comparison.programmes
            if (row := comparison.row(programme.id, kind, number)) is not None
        ]
        first = entries[0][1]
        title = _goal_title(kind, number, first.goal_name, lang, entries[0][0].language)
        rows = [
            distribution_row(names[programme.id], row.distribution, row.period, lang,
                             href=f"/programmes/{programme.id}?{urlencode({'period': row.period})}", stalled=row.stalled, key=programme.id)
            for programme, row in entries
        ]  # fmt: skip
        # the organisations label the bars (wrapped by the chart), never an internal id
        chart = distribution_chart(rows, [programme.organisation or names[programme.id].text
                                          for programme, _row in entries], lang,
                                   gettext(lang, "Progress of the measures: %(goal)s", goal=title.text))  # fmt: skip
        goals.append(ComparisonGoal(f"compare-{kind}-{number}", title, rows, chart))
    indicators = []
    for entry in comparison.indicators:
        cells: list[tuple[str, str, str, str] | None] = []
        for programme in comparison.programmes:
            result = entry.cells.get(programme.id)
            if result is None:
                cells.append(None)
                continue
            line = indicator_line(result, lang, profile, programme.language)
            # the indicator period the programme's period maps to, also when it has no value
            compared = periods.indicator_period(comparison.periods[programme.id], programme.cadence)  # type: ignore[arg-type]
            cells.append((line.value, period_text(compared, lang), line.status, line.status_text))
        indicators.append(
            SideBySide(entry.indicator_id, localise(entry.names, lang) if entry.names else Text(entry.indicator_id),
                       output_href(entry.indicator_id), cells)  # fmt: skip
        )
    programmes = [
        (p.id, names[p.id], [Option(label, period_text(label, lang), label == comparison.periods[p.id])
                             for label in p.period_labels])
        for p in comparison.programmes
    ]  # fmt: skip
    return ComparisonPage(programmes, goals, indicators, [percent_text(p, lang) for p in meter.PERCENT_STEPS])


# --- the assessment form -------------------------------------------------------------------------


@dataclass
class AssessmentForm:
    programme_id: str
    title: Text
    scale: str
    scale_label: str
    measure_groups: list[tuple[Text, list[Option]]]  # per spearhead
    period_options: list[Option]
    value_options: list[Option]  # on the programme's scale, with the step's wording
    narrative: str
    errors: dict[str, str]
    current: str | None  # the stored value for the chosen measure and period, if any
    note_max_length: int = NOTE_MAX_LENGTH


def scale_values(scale: str) -> list[int]:
    """The values a form offers on the programme's scale (levels 1–5 or percent steps)."""
    return list(meter.LEVELS) if scale == "levels" else list(meter.PERCENT_STEPS)


def assessment_form(programme: m.Programme, lang: str, *, measure_id: int | None, period: str | None,
                    value: str | None, narrative: str | None, errors: Mapping[str, str] | None = None) -> AssessmentForm:  # fmt: skip
    """The form's choices with the submitted (or stored) values selected."""
    scale = programme.meter_scale
    fallback = programme.language
    measure = next((x for x in programme.measures() if x.id == measure_id), None)
    stored = measure.assessment_for(period) if measure is not None and period else None
    if value is None and stored is not None:
        value = str(meter.from_percent(stored.percent, scale))  # type: ignore[arg-type]
    if narrative is None and stored is not None:
        narrative = stored.narrative or ""
    groups = []
    for spearhead in programme.spearheads:
        options = []
        for item in spearhead.measures:
            name = localise(item.name, lang, fallback).text
            unit = f" ({item.unit})" if item.unit else ""
            options.append(Option(str(item.id), f"{name}{unit}", item.id == measure_id))
        if options:
            groups.append((_spearhead_title(spearhead, lang, fallback), options))
    values = []
    for step in scale_values(scale):
        percent = meter.to_percent(step, scale)  # type: ignore[arg-type]
        values.append(Option(str(step), meter_value_with_label(percent, scale, lang), str(step) == (value or "")))
    return AssessmentForm(
        programme_id=programme.id,
        title=localise(programme.name, lang, fallback),
        scale=scale,
        scale_label=gettext(lang, SCALE_LABELS.get(scale, scale)),
        measure_groups=groups,
        period_options=[Option(p, period_text(p, lang), p == period) for p in programme.period_labels],
        value_options=values,
        narrative=narrative or "",
        errors=dict(errors or {}),
        current=meter_value_with_label(stored.percent, scale, lang) if stored is not None else None,
    )


def validate_assessment(programme: m.Programme, lang: str, measure: str, period: str, value: str,
                        narrative: str) -> tuple[dict[str, str], tuple[int, str, int, str] | None]:  # fmt: skip
    """Field errors in the reader's language, or the clean (measure id, period, value, note)."""
    errors: dict[str, str] = {}
    measure_ids = {x.id for x in programme.measures()}
    measure_id = int(measure) if measure.strip().isdigit() else None
    if measure_id not in measure_ids:
        errors["measure"] = gettext(lang, "Choose a measure of this programme.")
    if period not in programme.period_labels:
        errors["period"] = gettext(lang, "Choose one of the programme's reporting periods.")
    allowed = scale_values(programme.meter_scale)
    number = int(value) if value.strip().lstrip("-").isdigit() else None
    if not value.strip():
        errors["value"] = gettext(lang, "Choose a value on the process meter.")
    elif number not in allowed:
        errors["value"] = gettext(
            lang,
            "%(value)s is not a step of this programme's process meter; choose one of %(allowed)s.",
            value=value.strip(),
            allowed=", ".join(str(step) for step in allowed),
        )
    if len(narrative) > NOTE_MAX_LENGTH:
        errors["narrative"] = gettext(lang, "The note is too long: at most %(max)s characters.", max=NOTE_MAX_LENGTH)
    if errors:
        return errors, None
    return {}, (measure_id, period, number, narrative.strip())  # type: ignore[return-value]
