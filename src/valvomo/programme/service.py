"""Storing and editing programmes: the operations the CLI and the web pages call.

Every write goes through here so that the same rules hold wherever a change
comes from: assessments only for the programme's own periods and on its meter
scale, manual indicator values of the right kind, budget actuals per month.
Functions take an open SQLAlchemy ``Session``; the caller owns the transaction
(``valvomo.appdb.session_scope`` commits or rolls back).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from valvomo.programme import meter, periods
from valvomo.programme import models as m
from valvomo.programme.convert import document_data, programme_from_document
from valvomo.programme.document import ProgrammeDocument
from valvomo.programme.yamlio import dump_data, parse_document


class ProgrammeError(ValueError):
    """A request the programme store cannot carry out; the message says why."""


class ProgrammeNotFound(ProgrammeError):
    pass


class ProgrammeExists(ProgrammeError):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


_LOAD_OPTIONS = (
    selectinload(m.Programme.periods),
    selectinload(m.Programme.goals),
    selectinload(m.Programme.spearheads).selectinload(m.Spearhead.secondary_goals),
    selectinload(m.Programme.spearheads).selectinload(m.Spearhead.measures).selectinload(m.Measure.assessments),
    selectinload(m.Programme.narratives),
    selectinload(m.Programme.indicator_links).selectinload(m.IndicatorLink.observations),
    selectinload(m.Programme.risks),
    selectinload(m.Programme.budget_lines).selectinload(m.BudgetLine.actuals),
)


def get_programme(session: Session, programme_id: str) -> m.Programme:
    """The programme with everything under it loaded (raises ``ProgrammeNotFound``)."""
    programme = session.scalars(
        select(m.Programme).where(m.Programme.id == programme_id).options(*_LOAD_OPTIONS)
    ).one_or_none()
    if programme is None:
        known = ", ".join(session.scalars(select(m.Programme.id).order_by(m.Programme.id))) or "none"
        raise ProgrammeNotFound(f"no programme {programme_id!r}; stored programmes: {known}")
    return programme


@dataclass(frozen=True)
class ProgrammeSummary:
    """One line of the programme list."""

    id: str
    name: dict[str, str]
    organisation: str
    meter_scale: str
    cadence: str
    periods: list[str]
    goals: int
    spearheads: int
    measures: int
    latest_assessed_period: str | None
    updated_at: dt.datetime

    def display_name(self, lang: str) -> str:
        return self.name.get(lang) or self.name.get("fi") or next(iter(self.name.values()))


def latest_assessed_period(programme: m.Programme) -> str | None:
    """The last reporting period for which any measure has a value."""
    assessed = {a.period for measure in programme.measures() for a in measure.assessments}
    for label in reversed(programme.period_labels):
        if label in assessed:
            return label
    return None


def list_programmes(session: Session) -> list[ProgrammeSummary]:
    programmes = session.scalars(select(m.Programme).order_by(m.Programme.id).options(*_LOAD_OPTIONS)).all()
    return [
        ProgrammeSummary(
            id=p.id,
            name=dict(p.name),
            organisation=p.organisation,
            meter_scale=p.meter_scale,
            cadence=p.cadence,
            periods=p.period_labels,
            goals=len(p.goals),
            spearheads=len(p.spearheads),
            measures=len(p.measures()),
            latest_assessed_period=latest_assessed_period(p),
            updated_at=p.updated_at,
        )
        for p in programmes
    ]


def save_document(session: Session, document: ProgrammeDocument, *, replace: bool = False) -> m.Programme:
    """Store a validated programme document; an existing id needs ``replace``."""
    existing = session.get(m.Programme, document.programme.id)
    created_at = None
    if existing is not None:
        if not replace:
            raise ProgrammeExists(
                f"programme {document.programme.id!r} already exists; import with --replace to overwrite it"
            )
        created_at = existing.created_at
        session.delete(existing)
        session.flush()
    programme = programme_from_document(document, now=_now())
    if created_at is not None:
        programme.created_at = created_at
    session.add(programme)
    session.flush()
    return programme


def import_text(session: Session, text: str, *, source: str = "<programme>", replace: bool = False) -> m.Programme:
    """Validate YAML text and store it (``ProgrammeFileError`` lists every problem)."""
    return save_document(session, parse_document(text, source), replace=replace)


def export_yaml(session: Session, programme_id: str) -> str:
    """The canonical programme file of a stored programme."""
    return dump_data(document_data(get_programme(session, programme_id)))


def delete_programme(session: Session, programme_id: str) -> None:
    session.delete(get_programme(session, programme_id))
    session.flush()


def _measure(session: Session, measure_id: int) -> m.Measure:
    measure = session.get(m.Measure, measure_id)
    if measure is None:
        raise ProgrammeNotFound(f"no measure with id {measure_id}")
    return measure


def _check_period(programme: m.Programme, period: str) -> None:
    if period not in programme.period_labels:
        raise ProgrammeError(
            f"{period!r} is not a reporting period of {programme.id!r} ({', '.join(programme.period_labels)})"
        )


def record_assessment(
    session: Session,
    measure_id: int,
    period: str,
    value: int,
    *,
    scale: meter.Scale | None = None,
    narrative: str | None = None,
    author: str | None = None,
    now: dt.datetime | None = None,
) -> m.Assessment:
    """Set a measure's process-meter value for a period (the programme's scale unless ``scale`` given)."""
    measure = _measure(session, measure_id)
    programme = measure.spearhead.programme
    _check_period(programme, period)
    try:
        percent = meter.to_percent(value, scale or programme.meter_scale)  # type: ignore[arg-type]
    except meter.MeterValueError as exc:
        raise ProgrammeError(str(exc)) from None
    stamp = now or _now()
    assessment = measure.assessment_for(period)
    if assessment is None:
        assessment = m.Assessment(period=period, percent=percent)
        measure.assessments.append(assessment)
    assessment.percent = percent
    assessment.narrative = narrative.strip() if narrative and narrative.strip() else None
    assessment.author = author
    assessment.recorded_at = stamp
    programme.updated_at = stamp
    session.flush()
    return assessment


def clear_assessment(session: Session, measure_id: int, period: str) -> None:
    """Remove a measure's value for a period (back to 'not assessed')."""
    measure = _measure(session, measure_id)
    assessment = measure.assessment_for(period)
    if assessment is not None:
        measure.assessments.remove(assessment)
        measure.spearhead.programme.updated_at = _now()
        session.flush()


