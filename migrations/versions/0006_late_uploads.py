"""late uploads: when a campaign closed, and its grace period for records finished before

campaign.closed_at is set when the status becomes closed; campaign.late_grace_days is how many
days after closing records finished before closing are still accepted (cips.submissions.window).
Campaigns closed before this migration count as closed at their closing date, else now, so that
no tablet's late records are refused for want of a date.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from cips.models.base import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("late_grace_days", sa.Integer(), nullable=False, server_default="30"))
        batch_op.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))
    campaign = sa.table("campaign", sa.column("status", sa.String), sa.column("closes_at", UTCDateTime()),
                        sa.column("closed_at", UTCDateTime()))  # fmt: skip
    op.execute(
        campaign.update()
        .where(campaign.c.status == "closed")
        .values(closed_at=sa.func.coalesce(campaign.c.closes_at, sa.func.current_timestamp()))
    )


def downgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("closed_at")
        batch_op.drop_column("late_grace_days")
