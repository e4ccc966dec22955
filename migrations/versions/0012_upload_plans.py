"""Upload plans stored: each staged row's kind, revision, the revision it replaces and its
warnings; the batch's counts and the fingerprint of what the plan was made from

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('upload_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_version', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('planned_at', sa.DateTime(timezone=True), nullable=True))
        for name in ('new_count', 'correction_count', 'unchanged_count', 'warning_count'):
            batch_op.add_column(
                sa.Column(name, sa.Integer(), nullable=False, server_default='0')
            )
    with op.batch_alter_table('upload_rows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('old_value_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('findings', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('upload_rows', schema=None) as batch_op:
        for name in ('findings', 'old_value_id', 'revision', 'kind'):
            batch_op.drop_column(name)
    with op.batch_alter_table('upload_batches', schema=None) as batch_op:
        for name in (
            'warning_count', 'unchanged_count', 'correction_count', 'new_count', 'planned_at',
            'plan_version',
        ):
            batch_op.drop_column(name)
