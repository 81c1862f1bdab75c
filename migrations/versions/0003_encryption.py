"""end-to-end encryption of responses

Campaign gains ``encrypted``, its RSA ``public_key`` (SPKI PEM; the private key is never
stored) and ``plaintext_strata`` (the items devices may send in clear for live quotas).
``encrypted_submission`` holds the sealed envelopes as received.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from cips.models.base import UTCDateTime

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('encrypted_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('received_at', UTCDateTime(), nullable=False),
    sa.Column('alg', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('key_wrapped', sa.Text(), nullable=False),
    sa.Column('iv', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('ciphertext', sa.Text(), nullable=False),
    sa.Column('strata', sa.JSON(), nullable=False),
    sa.Column('payload_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['instrument_id'], ['instrument.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('encrypted_submission', schema=None) as batch_op:
        batch_op.create_index('ix_encrypted_submission_campaign_received', ['campaign_id', 'received_at'], unique=False)

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        # Existing campaigns stay plaintext: server defaults for the NOT NULL columns.
        batch_op.add_column(sa.Column('encrypted', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('public_key', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('plaintext_strata', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    # Going below this revision would delete every sealed submission and silently turn
    # encrypted campaigns into plaintext ones (their next uploads stored in clear): refuse.
    bind = op.get_bind()
    sealed = bind.execute(sa.text('SELECT count(*) FROM encrypted_submission')).scalar_one()
    encrypted = bind.execute(sa.text('SELECT count(*) FROM campaign WHERE encrypted')).scalar_one()
    if sealed or encrypted:
        raise RuntimeError(
            f"refusing to downgrade below 0003: {encrypted} encrypted campaign(s) and {sealed} sealed "
            "submission(s) would be lost, and those campaigns would accept plaintext answers"
        )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('plaintext_strata')
        batch_op.drop_column('public_key')
        batch_op.drop_column('encrypted')

    with op.batch_alter_table('encrypted_submission', schema=None) as batch_op:
        batch_op.drop_index('ix_encrypted_submission_campaign_received')

    op.drop_table('encrypted_submission')
