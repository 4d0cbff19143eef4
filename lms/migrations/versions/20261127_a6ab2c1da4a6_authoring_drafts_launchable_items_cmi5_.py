"""authoring drafts; launchable items, cmi5 and Tin Can launches; API tokens

Revision ID: a6ab2c1da4a6
Revises: b6d51ee14844
Create Date: 2026-11-27 10:46:57.336693
"""
from alembic import op
import sqlalchemy as sa
import lms.db


revision = 'a6ab2c1da4a6'
down_revision = 'b6d51ee14844'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lms_course_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('launch', lms.db.JSONType(), nullable=True, comment="Launch data of a launchable item, NULL for lessons and quizzes (written by lms.launch). kind 'au': a cmi5 assignable unit: package (SHA-256 of its zip, NULL for an absolute URL), url, publisher_id (the AU id in cmi5.xml), structure (the cmi5 course it belongs to), index, title and description (as langstrings), move_on, mastery_score, launch_method, launch_parameters, entitlement_key, activity_type, objectives, blocks (enclosing block ids, outermost first). kind 'sco' and 'asset': a SCORM item (lms.launch.scorm). kind 'tincan': a Tin Can activity: package, url, activity_id, activity_type, name, structure."))



def downgrade():
    with op.batch_alter_table('lms_course_item', schema=None) as batch_op:
        batch_op.drop_column('launch')

