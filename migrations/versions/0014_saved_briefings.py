"""saved briefings: a briefing and its contributions row by row; codings of a briefing's rows

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 23:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from cips.models.base import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "briefing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("administration_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("meeting", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["administration_id"], ["administration.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("briefing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_briefing_administration_id"), ["administration_id"], unique=False)
    op.create_table(
        "briefing_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("briefing_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("contributor", sa.Text(), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("attributable", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["briefing_id"], ["briefing.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("briefing_row", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_briefing_row_briefing_id"), ["briefing_id"], unique=False)
    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("briefing_row_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("briefing_id", sa.Integer(), nullable=True))
        batch_op.alter_column("answer_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("campaign_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key("fk_coding_briefing_row_id", "briefing_row", ["briefing_row_id"], ["id"],
                                    ondelete="CASCADE")  # fmt: skip
        batch_op.create_foreign_key("fk_coding_briefing_id", "briefing", ["briefing_id"], ["id"], ondelete="CASCADE")
        batch_op.create_index("ix_coding_briefing_row_id_id", ["briefing_row_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coding_briefing_id"), ["briefing_id"], unique=False)
        batch_op.create_check_constraint("ck_coding_one_target", "(answer_id IS NULL) <> (briefing_row_id IS NULL)")


def downgrade() -> None:
    op.execute("DELETE FROM coding WHERE answer_id IS NULL")  # a briefing's codes have no place in the old table
    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.drop_constraint("ck_coding_one_target", type_="check")
        batch_op.drop_index(batch_op.f("ix_coding_briefing_id"))
        batch_op.drop_index("ix_coding_briefing_row_id_id")
        batch_op.drop_constraint("fk_coding_briefing_id", type_="foreignkey")
        batch_op.drop_constraint("fk_coding_briefing_row_id", type_="foreignkey")
        batch_op.alter_column("campaign_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("answer_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("briefing_id")
        batch_op.drop_column("briefing_row_id")
    with op.batch_alter_table("briefing_row", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefing_row_briefing_id"))
    op.drop_table("briefing_row")
    with op.batch_alter_table("briefing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefing_administration_id"))
    op.drop_table("briefing")
