"""progress projection keyed by learner, registration and activity

The surrogate id and the unique constraint give way to a primary key on (actor_key, registration, activity_id);
on SQLite the table is rebuilt WITHOUT ROWID (one B-tree instead of two).

Revision ID: f2b6486a7a6a
Revises: 1298bee8135b
Create Date: 2026-11-27 12:49:31.811366
"""
from alembic import op
import sqlalchemy as sa
import lms.db


revision = 'f2b6486a7a6a'
down_revision = '1298bee8135b'
branch_labels = None
depends_on = None


KEY = ['actor_key', 'registration', 'activity_id']


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('lms_activity_progress', schema=None, recreate='always' if sqlite else 'auto',
                              table_kwargs={'sqlite_with_rowid': False} if sqlite else {}) as batch_op:
        batch_op.drop_constraint('uq_lms_activity_progress_actor_key_registration_activity_id', type_='unique')
        batch_op.drop_constraint('pk_lms_activity_progress', type_='primary')
        batch_op.drop_column('id')
        batch_op.create_primary_key('pk_lms_activity_progress', KEY)


COLUMNS = ['actor_key', 'registration', 'activity_id', 'is_completed', 'success', 'best_score', 'attempts',
           'time_spent_seconds', 'completed_at', 'first_activity_at', 'last_activity_at']


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint('pk_lms_activity_progress', 'lms_activity_progress', type_='primary')
        op.create_unique_constraint('uq_lms_activity_progress_actor_key_registration_activity_id',
                                    'lms_activity_progress', KEY)
        op.execute('ALTER TABLE lms_activity_progress ADD COLUMN id SERIAL')
        op.create_primary_key('pk_lms_activity_progress', 'lms_activity_progress', ['id'])
        return
    # SQLite cannot turn a WITHOUT ROWID table back in place: the old table is made anew and filled.
    op.rename_table('lms_activity_progress', '_lms_activity_progress_keyed')
    op.create_table(
        'lms_activity_progress',
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
        sa.PrimaryKeyConstraint('id', name='pk_lms_activity_progress'),
        sa.UniqueConstraint(*KEY, name='uq_lms_activity_progress_actor_key_registration_activity_id'))
    columns = ', '.join(COLUMNS)
    op.execute(f'INSERT INTO lms_activity_progress ({columns}) SELECT {columns} FROM _lms_activity_progress_keyed')
    op.drop_table('_lms_activity_progress_keyed')
