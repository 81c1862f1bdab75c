"""invitation links: batch number and first opening time, for response rates per batch (no identities)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 21:01:05.327357
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from cips.models.base import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invite_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("opened_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invite_token", schema=None) as batch_op:
        batch_op.drop_column("opened_at")
        batch_op.drop_column("batch")
