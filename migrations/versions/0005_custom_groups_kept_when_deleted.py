"""Custom peer groups are kept when deleted (deleted_at): what was seen stays known

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('peer_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
    op.drop_index('uq_peer_groups_custom_name', table_name='peer_groups')
    op.create_index(
        'uq_peer_groups_custom_name', 'peer_groups', ['authority_id', 'name'], unique=True,
        sqlite_where=sa.text("kind = 'custom' AND deleted_at IS NULL"),
        postgresql_where=sa.text("kind = 'custom' AND deleted_at IS NULL"),
    )


def downgrade():
    op.execute("DELETE FROM peer_groups WHERE deleted_at IS NOT NULL")
    op.drop_index('uq_peer_groups_custom_name', table_name='peer_groups')
    op.create_index(
        'uq_peer_groups_custom_name', 'peer_groups', ['authority_id', 'name'], unique=True,
        sqlite_where=sa.text("kind = 'custom'"),
        postgresql_where=sa.text("kind = 'custom'"),
    )
    with op.batch_alter_table('peer_groups', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
