"""Sessions end when idle, and know when their password was last entered: last_seen_at
and reauthenticated_at on user_sessions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

Sessions open when this runs count as active at that moment (a deploy signs no one out
who is at work), and as authenticated when they were opened: tokens, grants and managing
users ask such a session for the password again. A session that "Stay signed in" pushed
past its absolute limit needs nothing here: that limit is counted from created_at when a
session is read (bench.auth.service).
"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

COLUMNS = ('last_seen_at', 'reauthenticated_at')


def upgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    sessions = sa.table(
        'user_sessions',
        sa.column('created_at', sa.DateTime(timezone=True)),
        sa.column('last_seen_at', sa.DateTime(timezone=True)),
        sa.column('reauthenticated_at', sa.DateTime(timezone=True)),
    )
    op.get_bind().execute(
        sessions.update().values(
            last_seen_at=datetime.now(UTC), reauthenticated_at=sessions.c.created_at
        )
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.alter_column(name, existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
