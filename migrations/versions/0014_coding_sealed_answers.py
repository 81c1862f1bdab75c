"""codes of encrypted campaigns' answers (named by envelope uuid and item, no answer row) and the
model's calibrated confidence

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 23:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_uuid", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("item_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("confidence", sa.Float(), nullable=True))
        batch_op.alter_column("answer_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index("ix_coding_sealed_answer", ["campaign_id", "submission_uuid", "item_id"], unique=False)
        batch_op.create_check_constraint(
            "ck_coding_names_its_answer",
            "answer_id IS NOT NULL OR (submission_uuid IS NOT NULL AND item_id IS NOT NULL)",
        )


def downgrade() -> None:
    sealed = op.get_bind().execute(sa.text("SELECT count(*) FROM coding WHERE answer_id IS NULL")).scalar()
    if sealed:  # codes are append-only history: never dropped to make a downgrade fit
        raise RuntimeError(f"{sealed} codes of encrypted campaigns' answers have no place in revision 0013")
    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.drop_constraint("ck_coding_names_its_answer", type_="check")
        batch_op.drop_index("ix_coding_sealed_answer")
        batch_op.alter_column("answer_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("confidence")
        batch_op.drop_column("item_id")
        batch_op.drop_column("submission_uuid")
