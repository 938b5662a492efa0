"""Tables of programme tracking: the plan, its progress and its money.

A programme (the county's project plan) has benefit goals (or, for an RRP plan,
investments), spearheads or work packages under them, and measures owned by
units. Progress is recorded per measure and reporting period on the process
meter, always stored in percent (levels convert losslessly, see ``meter``).
Indicator links tie the plan to registry indicators or to manual figures,
with baseline, interim and final targets. Risks and budget lines complete the
plan. Free texts that may exist in several languages are JSON maps
``{"fi": ..., "sv": ..., "en": ...}``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from valvomo.appdb.base import Base

TextMap = dict[str, str]


class Programme(Base):
    __tablename__ = "programme"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[TextMap] = mapped_column(JSON)
    organisation: Mapped[str] = mapped_column(String(200))
    population: Mapped[int | None] = mapped_column(Integer)
    population_covered_pct: Mapped[float | None] = mapped_column(Float)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    meter_scale: Mapped[str] = mapped_column(String(16))
    cadence: Mapped[str] = mapped_column(String(16))
    goal_kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2))
    description: Mapped[TextMap | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    periods: Mapped[list[ProgrammePeriod]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammePeriod.position"
    )
    goals: Mapped[list[BenefitGoal]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="BenefitGoal.position"
    )
    spearheads: Mapped[list[Spearhead]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Spearhead.position"
    )
    indicator_links: Mapped[list[IndicatorLink]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="IndicatorLink.position"
    )
    risks: Mapped[list[Risk]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Risk.position"
    )
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="BudgetLine.position"
    )
    narratives: Mapped[list[Narrative]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Narrative.position"
    )

    __table_args__ = (
        CheckConstraint("meter_scale IN ('percent', 'levels')", name="meter_scale"),
        CheckConstraint("cadence IN ('half_year', 'month', 'quarter', 'year')", name="cadence"),
        CheckConstraint("goal_kind IN ('benefit_goals', 'investments')", name="goal_kind"),
    )

    @property
    def period_labels(self) -> list[str]:
        return [p.label for p in self.periods]

    def goal_by_number(self, number: int) -> BenefitGoal | None:
        return next((g for g in self.goals if g.number == number), None)

    def spearhead_by_number(self, number: int) -> Spearhead | None:
        return next((s for s in self.spearheads if s.number == number), None)

    def measures(self) -> list[Measure]:
        return [m for s in self.spearheads for m in s.measures]


class ProgrammePeriod(Base):
    """A reporting period (self-assessment round) in programme order, e.g. '5/2021'."""

    __tablename__ = "programme_period"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(16))

    programme: Mapped[Programme] = relationship(back_populates="periods")

    __table_args__ = (UniqueConstraint("programme_id", "label"),)


class BenefitGoal(Base):
    """Hyötytavoite (or an RRP investment): the heading the report is organised by."""

    __tablename__ = "benefit_goal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[TextMap] = mapped_column(JSON)
    goals_text: Mapped[TextMap | None] = mapped_column(JSON)
    baseline_text: Mapped[TextMap | None] = mapped_column(JSON)

    programme: Mapped[Programme] = relationship(back_populates="goals")

    __table_args__ = (UniqueConstraint("programme_id", "number"),)


class Spearhead(Base):
    """Kehittämisen kärki / teema / työpaketti, under one primary benefit goal."""

    __tablename__ = "spearhead"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[TextMap] = mapped_column(JSON)
    goal_id: Mapped[int] = mapped_column(ForeignKey("benefit_goal.id", ondelete="CASCADE"), index=True)
    description: Mapped[TextMap | None] = mapped_column(JSON)
    baseline_percent: Mapped[int | None] = mapped_column(Integer)
    baseline_text: Mapped[TextMap | None] = mapped_column(JSON)
    budget_cents: Mapped[int | None] = mapped_column(BigInteger)

    programme: Mapped[Programme] = relationship(back_populates="spearheads")
    goal: Mapped[BenefitGoal] = relationship(foreign_keys=[goal_id])
    secondary_goals: Mapped[list[SpearheadGoal]] = relationship(
        back_populates="spearhead", cascade="all, delete-orphan", order_by="SpearheadGoal.position"
    )
    measures: Mapped[list[Measure]] = relationship(
        back_populates="spearhead", cascade="all, delete-orphan", order_by="Measure.position"
    )

    __table_args__ = (
        UniqueConstraint("programme_id", "number"),
        CheckConstraint(
            "baseline_percent IS NULL OR baseline_percent IN (0, 25, 50, 75, 100)", name="baseline_percent"
        ),
    )


class SpearheadGoal(Base):
    """A secondary benefit goal of a spearhead, with the weight the plan gives it."""

    __tablename__ = "spearhead_goal"

    spearhead_id: Mapped[int] = mapped_column(ForeignKey("spearhead.id", ondelete="CASCADE"), primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("benefit_goal.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    weight: Mapped[str] = mapped_column(String(8))

    spearhead: Mapped[Spearhead] = relationship(back_populates="secondary_goals")
    goal: Mapped[BenefitGoal] = relationship()

    __table_args__ = (CheckConstraint("weight IN ('small', 'large', 'main')", name="weight"),)


class Measure(Base):
    """Toimenpide / alahanke / projekti, owned by a unit (e.g. 'PK/Peso')."""

    __tablename__ = "measure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spearhead_id: Mapped[int] = mapped_column(ForeignKey("spearhead.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[TextMap] = mapped_column(JSON)
    unit: Mapped[str | None] = mapped_column(String(120))
    group_name: Mapped[TextMap | None] = mapped_column(JSON)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_goal.id", ondelete="CASCADE"), index=True)
    description: Mapped[TextMap | None] = mapped_column(JSON)
    outputs: Mapped[TextMap | None] = mapped_column(JSON)
    target_group: Mapped[TextMap | None] = mapped_column(JSON)
    schedule: Mapped[list[dict] | None] = mapped_column(JSON)

    spearhead: Mapped[Spearhead] = relationship(back_populates="measures")
    goal: Mapped[BenefitGoal | None] = relationship(foreign_keys=[goal_id])
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="Assessment.id"
    )

    @property
    def effective_goal(self) -> BenefitGoal:
        """The benefit goal the measure is reported under (its own, else its spearhead's)."""
        return self.goal or self.spearhead.goal

    def assessment_for(self, period: str) -> Assessment | None:
        return next((a for a in self.assessments if a.period == period), None)


class Assessment(Base):
    """The process-meter value of one measure in one reporting period (stored in percent)."""

    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(16))
    percent: Mapped[int] = mapped_column(Integer)
    narrative: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    measure: Mapped[Measure] = relationship(back_populates="assessments")

    __table_args__ = (
        UniqueConstraint("measure_id", "period"),
        CheckConstraint("percent IN (0, 25, 50, 75, 100)", name="percent"),
    )


