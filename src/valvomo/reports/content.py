"""Assemble the self-assessment report from a programme, a period, a language and indicator values.

The structure follows the seed self-assessments (Helsinki 5/2021 and 11/2021):
per benefit goal the goals and focus, the baseline, the measures table with the
process meter per period, the narrative per spearhead, and the result
indicators against their targets — preceded by a summary and followed by the
risks (by score), the money and the methods, including the disclosure profile
in force.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Sequence

from babel.dates import format_date
from babel.numbers import format_decimal

from valvomo.disclosure import NO_VALUE, format_cell, format_percent, redaction_marker
from valvomo.programme import meter, periods
from valvomo.programme import models as m
from valvomo.programme import risks as risk_rules
from valvomo.programme.indicator_values import IndicatorValues
from valvomo.programme.linkstatus import LinkResult
from valvomo.programme.overview import GoalView, ProgrammeOverview, build_overview
from valvomo.programme.targets import STATUS_MSGIDS
from valvomo.reports import charts
from valvomo.reports.messages import t
from valvomo.reports.model import (
    BulletList,
    Cell,
    Chart,
    Facts,
    NarrativeEntry,
    Paragraph,
    ReportContent,
    Row,
    Section,
    Subheading,
    Table,
)
from valvomo.services.catalogue import profile_label
from valvomo.services.i18n import LANGUAGES, N_, gettext
from valvomo.services.outputs import UnknownOutputError, lookup
from valvomo.services.periods import format_period
from valvomo.services.segment_summary import SegmentFigure

_UNIT_SUFFIX = {  # gettext msgids (``reports`` domain)
    "days": N_("days"),
    "hours": N_("h"),
    "rate_per_1000": N_("per 1,000"),
}


def text(value: dict[str, str] | None, lang: str, fallback: str | None = None) -> str:
    """A language map in ``lang``, else the programme's language, else any."""
    if not value:
        return ""
    if lang in value:
        return value[lang]
    if fallback and fallback in value:
        return value[fallback]
    return next(iter(value.values()))


def _text_lang(value: dict[str, str] | None, lang: str, fallback: str) -> str | None:
    """The language a map's text is actually shown in, when it is not the report's."""
    if not value or lang in value:
        return None
    return fallback if fallback in value else next(iter(value))


def _blocks_from_text(body: str, lang: str | None) -> list[Paragraph | BulletList]:
    """Paragraphs separated by blank lines; a paragraph of '- ' lines is a list."""
    blocks: list[Paragraph | BulletList] = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith(("- ", "• ")) for line in lines):
            blocks.append(BulletList([line[2:].strip() for line in lines], lang=lang))
        elif len(lines) > 1 and all(re.match(r"^\d+\.\s", line) for line in lines):
            blocks.append(BulletList(lines, lang=lang, numbered=True))
        else:
            blocks.append(Paragraph(" ".join(lines), lang=lang))
    return blocks


