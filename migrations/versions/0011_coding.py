"""review of open answers: coding rows (model suggestions and people's decisions, append-only)
and each campaign's second-coding share

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from cips.models.base import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("primary", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("coder", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("margin", sa.Float(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["answer_id"], ["answer.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.create_index("ix_coding_answer_id_id", ["answer_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coding_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coding_source"), ["source"], unique=False)
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("second_coding_percent", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("second_coding_percent")
    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coding_source"))
        batch_op.drop_index(batch_op.f("ix_coding_campaign_id"))
        batch_op.drop_index("ix_coding_answer_id_id")
    op.drop_table("coding")