def save_narrative(
    session: Session,
    programme_id: str,
    period: str,
    text: str,
    *,
    spearhead_number: int | None = None,
    goal_number: int | None = None,
    heading: str | None = None,
    lang: str | None = None,
) -> m.Narrative:
    """Write (or replace) the progress text of a spearhead or benefit goal for a period."""
    programme = get_programme(session, programme_id)
    _check_period(programme, period)
    spearhead = programme.spearhead_by_number(spearhead_number) if spearhead_number is not None else None
    goal = programme.goal_by_number(goal_number) if goal_number is not None else None
    if spearhead_number is not None and spearhead is None:
        raise ProgrammeNotFound(f"programme {programme_id!r} has no spearhead {spearhead_number}")
    if goal_number is not None and goal is None:
        raise ProgrammeNotFound(f"programme {programme_id!r} has no benefit goal {goal_number}")
    if spearhead is None and goal is None:
        raise ProgrammeError("a narrative belongs to a spearhead or a benefit goal")
    if not text.strip():
        raise ProgrammeError("the narrative text is empty")
    language = lang or programme.language
    for narrative in programme.narratives:
        if (
            narrative.period == period
            and narrative.spearhead is spearhead
            and narrative.goal is goal
            and narrative.heading == heading
        ):
            narrative.text = {**narrative.text, language: text}
            programme.updated_at = _now()
            session.flush()
            return narrative
    position = max((n.position for n in programme.narratives), default=-1) + 1
    narrative = m.Narrative(
        period=period, heading=heading, text={language: text}, spearhead=spearhead, goal=goal, position=position
    )
    programme.narratives.append(narrative)
    programme.updated_at = _now()
    session.flush()
    return narrative


