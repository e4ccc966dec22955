"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa



revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('authorities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gss_code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.Enum('county', 'unitary', 'metropolitan_district', 'london_borough', 'other', name='authority_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.CheckConstraint('ended_on IS NULL OR ended_on > started_on', name=op.f('ck_authorities_lifetime_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorities')),
    sa.UniqueConstraint('gss_code', name=op.f('uq_authorities_gss_code'))
    )
    with op.batch_alter_table('authorities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authorities_region'), ['region'], unique=False)

    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('key_area', sa.Enum('national_framework', 'local_priorities', 'user_satisfaction', 'cost_efficiency', 'staff_acceptance', name='key_area', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('unit_kind', sa.Enum('proportion', 'rate', 'mean', 'score', 'count', 'currency', name='unit_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('unit_label', sa.String(length=60), nullable=False),
    sa.Column('multiplier', sa.Integer(), nullable=False),
    sa.Column('polarity', sa.Enum('higher_is_better', 'lower_is_better', 'neither', name='polarity', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('has_counts', sa.Boolean(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.Column('plausible_min', sa.Double(), nullable=True),
    sa.Column('plausible_max', sa.Double(), nullable=True),
    sa.Column('decimals', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("NOT has_counts OR unit_kind IN ('proportion', 'rate')", name=op.f('ck_indicators_counts_need_ratio_unit')),
    sa.CheckConstraint('decimals BETWEEN 0 AND 6', name=op.f('ck_indicators_decimals_range')),
    sa.CheckConstraint('multiplier > 0', name=op.f('ck_indicators_multiplier_positive')),
    sa.CheckConstraint('plausible_min IS NULL OR plausible_max IS NULL OR plausible_min <= plausible_max', name=op.f('ck_indicators_plausible_range_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    sa.UniqueConstraint('code', name=op.f('uq_indicators_code')),
    sa.UniqueConstraint('id', 'unit_kind', name='uq_indicators_id_unit_kind')
    )
    op.create_table('periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.Enum('financial_year', 'quarter', name='period_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('ends_on > starts_on', name=op.f('ck_periods_ends_after_start')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_periods')),
    sa.UniqueConstraint('code', name=op.f('uq_periods_code'))
    )
    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_periods_starts_on'), ['starts_on'], unique=False)

    op.create_table('context_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_context_figures_authority_id_authorities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_context_figures')),
    sa.UniqueConstraint('authority_id', 'name', 'as_of', name=op.f('uq_context_figures_authority_id_name_as_of'))
    )
    op.create_table('issue_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('approved', 'proposed', 'merged', 'rejected', name='issue_type_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('proposed_by_authority_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name=op.f('ck_issue_types_merged_has_target')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['issue_types.id'], name=op.f('fk_issue_types_merged_into_id_issue_types'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['proposed_by_authority_id'], ['authorities.id'], name=op.f('fk_issue_types_proposed_by_authority_id_authorities'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_types')),
    sa.UniqueConstraint('code', name=op.f('uq_issue_types_code'))
    )
    op.create_table('successions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('predecessor_id', sa.Integer(), nullable=False),
    sa.Column('successor_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.CheckConstraint('predecessor_id <> successor_id', name=op.f('ck_successions_not_self')),
    sa.ForeignKeyConstraint(['predecessor_id'], ['authorities.id'], name=op.f('fk_successions_predecessor_id_authorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['successor_id'], ['authorities.id'], name=op.f('fk_successions_successor_id_authorities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_successions')),
    sa.UniqueConstraint('predecessor_id', 'successor_id', name=op.f('uq_successions_predecessor_id_successor_id'))
    )
    with op.batch_alter_table('successions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_successions_successor_id'), ['successor_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('staff', 'analyst', 'authority_admin', 'inspector', 'network_admin', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(role IN ('inspector', 'network_admin')) = (authority_id IS NULL)", name=op.f('ck_users_authority_matches_role')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_users_email_lower_case')),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_users_authority_id_authorities'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_authority_id'), ['authority_id'], unique=False)

    op.create_table('ally_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('issue_type_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', 'withdrawn', 'expired', name='ally_request_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('responded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_ally_requests_expires_after_creation')),
    sa.CheckConstraint('requester_id <> recipient_id', name=op.f('ck_ally_requests_not_self')),
    sa.ForeignKeyConstraint(['issue_type_id'], ['issue_types.id'], name=op.f('fk_ally_requests_issue_type_id_issue_types'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recipient_id'], ['authorities.id'], name=op.f('fk_ally_requests_recipient_id_authorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_ally_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requester_id'], ['authorities.id'], name=op.f('fk_ally_requests_requester_id_authorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responded_by_id'], ['users.id'], name=op.f('fk_ally_requests_responded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ally_requests'))
    )
    with op.batch_alter_table('ally_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ally_requests_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ally_requests_requester_id'), ['requester_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('authority_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('subject_type', sa.String(length=60), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('remote_address', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_audit_events_authority_id_authorities'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index('ix_audit_events_authority_occurred', ['authority_id', 'occurred_at'], unique=False)

    op.create_table('inspector_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('expires_at > starts_at', name=op.f('ck_inspector_grants_expires_after_start')),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_inspector_grants_authority_id_authorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_inspector_grants_granted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_inspector_grants_inspector_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspector_grants'))
    )
    with op.batch_alter_table('inspector_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspector_grants_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspector_grants_inspector_id'), ['inspector_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('staff', 'analyst', 'authority_admin', 'inspector', 'network_admin', name='invitation_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('staff', 'analyst', 'authority_admin')", name=op.f('ck_invitations_authority_role')),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_invitations_expires_after_creation')),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_invitations_authority_id_authorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_authority_id'), ['authority_id'], unique=False)

    op.create_table('issue_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=False),
    sa.Column('issue_type_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Enum('reported', 'not_an_issue', name='flag_answer', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('open', 'improving', 'resolved', name='flag_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('severity', sa.Enum('low', 'medium', 'high', name='severity', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('tried', sa.Text(), nullable=False),
    sa.Column('share_tried', sa.Boolean(), nullable=False),
    sa.Column('open_to_contact', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(answer = 'reported') = (status IS NOT NULL)", name=op.f('ck_issue_flags_status_when_reported')),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_issue_flags_authority_id_authorities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['issue_type_id'], ['issue_types.id'], name=op.f('fk_issue_flags_issue_type_id_issue_types'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_issue_flags_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_flags')),
    sa.UniqueConstraint('authority_id', 'issue_type_id', name=op.f('uq_issue_flags_authority_id_issue_type_id'))
    )
    with op.batch_alter_table('issue_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issue_flags_issue_type_id'), ['issue_type_id'], unique=False)

    op.create_table('issue_type_indicators',
    sa.Column('issue_type_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_issue_type_indicators_indicator_id_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issue_type_id'], ['issue_types.id'], name=op.f('fk_issue_type_indicators_issue_type_id_issue_types'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('issue_type_id', 'indicator_id', name=op.f('pk_issue_type_indicators'))
    )
    op.create_table('peer_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('all', 'same_type', 'same_region', 'published_neighbours', 'computed_neighbours', 'custom', name='peer_group_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind = 'custom' OR name = ''", name=op.f('ck_peer_groups_only_custom_named')),
    sa.CheckConstraint("kind IN ('published_neighbours', 'computed_neighbours', 'custom')", name=op.f('ck_peer_groups_stored_kind')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_peer_groups_version_positive')),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_peer_groups_authority_id_authorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_peer_groups_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_groups'))
    )
    with op.batch_alter_table('peer_groups', schema=None) as batch_op:
        batch_op.create_index('uq_peer_groups_authority_kind_version', ['authority_id', 'kind', 'version'], unique=True, sqlite_where=sa.text("kind <> 'custom'"), postgresql_where=sa.text("kind <> 'custom'"))
        batch_op.create_index('uq_peer_groups_custom_name', ['authority_id', 'name'], unique=True, sqlite_where=sa.text("kind = 'custom'"), postgresql_where=sa.text("kind = 'custom'"))

    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('unit_kind', sa.Enum('proportion', 'rate', 'mean', 'score', 'count', 'currency', name='value_unit_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('is_latest', sa.Boolean(), nullable=False),
    sa.Column('numerator', sa.Double(), nullable=True),
    sa.Column('denominator', sa.Double(), nullable=True),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('status', sa.Enum('provisional', 'final', name='value_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("unit_kind <> 'proportion' OR numerator IS NULL OR numerator <= denominator", name=op.f('ck_values_proportion_numerator_within_denominator')),
    sa.CheckConstraint('(numerator IS NULL) = (denominator IS NULL)', name=op.f('ck_values_numerator_with_denominator')),
    sa.CheckConstraint('denominator IS NULL OR denominator > 0', name=op.f('ck_values_denominator_positive')),
    sa.CheckConstraint('numerator IS NULL OR numerator >= 0', name=op.f('ck_values_numerator_not_negative')),
    sa.CheckConstraint('revision >= 1', name=op.f('ck_values_revision_positive')),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_values_authority_id_authorities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['indicator_id', 'unit_kind'], ['indicators.id', 'indicators.unit_kind'], name='fk_values_indicator_unit_kind', onupdate='CASCADE', ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_values_period_id_periods'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_values_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_values')),
    sa.UniqueConstraint('authority_id', 'indicator_id', 'period_id', 'revision', name=op.f('uq_values_authority_id_indicator_id_period_id_revision'))
    )
    with op.batch_alter_table('values', schema=None) as batch_op:
        batch_op.create_index('ix_values_period_indicator_latest', ['period_id', 'indicator_id', 'is_latest'], unique=False)
        batch_op.create_index('uq_values_latest', ['authority_id', 'indicator_id', 'period_id'], unique=True, sqlite_where=sa.text('is_latest'), postgresql_where=sa.text('is_latest'))

    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=False),
    sa.Column('host_authority_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('visit', 'meeting', name='visit_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('people', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('good_practice', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('host_authority_id <> authority_id', name=op.f('ck_visits_not_self')),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_visits_authority_id_authorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_visits_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['host_authority_id'], ['authorities.id'], name=op.f('fk_visits_host_authority_id_authorities'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits'))
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visits_authority_id'), ['authority_id'], unique=False)

    op.create_table('alliances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('formed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('first_id < second_id', name=op.f('ck_alliances_ordered_pair')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['authorities.id'], name=op.f('fk_alliances_ended_by_id_authorities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['first_id'], ['authorities.id'], name=op.f('fk_alliances_first_id_authorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['ally_requests.id'], name=op.f('fk_alliances_request_id_ally_requests'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['second_id'], ['authorities.id'], name=op.f('fk_alliances_second_id_authorities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alliances'))
    )
    with op.batch_alter_table('alliances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alliances_second_id'), ['second_id'], unique=False)
        batch_op.create_index('uq_alliances_current_pair', ['first_id', 'second_id'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table('follow_up_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('open', 'done', 'dropped', name='action_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.CheckConstraint("(status = 'done') = (completed_on IS NOT NULL)", name=op.f('ck_follow_up_actions_done_has_date')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_follow_up_actions_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_actions'))
    )
    with op.batch_alter_table('follow_up_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_actions_visit_id'), ['visit_id'], unique=False)

    op.create_table('peer_group_members',
    sa.Column('peer_group_id', sa.Integer(), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_peer_group_members_authority_id_authorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['peer_group_id'], ['peer_groups.id'], name=op.f('fk_peer_group_members_peer_group_id_peer_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('peer_group_id', 'authority_id', name=op.f('pk_peer_group_members'))
    )
    with op.batch_alter_table('peer_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_group_members_authority_id'), ['authority_id'], unique=False)

    op.create_table('visit_topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('issue_type_id', sa.Integer(), nullable=True),
    sa.Column('indicator_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(issue_type_id IS NULL) <> (indicator_id IS NULL)', name=op.f('ck_visit_topics_one_subject')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_visit_topics_indicator_id_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issue_type_id'], ['issue_types.id'], name=op.f('fk_visit_topics_issue_type_id_issue_types'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_topics_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_topics'))
    )
    with op.batch_alter_table('visit_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_topics_visit_id'), ['visit_id'], unique=False)

    


def downgrade():
    
    with op.batch_alter_table('visit_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_topics_visit_id'))

    op.drop_table('visit_topics')
    with op.batch_alter_table('peer_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_group_members_authority_id'))

    op.drop_table('peer_group_members')
    with op.batch_alter_table('follow_up_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_actions_visit_id'))

    op.drop_table('follow_up_actions')
    with op.batch_alter_table('alliances', schema=None) as batch_op:
        batch_op.drop_index('uq_alliances_current_pair', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_alliances_second_id'))

    op.drop_table('alliances')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visits_authority_id'))

    op.drop_table('visits')
    with op.batch_alter_table('values', schema=None) as batch_op:
        batch_op.drop_index('uq_values_latest', sqlite_where=sa.text('is_latest'), postgresql_where=sa.text('is_latest'))
        batch_op.drop_index('ix_values_period_indicator_latest')

    op.drop_table('values')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
    with op.batch_alter_table('peer_groups', schema=None) as batch_op:
        batch_op.drop_index('uq_peer_groups_custom_name', sqlite_where=sa.text("kind = 'custom'"), postgresql_where=sa.text("kind = 'custom'"))
        batch_op.drop_index('uq_peer_groups_authority_kind_version', sqlite_where=sa.text("kind <> 'custom'"), postgresql_where=sa.text("kind <> 'custom'"))

    op.drop_table('peer_groups')
    op.drop_table('issue_type_indicators')
    with op.batch_alter_table('issue_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issue_flags_issue_type_id'))

    op.drop_table('issue_flags')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_authority_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('inspector_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspector_grants_inspector_id'))
        batch_op.drop_index(batch_op.f('ix_inspector_grants_authority_id'))

    op.drop_table('inspector_grants')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_authority_occurred')
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')
    with op.batch_alter_table('ally_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ally_requests_requester_id'))
        batch_op.drop_index(batch_op.f('ix_ally_requests_recipient_id'))

    op.drop_table('ally_requests')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_authority_id'))

    op.drop_table('users')
    with op.batch_alter_table('successions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_successions_successor_id'))

    op.drop_table('successions')
    op.drop_table('issue_types')
    op.drop_table('context_figures')
    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_periods_starts_on'))

    op.drop_table('periods')
    op.drop_table('indicators')
    with op.batch_alter_table('authorities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authorities_region'))

    op.drop_table('authorities')
    
