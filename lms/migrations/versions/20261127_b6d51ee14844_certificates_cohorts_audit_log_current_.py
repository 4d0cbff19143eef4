"""certificates, cohorts, audit log, current enrolments

Revision ID: b6d51ee14844
Revises: 39d49918b577
Create Date: 2026-11-27 10:21:35.002470
"""
from alembic import op
import sqlalchemy as sa
import lms.db


revision = 'b6d51ee14844'
down_revision = '39d49918b577'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_api_token')),
    sa.UniqueConstraint('prefix', name=op.f('uq_lms_api_token_prefix')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_lms_api_token_token_hash'))
    )
    op.create_table('lms_verification_throttle',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('window_started_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lookups', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_lms_verification_throttle'))
    )
    op.create_table('lms_api_agent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_hash', sa.String(length=64), nullable=False),
    sa.Column('agent_key', sa.String(length=512), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_api_agent_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_api_agent')),
    sa.UniqueConstraint('agent_hash', name=op.f('uq_lms_api_agent_agent_hash'))
    )
    with op.batch_alter_table('lms_api_agent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_api_agent_user_id'), ['user_id'], unique=False)

    op.create_table('lms_audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sa.String(length=254), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('details', lms.db.JSONType(), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['lms_user.id'], name=op.f('fk_lms_audit_entry_actor_user_id_lms_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_audit_entry'))
    )
    with op.batch_alter_table('lms_audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_lms_audit_entry_action_at', ['action', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_audit_entry_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_audit_entry_at'), ['at'], unique=False)

    op.create_table('lms_authoring_course_author',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['lms_user.id'], name=op.f('fk_lms_authoring_course_author_added_by_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_authoring_course_author_course_id_lms_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_authoring_course_author_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_authoring_course_author')),
    sa.UniqueConstraint('course_id', 'user_id', name=op.f('uq_lms_authoring_course_author_course_id_user_id'))
    )
    with op.batch_alter_table('lms_authoring_course_author', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_authoring_course_author_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_authoring_course_author_user_id'), ['user_id'], unique=False)

    op.create_table('lms_authoring_pending_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_authoring_pending_import_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_authoring_pending_import')),
    sa.UniqueConstraint('token', name=op.f('uq_lms_authoring_pending_import_token'))
    )
    with op.batch_alter_table('lms_authoring_pending_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_authoring_pending_import_user_id'), ['user_id'], unique=False)

    op.create_table('lms_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=32), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('learner_name', sa.String(length=120), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('track_slug', sa.String(length=100), nullable=False),
    sa.Column('track_title', lms.db.JSONType(), nullable=False),
    sa.Column('issuer_name', sa.String(length=200), nullable=False),
    sa.Column('courses', lms.db.JSONType(), nullable=False),
    sa.Column('issued_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.Column('superseded_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['lms_certificate.id'], name=op.f('fk_lms_certificate_superseded_by_id_lms_certificate'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['track_id'], ['lms_track.id'], name=op.f('fk_lms_certificate_track_id_lms_track'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_certificate_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_certificate')),
    sa.UniqueConstraint('credential_id', name=op.f('uq_lms_certificate_credential_id')),
    sa.UniqueConstraint('serial', name=op.f('uq_lms_certificate_serial')),
    sa.UniqueConstraint('user_id', 'track_id', 'cycle', 'revision', name=op.f('uq_lms_certificate_user_id_track_id_cycle_revision'))
    )
    with op.batch_alter_table('lms_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_certificate_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_certificate_issued_at'), ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_certificate_track_id'), ['track_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_certificate_user_id'), ['user_id'], unique=False)

    op.create_table('lms_cohort',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_key', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('is_archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('archived_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_user.id'], name=op.f('fk_lms_cohort_created_by_id_lms_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_cohort')),
    sa.UniqueConstraint('name_key', name=op.f('uq_lms_cohort_name_key'))
    )
    op.create_table('lms_content_package',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size_bytes', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('file_count', sa.Integer(), nullable=False),
    sa.Column('has_files', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['lms_user.id'], name=op.f('fk_lms_content_package_uploaded_by_id_lms_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_content_package')),
    sa.UniqueConstraint('sha256', name=op.f('uq_lms_content_package_sha256'))
    )
    op.create_table('lms_import_batch',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('default_cohort', sa.String(length=120), nullable=True),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('applied_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('applied_by_id', sa.Integer(), nullable=True),
    sa.Column('summary', lms.db.JSONType(), nullable=True),
    sa.ForeignKeyConstraint(['applied_by_id'], ['lms_user.id'], name=op.f('fk_lms_import_batch_applied_by_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_user.id'], name=op.f('fk_lms_import_batch_created_by_id_lms_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_import_batch'))
    )
    with op.batch_alter_table('lms_import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_import_batch_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_import_batch_created_at'), ['created_at'], unique=False)

    op.create_table('lms_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_user.id'], name=op.f('fk_lms_invitation_created_by_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_invitation_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_lms_invitation_token_hash'))
    )
    with op.batch_alter_table('lms_invitation', schema=None) as batch_op:
        batch_op.create_index('ix_lms_invitation_user_accepted', ['user_id', 'accepted_at'], unique=False)

    op.create_table('lms_learner_organisation',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('updated_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_learner_organisation_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_lms_learner_organisation'))
    )
    with op.batch_alter_table('lms_learner_organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_learner_organisation_organisation'), ['organisation'], unique=False)

    op.create_table('lms_authoring_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_name', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('target', sa.String(length=300), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_authoring_change_course_id_lms_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_authoring_change_user_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['lms_course_version.id'], name=op.f('fk_lms_authoring_change_version_id_lms_course_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_authoring_change'))
    )
    with op.batch_alter_table('lms_authoring_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_authoring_change_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_authoring_change_version_id'), ['version_id'], unique=False)

    op.create_table('lms_authoring_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('document', lms.db.JSONType(), nullable=False),
    sa.Column('base_version_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['base_version_id'], ['lms_course_version.id'], name=op.f('fk_lms_authoring_draft_base_version_id_lms_course_version'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_authoring_draft_course_id_lms_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_user.id'], name=op.f('fk_lms_authoring_draft_created_by_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['lms_user.id'], name=op.f('fk_lms_authoring_draft_updated_by_id_lms_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_authoring_draft')),
    sa.UniqueConstraint('course_id', name=op.f('uq_lms_authoring_draft_course_id'))
    )
    op.create_table('lms_authoring_version_source',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('files', lms.db.JSONType(), nullable=False),
    sa.Column('media', lms.db.JSONType(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('moved_learners', sa.Integer(), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['lms_user.id'], name=op.f('fk_lms_authoring_version_source_published_by_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['lms_course_version.id'], name=op.f('fk_lms_authoring_version_source_version_id_lms_course_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', name=op.f('pk_lms_authoring_version_source'))
    )
    op.create_table('lms_certificate_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('days_before', sa.Integer(), nullable=False),
    sa.Column('sent_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['lms_certificate.id'], name=op.f('fk_lms_certificate_reminder_certificate_id_lms_certificate'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_certificate_reminder')),
    sa.UniqueConstraint('certificate_id', 'days_before', name=op.f('uq_lms_certificate_reminder_certificate_id_days_before'))
    )
    with op.batch_alter_table('lms_certificate_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_certificate_reminder_certificate_id'), ['certificate_id'], unique=False)

    op.create_table('lms_cohort_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('due_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(track_id IS NULL) <> (course_id IS NULL)', name=op.f('ck_lms_cohort_assignment_one_target')),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohort.id'], name=op.f('fk_lms_cohort_assignment_cohort_id_lms_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_cohort_assignment_course_id_lms_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_user.id'], name=op.f('fk_lms_cohort_assignment_created_by_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['track_id'], ['lms_track.id'], name=op.f('fk_lms_cohort_assignment_track_id_lms_track'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_cohort_assignment'))
    )
    with op.batch_alter_table('lms_cohort_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_cohort_assignment_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('lms_cohort_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('removed_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohort.id'], name=op.f('fk_lms_cohort_member_cohort_id_lms_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_cohort_member_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_cohort_member')),
    sa.UniqueConstraint('cohort_id', 'user_id', name=op.f('uq_lms_cohort_member_cohort_id_user_id'))
    )
    with op.batch_alter_table('lms_cohort_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_cohort_member_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_cohort_member_user_id'), ['user_id'], unique=False)

    op.create_table('lms_launch_structure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=16), nullable=False),
    sa.Column('publisher_id', sa.String(length=2048), nullable=False),
    sa.Column('title', lms.db.JSONType(), nullable=False),
    sa.Column('structure', lms.db.JSONType(), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['package_id'], ['lms_content_package.id'], name=op.f('fk_lms_launch_structure_package_id_lms_content_package')),
    sa.ForeignKeyConstraint(['version_id'], ['lms_course_version.id'], name=op.f('fk_lms_launch_structure_version_id_lms_course_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_launch_structure')),
    sa.UniqueConstraint('version_id', 'key', name=op.f('uq_lms_launch_structure_version_id_key'))
    )
    with op.batch_alter_table('lms_launch_structure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_launch_structure_package_id'), ['package_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_launch_structure_version_id'), ['version_id'], unique=False)

    op.create_table('lms_recertification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('previous_certificate_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['opened_by_id'], ['lms_user.id'], name=op.f('fk_lms_recertification_opened_by_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['previous_certificate_id'], ['lms_certificate.id'], name=op.f('fk_lms_recertification_previous_certificate_id_lms_certificate'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['track_id'], ['lms_track.id'], name=op.f('fk_lms_recertification_track_id_lms_track'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_recertification_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_recertification')),
    sa.UniqueConstraint('user_id', 'track_id', 'cycle', name=op.f('uq_lms_recertification_user_id_track_id_cycle'))
    )
    with op.batch_alter_table('lms_recertification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_recertification_track_id'), ['track_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_recertification_user_id'), ['user_id'], unique=False)

    op.create_table('lms_authoring_draft_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['lms_authoring_draft.id'], name=op.f('fk_lms_authoring_draft_media_draft_id_lms_authoring_draft'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_authoring_draft_media')),
    sa.UniqueConstraint('draft_id', 'name', name=op.f('uq_lms_authoring_draft_media_draft_id_name'))
    )
    with op.batch_alter_table('lms_authoring_draft_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_authoring_draft_media_draft_id'), ['draft_id'], unique=False)

    op.create_table('lms_launch_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.String(length=2048), nullable=False),
    sa.Column('publisher_id', sa.String(length=2048), nullable=False),
    sa.Column('launch_mode', sa.String(length=16), nullable=False),
    sa.Column('move_on', sa.String(length=32), nullable=False),
    sa.Column('mastery_score', sa.Float(), nullable=True),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('fetch_token_hash', sa.String(length=64), nullable=True),
    sa.Column('fetched_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lrs_client_id', sa.Integer(), nullable=True),
    sa.Column('launched_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('initialized_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('terminated_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('abandoned_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_statement_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('has_completed', sa.Boolean(), nullable=False),
    sa.Column('has_passed', sa.Boolean(), nullable=False),
    sa.Column('has_failed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['lms_enrollment.id'], name=op.f('fk_lms_launch_session_enrollment_id_lms_enrollment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['lms_course_item.id'], name=op.f('fk_lms_launch_session_item_id_lms_course_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lrs_client_id'], ['lms_lrs_client.id'], name=op.f('fk_lms_launch_session_lrs_client_id_lms_lrs_client'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_launch_session_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_launch_session')),
    sa.UniqueConstraint('fetch_token_hash', name=op.f('uq_lms_launch_session_fetch_token_hash')),
    sa.UniqueConstraint('session_id', name=op.f('uq_lms_launch_session_session_id'))
    )
    with op.batch_alter_table('lms_launch_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_launch_session_enrollment_id'), ['enrollment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_launch_session_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_launch_session_lrs_client_id'), ['lrs_client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_launch_session_registration'), ['registration'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_launch_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('lms_enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_current', sa.Boolean(), server_default=sa.text('(true)'), nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_lms_enrollment_user_id_course_id'), type_='unique')
        batch_op.create_index('uq_lms_enrollment_user_id_course_id_current', ['user_id', 'course_id'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))



def downgrade():
    with op.batch_alter_table('lms_enrollment', schema=None) as batch_op:
        batch_op.drop_index('uq_lms_enrollment_user_id_course_id_current', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.create_unique_constraint(batch_op.f('uq_lms_enrollment_user_id_course_id'), ['user_id', 'course_id'])
        batch_op.drop_column('is_current')

    with op.batch_alter_table('lms_launch_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_launch_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_launch_session_registration'))
        batch_op.drop_index(batch_op.f('ix_lms_launch_session_lrs_client_id'))
        batch_op.drop_index(batch_op.f('ix_lms_launch_session_item_id'))
        batch_op.drop_index(batch_op.f('ix_lms_launch_session_enrollment_id'))

    op.drop_table('lms_launch_session')
    with op.batch_alter_table('lms_authoring_draft_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_authoring_draft_media_draft_id'))

    op.drop_table('lms_authoring_draft_media')
    with op.batch_alter_table('lms_recertification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_recertification_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_recertification_track_id'))

    op.drop_table('lms_recertification')
    with op.batch_alter_table('lms_launch_structure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_launch_structure_version_id'))
        batch_op.drop_index(batch_op.f('ix_lms_launch_structure_package_id'))

    op.drop_table('lms_launch_structure')
    with op.batch_alter_table('lms_cohort_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_cohort_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_cohort_member_cohort_id'))

    op.drop_table('lms_cohort_member')
    with op.batch_alter_table('lms_cohort_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_cohort_assignment_cohort_id'))

    op.drop_table('lms_cohort_assignment')
    with op.batch_alter_table('lms_certificate_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_certificate_reminder_certificate_id'))

    op.drop_table('lms_certificate_reminder')
    op.drop_table('lms_authoring_version_source')
    op.drop_table('lms_authoring_draft')
    with op.batch_alter_table('lms_authoring_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_authoring_change_version_id'))
        batch_op.drop_index(batch_op.f('ix_lms_authoring_change_course_id'))

    op.drop_table('lms_authoring_change')
    with op.batch_alter_table('lms_learner_organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_learner_organisation_organisation'))

    op.drop_table('lms_learner_organisation')
    with op.batch_alter_table('lms_invitation', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_invitation_user_accepted')

    op.drop_table('lms_invitation')
    with op.batch_alter_table('lms_import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_import_batch_created_at'))
        batch_op.drop_index(batch_op.f('ix_lms_import_batch_content_hash'))

    op.drop_table('lms_import_batch')
    op.drop_table('lms_content_package')
    op.drop_table('lms_cohort')
    with op.batch_alter_table('lms_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_certificate_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_certificate_track_id'))
        batch_op.drop_index(batch_op.f('ix_lms_certificate_issued_at'))
        batch_op.drop_index(batch_op.f('ix_lms_certificate_expires_at'))

    op.drop_table('lms_certificate')
    with op.batch_alter_table('lms_authoring_pending_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_authoring_pending_import_user_id'))

    op.drop_table('lms_authoring_pending_import')
    with op.batch_alter_table('lms_authoring_course_author', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_authoring_course_author_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_authoring_course_author_course_id'))

    op.drop_table('lms_authoring_course_author')
    with op.batch_alter_table('lms_audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_audit_entry_at'))
        batch_op.drop_index(batch_op.f('ix_lms_audit_entry_actor_user_id'))
        batch_op.drop_index('ix_lms_audit_entry_action_at')

    op.drop_table('lms_audit_entry')
    with op.batch_alter_table('lms_api_agent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_api_agent_user_id'))

    op.drop_table('lms_api_agent')
    op.drop_table('lms_verification_throttle')
    op.drop_table('lms_api_token')