class _Builder:
    def __init__(
        self, overview: ProgrammeOverview, lang: str, profile: str, segments: Sequence[SegmentFigure] = (),
        values: IndicatorValues | None = None,
    ):
        self.o = overview
        self.values = values
        self.segments = list(segments)
        self.p = overview.programme
        self.lang = lang
        self.profile = profile
        self.plang = self.p.language
        self.scale: meter.Scale = self.p.meter_scale  # type: ignore[assignment]
        self.table_number = 0
        self.figure_number = 0
        self.investments = self.p.goal_kind == "investments"

    # -- helpers -----------------------------------------------------------

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def tx(self, value: dict[str, str] | None) -> str:
        return text(value, self.lang, self.plang)

    def tl(self, value: dict[str, str] | None) -> str | None:
        return _text_lang(value, self.lang, self.plang)

    def next_table(self) -> int:
        self.table_number += 1
        return self.table_number

    def caption(self, title: str) -> str:
        return f"{self.t('table')} {self.next_table()}. {title}"

    def figure_caption(self, title: str) -> str:
        self.figure_number += 1
        return f"{self.t('figure')} {self.figure_number}. {title}"

    def meter_cell(self, percent: int | None) -> str:
        """A meter value; the "%" is bound to its number with a no-break space (a narrow PDF
        column must not put "%" on a line of its own)."""
        if percent is None:
            return NO_VALUE
        return meter.format_value(percent, self.scale, self.lang).replace(" ", "\u00a0")

    def percent_tick(self, value: float) -> str:
        if self.scale == "levels":
            level = value / 25 + 1
            return format_decimal(level, format="0.#", locale=self.lang)
        return f"{value:.0f}%" if self.lang == "en" else f"{value:.0f}\u00a0%"

    def mean_text(self, value: float | None) -> str:
        if value is None:
            return NO_VALUE
        if self.scale == "levels":
            return format_decimal(value / 25 + 1, format="0.0", locale=self.lang)
        number = format_decimal(value, format="0", locale=self.lang)
        return f"{number}%" if self.lang == "en" else f"{number}\u00a0%"

    def goal_title(self, goal: m.BenefitGoal) -> str:
        kind = self.t("investment") if self.investments else self.t("benefit_goal")
        return f"{kind} {goal.number}: {self.tx(goal.name)}"

    def spearhead_title(self, spearhead: m.Spearhead) -> str:
        kind = self.t("work_package") if self.investments else self.t("spearhead")
        return f"{kind} {spearhead.number}: {self.tx(spearhead.name)}"

    def spearhead_short(self, spearhead: m.Spearhead) -> str:
        kind = self.t("work_package" if self.investments else "spearhead")
        return f"{kind} {spearhead.number}"

    def value_text(self, result: LinkResult, value: float | None, suppressed: bool = False) -> str:
        if result.binary and value is not None and not suppressed:
            return self.t("yes") if value >= 0.5 else self.t("no")
        shown = format_cell(value, suppressed, self.lang, profile=self.profile, unit=result.kind)
        suffix = gettext(self.lang, _UNIT_SUFFIX[result.kind]) if result.kind in _UNIT_SUFFIX else None
        if suffix and value is not None and not suppressed:
            shown = f"{shown}\u00a0{suffix}"
        return shown

    def status_text(self, status: str | None) -> str:
        """The one wording of a target status (``services.targets.STATUS_MSGIDS``, gettext)."""
        return gettext(self.lang, STATUS_MSGIDS[status]) if status else NO_VALUE

    def date_text(self, day: dt.date) -> str:
        return format_date(day, format="long" if self.lang != "en" else "d MMMM y", locale=self.lang)

    # -- sections ----------------------------------------------------------

    def build(self, generated: dt.date) -> ReportContent:
        o, p = self.o, self.p
        facts = [
            (self.t("organisation"), p.organisation),
            (self.t("programme_period"), f"{self.date_text(p.start_date)} – {self.date_text(p.end_date)}"),
            (self.t("report_period"), o.period),
            (self.t("indicator_period"), o.indicator_period),
        ]
        if p.population is not None:
            facts.append((self.t("population"), format_decimal(p.population, locale=self.lang)))
        facts += self.provenance_facts(generated)
        facts.append((self.t("meter_scale"), self.t("meter_levels" if self.scale == "levels" else "meter_percent")))

        sections = [self.summary(facts)]
        for view in o.goals:
            sections.append(self.goal_section(view))
        number = max((g.goal.number for g in o.goals), default=0)
        if o.general_indicators:
            number += 1
            sections.append(self.other_indicators_section(str(number)))
        if o.risks:
            number += 1
            sections.append(self.risks_section(str(number)))
        if o.budget.lines or any(s.budget_cents for s in p.spearheads):
            number += 1
            sections.append(self.budget_section(str(number)))
        if self.segments:
            number += 1
            sections.append(self.segments_section(str(number)))
        number += 1
        sections.append(self.methods_section(str(number)))
        return ReportContent(
            lang=self.lang,
            title=f"{self.t('self_assessment')} {o.period}",
            programme_id=p.id,
            programme_name=self.tx(p.name),
            organisation=p.organisation,
            period=o.period,
            indicator_period=o.indicator_period,
            generated=generated,
            disclosure_profile=self.profile,
            disclosure_label=profile_label(self.profile, self.lang),
            facts=facts,
            sections=sections,
            warnings=list(o.warnings),
        )

    def provenance_facts(self, generated: dt.date) -> list[tuple[str, str]]:
        """Where the values come from and when: the warehouse snapshot (its load date is the date
        of the data), the population coverage computed from it, and the day the report was made
        (the clock), each labelled, so that a reader can tell a stale report from a fresh one."""
        source, p = self.o.provenance, self.p
        facts: list[tuple[str, str]] = []
        if source is not None and source.snapshot_id is not None:
            facts.append((self.t("values_from"), self.t(
                "snapshot_text", snapshot=source.snapshot_id,
                date=self.date_text(source.loaded_at.date()) if source.loaded_at else NO_VALUE)))
            if source.residents is not None:
                facts.append((self.t("residents_in_data"),
                              f"{format_decimal(source.residents, locale=self.lang)} ({source.residents_year})"))
            coverage = source.coverage(p.population)
            if coverage is not None:
                facts.append((self.t("population_covered_computed"), format_percent(coverage, self.lang, 1)))
            if source.loaded_at:
                facts.append((self.t("data_as_of"), self.date_text(source.loaded_at.date())))
        elif p.population_covered_pct is not None:  # no warehouse: the plan's own statement, labelled so
            facts.append((self.t("population_covered_stated"), format_percent(p.population_covered_pct / 100,
                                                                                self.lang, 1)))
        facts.append((self.t("prepared_on"), self.date_text(generated)))
        return facts

    def summary(self, facts: list[tuple[str, str]]) -> Section:
        o = self.o
        section = Section("summary", "", self.t("summary"), 1)
        intro = Section(
            "summary-facts", "", self.t("programme_facts"), 2,
            [Facts(facts), Paragraph(profile_label(self.profile, self.lang), css="disclosure")],
        )
        if self.p.description:
            intro.blocks += _blocks_from_text(self.tx(self.p.description), self.tl(self.p.description))
        section.children.append(intro)

        title = self.t("progress_by_investment" if self.investments else "progress_by_goal")
        step_labels = [meter.format_value(step, self.scale, self.lang) for step in meter.PERCENT_STEPS]
        columns = [self.t("investment" if self.investments else "benefit_goal"), self.t("measures"),
                   *step_labels, self.t("not_assessed"), self.t("mean")]
        rows = []
        counts = []
        for view in o.goals:
            dist = view.distribution
            counts.append([dist.counts[step] for step in meter.PERCENT_STEPS] + [dist.not_assessed])
            rows.append(
                Row(
                    [Cell(self.goal_title(view.goal), header=True), Cell(str(dist.assessed + dist.not_assessed), numeric=True)]
                    + [Cell(str(dist.counts[step]), numeric=True) for step in meter.PERCENT_STEPS]
                    + [Cell(str(dist.not_assessed), numeric=True), Cell(self.mean_text(dist.mean_percent), numeric=True)]
                )
            )
        total = o.distribution
        rows.append(
            Row(
                [Cell(self.t("total"), header=True), Cell(str(total.assessed + total.not_assessed), numeric=True)]
                + [Cell(str(total.counts[step]), numeric=True) for step in meter.PERCENT_STEPS]
                + [Cell(str(total.not_assessed), numeric=True), Cell(self.mean_text(total.mean_percent), numeric=True)],
                total=True,
            )
        )
        table = Table("table-progress-by-goal", self.caption(f"{title} ({o.period})"), columns, rows, kind="distribution")
        details = "; ".join(
            f"{self.goal_title(view.goal)}: "
            + ", ".join(f"{label} {count}" for label, count in zip(step_labels, counts[i][:5], strict=True) if count)
            for i, view in enumerate(o.goals)
        )
        chart = Chart(
            "chart-progress-by-goal",
            self.figure_caption(f"{title} ({o.period})"),
            self.t("chart_distribution_alt", period=o.period, details=details),
            table,
            charts.distribution_chart(
                [f"{view.goal.number} {self.tx(view.goal.name)}" for view in o.goals],
                counts,
                [f"{label} {meter.label(step, self.scale, self.lang)}" for label, step in zip(step_labels, meter.PERCENT_STEPS, strict=True)],
                self.t("not_assessed"),
                self.t("measures"),
            ),
        )
        section.children.append(Section("summary-progress", "", title, 2, [chart]))

        stalled_blocks: list = []
        if o.stalled:
            stalled_rows = []
            for row in o.stalled:
                measure = row.measure
                stalled_rows.append(
                    Row([
                        Cell(self.tx(measure.name), header=True, lang=self.tl(measure.name)),
                        Cell(self.spearhead_title(measure.spearhead)),
                        Cell(measure.unit or NO_VALUE),
                        Cell(self.meter_cell(row.current), numeric=True),
                    ])
                )
            stalled_blocks.append(
                Table(
                    "table-stalled",
                    self.caption(self.t("stalled_measures")),
                    [self.t("measures"), self.t("work_package" if self.investments else "spearhead"), self.t("col_unit"), o.period],
                    stalled_rows,
                )
            )
        else:
            stalled_blocks.append(Paragraph(self.t("no_stalled")))
        section.children.append(Section("summary-stalled", "", self.t("stalled_measures"), 2, stalled_blocks))

        if o.indicators:
            section.children.append(
                Section("summary-indicators", "", self.t("indicator_overview"), 2, [self.indicator_summary_table(o.indicators, "table-indicators")])
            )
        return section

    def indicator_summary_table(self, results: list[LinkResult], table_id: str) -> Table:
        rows = []
        for result in results:
            current = result.current
            value = (
                self.t("at_period", value=self.value_text(result, current.value, current.suppressed), period=current.label)
                if current else NO_VALUE
            )
            status = result.evaluation.status if result.evaluation else None
            rows.append(
                Row([
                    Cell(result.name(self.lang), header=True, lang=self.tl(result.names)),
                    Cell(self.t(result.scope)),
                    Cell(self.baseline_text(result)),
                    Cell(self.target_text(result, "interim")),
                    Cell(self.target_text(result, "final")),
                    Cell(value, numeric=True),
                    Cell(self.status_text(status), css=f"status-{status}" if status else None),
                ])
            )
        return Table(
            table_id,
            self.caption(self.t("indicator_overview")),
            [self.t("indicator"), self.t("scope"), self.t("baseline"), self.t("interim_target"),
             self.t("final_target"), self.t("value"), self.t("status")],
            rows,
            kind="indicators",
        )

    def baseline_text(self, result: LinkResult) -> str:
        if result.baseline is None:
            return NO_VALUE if not result.baseline_label else f"{NO_VALUE} ({result.baseline_label})"
        shown = self.value_text(result, result.baseline.value)
        if result.baseline_computed:
            shown += f", {self.t('computed')}"
        return self.t("at_period", value=shown, period=result.baseline_label)

    def target_text(self, result: LinkResult, which: str) -> str:
        point = result.interim if which == "interim" else result.final
        deadline = result.link.interim_deadline if which == "interim" else result.link.final_deadline
        if point is None:
            return NO_VALUE
        shown = self.value_text(result, point.value)
        if point.strict:
            shown = ("> " if result.direction != "lower" else "< ") + shown
        return self.t("by_deadline", value=shown, deadline=deadline)

    def goal_section(self, view: GoalView) -> Section:
        goal = view.goal
        number = str(goal.number)
        section = Section(f"goal-{goal.number}", number, self.tx(goal.name), 1)

        focus = Section(f"goal-{goal.number}-focus", f"{number}.1", self.t("goals_and_focus"), 2)
        if goal.goals_text:
            focus.blocks += _blocks_from_text(self.tx(goal.goals_text), self.tl(goal.goals_text))
        primary = [sv for sv in view.spearheads if sv.primary]
        if primary:
            focus.blocks.append(Subheading(f"goal-{goal.number}-spearheads", self.t("work_packages_of_goal" if self.investments else "spearheads_of_goal")))
            items = []
            for sv in primary:
                sh = sv.spearhead
                item = self.spearhead_title(sh)
                extras = []
                if sh.secondary_goals:
                    extras.append(
                        self.t("secondary_goals") + ": "
                        + ", ".join(f"{s.goal.number} ({self.t('weight_' + s.weight)})" for s in sh.secondary_goals)
                    )
                if sh.budget_cents is not None:
                    extras.append(f"{self.t('funding_need')}: {format_cell(sh.budget_cents / 100, False, self.lang, profile='none', unit='eur')}")
                if extras:
                    item += " — " + "; ".join(extras)
                items.append(item)
            focus.blocks.append(BulletList(items))
        if not focus.blocks:
            focus.blocks.append(Paragraph(NO_VALUE))
        section.children.append(focus)

        baseline = Section(f"goal-{goal.number}-baseline", f"{number}.2", self.t("baseline_results"), 2)
        if goal.baseline_text:
            baseline.blocks += _blocks_from_text(self.tx(goal.baseline_text), self.tl(goal.baseline_text))
        for sv in primary:
            sh = sv.spearhead
            if sh.baseline_text:
                baseline.blocks += _blocks_from_text(self.tx(sh.baseline_text), self.tl(sh.baseline_text))
            if sh.baseline_percent is not None:
                baseline.blocks.append(
                    Paragraph(
                        self.t(
                            "baseline_meter",
                            name=self.spearhead_title(sh),
                            value=meter.format_value(sh.baseline_percent, self.scale, self.lang),
                            label=meter.label(sh.baseline_percent, self.scale, self.lang),
                        ),
                        css="baseline-result",
                    )
                )
        if not baseline.blocks:
            baseline.blocks.append(Paragraph(NO_VALUE))
        section.children.append(baseline)

        section.children.append(self.measures_section(view, f"{number}.3"))
        section.children.append(self.narrative_section(view, f"{number}.4"))
        section.children.append(self.results_section(view, f"{number}.5"))
        return section

    def measures_section(self, view: GoalView, number: str) -> Section:
        goal = view.goal
        section = Section(f"goal-{goal.number}-measures", number, self.t("measures_and_meter"), 2)
        columns = [self.t("col_spearhead_measure"), self.t("col_unit"), *self.o.periods, self.t("col_note")]
        rows: list[Row] = []
        for sv in view.spearheads:
            if not sv.measures:
                continue
            rows.append(Row([Cell(self.spearhead_title(sv.spearhead), header=True)], group=True))
            last_group: str | None = None
            for row in sv.measures:
                measure = row.measure
                group = self.tx(measure.group_name) if measure.group_name else None
                if group and group != last_group:
                    rows.append(Row([Cell(group, header=True, lang=self.tl(measure.group_name))], group=True, level=1))
                last_group = group
                note = self.t("stalled_note") if row.stalled else ""
                rows.append(
                    Row(
                        [Cell(self.tx(measure.name), header=True, lang=self.tl(measure.name)), Cell(measure.unit or "")]
                        + [Cell(self.meter_cell(value), numeric=True) for value in row.values]
                        + [Cell(note, css="stalled" if row.stalled else None)],
                        level=2 if group else 1,
                    )
                )
        if not rows:
            section.blocks.append(Paragraph(self.t("no_measures")))
            return section
        table = Table(
            f"table-measures-{goal.number}",
            self.t("measures_table_caption", number=self.next_table(), goal=self.goal_title(goal)),
            columns,
            rows,
            kind="measures",
        )
        section.blocks.append(table)
        with_values = [sv for sv in view.spearheads if any(v is not None for v in sv.mean_series)]
        if with_values:
            shown = self.o.shown_periods
            data_rows = [
                Row([Cell(self.spearhead_title(sv.spearhead), header=True)]
                    + [Cell(self.mean_text(v), numeric=True) for v in sv.mean_series])
                for sv in with_values
            ]
            data = Table(
                f"table-spearhead-progress-{goal.number}",
                self.caption(self.t("chart_data_table") + ": " + self.t("spearhead_progress_chart")),
                [self.t("work_package" if self.investments else "spearhead"), *shown],
                data_rows,
            )
            details = "; ".join(
                f"{self.spearhead_title(sv.spearhead)}: "
                + ", ".join(f"{label} {self.mean_text(v)}" for label, v in zip(shown, sv.mean_series, strict=True) if v is not None)
                for sv in with_values
            )
            section.blocks.append(
                Chart(
                    f"chart-spearhead-progress-{goal.number}",
                    self.figure_caption(f"{self.goal_title(goal)}: {self.t('spearhead_progress_chart')}"),
                    self.t("chart_spearhead_alt", details=details),
                    data,
                    charts.progress_lines_chart(
                        shown,
                        [(self.spearhead_short(sv.spearhead), sv.mean_series) for sv in with_values],
                        self.t("meter_scale"),
                        self.percent_tick,
                    ),
                )
            )
        return section

    def narrative_section(self, view: GoalView, number: str) -> Section:
        goal = view.goal
        section = Section(f"goal-{goal.number}-progress", number, self.t("progress_of_work"), 2)
        foreign = False
        for sv in view.spearheads:
            sh = sv.spearhead
            notes = [
                (row.measure, a)
                for row in sv.measures
                for a in row.measure.assessments
                if a.narrative and a.period in self.o.shown_periods
            ]
            if not sv.narratives and not notes and not sv.measures:
                continue
            section.blocks.append(Subheading(f"goal-{goal.number}-sh-{sh.number}", self.spearhead_title(sh)))
            if not sv.narratives and not notes:
                section.blocks.append(Paragraph(self.t("no_narrative"), css="muted"))
            for narrative in sv.narratives:
                lang = self.tl(narrative.text)
                foreign = foreign or lang is not None
                section.blocks.append(NarrativeEntry(narrative.period, narrative.heading, self.tx(narrative.text), lang))
            for measure, assessment in notes:
                heading = self.tx(measure.name) + (f" ({measure.unit})" if measure.unit else "")
                lang = self.plang if self.plang != self.lang else None
                foreign = foreign or lang is not None
                author = f" — {assessment.author}" if assessment.author else ""
                section.blocks.append(NarrativeEntry(assessment.period, heading, assessment.narrative + author, lang))
        if foreign:
            section.blocks.insert(0, Paragraph(self.t("original_language"), css="muted"))
        if not section.blocks:
            section.blocks.append(Paragraph(self.t("no_narrative"), css="muted"))
        return section

    def results_section(self, view: GoalView, number: str) -> Section:
        goal = view.goal
        section = Section(f"goal-{goal.number}-results", number, self.t("result_indicators"), 2)
        for narrative in view.narratives:
            section.blocks.append(NarrativeEntry(narrative.period, narrative.heading, self.tx(narrative.text), self.tl(narrative.text)))
        if not view.indicators:
            section.blocks.append(Paragraph(self.t("no_indicators"), css="muted"))
        for result in view.indicators:
            section.blocks += self.indicator_blocks(result, f"goal-{goal.number}")
        return section

    def indicator_blocks(self, result: LinkResult, prefix: str) -> list:
        blocks: list = [Subheading(f"{prefix}-ind-{result.key}", result.name(self.lang))]
        facts = [
            (self.t("scope"), self.t(result.scope)),
            (self.t("baseline"), self.baseline_text(result)),
        ]
        if result.interim:
            facts.append((self.t("interim_target"), self.target_text(result, "interim")))
        if result.final:
            facts.append((self.t("final_target"), self.target_text(result, "final")))
        current = result.current
        facts.append(
            (
                self.t("value"),
                self.t("at_period", value=self.value_text(result, current.value, current.suppressed), period=current.label)
                if current else NO_VALUE,
            )
        )
        if result.evaluation and result.evaluation.expected is not None and result.evaluation.status not in ("met", "no_data"):
            facts.append((self.t("expected"), self.value_text(result, result.evaluation.expected)))
        facts.append((self.t("status"), self.status_text(result.evaluation.status if result.evaluation else None)))
        if result.direction in ("higher", "lower") and not result.binary:
            facts.append((self.t("indicator"), self.t(f"{result.direction}_better")))
        care_facts, care_warning = self.care_guarantee_status(result)
        facts += care_facts
        blocks.append(Facts(facts))
        if care_warning:
            blocks.append(Paragraph(care_warning, css="warning"))
        if result.source == "registry":
            source = "source_segment_registry" if _is_segment_output(result.indicator_id) else "source_registry"
            blocks.append(Paragraph(self.t(source, id=result.indicator_id), css="source"))
        else:
            blocks.append(Paragraph(self.t("source_manual"), css="source"))
        if result.link.note:
            blocks += _blocks_from_text(self.tx(result.link.note), self.tl(result.link.note))
        if result.error:
            blocks.append(Paragraph(self.t("values_unavailable", reason=result.error), css="warning"))
        values = sum(1 for point in result.series if point.value is not None)
        if not result.series and not result.error:
            blocks.append(Paragraph(self.t("no_values"), css="muted"))
        # A chart needs a line to show: two values, or one value against a baseline or target.
        # Yes/no answers are clearer in the facts above than as a chart.
        if not result.binary and (values >= 2 or (values and (result.baseline or result.final or result.interim))):
            blocks.append(self.indicator_chart(result, prefix))
        elif result.series:
            blocks.append(self.series_table(result, prefix))
        return blocks

    def care_guarantee_status(self, result: LinkResult) -> tuple[list[tuple[str, str]], str | None]:
        """For a care-guarantee registry indicator: the below-target streak of the reported period
        against the registry's targets in force and, when the county's assessment recording is
        below the threshold, a warning that the figure is not reliable (services/care_guarantee.py,
        the same ``annotate_status`` as the API and ``valvomo indicators --status``)."""
        from valvomo.services.care_guarantee import (
            CARE_GUARANTEE_INDICATORS,
            RECORDING_INDICATOR,
            RECORDING_THRESHOLD,
            annotate_status,
        )
        from valvomo.services.targets import targets_for

        current = result.current
        if (self.values is None or result.source != "registry" or current is None
                or result.indicator_id not in CARE_GUARANTEE_INDICATORS or result.period_kind not in ("quarter", "year")):
            return [], None
        from valvomo.indicators.registry import REGISTRY
        from valvomo.services.results import (
            EmptyWarehouseError,
            MissingTableError,
            UnknownIndicatorError,
            UnsupportedQueryError,
        )

        indicator_id = result.indicator_id
        try:
            history = self.values.series(indicator_id, result.period_kind)
            recording = self.values.series(RECORDING_INDICATOR, result.period_kind)
        except (EmptyWarehouseError, MissingTableError, UnknownIndicatorError, UnsupportedQueryError):
            return [], None  # no history to count a streak from: the values' own error is reported with the indicator
        if current.label not in history:
            return [], None
        rows = [{"indicator": indicator_id, "period": label, "value": value} for label, value in history.items()]
        row = next(r for r in annotate_status(
            rows, {indicator_id: targets_for(indicator_id, getattr(self.values, "settings", None))},
            {indicator_id: REGISTRY.get(indicator_id).direction},
            [{"period": label, "value": value} for label, value in recording.items()],
        ) if r["period"] == current.label)
        facts: list[tuple[str, str]] = []
        if row["below_target_since"]:
            facts.append((gettext(self.lang, "Below target since"), gettext(
                self.lang, "%(period)s (%(count)s periods in a row)",
                period=format_period(row["below_target_since"], self.lang), count=row["quarters_below_target"])))
        warning = None
        if row["recording_complete"] is False:
            warning = gettext(
                self.lang, "Assessment recording %(share)s is below %(threshold)s in %(period)s: the "
                "care-guarantee figure is not reliable.",
                share=format_percent(recording[current.label], self.lang),
                threshold=format_percent(RECORDING_THRESHOLD, self.lang),
                period=format_period(current.label, self.lang))
        return facts, warning

    def series_table(self, result: LinkResult, prefix: str) -> Table:
        rows = [
            Row([Cell(point.label, header=True), Cell(self.value_text(result, point.value, point.suppressed), numeric=True)])
            for point in result.series
        ]
        return Table(
            f"table-{prefix}-ind-{result.key}",
            self.caption(self.t("series_caption", name=result.name(self.lang))),
            [self.t("period"), self.t("value")],
            rows,
            kind="series",
        )

    def indicator_chart(self, result: LinkResult, prefix: str) -> Chart:
        name = result.name(self.lang)
        data = self.series_table(result, prefix)
        shown = [p for p in result.series if p.value is not None]
        details = []
        if shown:
            low = min(p.value for p in shown)  # type: ignore[type-var]
            high = max(p.value for p in shown)  # type: ignore[type-var]
            details.append(self.t("range_values", low=self.value_text(result, low), high=self.value_text(result, high)))
            details.append(self.t("latest_value", period=shown[-1].label, value=self.value_text(result, shown[-1].value)))
        targets = []
        for point, deadline, label in (
            (result.interim, result.link.interim_deadline, self.t("interim_target")),
            (result.final, result.link.final_deadline, self.t("final_target")),
        ):
            if point is not None:
                targets.append((point.at, point.value, f"{label} {deadline}"))
                details.append(self.t("target_line", value=self.value_text(result, point.value), deadline=deadline))
        scale = 100.0 if result.kind == "share" else 1.0

        def fmt(value: float) -> str:
            if result.binary:
                return self.t("yes") if value >= 0.5 else self.t("no")
            number = format_decimal(value, format="#,##0.#", locale=self.lang)
            return f"{number} %" if result.kind == "share" and self.lang != "en" else f"{number}%" if result.kind == "share" else number

        points = [(periods.end_date(p.label), p.value * scale if p.value is not None else None) for p in result.series]
        baseline = (result.baseline.at, result.baseline.value * scale) if result.baseline else None
        ticks = [(periods.end_date(p.label), p.label) for p in result.series]
        if result.baseline and result.baseline_label:
            ticks.append((result.baseline.at, result.baseline_label))
        for point, deadline in ((result.interim, result.link.interim_deadline), (result.final, result.link.final_deadline)):
            if point is not None and deadline:
                ticks.append((point.at, deadline))
        return Chart(
            f"chart-{prefix}-ind-{result.key}",
            self.figure_caption(name),
            self.t("chart_indicator_alt", name=name, details=" ".join(details)),
            data,
            charts.indicator_chart(
                points,
                fmt,
                baseline=baseline,
                targets=[(d, v * scale, label) for d, v, label in targets],
                series_label=self.t("value"),
                baseline_label=self.t("baseline"),
                path_label=self.t("expected"),
                ticks=charts.thin_ticks(ticks),
            ),
        )

    def other_indicators_section(self, number: str) -> Section:
        section = Section("other-indicators", number, self.t("other_indicators"), 1)
        for result in self.o.general_indicators:
            section.blocks += self.indicator_blocks(result, "other")
        return section

    def risks_section(self, number: str) -> Section:
        section = Section("risks", number, self.t("risks"), 1)
        rows = []
        for index, risk in enumerate(self.o.risks, start=1):
            band = risk_rules.band(risk.score)
            rows.append(
                Row([
                    Cell(str(index), numeric=True),
                    Cell(self.tx(risk.description), header=True, lang=self.tl(risk.description)),
                    Cell(str(risk.probability), numeric=True),
                    Cell(str(risk.impact), numeric=True),
                    Cell(str(risk.score), numeric=True),
                    Cell(risk_rules.band_label(band, self.lang), css=f"risk-{band}"),
                    Cell(self.tx(risk.mitigation) or NO_VALUE, lang=self.tl(risk.mitigation)),
                    Cell(risk.owner or NO_VALUE),
                    Cell(risk_rules.status_label(risk.status, self.lang)),
                ])
            )
        section.blocks.append(
            Table(
                "table-risks",
                self.caption(self.t("risks_caption")),
                ["#", self.t("risk"), self.t("probability"), self.t("impact"), self.t("score"), self.t("level"),
                 self.t("mitigation"), self.t("owner"), self.t("status")],
                rows,
                kind="risks",
            )
        )
        return section

    def euros(self, amount) -> str:
        return format_cell(float(amount), False, self.lang, profile="none", unit="eur")

    def budget_section(self, number: str) -> Section:
        section = Section("budget", number, self.t("budget"), 1)
        summary = self.o.budget
        if summary.lines:
            rows = []
            for line in summary.lines:
                share = line.used_share
                used = NO_VALUE if share is None else format_cell(share, False, self.lang, profile="none", unit="share")
                rows.append(
                    Row([
                        Cell(self.tx(line.name), header=True, lang=self.tl(line.name)),
                        Cell(self.euros(line.planned), numeric=True),
                        Cell(self.euros(line.actual), numeric=True),
                        Cell(used, numeric=True),
                        Cell(self.euros(line.remaining), numeric=True),
                    ])
                )
            share = float(summary.actual / summary.planned) if summary.planned else None
            rows.append(
                Row(
                    [
                        Cell(self.t("total"), header=True),
                        Cell(self.euros(summary.planned), numeric=True),
                        Cell(self.euros(summary.actual), numeric=True),
                        Cell(NO_VALUE if share is None else format_cell(share, False, self.lang, profile="none", unit="share"), numeric=True),
                        Cell(self.euros(summary.planned - summary.actual), numeric=True),
                    ],
                    total=True,
                )
            )
            until = self.date_text(summary.until) if summary.until else self.o.period
            section.blocks.append(
                Table(
                    "table-budget",
                    self.caption(self.t("budget_caption", date=until)),
                    [self.t("budget_line"), self.t("planned"), self.t("actual"), self.t("used"), self.t("remaining")],
                    rows,
                    kind="budget",
                )
            )
            if not summary.has_actuals:
                section.blocks.append(Paragraph(self.t("no_actuals"), css="muted"))
        funded = [s for s in self.p.spearheads if s.budget_cents is not None]
        if funded:
            section.blocks.append(
                Table(
                    "table-wp-budgets",
                    self.caption(self.t("wp_budgets")),
                    [self.t("work_package" if self.investments else "spearhead"), self.t("funding_need")],
                    [Row([Cell(self.spearhead_title(s), header=True), Cell(self.euros(s.budget_cents / 100), numeric=True)]) for s in funded],
                    kind="budget",
                )
            )
        return section

    def segments_section(self, number: str) -> Section:
        """The county's segment and care-gap figures (``services.segment_summary``), disclosure-controlled
        before they reach the report, for the seeds' "right service for each segment"."""
        section = Section("segments", number, self.t("segments"), 1)
        period = format_period(self.segments[0].period, self.lang)
        source = self.o.provenance
        snapshot = source.snapshot_id if source is not None and source.snapshot_id else NO_VALUE
        section.blocks.append(Paragraph(self.t("segments_intro", snapshot=snapshot, period=period)))
        rows = [Row([Cell(f.name, header=True), Cell(f.text, numeric=True)]) for f in self.segments]
        section.blocks.append(
            Table("table-segments", self.caption(self.t("segments")), [self.t("segment_figure"), self.t("segment_value")], rows)
        )
        return section

    def methods_section(self, number: str) -> Section:
        section = Section("methods", number, self.t("methods"), 1)
        legend = Table(
            "table-meter-legend",
            self.caption(self.t("meter_legend_caption")),
            [self.t("meter_value"), self.t("meter_meaning")],
            [Row([Cell(value, header=True), Cell(meaning)]) for value, meaning in meter.legend(self.scale, self.lang)],
        )
        section.blocks.append(Paragraph(self.t("meter_levels" if self.scale == "levels" else "meter_percent")))
        section.blocks.append(legend)
        section.blocks.append(Paragraph(self.t(f"period_rule_{self.p.cadence}")))
        section.blocks.append(Paragraph(self.t("status_rule")))
        section.blocks.append(Paragraph(self.t("generated_by")))
        section.blocks.append(Paragraph(f"{self.t('disclosure')}: {profile_label(self.profile, self.lang)}", css="disclosure"))
        marker = redaction_marker(self.profile)
        if marker:
            section.blocks.append(Paragraph(self.t("suppressed_rule", marker=marker)))
        return section


def build_content(
    programme: m.Programme,
    period: str | None,
    lang: str,
    values: IndicatorValues | None,
    *,
    profile: str = "standard",
    generated: dt.date | None = None,
    segments: Sequence[SegmentFigure] = (),
) -> ReportContent:
    """The report of ``programme`` at ``period`` in ``lang`` (fi, sv or en); ``segments``: the county's
    segment and care-gap figures to cite (a section of their own when there are any)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected fi, sv or en")
    if period is not None:
        with contextlib.suppress(periods.PeriodError):  # a bad one is reported below with the periods
            period = periods.programme_label(period, programme.cadence)  # type: ignore[arg-type]
    if period is not None and period not in programme.period_labels:
        raise ValueError(
            f"{period!r} is not a reporting period of {programme.id!r}; periods: {', '.join(programme.period_labels)}"
        )
    overview = build_overview(programme, period, values)
    return _Builder(overview, lang, profile, segments, values).build(generated or dt.date.today())


def _is_segment_output(ref: str) -> bool:
    """Whether a programme indicator link points at the segment registry (its source line says so)."""
    try:
        return lookup(ref).is_segment
    except UnknownOutputError:
        return False
