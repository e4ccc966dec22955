"""Inspector grants that authorities manage: random public ids, when granted, who revoked;
API tokens with the manage scope

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-08
"""

import secrets

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None

SCOPES_BEFORE = "scope IN ('read', 'publish')"
SCOPES_AFTER = "scope IN ('read', 'publish', 'manage')"


def _scopes(check: str) -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_api_tokens_known_scope'), type_='check')
        batch_op.drop_constraint(op.f('ck_api_tokens_token_scope'), type_='check')
        batch_op.create_check_constraint(op.f('ck_api_tokens_known_scope'), check)
        batch_op.create_check_constraint(op.f('ck_api_tokens_token_scope'), check)


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
    _scopes(SCOPES_AFTER)


def downgrade():
    op.execute("DELETE FROM api_tokens WHERE scope = 'manage'")
    _scopes(SCOPES_BEFORE)
    with op.batch_alter_table('inspector_grants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_inspector_grants_public_id'), type_='unique')
        batch_op.drop_constraint(
            op.f('fk_inspector_grants_revoked_by_id_users'), type_='foreignkey'
        )
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('created_at')
        batch_op.drop_column('public_id')