def record_indicator_value(
    session: Session, programme_id: str, key: str, period: str, value: float | bool
) -> m.IndicatorObservation:
    """Set the value of a manual indicator for a period (yes/no as bool)."""
    programme = get_programme(session, programme_id)
    link = next((link for link in programme.indicator_links if link.key == key), None)
    if link is None:
        raise ProgrammeNotFound(f"programme {programme_id!r} has no indicator {key!r}")
    if link.source != "manual":
        raise ProgrammeError(f"{key!r} is a registry indicator; its values come from the indicator engine")
    try:
        periods.parse(period)
    except periods.PeriodError as exc:
        raise ProgrammeError(str(exc)) from None
    if link.manual_kind == "yes_no":
        if not isinstance(value, bool):
            raise ProgrammeError(f"{key!r} is a yes/no indicator; give yes or no")
        number = 1.0 if value else 0.0
    else:
        if isinstance(value, bool):
            raise ProgrammeError(f"{key!r} takes a number, not yes/no")
        number = float(value)
    observation = next((o for o in link.observations if o.period == period), None)
    if observation is None:
        position = max((o.position for o in link.observations), default=-1) + 1
        observation = m.IndicatorObservation(period=period, value=number, position=position)
        link.observations.append(observation)
    observation.value = number
    programme.updated_at = _now()
    session.flush()
    return observation


def record_budget_actual(session: Session, line_id: int, month: str, amount_eur: Decimal | float | str) -> m.BudgetActual:
    """Set the money spent on a budget line in a month ('YYYY-MM')."""
    line = session.get(m.BudgetLine, line_id)
    if line is None:
        raise ProgrammeNotFound(f"no budget line with id {line_id}")
    if not periods._MONTH_ISO.match(month):
        raise ProgrammeError(f"{month!r} is not a month; expected 'YYYY-MM'")
    try:
        cents = int((Decimal(str(amount_eur)) * 100).to_integral_value())
    except InvalidOperation:
        raise ProgrammeError(f"{amount_eur!r} is not an amount in euros") from None
    actual = next((a for a in line.actuals if a.month == month), None)
    if actual is None:
        actual = m.BudgetActual(month=month, amount_cents=cents)
        line.actuals.append(actual)
    actual.amount_cents = cents
    line.programme.updated_at = _now()
    session.flush()
    return actual


def update_risk(
    session: Session,
    risk_id: int,
    *,
    probability: int | None = None,
    impact: int | None = None,
    status: str | None = None,
    mitigation: str | None = None,
    owner: str | None = None,
) -> m.Risk:
    """Re-score or re-state a risk; unchanged fields are left as they are."""
    risk = session.get(m.Risk, risk_id)
    if risk is None:
        raise ProgrammeNotFound(f"no risk with id {risk_id}")
    for name, value in (("probability", probability), ("impact", impact)):
        if value is not None and (isinstance(value, bool) or value not in range(1, 6)):
            raise ProgrammeError(f"{name} must be 1, 2, 3, 4 or 5, got {value!r}")
    if status is not None and status not in ("open", "mitigated", "realised", "closed"):
        raise ProgrammeError(f"status must be open, mitigated, realised or closed, got {status!r}")
    if probability is not None:
        risk.probability = probability
    if impact is not None:
        risk.impact = impact
    if status is not None:
        risk.status = status
    if mitigation is not None:
        risk.mitigation = {**(risk.mitigation or {}), risk.programme.language: mitigation}
    if owner is not None:
        risk.owner = owner
    risk.programme.updated_at = _now()
    session.flush()
    return risk
