"""action plans: measures per campaign and factor

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from cips.models.base import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("factor", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("planned", "in_progress", "done", "dropped", name="measurestatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("evidence_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("action_measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_measure_campaign_id"), ["campaign_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_measure_campaign_id"))

    op.drop_table("action_measure")
