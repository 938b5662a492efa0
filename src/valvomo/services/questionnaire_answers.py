"""Questionnaire answers entered in the dashboard: scored with the engine, stored in the app database.

A professional and a customer fill in the questionnaire together; the answers are
scored by the same Ibis expression that scores the ingested ``questionnaire_answers``
table (``segments.questionnaire.answer_scores``, run on an in-memory DuckDB), so a
form answer and a loaded answer can never be placed differently. The session,
its items and the resulting segment are stored per patient with the date and the
answering professional (migration ``0003_segments``).

The stored sessions also count in the questionnaire segment mix: ``form_answer_rows``
gives them in the columns of the canonical ``questionnaire_answers`` table (one row
per item), and ``services.segments`` hands them to the engine as an Ibis memtable
beside the ingested table (``segments.questionnaire.combined_answers``: same patient
and date in both sources counts once, the form answer wins).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import CheckConstraint, Date, DateTime, Float, ForeignKey, Integer, String, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from valvomo.appdb import Base
from valvomo.config import Settings
from valvomo.segments.questionnaire import QuestionnaireSet, answer_scores
from valvomo.warehouse.sources import MemorySources


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class QuestionnaireResponse(Base):
    __tablename__ = "questionnaire_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    station_id: Mapped[str] = mapped_column(String(64), nullable=False)
    answered_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    professional: Mapped[str] = mapped_column(String(64), nullable=False)
    segment: Mapped[str] = mapped_column(String(64), nullable=False)
    resources: Mapped[float] = mapped_column(Float, nullable=False)
    complexity: Mapped[float] = mapped_column(Float, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=_utcnow)
    items: Mapped[list[QuestionnaireResponseItem]] = relationship(
        back_populates="response", cascade="all, delete-orphan", lazy="selectin",
        order_by="QuestionnaireResponseItem.item",
    )  # fmt: skip


class QuestionnaireResponseItem(Base):
    __tablename__ = "questionnaire_response_items"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    response_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_responses.id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[str] = mapped_column(String(32), primary_key=True)
    score: Mapped[int] = mapped_column(Integer, nullable=False)
    response: Mapped[QuestionnaireResponse] = relationship(back_populates="items")


class AnswerError(ValueError):
    """A form answer that cannot be scored: ``field`` names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Scored:
    resources: float
    complexity: float
    segment: str


def score_answer(qset: QuestionnaireSet, scores: dict[str, int]) -> Scored:
    """Score one complete set of answers with the engine's definition; ``AnswerError`` for a missing
    or out-of-scale item."""
    for item in qset.items:
        value = scores.get(item.id)
        if value is None:
            raise AnswerError(item.id, f"item {item.id} is not answered")
        if not qset.scale.min <= value <= qset.scale.max:
            raise AnswerError(item.id, f"item {item.id} must be {qset.scale.min}-{qset.scale.max}, got {value}")
    rows = [
        {"answer_id": "form", "patient_id": "form", "station_id": "form", "professional_id": None,
         "answered_on": dt.date(2000, 1, 1), "item": item.id, "score": int(scores[item.id])}  # fmt: skip
        for item in qset.items
    ]
    sources = MemorySources({"questionnaire_answers": rows})
    try:
        (row,) = sources.backend.to_pyarrow(answer_scores(sources.table("questionnaire_answers"), qset)).to_pylist()
    finally:
        sources.backend.disconnect()
    return Scored(resources=row["resources"], complexity=row["complexity"], segment=row["segment"])


def save_answer(
    db: Session,
    qset: QuestionnaireSet,
    *,
    patient_id: str,
    station_id: str,
    answered_on: dt.date,
    professional: str,
    scores: dict[str, int],
) -> QuestionnaireResponse:
    """Score and store one answering session (the caller commits)."""
    patient_id = patient_id.strip()
    if not patient_id or len(patient_id) > 64:
        raise AnswerError("patient_id", "the patient pseudonym must be 1-64 characters")
    scored = score_answer(qset, scores)
    response = QuestionnaireResponse(
        patient_id=patient_id, station_id=station_id, answered_on=answered_on, professional=professional,
        segment=scored.segment, resources=scored.resources, complexity=scored.complexity,
    )  # fmt: skip
    response.items = [QuestionnaireResponseItem(item=i.id, score=int(scores[i.id])) for i in qset.items]
    db.add(response)
    db.flush()
    return response


def answers_of(db: Session, patient_id: str) -> list[QuestionnaireResponse]:
    """The patient's stored sessions, newest first."""
    query = select(QuestionnaireResponse).where(QuestionnaireResponse.patient_id == patient_id)
    return list(db.scalars(query.order_by(QuestionnaireResponse.answered_on.desc(), QuestionnaireResponse.id.desc())))


def form_answer_rows(settings: Settings) -> list[dict]:
    """Every stored form session as rows of the canonical ``questionnaire_answers`` columns (one per item;
    ``answer_id`` the session id, ``professional_id`` the answering user). ``[]`` when the app database
    has not been migrated yet (a CLI run before the first `valvomo serve`/`valvomo user`)."""
    from sqlalchemy.engine import make_url

    from valvomo.appdb import session_scope
    from valvomo.appdb.engine import get_engine

    url = make_url(settings.app_database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        from pathlib import Path

        if not Path(url.database).exists():
            return []  # no app database yet: do not create one just to read it
    if not inspect(get_engine(settings)).has_table(QuestionnaireResponse.__tablename__):
        return []
    with session_scope(settings) as db:
        responses = db.scalars(select(QuestionnaireResponse).order_by(QuestionnaireResponse.id))
        return [
            {"answer_id": str(r.id), "patient_id": r.patient_id, "station_id": r.station_id,
             "professional_id": r.professional, "answered_on": r.answered_on, "item": i.item, "score": int(i.score)}  # fmt: skip
            for r in responses
            for i in r.items
        ]
