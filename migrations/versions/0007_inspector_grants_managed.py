"""Inspector grants that authorities manage: random public ids, when granted, who revoked;
(the manage token scope came with 0006)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

import secrets

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

def upgrade():
    with op.batch_alter_table('inspector_grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_inspector_grants_revoked_by_id_users'), 'users', ['revoked_by_id'], ['id'],
            ondelete='SET NULL',
        )
    # Grants made before this revision get a random id each, and their start as the time
    # they were made.
    grants = sa.table(
        'inspector_grants',
        sa.column('id', sa.Integer()),
        sa.column('public_id', sa.String()),
        sa.column('created_at', sa.DateTime(timezone=True)),
        sa.column('starts_at', sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    for (grant_id,) in connection.execute(sa.select(grants.c.id).order_by(grants.c.id)).all():
        connection.execute(
            grants.update()
            .where(grants.c.id == grant_id)
            .values(public_id=secrets.token_urlsafe(12))
        )
    connection.execute(grants.update().values(created_at=grants.c.starts_at))
    with op.batch_alter_table('inspector_grants', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column(
            'created_at', existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_unique_constraint(op.f('uq_inspector_grants_public_id'), ['public_id'])
    # The manage token scope came with 0006 (allies); grants use the same one.


def downgrade():
    with op.batch_alter_table('inspector_grants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_inspector_grants_public_id'), type_='unique')
        batch_op.drop_constraint(
            op.f('fk_inspector_grants_revoked_by_id_users'), type_='foreignkey'
        )
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('created_at')
        batch_op.drop_column('public_id')
