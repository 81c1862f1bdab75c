"""codes of encrypted campaigns' answers (named by envelope uuid and item, no answer row) and the
model's calibrated confidence

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 23:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Before: a campaign's answer or a briefing's row. After: or an encrypted answer (uuid and item together).
BEFORE = "(answer_id IS NULL) <> (briefing_row_id IS NULL)"
AFTER = (
    "(CASE WHEN answer_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN briefing_row_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN submission_uuid IS NULL THEN 0 ELSE 1 END) = 1 AND (submission_uuid IS NULL) = (item_id IS NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.drop_constraint("ck_coding_one_target", type_="check")
        batch_op.add_column(sa.Column("submission_uuid", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("item_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("confidence", sa.Float(), nullable=True))
        batch_op.create_index("ix_coding_sealed_answer", ["campaign_id", "submission_uuid", "item_id"], unique=False)
        batch_op.create_check_constraint("ck_coding_one_target", AFTER)


def downgrade() -> None:
    sealed = op.get_bind().execute(sa.text("SELECT count(*) FROM coding WHERE submission_uuid IS NOT NULL")).scalar()
    if sealed:  # codes are append-only history: never dropped to make a downgrade fit
        raise RuntimeError(f"{sealed} codes of encrypted campaigns' answers have no place in revision 0014")
    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.drop_constraint("ck_coding_one_target", type_="check")
        batch_op.drop_index("ix_coding_sealed_answer")
        batch_op.drop_column("confidence")
        batch_op.drop_column("item_id")
        batch_op.drop_column("submission_uuid")
        batch_op.create_check_constraint("ck_coding_one_target", BEFORE)
