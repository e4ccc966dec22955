"""CQC mapping in the catalogue: indicators' quality statement and evidence category, issue
types' quality statement (all optional)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09

The codes and titles are in bench/models/cqc.py; the demo catalogue's mapping is in
seed/data/cqc/mapping.csv (``flask seed demo`` fills it in where a row has none).
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

QUALITY_STATEMENTS = ('QS1', 'QS2', 'QS3', 'QS4', 'QS5', 'QS6', 'QS7', 'QS8', 'QS9')
EVIDENCE_CATEGORIES = (
    'peoples_experience', 'feedback_from_staff_and_leaders', 'feedback_from_partners',
    'processes', 'outcomes',
)


def _quality_statement():
    return sa.Enum(
        *QUALITY_STATEMENTS, name='cqc_quality_statement', native_enum=False,
        create_constraint=True,
    )


def upgrade():
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('cqc_quality_statement', _quality_statement(), nullable=True)
        )
        batch_op.add_column(sa.Column(
            'cqc_evidence_category',
            sa.Enum(
                *EVIDENCE_CATEGORIES, name='cqc_evidence_category', native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ))
        batch_op.create_check_constraint(
            op.f('ck_indicators_cqc_category_needs_statement'),
            'cqc_evidence_category IS NULL OR cqc_quality_statement IS NOT NULL',
        )
    with op.batch_alter_table('issue_types', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('cqc_quality_statement', _quality_statement(), nullable=True)
        )


def downgrade():
    # The enums' CHECK constraints go first: SQLite's copy of the table would keep them.
    with op.batch_alter_table('issue_types', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_issue_types_cqc_quality_statement'), type_='check')
        batch_op.drop_column('cqc_quality_statement')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        for name in ('cqc_category_needs_statement', 'cqc_evidence_category', 'cqc_quality_statement'):
            batch_op.drop_constraint(op.f(f'ck_indicators_{name}'), type_='check')
        batch_op.drop_column('cqc_evidence_category')
        batch_op.drop_column('cqc_quality_statement')
