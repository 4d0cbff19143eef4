"""relation lookup hash and order; fewer statement indexes on SQLite

The related_activities filter reads the relation table newest first through an index on (key_hash,
stored_at, statement_pk): existing rows get their hash and their statement's stored_at, and the rows naming a
statement's own actor, authority or Activity object go (its indexed columns find those; authority_key gets an
index). On SQLite the plain verb and object-activity indexes go (the ordered ones cover them); the
object_statement_id index keeps only StatementRefs.

Revision ID: 1298bee8135b
Revises: 96d20dfb4778
Create Date: 2026-11-27 12:13:41.064537
"""
from alembic import op
import sqlalchemy as sa
import lms.db
from lms.tracking.models import relation_hash


revision = '1298bee8135b'
down_revision = '96d20dfb4778'
branch_labels = None
depends_on = None

REFS_ONLY = sa.text('object_statement_id IS NOT NULL')


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table('lms_statement_relation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_hash', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('stored_at', lms.db.UTCDateTime(timezone=True), nullable=True))
    # The statement's own indexed columns find its actor, authority and Activity object: relation rows hold only
    # its other mentions.
    for kind, column in (('agent', 'actor_key'), ('agent', 'authority_key'), ('activity', 'object_activity_id')):
        op.execute(f"DELETE FROM lms_statement_relation WHERE kind = '{kind}' AND key = (SELECT {column} "
                   "FROM lms_statement WHERE lms_statement.id = lms_statement_relation.statement_pk)")
    op.execute('UPDATE lms_statement_relation SET stored_at = '
               '(SELECT stored_at FROM lms_statement WHERE lms_statement.id = lms_statement_relation.statement_pk)')
    pairs = bind.execute(sa.text('SELECT DISTINCT kind, key FROM lms_statement_relation')).all()
    if pairs:
        bind.execute(sa.text('UPDATE lms_statement_relation SET key_hash = :hash WHERE kind = :kind AND key = :key'),
                     [{'hash': relation_hash(kind, key), 'kind': kind, 'key': key} for kind, key in pairs])
    with op.batch_alter_table('lms_statement_relation', schema=None) as batch_op:
        batch_op.alter_column('key_hash', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('stored_at', existing_type=lms.db.UTCDateTime(timezone=True), nullable=False)
        if bind.dialect.name == 'postgresql':
            batch_op.alter_column('id', existing_type=sa.Integer(), type_=sa.BigInteger())
        batch_op.drop_index('ix_lms_statement_relation_key', postgresql_using='hash')
        batch_op.create_index('ix_lms_statement_relation_lookup', ['key_hash', 'stored_at', 'statement_pk'],
                              unique=False)
    with op.batch_alter_table('lms_statement', schema=None) as batch_op:
        if bind.dialect.name == 'sqlite':
            batch_op.drop_index('ix_lms_statement_object_activity')
            batch_op.drop_index('ix_lms_statement_verb')
        batch_op.drop_index('ix_lms_statement_object_statement_id')
        batch_op.create_index('ix_lms_statement_object_statement_id', ['object_statement_id'], unique=False,
                              sqlite_where=REFS_ONLY, postgresql_where=REFS_ONLY)
        batch_op.create_index('ix_lms_statement_authority', ['authority_key'], unique=False)


def downgrade():
    bind = op.get_bind()
    with op.batch_alter_table('lms_statement', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_statement_authority')
        batch_op.drop_index('ix_lms_statement_object_statement_id')
        batch_op.create_index('ix_lms_statement_object_statement_id', ['object_statement_id'], unique=False)
        if bind.dialect.name == 'sqlite':
            batch_op.create_index('ix_lms_statement_verb', ['verb_id'], unique=False)
            batch_op.create_index('ix_lms_statement_object_activity', ['object_activity_id'], unique=False)
    with op.batch_alter_table('lms_statement_relation', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_statement_relation_lookup')
        batch_op.create_index('ix_lms_statement_relation_key', ['key'], unique=False, postgresql_using='hash')
        if bind.dialect.name == 'postgresql':
            batch_op.alter_column('id', existing_type=sa.BigInteger(), type_=sa.Integer())
        batch_op.drop_column('stored_at')
        batch_op.drop_column('key_hash')
