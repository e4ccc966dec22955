"""Upload rows staged in a table (streamed in chunks) instead of one JSON column

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('upload_rows',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('numerator', sa.Double(), nullable=True),
    sa.Column('denominator', sa.Double(), nullable=True),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['upload_batches.id'], name=op.f('fk_upload_rows_batch_id_upload_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_upload_rows_indicator_id_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_upload_rows_period_id_periods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('batch_id', 'row', name=op.f('pk_upload_rows'))
    )
    with op.batch_alter_table('upload_batches', schema=None) as batch_op:
        batch_op.drop_column('rows')



def downgrade():
    with op.batch_alter_table('upload_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rows', sa.JSON(), nullable=False, server_default='[]'))

    op.drop_table('upload_rows')
