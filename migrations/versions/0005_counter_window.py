"""shared fixed-window counters (rate limits and budgets counted across workers)

counter_window holds one row per key and window while the window runs (cips.counters);
keys are HMACs made with the instance secret, never an address or an account in clear.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "counter_window",
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("window_end", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_end"),
    )
    with op.batch_alter_table("counter_window", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_counter_window_window_end"), ["window_end"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("counter_window", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_counter_window_window_end"))
    op.drop_table("counter_window")
