"""manager side: interface language per user, population sizes per stratum

user.locale holds the interface language a user chose (NULL: follow the browser);
user.session_version is part of every session id (raised to end all of a user's sessions);
campaign.populations holds known population sizes per stratum, used for the finite
population correction of the fieldwork dashboard's margins of error.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
# Follows the encryption migration (0003) written in the same session.
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        # Existing campaigns get an empty mapping; the model gives new rows one too.
        batch_op.add_column(sa.Column('populations', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('populations')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
        batch_op.drop_column('locale')