class Narrative(Base):
    """Progress text for a period: per spearhead (optionally per unit) or per benefit goal."""

    __tablename__ = "narrative"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_goal.id", ondelete="CASCADE"), index=True)
    spearhead_id: Mapped[int | None] = mapped_column(ForeignKey("spearhead.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(16))
    heading: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[TextMap] = mapped_column(JSON)

    programme: Mapped[Programme] = relationship(back_populates="narratives")
    goal: Mapped[BenefitGoal | None] = relationship(foreign_keys=[goal_id])
    spearhead: Mapped[Spearhead | None] = relationship(foreign_keys=[spearhead_id])

    __table_args__ = (
        CheckConstraint("goal_id IS NOT NULL OR spearhead_id IS NOT NULL", name="owner"),
    )


class IndicatorLink(Base):
    """A figure the plan promises to move: a registry indicator or a manual number / yes-no."""

    __tablename__ = "indicator_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    indicator_id: Mapped[str | None] = mapped_column(String(64))
    manual_kind: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[TextMap | None] = mapped_column(JSON)
    unit: Mapped[str | None] = mapped_column(String(32))
    direction: Mapped[str | None] = mapped_column(String(8))
    scope: Mapped[str] = mapped_column(String(16))
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_goal.id", ondelete="CASCADE"), index=True)
    spearhead_id: Mapped[int | None] = mapped_column(ForeignKey("spearhead.id", ondelete="CASCADE"), index=True)
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_at: Mapped[str | None] = mapped_column(String(16))
    interim_value: Mapped[float | None] = mapped_column(Float)
    interim_deadline: Mapped[str | None] = mapped_column(String(16))
    interim_strict: Mapped[bool] = mapped_column(Boolean, default=False)
    final_value: Mapped[float | None] = mapped_column(Float)
    final_deadline: Mapped[str | None] = mapped_column(String(16))
    final_strict: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[TextMap | None] = mapped_column(JSON)

    programme: Mapped[Programme] = relationship(back_populates="indicator_links")
    goal: Mapped[BenefitGoal | None] = relationship(foreign_keys=[goal_id])
    spearhead: Mapped[Spearhead | None] = relationship(foreign_keys=[spearhead_id])
    observations: Mapped[list[IndicatorObservation]] = relationship(
        back_populates="link", cascade="all, delete-orphan", order_by="IndicatorObservation.position"
    )

    __table_args__ = (
        UniqueConstraint("programme_id", "key"),
        CheckConstraint("source IN ('registry', 'manual')", name="source"),
        CheckConstraint("manual_kind IS NULL OR manual_kind IN ('number', 'yes_no')", name="manual_kind"),
        CheckConstraint("direction IS NULL OR direction IN ('higher', 'lower')", name="direction"),
        CheckConstraint("scope IN ('national', 'regional')", name="scope"),
    )


class IndicatorObservation(Base):
    """A value of a manual indicator for a period (yes/no stored as 1/0)."""

    __tablename__ = "indicator_observation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("indicator_link.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)

    link: Mapped[IndicatorLink] = relationship(back_populates="observations")

    __table_args__ = (UniqueConstraint("link_id", "period"),)


class Risk(Base):
    """A risk of the plan, scored probability × impact on 1–5 scales."""

    __tablename__ = "risk"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[TextMap] = mapped_column(JSON)
    probability: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    mitigation: Mapped[TextMap | None] = mapped_column(JSON)
    owner: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_goal.id", ondelete="CASCADE"), index=True)
    spearhead_id: Mapped[int | None] = mapped_column(ForeignKey("spearhead.id", ondelete="CASCADE"), index=True)

    programme: Mapped[Programme] = relationship(back_populates="risks")
    goal: Mapped[BenefitGoal | None] = relationship(foreign_keys=[goal_id])
    spearhead: Mapped[Spearhead | None] = relationship(foreign_keys=[spearhead_id])

    __table_args__ = (
        CheckConstraint("probability BETWEEN 1 AND 5", name="probability"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="impact"),
        CheckConstraint("status IN ('open', 'mitigated', 'realised', 'closed')", name="status"),
    )

    @property
    def score(self) -> int:
        return self.probability * self.impact


class BudgetLine(Base):
    """Planned money of a work package, investment or cost item, with monthly actuals."""

    __tablename__ = "budget_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[TextMap] = mapped_column(JSON)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_goal.id", ondelete="CASCADE"), index=True)
    spearhead_id: Mapped[int | None] = mapped_column(ForeignKey("spearhead.id", ondelete="CASCADE"), index=True)
    planned_cents: Mapped[int] = mapped_column(BigInteger)

    programme: Mapped[Programme] = relationship(back_populates="budget_lines")
    goal: Mapped[BenefitGoal | None] = relationship(foreign_keys=[goal_id])
    spearhead: Mapped[Spearhead | None] = relationship(foreign_keys=[spearhead_id])
    actuals: Mapped[list[BudgetActual]] = relationship(
        back_populates="line", cascade="all, delete-orphan", order_by="BudgetActual.month"
    )


class BudgetActual(Base):
    """Money spent on a budget line in one month ('YYYY-MM')."""

    __tablename__ = "budget_actual"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("budget_line.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    amount_cents: Mapped[int] = mapped_column(BigInteger)

    line: Mapped[BudgetLine] = relationship(back_populates="actuals")

    __table_args__ = (UniqueConstraint("line_id", "month"),)
