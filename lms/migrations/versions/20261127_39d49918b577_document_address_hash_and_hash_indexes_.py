"""document address hash and hash indexes for long IRIs

Revision ID: 39d49918b577
Revises: 037933707ab2
Create Date: 2026-11-27 10:00:09.628336
"""
from alembic import op
import sqlalchemy as sa
import lms.db


revision = '39d49918b577'
down_revision = '037933707ab2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lms_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_statement_object_activity_id'))
        batch_op.drop_index(batch_op.f('ix_lms_statement_verb_id'))
        batch_op.create_index('ix_lms_statement_object_activity', ['object_activity_id'], unique=False, postgresql_using='hash')
        batch_op.create_index('ix_lms_statement_verb', ['verb_id'], unique=False, postgresql_using='hash')

    with op.batch_alter_table('lms_statement_relation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_statement_relation_kind_key'))
        batch_op.create_index('ix_lms_statement_relation_key', ['key'], unique=False, postgresql_using='hash')

    with op.batch_alter_table('lms_xapi_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_hash', sa.String(length=64), nullable=True))
    _fill_address_hashes()
    with op.batch_alter_table('lms_xapi_document', schema=None) as batch_op:
        batch_op.alter_column('address_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_lms_xapi_document_kind_activity_id_agent_key_registration_document_id'), type_='unique')
        batch_op.create_index('ix_lms_xapi_document_context', ['kind', 'agent_key', 'registration'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_lms_xapi_document_address_hash'), ['address_hash'])



def _fill_address_hashes():
    # Documents stored before this migration get the key lms.xapi.documents.address_hash computes.
    import hashlib

    connection = op.get_bind()
    table = sa.table('lms_xapi_document', sa.column('id'), sa.column('kind'), sa.column('activity_id'),
                     sa.column('agent_key'), sa.column('registration'), sa.column('document_id'),
                     sa.column('address_hash'))
    for row in connection.execute(sa.select(table)).mappings().all():
        parts = (row['kind'], row['activity_id'] or '', row['agent_key'] or '', row['registration'] or '',
                 row['document_id'])
        digest = hashlib.sha256('\x1f'.join(parts).encode('utf-8')).hexdigest()
        connection.execute(table.update().where(table.c.id == row['id']).values(address_hash=digest))


def downgrade():
    with op.batch_alter_table('lms_xapi_document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_lms_xapi_document_address_hash'), type_='unique')
        batch_op.drop_index('ix_lms_xapi_document_context')
        batch_op.create_unique_constraint(batch_op.f('uq_lms_xapi_document_kind_activity_id_agent_key_registration_document_id'), ['kind', 'activity_id', 'agent_key', 'registration', 'document_id'])
        batch_op.drop_column('address_hash')

    with op.batch_alter_table('lms_statement_relation', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_statement_relation_key', postgresql_using='hash')
        batch_op.create_index(batch_op.f('ix_lms_statement_relation_kind_key'), ['kind', 'key'], unique=False)

    with op.batch_alter_table('lms_statement', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_statement_verb', postgresql_using='hash')
        batch_op.drop_index('ix_lms_statement_object_activity', postgresql_using='hash')
        batch_op.create_index(batch_op.f('ix_lms_statement_verb_id'), ['verb_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_statement_object_activity_id'), ['object_activity_id'], unique=False)

