"""submission exclusion: a manager sets a record aside (category, reason, who, when); the record is untouched

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 19:44:35.526771
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from cips.models.base import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "submission_exclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "test",
                "duplicate",
                "fabricated",
                "careless",
                "ineligible",
                "other",
                name="exclusioncategory",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("excluded_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("excluded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_id"),
    )
    with op.batch_alter_table("submission_exclusion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_exclusion_campaign_id"), ["campaign_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("submission_exclusion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_exclusion_campaign_id"))

    op.drop_table("submission_exclusion")
