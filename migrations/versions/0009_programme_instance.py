"""programme instance: registered administrations and imported aggregate files

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from cips.models.base import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "programme_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("named", sa.Boolean(), nullable=False),
        sa.Column("public_key", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("label"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("public_key"),
    )
    with op.batch_alter_table("programme_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_member_key_id"), ["key_id"], unique=True)

    op.create_table(
        "aggregate_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("campaign", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["programme_member.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    with op.batch_alter_table("aggregate_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aggregate_import_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("aggregate_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aggregate_import_member_id"))

    op.drop_table("aggregate_import")
    with op.batch_alter_table("programme_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_member_key_id"))

    op.drop_table("programme_member")
