"""Segmentation questionnaire answers entered in the dashboard (docs/questionnaire.md).

Revision ID: 0003_segments
Revises: 0002_auth
Create Date: 2026-12-03

One row per answering session (patient, station, date, the professional who
answered with the customer, the segment it gave under the item set in force) and
one row per item answered (1-5). Counties that already collect the answers load
them into the warehouse table ``questionnaire_answers`` instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_segments"
down_revision = "0002_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questionnaire_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("professional", sa.String(length=64), nullable=False),
        sa.Column("segment", sa.String(length=64), nullable=False),
        sa.Column("resources", sa.Float(), nullable=False),
        sa.Column("complexity", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_responses")),
    )
    op.create_index(
        op.f("ix_questionnaire_responses_patient_id"), "questionnaire_responses", ["patient_id"], unique=False
    )
    op.create_table(
        "questionnaire_response_items",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_questionnaire_response_items_score")),
        sa.ForeignKeyConstraint(
            ["response_id"], ["questionnaire_responses.id"],
            name=op.f("fk_questionnaire_response_items_response_id_questionnaire_responses"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "item", name=op.f("pk_questionnaire_response_items")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("questionnaire_response_items")
    op.drop_index(op.f("ix_questionnaire_responses_patient_id"), table_name="questionnaire_responses")
    op.drop_table("questionnaire_responses")
