"""Questionnaire segmentation (Suuntima-style, segmentation.md §1): item set, axis scores, segments.

A customer is placed on two axes answered together at a visit: *resources*
(answered by the customer) and *complexity* (answered by the professional). Each
axis score is the mean of its items rescaled to 0-1, ``(mean - min) / (max - min)``;
an axis is *high* when its score is **at or above** its cut-off (so a score equal
to the cut-off is high), compared exactly in integers, and the 2 x 2 field of
high/low gives the segment. The item set, scale, cut-offs, segment labels and
service paths are configuration (``questionnaire.yaml``), replaceable by a
county's licensed items through ``Settings.questionnaire_file``.

An answering session (``answer_id``) is scored only when every configured item of
both axes is answered; items the configuration does not know are ignored.

Answers come from two places with the same columns: the ingested canonical table
``questionnaire_answers`` and the answers entered through the dashboard form (app
database), which the services layer offers the engine as the table
``FORM_ANSWERS`` (an Ibis memtable). ``combined_answers`` unions them with a
``source`` column; the segment mix takes each patient's latest answer per period
(latest ``answered_on``; on the same date a **form** answer wins over an ingested
one, then the largest ``answer_id``), so a session present in both sources is
counted once.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Literal

import ibis
import ibis.expr.types as ir
from pydantic import BaseModel, ConfigDict, Field

from valvomo.indicators.common import period_label, restrict_dates
from valvomo.segments.config_files import PathKey, read_config
from valvomo.segments.shares import segment_mix_of

DEFAULT_FILE = Path(__file__).with_name("questionnaire.yaml")
ANSWERS = "questionnaire_answers"
FORM_ANSWERS = "questionnaire_form_answers"  # the dashboard's answers, offered by the services layer
# ``source`` of a combined answer; on the same date the smaller precedence wins (form before ingested).
SOURCES = {"form": 0, "ingested": 1}
ANSWER_COLUMNS = {"answer_id": "string", "patient_id": "string", "station_id": "string",
                  "professional_id": "string", "answered_on": "date", "item": "string", "score": "int64"}  # fmt: skip
AXES = ("resources", "complexity")
SCORE_DECIMALS = 12

Axis = Literal["resources", "complexity"]
Level = Literal["high", "low"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Texts(_Strict):
    fi: str = Field(min_length=1)
    sv: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.en


class Scale(_Strict):
    min: int = 1
    max: int = 5
    labels: Texts


class AxisSpec(_Strict):
    answered_by: Literal["customer", "professional"]
    cutoff: Decimal = Field(Decimal("0.5"), ge=0, le=1)
    names: Texts


class Item(_Strict):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]+$")
    axis: Axis
    text: Texts


class SegmentSpec(_Strict):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    resources: Level
    complexity: Level
    names: Texts
    service_path: Texts


class QuestionnaireSet(_Strict):
    scale: Scale
    axes: dict[Axis, AxisSpec]
    items: list[Item] = Field(min_length=2)
    segments: list[SegmentSpec] = Field(min_length=4, max_length=4)

    def items_of(self, axis: str) -> list[Item]:
        return [item for item in self.items if item.axis == axis]

    def cutoff(self, axis: str) -> Fraction:
        return Fraction(self.axes[axis].cutoff)  # type: ignore[index]

    def segment(self, segment_id: str) -> SegmentSpec:
        return next(s for s in self.segments if s.id == segment_id)


def _check(qset: QuestionnaireSet) -> Iterator[tuple[PathKey, str]]:
    if qset.scale.max <= qset.scale.min:
        yield ("scale", "max"), f"must be greater than min ({qset.scale.min})"
    for axis in AXES:
        if axis not in qset.axes:
            yield ("axes",), f"axis {axis!r} is missing; expected both resources and complexity"
        elif not qset.items_of(axis):
            yield ("items",), f"no item for axis {axis!r}; every axis needs at least one item"
    seen: dict[str, int] = {}
    for index, item in enumerate(qset.items):
        if item.id in seen:
            yield ("items", index, "id"), f"duplicate item id {item.id!r} (first at items[{seen[item.id]}])"
        seen.setdefault(item.id, index)
    cells: dict[tuple[str, str], int] = {}
    for index, segment in enumerate(qset.segments):
        cell = (segment.resources, segment.complexity)
        if cell in cells:
            yield ("segments", index), (
                f"resources {cell[0]} x complexity {cell[1]} is already segments[{cells[cell]}]; "
                "expected one segment per cell of the 2 x 2 field"
            )
        cells.setdefault(cell, index)


def load_questionnaire(path: Path | None = None) -> QuestionnaireSet:
    """The item set from ``path`` (a county's file) or the shipped default; ``ConfigFileError`` if invalid."""
    return _load(Path(path) if path is not None else DEFAULT_FILE)


@lru_cache(maxsize=8)
def _load(path: Path) -> QuestionnaireSet:
    return read_config(path, QuestionnaireSet, _check)


def _is_high(total: ir.IntegerValue, count: ir.IntegerValue, qset: QuestionnaireSet, axis: str) -> ir.BooleanValue:
    """score >= cut-off, exactly: q (sum - n min) >= p n (max - min) for cut-off p/q."""
    cut = qset.cutoff(axis)
    span = qset.scale.max - qset.scale.min
    return (total - count * qset.scale.min) * cut.denominator >= count * (cut.numerator * span)


def answer_scores(answers: ir.Table, qset: QuestionnaireSet) -> ir.Table:
    """One row per complete answering session: answer_id, patient_id, station_id, answered_on (and
    ``source`` when the answers carry it), ``resources`` and ``complexity`` (0-1) and ``segment``."""
    axis_of = {item.id: item.axis for item in qset.items}
    known = answers.filter(answers.item.isin(list(axis_of)), answers.score.between(qset.scale.min, qset.scale.max))
    known = known.mutate(_axis=known.item.cases(*axis_of.items()))
    keys = ["answer_id", "patient_id", "station_id", "answered_on"] + (["source"] if "source" in answers.columns else [])
    per_answer = known.group_by(keys).aggregate(
        **{
            f"_{axis}_sum": known.score.sum(where=known._axis == axis).fill_null(0)
            for axis in AXES
        },
        **{
            f"_{axis}_n": known.item.nunique(where=known._axis == axis)
            for axis in AXES
        },
        _rows=known.count(),
    )
    complete = ibis.and_(
        *(per_answer[f"_{axis}_n"] == len(qset.items_of(axis)) for axis in AXES),
        per_answer._rows == len(qset.items),
    )
    scored = per_answer.filter(complete)
    span = float(qset.scale.max - qset.scale.min)
    levels = {
        axis: ibis.ifelse(_is_high(scored[f"_{axis}_sum"], scored[f"_{axis}_n"], qset, axis), "high", "low")
        for axis in AXES
    }
    segment = ibis.cases(
        *(
            ((levels["resources"] == s.resources) & (levels["complexity"] == s.complexity), s.id)
            for s in qset.segments
        )
    )
    return scored.select(
        *keys,
        **{
            axis: (
                (scored[f"_{axis}_sum"].cast("float64") / scored[f"_{axis}_n"].cast("float64") - qset.scale.min)
                / span
            ).round(SCORE_DECIMALS)
            for axis in AXES
        },
        segment=segment,
    )


def _canonical(answers: ir.Table, source: str) -> ir.Table:
    return answers.select(
        **{name: answers[name].cast(kind) for name, kind in ANSWER_COLUMNS.items()}, source=ibis.literal(source)
    )


def combined_answers(sources) -> ir.Table:
    """The ingested and the form answers of ``sources`` (either may be absent), one row per item answered,
    with ``source`` ("ingested" or "form"); a form session's ``answer_id`` is prefixed ``form-`` so that it
    can never merge with an ingested session of the same id."""
    parts = []
    if sources.has(ANSWERS):
        parts.append(_canonical(sources.table(ANSWERS), "ingested"))
    if sources.has(FORM_ANSWERS):
        form = sources.table(FORM_ANSWERS)
        parts.append(_canonical(form.mutate(answer_id=ibis.literal("form-") + form.answer_id.cast("string")), "form"))
    if not parts:
        return sources.table(ANSWERS)  # MissingTableError names the table
    return parts[0] if len(parts) == 1 else parts[0].union(parts[1])


def latest_answers(answers: ir.Table, qset: QuestionnaireSet, query) -> ir.Table:
    """Each patient's latest complete answer per period of ``answered_on`` (same date: a form answer
    before an ingested one, then the largest answer_id), with ``period``; restricted to the query's
    date range."""
    scored = answer_scores(answers, qset)
    scored = restrict_dates(scored, scored.answered_on, query)
    scored = scored.mutate(period=period_label(scored.answered_on, query.period))
    precedence = (
        [scored.source.cases(*SOURCES.items()).asc()] if "source" in scored.columns else []
    )
    order = ibis.window(
        group_by=[scored.period, scored.patient_id],
        order_by=[scored.answered_on.desc(), *precedence, scored.answer_id.desc()],
    )
    ranked = scored.mutate(_rank=ibis.row_number().over(order))
    return ranked.filter(ranked._rank == 0).drop("_rank")


def segment_mix(sources, query, qset: QuestionnaireSet) -> ir.Table:
    """Per period (and station): patients per questionnaire segment (bin) / patients with an answer."""
    rows = latest_answers(combined_answers(sources), qset, query)
    return segment_mix_of(rows, ["period", *query.dimension_columns()])
