"""xapi lrs clients documents attachments outbox

Revision ID: a19fc9ce54be
Revises: a4209ec4c5dd
Create Date: 2026-11-27 09:44:43.203739
"""
from alembic import op
import sqlalchemy as sa
import lms.db


revision = 'a19fc9ce54be'
down_revision = 'a4209ec4c5dd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_xapi_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha2', sa.String(length=128), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_xapi_attachment')),
    sa.UniqueConstraint('sha2', name=op.f('uq_lms_xapi_attachment_sha2'))
    )
    op.create_table('lms_xapi_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('activity_id', sa.String(length=2048), nullable=False),
    sa.Column('agent_key', sa.String(length=512), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('document_id', sa.String(length=2048), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('updated_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_xapi_document')),
    sa.UniqueConstraint('kind', 'activity_id', 'agent_key', 'registration', 'document_id', name=op.f('uq_lms_xapi_document_kind_activity_id_agent_key_registration_document_id'))
    )
    op.create_table('lms_lrs_client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('secret_hash', sa.String(length=128), nullable=False),
    sa.Column('scopes', lms.db.JSONType(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('registration', sa.String(length=36), nullable=True),
    sa.Column('expires_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_lrs_client_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_lrs_client')),
    sa.UniqueConstraint('key', name=op.f('uq_lms_lrs_client_key'))
    )
    with op.batch_alter_table('lms_lrs_client', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_lrs_client_user_id'), ['user_id'], unique=False)

    op.create_table('lms_xapi_outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('statement_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['statement_pk'], ['lms_statement.id'], name=op.f('fk_lms_xapi_outbox_statement_pk_lms_statement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_xapi_outbox')),
    sa.UniqueConstraint('statement_pk', name=op.f('uq_lms_xapi_outbox_statement_pk'))
    )
    with op.batch_alter_table('lms_xapi_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_lms_xapi_outbox_status_id', ['status', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('lms_xapi_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_xapi_outbox_status_id')

    op.drop_table('lms_xapi_outbox')
    with op.batch_alter_table('lms_lrs_client', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_lrs_client_user_id'))

    op.drop_table('lms_lrs_client')
    op.drop_table('lms_xapi_document')
    op.drop_table('lms_xapi_attachment')
