"""Programme tracking: plans, assessments, indicator links, risks and budget.

Revision ID: 0001_programme
Revises:
Create Date: 2026-11-23

The first revision of the app-state database. Later capabilities add their
tables in revisions that follow this one (e.g. 0002_auth).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_programme"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("population_covered_pct", sa.Float(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("meter_scale", sa.String(length=16), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("goal_kind", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "cadence IN ('half_year', 'month', 'quarter', 'year')", name=op.f("ck_programme_cadence")
        ),
        sa.CheckConstraint(
            "goal_kind IN ('benefit_goals', 'investments')", name=op.f("ck_programme_goal_kind")
        ),
        sa.CheckConstraint("meter_scale IN ('percent', 'levels')", name=op.f("ck_programme_meter_scale")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
    )
    op.create_table(
        "benefit_goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("goals_text", sa.JSON(), nullable=True),
        sa.Column("baseline_text", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_benefit_goal_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_goal")),
        sa.UniqueConstraint("programme_id", "number", name=op.f("uq_benefit_goal_programme_id_number")),
    )
    op.create_index(op.f("ix_benefit_goal_programme_id"), "benefit_goal", ["programme_id"], unique=False)
    op.create_table(
        "programme_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_programme_period_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_period")),
        sa.UniqueConstraint("programme_id", "label", name=op.f("uq_programme_period_programme_id_label")),
    )
    op.create_index(
        op.f("ix_programme_period_programme_id"), "programme_period", ["programme_id"], unique=False
    )
    op.create_table(
        "spearhead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("baseline_percent", sa.Integer(), nullable=True),
        sa.Column("baseline_text", sa.JSON(), nullable=True),
        sa.Column("budget_cents", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "baseline_percent IS NULL OR baseline_percent IN (0, 25, 50, 75, 100)",
            name=op.f("ck_spearhead_baseline_percent"),
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["benefit_goal.id"],
            name=op.f("fk_spearhead_goal_id_benefit_goal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_spearhead_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spearhead")),
        sa.UniqueConstraint("programme_id", "number", name=op.f("uq_spearhead_programme_id_number")),
    )
    op.create_index(op.f("ix_spearhead_goal_id"), "spearhead", ["goal_id"], unique=False)
    op.create_index(op.f("ix_spearhead_programme_id"), "spearhead", ["programme_id"], unique=False)
    op.create_table(
        "budget_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("spearhead_id", sa.Integer(), nullable=True),
        sa.Column("planned_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["benefit_goal.id"],
            name=op.f("fk_budget_line_goal_id_benefit_goal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_budget_line_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["spearhead_id"],
            ["spearhead.id"],
            name=op.f("fk_budget_line_spearhead_id_spearhead"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line")),
    )
    op.create_index(op.f("ix_budget_line_goal_id"), "budget_line", ["goal_id"], unique=False)
    op.create_index(op.f("ix_budget_line_programme_id"), "budget_line", ["programme_id"], unique=False)
    op.create_index(op.f("ix_budget_line_spearhead_id"), "budget_line", ["spearhead_id"], unique=False)
    op.create_table(
        "indicator_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("indicator_id", sa.String(length=64), nullable=True),
        sa.Column("manual_kind", sa.String(length=16), nullable=True),
        sa.Column("name", sa.JSON(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("direction", sa.String(length=8), nullable=True),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("spearhead_id", sa.Integer(), nullable=True),
        sa.Column("baseline_value", sa.Float(), nullable=True),
        sa.Column("baseline_at", sa.String(length=16), nullable=True),
        sa.Column("interim_value", sa.Float(), nullable=True),
        sa.Column("interim_deadline", sa.String(length=16), nullable=True),
        sa.Column("interim_strict", sa.Boolean(), nullable=False),
        sa.Column("final_value", sa.Float(), nullable=True),
        sa.Column("final_deadline", sa.String(length=16), nullable=True),
        sa.Column("final_strict", sa.Boolean(), nullable=False),
        sa.Column("note", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "direction IS NULL OR direction IN ('higher', 'lower')", name=op.f("ck_indicator_link_direction")
        ),
        sa.CheckConstraint(
            "manual_kind IS NULL OR manual_kind IN ('number', 'yes_no')",
            name=op.f("ck_indicator_link_manual_kind"),
        ),
        sa.CheckConstraint("scope IN ('national', 'regional')", name=op.f("ck_indicator_link_scope")),
        sa.CheckConstraint("source IN ('registry', 'manual')", name=op.f("ck_indicator_link_source")),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["benefit_goal.id"],
            name=op.f("fk_indicator_link_goal_id_benefit_goal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_indicator_link_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["spearhead_id"],
            ["spearhead.id"],
            name=op.f("fk_indicator_link_spearhead_id_spearhead"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_link")),
        sa.UniqueConstraint("programme_id", "key", name=op.f("uq_indicator_link_programme_id_key")),
    )
    op.create_index(op.f("ix_indicator_link_goal_id"), "indicator_link", ["goal_id"], unique=False)
    op.create_index(op.f("ix_indicator_link_programme_id"), "indicator_link", ["programme_id"], unique=False)
    op.create_index(op.f("ix_indicator_link_spearhead_id"), "indicator_link", ["spearhead_id"], unique=False)
    op.create_table(
        "measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spearhead_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=120), nullable=True),
        sa.Column("group_name", sa.JSON(), nullable=True),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("outputs", sa.JSON(), nullable=True),
        sa.Column("target_group", sa.JSON(), nullable=True),
        sa.Column("schedule", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["benefit_goal.id"], name=op.f("fk_measure_goal_id_benefit_goal"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["spearhead_id"],
            ["spearhead.id"],
            name=op.f("fk_measure_spearhead_id_spearhead"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
    )
    op.create_index(op.f("ix_measure_goal_id"), "measure", ["goal_id"], unique=False)
    op.create_index(op.f("ix_measure_spearhead_id"), "measure", ["spearhead_id"], unique=False)
    op.create_table(
        "narrative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.String(length=64), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("spearhead_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("heading", sa.String(length=200), nullable=True),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "goal_id IS NOT NULL OR spearhead_id IS NOT NULL", name=op.f("ck_narrative_owner")
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["benefit_goal.id"],
            name=op.f("fk_narrative_goal_id_benefit_goal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_narrative_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["spearhead_id"],
            ["spearhead.id"],
            name=op.f("fk_narrative_spearhead_id_spearhead"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_narrative")),
    )
    op.create_index(op.f("ix_narrative_goal_id"), "narrative", ["goal_id"], unique=False)
    op.create_index(op.f("ix_narrative_programme_id"), "narrative", ["programme_id"], unique=False)
    op.create_index(op.f("ix_narrative_spearhead_id"), "narrative", ["spearhead_id"], unique=False)
    op.create_table(
        "risk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("mitigation", sa.JSON(), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("spearhead_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'mitigated', 'realised', 'closed')", name=op.f("ck_risk_status")
        ),
        sa.CheckConstraint("impact BETWEEN 1 AND 5", name=op.f("ck_risk_impact")),
        sa.CheckConstraint("probability BETWEEN 1 AND 5", name=op.f("ck_risk_probability")),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["benefit_goal.id"], name=op.f("fk_risk_goal_id_benefit_goal"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_risk_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["spearhead_id"],
            ["spearhead.id"],
            name=op.f("fk_risk_spearhead_id_spearhead"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk")),
    )
    op.create_index(op.f("ix_risk_goal_id"), "risk", ["goal_id"], unique=False)
    op.create_index(op.f("ix_risk_programme_id"), "risk", ["programme_id"], unique=False)
    op.create_index(op.f("ix_risk_spearhead_id"), "risk", ["spearhead_id"], unique=False)
    op.create_table(
        "spearhead_goal",
        sa.Column("spearhead_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("weight", sa.String(length=8), nullable=False),
        sa.CheckConstraint("weight IN ('small', 'large', 'main')", name=op.f("ck_spearhead_goal_weight")),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["benefit_goal.id"],
            name=op.f("fk_spearhead_goal_goal_id_benefit_goal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["spearhead_id"],
            ["spearhead.id"],
            name=op.f("fk_spearhead_goal_spearhead_id_spearhead"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("spearhead_id", "goal_id", name=op.f("pk_spearhead_goal")),
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("percent IN (0, 25, 50, 75, 100)", name=op.f("ck_assessment_percent")),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name=op.f("fk_assessment_measure_id_measure"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint("measure_id", "period", name=op.f("uq_assessment_measure_id_period")),
    )
    op.create_index(op.f("ix_assessment_measure_id"), "assessment", ["measure_id"], unique=False)
    op.create_table(
        "budget_actual",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["budget_line.id"],
            name=op.f("fk_budget_actual_line_id_budget_line"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_actual")),
        sa.UniqueConstraint("line_id", "month", name=op.f("uq_budget_actual_line_id_month")),
    )
    op.create_index(op.f("ix_budget_actual_line_id"), "budget_actual", ["line_id"], unique=False)
    op.create_table(
        "indicator_observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["indicator_link.id"],
            name=op.f("fk_indicator_observation_link_id_indicator_link"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_observation")),
        sa.UniqueConstraint("link_id", "period", name=op.f("uq_indicator_observation_link_id_period")),
    )
    op.create_index(
        op.f("ix_indicator_observation_link_id"), "indicator_observation", ["link_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_indicator_observation_link_id"), table_name="indicator_observation")
    op.drop_table("indicator_observation")
    op.drop_index(op.f("ix_budget_actual_line_id"), table_name="budget_actual")
    op.drop_table("budget_actual")
    op.drop_index(op.f("ix_assessment_measure_id"), table_name="assessment")
    op.drop_table("assessment")
    op.drop_table("spearhead_goal")
    op.drop_index(op.f("ix_risk_spearhead_id"), table_name="risk")
    op.drop_index(op.f("ix_risk_programme_id"), table_name="risk")
    op.drop_index(op.f("ix_risk_goal_id"), table_name="risk")
    op.drop_table("risk")
    op.drop_index(op.f("ix_narrative_spearhead_id"), table_name="narrative")
    op.drop_index(op.f("ix_narrative_programme_id"), table_name="narrative")
    op.drop_index(op.f("ix_narrative_goal_id"), table_name="narrative")
    op.drop_table("narrative")
    op.drop_index(op.f("ix_measure_spearhead_id"), table_name="measure")
    op.drop_index(op.f("ix_measure_goal_id"), table_name="measure")
    op.drop_table("measure")
    op.drop_index(op.f("ix_indicator_link_spearhead_id"), table_name="indicator_link")
    op.drop_index(op.f("ix_indicator_link_programme_id"), table_name="indicator_link")
    op.drop_index(op.f("ix_indicator_link_goal_id"), table_name="indicator_link")
    op.drop_table("indicator_link")
    op.drop_index(op.f("ix_budget_line_spearhead_id"), table_name="budget_line")
    op.drop_index(op.f("ix_budget_line_programme_id"), table_name="budget_line")
    op.drop_index(op.f("ix_budget_line_goal_id"), table_name="budget_line")
    op.drop_table("budget_line")
    op.drop_index(op.f("ix_spearhead_programme_id"), table_name="spearhead")
    op.drop_index(op.f("ix_spearhead_goal_id"), table_name="spearhead")
    op.drop_table("spearhead")
    op.drop_index(op.f("ix_programme_period_programme_id"), table_name="programme_period")
    op.drop_table("programme_period")
    op.drop_index(op.f("ix_benefit_goal_programme_id"), table_name="benefit_goal")
    op.drop_table("benefit_goal")
    op.drop_table("programme")
