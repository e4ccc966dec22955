"""data_state: one counter that every change to the tables the comparisons read moves on,
through triggers; publishing takes its row's lock

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

The comparison cache's key read these tables' counts and a fingerprint of the catalogue
rows, about ten queries a request, and still missed edits that add no row (an authority
moved to another region, an issue type approved, a context figure corrected). A trigger on
each table sees every write, by any path. PostgreSQL: one statement-level trigger per
table (a 6,000-row import moves the counter once). SQLite: a row-level trigger per table
and operation (SQLite has no statement-level triggers).

The values table has no trigger: the cache key reads the newest figure peers may see, so
that a correction waiting for its release round keeps the comparisons cached.

Also an index on values (authority_id, id): an authority's newest revision, read on each
of its staff's pages, took 3 ms at national scale without it.

The list of tables is frozen here; bench.models.values.TABLES_THE_COMPARISONS_READ is the
application's, and tests/integration/test_migrations.py checks that each has its triggers.
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TABLES = (
    'authorities',
    'context_figures',
    'indicators',
    'issue_flags',
    'issue_type_indicators',
    'issue_types',
    'peer_group_members',
    'peer_groups',
    'periods',
    'series_breaks',
)
BUMP = 'UPDATE data_state SET version = version + 1 WHERE id = 1'
OPERATIONS = ('insert', 'update', 'delete')


def upgrade():
    op.create_table(
        'data_state',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_data_state_one_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_state')),
    )
    op.execute('INSERT INTO data_state (id, version) VALUES (1, 0)')
    op.create_index('ix_values_authority_id_id', 'values', ['authority_id', 'id'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'CREATE FUNCTION bench_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$ '
            f'BEGIN {BUMP}; RETURN NULL; END $$'
        )
        for table in TABLES:
            op.execute(
                f'CREATE TRIGGER {table}_data_changed AFTER INSERT OR UPDATE OR DELETE OR '
                f'TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bench_data_changed()'
            )
    else:
        for table in TABLES:
            for operation in OPERATIONS:
                op.execute(
                    f'CREATE TRIGGER {table}_data_changed_{operation} AFTER {operation.upper()} '
                    f'ON {table} BEGIN {BUMP}; END'
                )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'DROP TRIGGER {table}_data_changed ON {table}')
        op.execute('DROP FUNCTION bench_data_changed()')
    else:
        for table in TABLES:
            for operation in OPERATIONS:
                op.execute(f'DROP TRIGGER {table}_data_changed_{operation}')
    op.drop_index('ix_values_authority_id_id', table_name='values')
    op.drop_table('data_state')
