"""data_state: counters that every change to the tables the comparisons read moves on,
through triggers; publishing takes its row's lock

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

The comparison cache's key read these tables' counts and a fingerprint of the catalogue
rows, about ten queries a request, and still missed edits that add no row (an authority
moved to another region, an issue type approved, a context figure corrected). A trigger on
each table sees every write, by any path. Two counters: `version` for what the engine
classifies, `issues_version` for the known issues (flags, issue types and their
indicators), which only the groups' admission and Norm or exception? read. PostgreSQL: one statement-level trigger per
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

# Each table and the counter it moves: the figures' side (what the engine classifies) or the
# known issues' side (which only the groups' admission and Norm or exception? read), so that
# a council editing a known issue does not make every worker fetch and classify the figures
# again.
TABLES = {
    'authorities': 'version',
    'context_figures': 'version',
    'indicators': 'version',
    'peer_group_members': 'version',
    'peer_groups': 'version',
    'periods': 'version',
    'series_breaks': 'version',
    'issue_flags': 'issues_version',
    'issue_type_indicators': 'issues_version',
    'issue_types': 'issues_version',
}
OPERATIONS = ('insert', 'update', 'delete')


def _bump(counter):
    return f'UPDATE data_state SET {counter} = {counter} + 1 WHERE id = 1'


def upgrade():
    op.create_table(
        'data_state',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('issues_version', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_data_state_one_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_state')),
    )
    op.execute('INSERT INTO data_state (id, version, issues_version) VALUES (1, 0, 0)')
    op.create_index('ix_values_authority_id_id', 'values', ['authority_id', 'id'])
    if op.get_bind().dialect.name == 'postgresql':
        for counter in sorted(set(TABLES.values())):
            op.execute(
                f'CREATE FUNCTION bench_{counter}_changed() RETURNS trigger LANGUAGE plpgsql '
                f'AS $$ BEGIN {_bump(counter)}; RETURN NULL; END $$'
            )
        for table, counter in TABLES.items():
            op.execute(
                f'CREATE TRIGGER {table}_data_changed AFTER INSERT OR UPDATE OR DELETE OR '
                f'TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION '
                f'bench_{counter}_changed()'
            )
    else:
        for table, counter in TABLES.items():
            for operation in OPERATIONS:
                op.execute(
                    f'CREATE TRIGGER {table}_data_changed_{operation} AFTER {operation.upper()} '
                    f'ON {table} BEGIN {_bump(counter)}; END'
                )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'DROP TRIGGER {table}_data_changed ON {table}')
        for counter in sorted(set(TABLES.values())):
            op.execute(f'DROP FUNCTION bench_{counter}_changed()')
    else:
        for table in TABLES:
            for operation in OPERATIONS:
                op.execute(f'DROP TRIGGER {table}_data_changed_{operation}')
    op.drop_index('ix_values_authority_id_id', table_name='values')
    op.drop_table('data_state')
