"""Between the programme file (``document``) and the database rows (``models``).

Import binds texts written without a language to the programme's language,
converts process-meter values to stored percent and euros to cents. Export
does the reverse in the canonical order, so that export → import → export is
byte-identical.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from valvomo.programme import document as d
from valvomo.programme import meter
from valvomo.programme import models as m
from valvomo.programme.indicator_values import default_key

_LANG_ORDER = ("fi", "sv", "en")


class FlowMap(dict):
    """A mapping written on one line in the file (e.g. a measure's progress per period)."""


class FlowList(list):
    """A list written on one line in the file (e.g. the reporting periods)."""


def _bind(text: dict[str, str] | None, language: str) -> dict[str, str] | None:
    if text is None:
        return None
    bound = {language if key == d.PROGRAMME_LANGUAGE else key: value for key, value in text.items()}
    return {lang: bound[lang] for lang in _LANG_ORDER if lang in bound}


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01")) if cents % 100 else Decimal(cents // 100)


def _utc_naive(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _number(value: float | bool | None) -> float | None:
    if value is None:
        return None
    return 1.0 if value is True else 0.0 if value is False else float(value)


def programme_from_document(doc: d.ProgrammeDocument, now: dt.datetime | None = None) -> m.Programme:
    """Build (unsaved) ORM rows for a validated document."""
    header = doc.programme
    lang = header.language
    scale: meter.Scale = header.meter
    stamp = now or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    programme = m.Programme(
        id=header.id,
        name=_bind(header.name, lang),
        organisation=header.organisation,
        population=header.population,
        population_covered_pct=header.population_covered_pct,
        start_date=header.start,
        end_date=header.end,
        meter_scale=scale,
        cadence=header.cadence,
        goal_kind=header.goal_kind,
        language=lang,
        description=_bind(header.description, lang),
        created_at=stamp,
        updated_at=stamp,
    )
    programme.periods = [m.ProgrammePeriod(position=i, label=label) for i, label in enumerate(header.periods)]
    goals: dict[int, m.BenefitGoal] = {}
    narrative_position = 0
    for position, goal_doc in enumerate(doc.benefit_goals):
        name = goal_doc.name if goal_doc.name is not None else d.DEFAULT_BENEFIT_GOALS[goal_doc.number]
        goal = m.BenefitGoal(
            position=position,
            number=goal_doc.number,
            name=_bind(name, lang),
            goals_text=_bind(goal_doc.goals, lang),
            baseline_text=_bind(goal_doc.baseline, lang),
        )
        goals[goal_doc.number] = goal
        programme.goals.append(goal)
        for narrative_doc in goal_doc.narratives or []:
            programme.narratives.append(
                m.Narrative(
                    goal=goal,
                    position=narrative_position,
                    period=narrative_doc.period,
                    heading=narrative_doc.heading,
                    text=_bind(narrative_doc.text, lang),
                )
            )
            narrative_position += 1
    spearheads: dict[int, m.Spearhead] = {}
    for position, sh_doc in enumerate(doc.spearheads):
        spearhead = m.Spearhead(
            position=position,
            number=sh_doc.number,
            name=_bind(sh_doc.name, lang),
            goal=goals[sh_doc.goal],
            description=_bind(sh_doc.description, lang),
            baseline_percent=meter.to_percent(sh_doc.baseline_meter, scale) if sh_doc.baseline_meter is not None else None,
            baseline_text=_bind(sh_doc.baseline, lang),
            budget_cents=_cents(sh_doc.budget_eur) if sh_doc.budget_eur is not None else None,
        )
        spearhead.secondary_goals = [
            m.SpearheadGoal(position=i, goal=goals[s.goal], weight=s.weight) for i, s in enumerate(sh_doc.secondary_goals or [])
        ]
        for m_position, measure_doc in enumerate(sh_doc.measures):
            spearhead.measures.append(_measure(measure_doc, m_position, goals, lang, scale))
        spearheads[sh_doc.number] = spearhead
        programme.spearheads.append(spearhead)
        for narrative_doc in sh_doc.narratives or []:
            programme.narratives.append(
                m.Narrative(
                    spearhead=spearhead,
                    goal=goals[narrative_doc.goal] if narrative_doc.goal is not None else None,
                    position=narrative_position,
                    period=narrative_doc.period,
                    heading=narrative_doc.heading,
                    text=_bind(narrative_doc.text, lang),
                )
            )
            narrative_position += 1
    for position, link_doc in enumerate(doc.indicators):
        programme.indicator_links.append(_link(link_doc, position, goals, spearheads, lang))
    for position, risk_doc in enumerate(doc.risks):
        programme.risks.append(
            m.Risk(
                position=position,
                description=_bind(risk_doc.description, lang),
                probability=risk_doc.probability,
                impact=risk_doc.impact,
                mitigation=_bind(risk_doc.mitigation, lang),
                owner=risk_doc.owner,
                status=risk_doc.status,
                goal=goals[risk_doc.goal] if risk_doc.goal is not None else None,
                spearhead=spearheads[risk_doc.spearhead] if risk_doc.spearhead is not None else None,
            )
        )
    for position, line_doc in enumerate(doc.budget):
        line = m.BudgetLine(
            position=position,
            name=_bind(line_doc.name, lang),
            goal=goals[line_doc.goal] if line_doc.goal is not None else None,
            spearhead=spearheads[line_doc.spearhead] if line_doc.spearhead is not None else None,
            planned_cents=_cents(line_doc.planned_eur),
        )
        line.actuals = [
            m.BudgetActual(month=month, amount_cents=_cents(amount))
            for month, amount in sorted((line_doc.actuals or {}).items())
        ]
        programme.budget_lines.append(line)
    return programme


def _measure(doc: d.Measure, position: int, goals: dict[int, m.BenefitGoal], lang: str, scale: meter.Scale) -> m.Measure:
    measure = m.Measure(
        position=position,
        name=_bind(doc.name, lang),
        unit=doc.unit,
        group_name=_bind(doc.group, lang),
        goal=goals[doc.goal] if doc.goal is not None else None,
        description=_bind(doc.description, lang),
        outputs=_bind(doc.outputs, lang),
        target_group=_bind(doc.target_group, lang),
        schedule=[{"when": when, "text": _bind(text, lang)} for when, text in doc.schedule.items()] if doc.schedule else None,
    )
    for period, value in (doc.progress or {}).items():
        measure.assessments.append(m.Assessment(period=period, percent=meter.to_percent(value, scale)))
    for assessment in doc.assessments or []:
        measure.assessments.append(
            m.Assessment(
                period=assessment.period,
                percent=meter.to_percent(assessment.value, scale),
                narrative=assessment.narrative,
                author=assessment.author,
                recorded_at=_utc_naive(assessment.recorded_at),
            )
        )
    return measure


def _link(
    doc: d.IndicatorLink,
    position: int,
    goals: dict[int, m.BenefitGoal],
    spearheads: dict[int, m.Spearhead],
    lang: str,
) -> m.IndicatorLink:
    link = m.IndicatorLink(
        position=position,
        key=doc.key or (default_key(doc.indicator) if doc.indicator else None),
        source="registry" if doc.indicator else "manual",
        indicator_id=doc.indicator,
        manual_kind=doc.manual,
        name=_bind(doc.name, lang),
        unit=doc.unit,
        direction=doc.direction,
        scope=doc.scope,
        goal=goals[doc.goal] if doc.goal is not None else None,
        spearhead=spearheads[doc.spearhead] if doc.spearhead is not None else None,
        baseline_value=_number(doc.baseline.value) if doc.baseline else None,
        baseline_at=doc.baseline.at if doc.baseline else None,
        interim_value=_number(doc.interim.value) if doc.interim else None,
        interim_deadline=doc.interim.deadline if doc.interim else None,
        interim_strict=doc.interim.strict if doc.interim else False,
        final_value=_number(doc.target.value) if doc.target else None,
        final_deadline=doc.target.deadline if doc.target else None,
        final_strict=doc.target.strict if doc.target else False,
        note=_bind(doc.note, lang),
    )
    link.observations = [
        m.IndicatorObservation(position=i, period=period, value=_number(value))
        for i, (period, value) in enumerate((doc.values or {}).items())
    ]
    return link


# --------------------------------------------------------------------------- export


def _text_out(text: dict[str, str] | None, lang: str) -> Any:
    if not text:
        return None
    if set(text) == {lang}:
        return text[lang]
    return {key: text[key] for key in _LANG_ORDER if key in text}


def _put(target: dict, key: str, value: Any) -> None:
    if value is not None and value != [] and value != {}:
        target[key] = value


def _value_out(value: float | None, binary: bool) -> Any:
    if value is None:
        return None
    if binary:
        return value >= 0.5
    return int(value) if float(value).is_integer() and abs(value) >= 1 else value


def document_data(programme: m.Programme) -> dict[str, Any]:
    """The canonical programme file of a stored programme, as plain data."""
    lang = programme.language
    scale: meter.Scale = programme.meter_scale  # type: ignore[assignment]
    header: dict[str, Any] = {"id": programme.id, "name": _text_out(programme.name, lang)}
    header["organisation"] = programme.organisation
    _put(header, "population", programme.population)
    _put(header, "population_covered_pct", programme.population_covered_pct)
    header["start"] = programme.start_date
    header["end"] = programme.end_date
    header["meter"] = programme.meter_scale
    header["cadence"] = programme.cadence
    header["periods"] = FlowList(programme.period_labels)
    header["goal_kind"] = programme.goal_kind
    header["language"] = lang
    _put(header, "description", _text_out(programme.description, lang))
    data: dict[str, Any] = {"format": "valvomo-programme/1", "programme": header}

    goal_narratives: dict[int, list[m.Narrative]] = {}
    spearhead_narratives: dict[int, list[m.Narrative]] = {}
    for narrative in programme.narratives:
        if narrative.spearhead is not None:
            spearhead_narratives.setdefault(id(narrative.spearhead), []).append(narrative)
        elif narrative.goal is not None:
            goal_narratives.setdefault(id(narrative.goal), []).append(narrative)

    goals = []
    for goal in programme.goals:
        item: dict[str, Any] = {"number": goal.number, "name": _text_out(goal.name, lang)}
        _put(item, "goals", _text_out(goal.goals_text, lang))
        _put(item, "baseline", _text_out(goal.baseline_text, lang))
        narratives = []
        for narrative in goal_narratives.get(id(goal), []):
            entry: dict[str, Any] = {"period": narrative.period}
            _put(entry, "heading", narrative.heading)
            entry["text"] = _text_out(narrative.text, lang)
            narratives.append(entry)
        _put(item, "narratives", narratives)
        goals.append(item)
    data["benefit_goals"] = goals

    spearheads = []
    for spearhead in programme.spearheads:
        item = {"number": spearhead.number, "name": _text_out(spearhead.name, lang), "goal": spearhead.goal.number}
        _put(item, "secondary_goals", [{"goal": s.goal.number, "weight": s.weight} for s in spearhead.secondary_goals])
        _put(item, "description", _text_out(spearhead.description, lang))
        if spearhead.baseline_percent is not None:
            item["baseline_meter"] = meter.from_percent(spearhead.baseline_percent, scale)
        _put(item, "baseline", _text_out(spearhead.baseline_text, lang))
        if spearhead.budget_cents is not None:
            item["budget_eur"] = _euros(spearhead.budget_cents)
        _put(item, "measures", [_measure_out(measure, lang, scale, programme.period_labels) for measure in spearhead.measures])
        narratives = []
        for narrative in spearhead_narratives.get(id(spearhead), []):
            entry = {"period": narrative.period}
            _put(entry, "heading", narrative.heading)
            if narrative.goal is not None:
                entry["goal"] = narrative.goal.number
            entry["text"] = _text_out(narrative.text, lang)
            narratives.append(entry)
        _put(item, "narratives", narratives)
        spearheads.append(item)
    _put(data, "spearheads", spearheads)
    _put(data, "indicators", [_link_out(link, lang) for link in programme.indicator_links])

    risks = []
    for risk in programme.risks:
        item = {"description": _text_out(risk.description, lang), "probability": risk.probability, "impact": risk.impact,
                "score": risk.score}
        _put(item, "mitigation", _text_out(risk.mitigation, lang))
        _put(item, "owner", risk.owner)
        item["status"] = risk.status
        if risk.goal is not None:
            item["goal"] = risk.goal.number
        if risk.spearhead is not None:
            item["spearhead"] = risk.spearhead.number
        risks.append(item)
    _put(data, "risks", risks)

    budget = []
    for line in programme.budget_lines:
        item = {"name": _text_out(line.name, lang)}
        if line.goal is not None:
            item["goal"] = line.goal.number
        if line.spearhead is not None:
            item["spearhead"] = line.spearhead.number
        item["planned_eur"] = _euros(line.planned_cents)
        _put(item, "actuals", {a.month: _euros(a.amount_cents) for a in sorted(line.actuals, key=lambda a: a.month)})
        budget.append(item)
    _put(data, "budget", budget)
    return data


def _measure_out(measure: m.Measure, lang: str, scale: meter.Scale, period_order: list[str]) -> dict[str, Any]:
    item: dict[str, Any] = {"name": _text_out(measure.name, lang)}
    _put(item, "unit", measure.unit)
    _put(item, "group", _text_out(measure.group_name, lang))
    if measure.goal is not None:
        item["goal"] = measure.goal.number
    _put(item, "description", _text_out(measure.description, lang))
    _put(item, "outputs", _text_out(measure.outputs, lang))
    _put(item, "target_group", _text_out(measure.target_group, lang))
    if measure.schedule:
        item["schedule"] = {entry["when"]: _text_out(entry["text"], lang) for entry in measure.schedule}
    order = {label: i for i, label in enumerate(period_order)}
    ordered = sorted(measure.assessments, key=lambda a: order.get(a.period, len(order)))
    plain = [a for a in ordered if a.narrative is None and a.author is None and a.recorded_at is None]
    full = [a for a in ordered if a not in plain]
    _put(item, "progress", FlowMap((a.period, meter.from_percent(a.percent, scale)) for a in plain))
    assessments = []
    for assessment in full:
        entry: dict[str, Any] = {"period": assessment.period, "value": meter.from_percent(assessment.percent, scale)}
        _put(entry, "narrative", assessment.narrative)
        _put(entry, "author", assessment.author)
        if assessment.recorded_at is not None:
            entry["recorded_at"] = assessment.recorded_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assessments.append(entry)
    _put(item, "assessments", assessments)
    return item


def _link_out(link: m.IndicatorLink, lang: str) -> dict[str, Any]:
    binary = link.manual_kind == "yes_no"
    item: dict[str, Any] = {"key": link.key}
    if link.indicator_id:
        item["indicator"] = link.indicator_id
    else:
        item["manual"] = link.manual_kind
    _put(item, "name", _text_out(link.name, lang))
    _put(item, "unit", link.unit)
    _put(item, "direction", link.direction)
    item["scope"] = link.scope
    if link.goal is not None:
        item["goal"] = link.goal.number
    if link.spearhead is not None:
        item["spearhead"] = link.spearhead.number
    if link.baseline_at is not None:
        baseline: dict[str, Any] = {}
        if link.baseline_value is not None:
            baseline["value"] = _value_out(link.baseline_value, binary)
        baseline["at"] = link.baseline_at
        item["baseline"] = baseline
    for key, value, deadline, strict in (
        ("interim", link.interim_value, link.interim_deadline, link.interim_strict),
        ("target", link.final_value, link.final_deadline, link.final_strict),
    ):
        if deadline is not None:
            spec: dict[str, Any] = {"value": _value_out(value, binary), "deadline": deadline}
            if strict:
                spec["strict"] = True
            item[key] = spec
    _put(item, "values", FlowMap((o.period, _value_out(o.value, binary)) for o in link.observations))
    _put(item, "note", _text_out(link.note, lang))
    return item
