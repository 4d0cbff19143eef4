"""initial schema

Revision ID: a4209ec4c5dd
Revises: 
Create Date: 2026-11-27 09:24:46.753275
"""
from alembic import op
import sqlalchemy as sa
import lms.db


revision = 'a4209ec4c5dd'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_activity_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_key', sa.String(length=512), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('activity_id', sa.String(length=2048), nullable=False),
    sa.Column('is_completed', sa.Boolean(), nullable=False),
    sa.Column('success', sa.Boolean(), nullable=True),
    sa.Column('best_score', sa.Float(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('time_spent_seconds', sa.Float(), nullable=False),
    sa.Column('completed_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_activity_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_activity_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_activity_progress')),
    sa.UniqueConstraint('actor_key', 'registration', 'activity_id', name=op.f('uq_lms_activity_progress_actor_key_registration_activity_id'))
    )
    op.create_table('lms_course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_course')),
    sa.UniqueConstraint('slug', name=op.f('uq_lms_course_slug'))
    )
    op.create_table('lms_login_throttle',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_lms_login_throttle'))
    )
    op.create_table('lms_setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', lms.db.JSONType(), nullable=False),
    sa.Column('updated_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_lms_setting'))
    )
    op.create_table('lms_statement',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('verb_id', sa.String(length=2048), nullable=False),
    sa.Column('actor_key', sa.String(length=512), nullable=False),
    sa.Column('object_activity_id', sa.String(length=2048), nullable=True),
    sa.Column('object_statement_id', sa.String(length=36), nullable=True),
    sa.Column('registration', sa.String(length=36), nullable=True),
    sa.Column('timestamp', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('stored_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('is_voided', sa.Boolean(), nullable=False),
    sa.Column('authority_key', sa.String(length=512), nullable=True),
    sa.Column('full', lms.db.JSONType(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_statement')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_lms_statement_statement_id'))
    )
    with op.batch_alter_table('lms_statement', schema=None) as batch_op:
        batch_op.create_index('ix_lms_statement_actor_stored', ['actor_key', 'stored_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_statement_object_activity_id'), ['object_activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_statement_object_statement_id'), ['object_statement_id'], unique=False)
        batch_op.create_index('ix_lms_statement_registration_stored', ['registration', 'stored_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_statement_stored_at'), ['stored_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_statement_verb_id'), ['verb_id'], unique=False)

    op.create_table('lms_track',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('title', lms.db.JSONType(), nullable=False),
    sa.Column('summary', lms.db.JSONType(), nullable=False),
    sa.Column('audience', lms.db.JSONType(), nullable=False),
    sa.Column('course_slugs', lms.db.JSONType(), nullable=False),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('validity_months', sa.Integer(), nullable=True),
    sa.Column('updated_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_track')),
    sa.UniqueConstraint('slug', name=op.f('uq_lms_track_slug'))
    )
    op.create_table('lms_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('audience', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('is_active_account', sa.Boolean(), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_user')),
    sa.UniqueConstraint('email', name=op.f('uq_lms_user_email')),
    sa.UniqueConstraint('public_id', name=op.f('uq_lms_user_public_id'))
    )
    op.create_table('lms_course_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('title', lms.db.JSONType(), nullable=False),
    sa.Column('summary', lms.db.JSONType(), nullable=False),
    sa.Column('audience', lms.db.JSONType(), nullable=False),
    sa.Column('languages', lms.db.JSONType(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('is_published', sa.Boolean(), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_course_version_course_id_lms_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_course_version')),
    sa.UniqueConstraint('course_id', 'number', name=op.f('uq_lms_course_version_course_id_number'))
    )
    with op.batch_alter_table('lms_course_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_course_version_course_id'), ['course_id'], unique=False)

    op.create_table('lms_statement_relation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=2048), nullable=False),
    sa.ForeignKeyConstraint(['statement_pk'], ['lms_statement.id'], name=op.f('fk_lms_statement_relation_statement_pk_lms_statement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_statement_relation'))
    )
    with op.batch_alter_table('lms_statement_relation', schema=None) as batch_op:
        batch_op.create_index('ix_lms_statement_relation_kind_key', ['kind', 'key'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_statement_relation_statement_pk'), ['statement_pk'], unique=False)

    op.create_table('lms_user_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_user_role_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_user_role')),
    sa.UniqueConstraint('user_id', 'role', name=op.f('uq_lms_user_role_user_id_role'))
    )
    with op.batch_alter_table('lms_user_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_user_role_user_id'), ['user_id'], unique=False)

    op.create_table('lms_enrollment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('enrolled_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_enrollment_course_id_lms_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_enrollment_user_id_lms_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['lms_course_version.id'], name=op.f('fk_lms_enrollment_version_id_lms_course_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_enrollment')),
    sa.UniqueConstraint('registration', name=op.f('uq_lms_enrollment_registration')),
    sa.UniqueConstraint('user_id', 'course_id', name=op.f('uq_lms_enrollment_user_id_course_id'))
    )
    with op.batch_alter_table('lms_enrollment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_enrollment_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_enrollment_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_enrollment_version_id'), ['version_id'], unique=False)

    op.create_table('lms_module',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', lms.db.JSONType(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['lms_course_version.id'], name=op.f('fk_lms_module_version_id_lms_course_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_module')),
    sa.UniqueConstraint('version_id', 'slug', name=op.f('uq_lms_module_version_id_slug'))
    )
    with op.batch_alter_table('lms_module', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_module_version_id'), ['version_id'], unique=False)

    op.create_table('lms_course_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', lms.db.JSONType(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('body', lms.db.JSONType(), nullable=True),
    sa.Column('quiz', lms.db.JSONType(), nullable=True),
    sa.ForeignKeyConstraint(['module_id'], ['lms_module.id'], name=op.f('fk_lms_course_item_module_id_lms_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['lms_course_version.id'], name=op.f('fk_lms_course_item_version_id_lms_course_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_course_item')),
    sa.UniqueConstraint('version_id', 'kind', 'slug', name=op.f('uq_lms_course_item_version_id_kind_slug'))
    )
    with op.batch_alter_table('lms_course_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_course_item_module_id'), ['module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_course_item_version_id'), ['version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('lms_course_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_course_item_version_id'))
        batch_op.drop_index(batch_op.f('ix_lms_course_item_module_id'))

    op.drop_table('lms_course_item')
    with op.batch_alter_table('lms_module', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_module_version_id'))

    op.drop_table('lms_module')
    with op.batch_alter_table('lms_enrollment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_enrollment_version_id'))
        batch_op.drop_index(batch_op.f('ix_lms_enrollment_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_enrollment_course_id'))

    op.drop_table('lms_enrollment')
    with op.batch_alter_table('lms_user_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_user_role_user_id'))

    op.drop_table('lms_user_role')
    with op.batch_alter_table('lms_statement_relation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_statement_relation_statement_pk'))
        batch_op.drop_index('ix_lms_statement_relation_kind_key')

    op.drop_table('lms_statement_relation')
    with op.batch_alter_table('lms_course_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_course_version_course_id'))

    op.drop_table('lms_course_version')
    op.drop_table('lms_user')
    op.drop_table('lms_track')
    with op.batch_alter_table('lms_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_statement_verb_id'))
        batch_op.drop_index(batch_op.f('ix_lms_statement_stored_at'))
        batch_op.drop_index('ix_lms_statement_registration_stored')
        batch_op.drop_index(batch_op.f('ix_lms_statement_object_statement_id'))
        batch_op.drop_index(batch_op.f('ix_lms_statement_object_activity_id'))
        batch_op.drop_index('ix_lms_statement_actor_stored')

    op.drop_table('lms_statement')
    op.drop_table('lms_setting')
    op.drop_table('lms_login_throttle')
    op.drop_table('lms_course')
    op.drop_table('lms_activity_progress')
