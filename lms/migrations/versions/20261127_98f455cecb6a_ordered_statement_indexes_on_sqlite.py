"""ordered statement indexes on SQLite

Revision ID: 98f455cecb6a
Revises: a6ab2c1da4a6
Create Date: 2026-11-27 10:57:24.151498
"""
from alembic import op
import sqlalchemy as sa
import lms.db


revision = '98f455cecb6a'
down_revision = 'a6ab2c1da4a6'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite only (the models' ddl_if): PostgreSQL has hash indexes on these IRIs, which have no size limit.
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.batch_alter_table('lms_statement', schema=None) as batch_op:
        batch_op.create_index('ix_lms_statement_activity_stored', ['object_activity_id', 'stored_at', 'id'], unique=False)
        batch_op.create_index('ix_lms_statement_verb_stored', ['verb_id', 'stored_at', 'id'], unique=False)


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.batch_alter_table('lms_statement', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_statement_verb_stored')
        batch_op.drop_index('ix_lms_statement_activity_stored')

