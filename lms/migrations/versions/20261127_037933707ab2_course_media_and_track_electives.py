"""course media and track electives

Revision ID: 037933707ab2
Revises: a19fc9ce54be
Create Date: 2026-11-27 09:52:29.041542
"""
from alembic import op
import sqlalchemy as sa
import lms.db


revision = '037933707ab2'
down_revision = 'a19fc9ce54be'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_course_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_course_media_course_id_lms_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_course_media')),
    sa.UniqueConstraint('course_id', 'digest', 'name', name=op.f('uq_lms_course_media_course_id_digest_name'))
    )
    with op.batch_alter_table('lms_course_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_course_media_course_id'), ['course_id'], unique=False)

    with op.batch_alter_table('lms_track', schema=None) as batch_op:
        batch_op.add_column(sa.Column('elective_slugs', lms.db.JSONType(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('electives_required', sa.Integer(), nullable=False, server_default='0'))



def downgrade():
    with op.batch_alter_table('lms_track', schema=None) as batch_op:
        batch_op.drop_column('electives_required')
        batch_op.drop_column('elective_slugs')

    with op.batch_alter_table('lms_course_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_course_media_course_id'))

    op.drop_table('lms_course_media')
