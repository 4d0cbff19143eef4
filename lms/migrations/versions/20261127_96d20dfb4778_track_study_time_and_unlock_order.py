"""track study time and unlock order; SCORM attempts

Revision ID: 96d20dfb4778
Revises: 98f455cecb6a
Create Date: 2026-11-27 11:10:39.843090
"""
from alembic import op
import sqlalchemy as sa
import lms.db


revision = '96d20dfb4778'
down_revision = '98f455cecb6a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_scorm_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('sco', sa.String(length=100), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=8), nullable=False),
    sa.Column('state', lms.db.JSONType(), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('session_key', sa.String(length=32), nullable=False),
    sa.Column('is_initialized', sa.Boolean(), nullable=False),
    sa.Column('started_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_commit_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('terminated_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['registration'], ['lms_enrollment.registration'], name=op.f('fk_lms_scorm_attempt_registration_lms_enrollment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_scorm_attempt_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_scorm_attempt')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_lms_scorm_attempt_attempt_id'))
    )
    with op.batch_alter_table('lms_scorm_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_scorm_attempt_registration'), ['registration'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_scorm_attempt_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_lms_scorm_attempt_user_registration_sco_number', ['user_id', 'registration', 'sco', 'number'], unique=True)

    with op.batch_alter_table('lms_track', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_study_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prerequisites', lms.db.JSONType(), nullable=False, server_default='{}'))



def downgrade():
    with op.batch_alter_table('lms_track', schema=None) as batch_op:
        batch_op.drop_column('prerequisites')
        batch_op.drop_column('min_study_minutes')

    with op.batch_alter_table('lms_scorm_attempt', schema=None) as batch_op:
        batch_op.drop_index('uq_lms_scorm_attempt_user_registration_sco_number')
        batch_op.drop_index(batch_op.f('ix_lms_scorm_attempt_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_scorm_attempt_registration'))

    op.drop_table('lms_scorm_attempt')
